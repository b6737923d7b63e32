// Shared by the check/ unit tests that run the interpreter.
#pragma once

#include "check/interpreter.h"

namespace swisscheck {

// A failure comes back as a RunResult (a thrown CheckFailure) instead of abort().
inline Options throwing() {
  Options o;
  o.abort_on_failure = false;
  return o;
}

}  // namespace swisscheck
