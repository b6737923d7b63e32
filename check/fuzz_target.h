// One macro turns a lane into a libFuzzer target: decode the bytes, run the
// interpreter (abort() on a failure, so libFuzzer records a crash), and a
// trace hook the replay driver's --trace uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iostream>

#include "check/decode.h"
#include "check/interpreter.h"
#include "check/trace.h"

namespace swisscheck {

template <class L>
int run_fuzz_input(const std::uint8_t* data, std::size_t size) {
  const Program p = decode(data, size);
  Interpreter<L> interpreter;  // default options: abort on failure
  interpreter.run(p);
  return 0;
}

template <class L>
void print_input(const std::uint8_t* data, std::size_t size, std::ostream& out) {
  const Program p = decode(data, size);
  print_trace<L>(out, p);
  out << '\n';
  print_cpp<L>(out, p);
}

}  // namespace swisscheck

// The replay driver (fuzz/replay_main.cc) calls this for --trace.
extern "C" void SwissCheckPrintTrace(const std::uint8_t* data, std::size_t size);

#define SWISSCHECK_FUZZ_TARGET(Lane)                                                   \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    return ::swisscheck::run_fuzz_input<Lane>(data, size);                            \
  }                                                                                   \
  extern "C" void SwissCheckPrintTrace(const std::uint8_t* data, std::size_t size) {  \
    ::swisscheck::print_input<Lane>(data, size, std::cout);                           \
  }
