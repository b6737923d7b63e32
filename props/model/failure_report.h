// What a failing property leaves behind, besides RapidCheck's own message and
// its `RC_PARAMS="reproduce=..."` line:
//
//   * the shrunk case printed in check/'s trace format (numbered ops) and as a
//     C++ snippet that replays it against swiss::Map (check/trace.h);
//   * with SWISS_SAVE_REGRESSIONS=1, the shrunk case as bytes (check/encode.h)
//     in corpus/regressions/<lane>_fuzzer/rc-<hash>, where the replay drivers
//     (ctest label `replay`) run it from then on. SWISS_REGRESSIONS_DIR
//     overrides corpus/regressions.
//
// RapidCheck shrinks greedily: every failing candidate becomes the new
// current case, so the last failing run is the shrunk counterexample. Each
// failing run records itself here; after the property, the test prints and
// saves the last one.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "check/decode.h"
#include "check/encode.h"
#include "check/trace.h"

#ifndef SWISS_SOURCE_DIR
#define SWISS_SOURCE_DIR "."
#endif

namespace swissprops {

struct FailureRecord {
  std::string lane;              // check/lanes.h kName
  std::string message;           // what the interpreter (or the property) said
  std::string trace;             // check/ trace format + C++ snippet; empty if not a program
  std::vector<std::uint8_t> bytes;  // the encoded program; empty if not a program
  bool canonical = false;        // decode(bytes) gives back the same program
  std::size_t ops = 0;
  std::size_t actions = 0;
  std::size_t failed_runs = 0;   // failing runs seen (the first one and every shrink step)
};

inline std::optional<FailureRecord>& last_failure() {
  static std::optional<FailureRecord> f;
  return f;
}

inline std::size_t program_actions(const swisscheck::Program& p) {
  std::size_t n = 0;
  for (const auto& op : p.ops) n += op.actions.size();
  return n;
}

template <class L>
void record_program_failure(const swisscheck::Program& p, const std::string& message) {
  FailureRecord r;
  r.failed_runs = last_failure() ? last_failure()->failed_runs + 1 : 1;
  r.lane = L::kName;
  r.message = message;
  std::ostringstream t;
  swisscheck::print_trace<L>(t, p);
  t << '\n';
  swisscheck::print_cpp<L>(t, p);
  r.trace = t.str();
  r.bytes = swisscheck::encode(p);
  r.canonical = swisscheck::decode(r.bytes.data(), r.bytes.size()) == p;
  r.ops = p.ops.size();
  r.actions = program_actions(p);
  last_failure() = std::move(r);
}

inline void record_failure(const std::string& lane, const std::string& message) {
  FailureRecord r;
  r.failed_runs = last_failure() ? last_failure()->failed_runs + 1 : 1;
  r.lane = lane;
  r.message = message;
  last_failure() = std::move(r);
}

inline std::string hex64(std::uint64_t x) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(x));
  return b;
}

// Writes the record's bytes into corpus/regressions/<lane>_fuzzer/; returns
// the path, or an empty string.
inline std::string save_regression(const FailureRecord& r) {
  if (r.bytes.empty()) return {};
  const char* root_env = std::getenv("SWISS_REGRESSIONS_DIR");
  const std::filesystem::path root =
      root_env && *root_env ? std::filesystem::path(root_env)
                            : std::filesystem::path(SWISS_SOURCE_DIR) / "corpus" / "regressions";
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: same bytes, same name
  for (std::uint8_t b : r.bytes) h = (h ^ b) * 0x100000001b3ull;
  const std::filesystem::path dir = root / (r.lane + "_fuzzer");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path file = dir / ("rc-" + hex64(h));
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(r.bytes.data()), static_cast<std::streamsize>(r.bytes.size()));
  return out ? file.string() : std::string();
}

inline bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

// After a property failed: the shrunk case, as ops and as bytes.
inline void report_last_failure() {
  const auto& f = last_failure();
  if (!f) return;
  std::ostream& out = std::cout;
  out << "\n==== swiss props: shrunk counterexample (lane " << f->lane << ", " << f->failed_runs
      << " failing runs while shrinking)\n";
  out << "==== failure: " << f->message << "\n";
  if (f->trace.empty()) {
    out.flush();
    return;
  }
  out << "==== shrunk case: " << f->ops << " ops, " << f->actions << " iteration actions, " << f->bytes.size()
      << " bytes encoded\n"
      << f->trace;
  if (!f->canonical)
    out << "==== note: this program does not round-trip through check/encode.h (a generator bug in props/model)\n";
  if (env_flag("SWISS_SAVE_REGRESSIONS")) {
    const std::string path = save_regression(*f);
    out << (path.empty() ? "==== could not write the regression file\n"
                         : "==== saved as " + path + " (replayed by " + f->lane + "_fuzzer_replay)\n");
  } else {
    out << "==== SWISS_SAVE_REGRESSIONS=1 writes it to corpus/regressions/" << f->lane
        << "_fuzzer/ for the replay drivers\n";
  }
  out.flush();
}

// Runs a property the way RC_GTEST_PROP does, then reports the shrunk case.
template <class Testable>
void check_property(Testable&& testable) {
  last_failure().reset();
  rc::detail::checkGTest(std::forward<Testable>(testable));
  if (::testing::Test::HasFailure()) report_last_failure();
}

// In a property: run a program through the interpreter (in a child), record
// and fail if it fails.
#define SWISS_PROPS_RUN(Lane, program)                                                  \
  do {                                                                                  \
    const ::swissprops::Outcome swiss_outcome_ = ::swissprops::run_program<Lane>(program); \
    if (!swiss_outcome_.ok) {                                                           \
      ::swissprops::record_program_failure<Lane>(program, swiss_outcome_.message);      \
      RC_FAIL(swiss_outcome_.message);                                                  \
    }                                                                                   \
  } while (0)

}  // namespace swissprops
