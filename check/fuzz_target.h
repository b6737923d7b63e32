// One macro turns a lane into a libFuzzer target: decode the bytes, run the
// interpreter (abort() on a failure, so libFuzzer records a crash), and a
// trace hook the replay driver's --trace uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iostream>

#include <sanitizer/common_interface_defs.h>

#include "swiss/config.h"

// The death callback needs a sanitizer runtime (not linked in coverage
// builds): ASan (SWISS_ASAN, gcc or clang) or clang's UBSan (gcc has no macro
// for -fsanitize=undefined).
#if defined(SWISS_ASAN)
#define SWISSCHECK_HAS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(undefined_behavior_sanitizer)
#define SWISSCHECK_HAS_SANITIZER 1
#endif
#endif
#ifndef SWISSCHECK_HAS_SANITIZER
#define SWISSCHECK_HAS_SANITIZER 0
#endif

#include "check/decode.h"
#include "check/interpreter.h"
#include "check/mutator.h"
#include "check/trace.h"

// 1: the targets mutate inputs as programs (check/mutator.h), half of the time
// (kByteMutationPercent) through libFuzzer's own byte mutation instead. The
// CMake option SWISS_CUSTOM_MUTATOR sets it for fuzz/'s targets.
#ifndef SWISSCHECK_CUSTOM_MUTATOR
#define SWISSCHECK_CUSTOM_MUTATOR 0
#endif

namespace swisscheck {

// The input being run, for the sanitizer death callback: an ASan/UBSan
// report ends the process before the interpreter can print the ops.
struct CurrentInput {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  void (*print)(const std::uint8_t*, std::size_t, std::size_t) = nullptr;
};
inline CurrentInput& current_input() {
  static CurrentInput c;
  return c;
}
inline void print_current_input_on_death() {
  const CurrentInput& c = current_input();
  if (!c.print) return;
  std::cerr << "\n==== swisscheck: the sanitizer stopped op #" << current_op() << "; the input as ops:\n";
  c.print(c.data, c.size, current_op());
}

}  // namespace swisscheck

// Defined (as 1) only by the replay driver. Under libFuzzer the death callback
// is libFuzzer's own (it writes the crash artifact), so it must stay.
extern "C" __attribute__((weak)) int swisscheck_standalone_replay;

namespace swisscheck {

// The maps' seeds come from the input (FNV-1a of its bytes), so a crash that
// depends on where entries land reproduces on every run of that input.
inline std::uint64_t input_seed(const std::uint8_t* data, std::size_t size) {
  std::uint64_t seed = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < size; ++i) seed = (seed ^ data[i]) * 0x100000001b3ull;
  return seed;
}

// A fuzzer lives on executions per second: an input's ops stop after this many
// element-steps (Options::budget, 4x below the props' default). A fill of
// 8184 keys, a split to global depth 3 and a copy of the result still fit.
inline constexpr std::size_t kFuzzBudget = 50000;
inline Options fuzz_options() {
  Options o;
  o.budget = kFuzzBudget;
  return o;
}

template <class L>
int run_fuzz_input(const std::uint8_t* data, std::size_t size) {
  static const bool registered = [] {
#if SWISSCHECK_HAS_SANITIZER
    if (&swisscheck_standalone_replay != nullptr && swisscheck_standalone_replay)
      __sanitizer_set_death_callback(print_current_input_on_death);
#endif
    return true;
  }();
  (void)registered;
  swiss::restart_seed_stream_for_testing(input_seed(data, size));
  current_input() = {data, size, [](const std::uint8_t* d, std::size_t n, std::size_t upto) {
                       print_trace<L>(std::cerr, decode(d, n), upto);
                     }};
  const Program p = decode(data, size);
  Interpreter<L> interpreter(fuzz_options());  // aborts on failure
  interpreter.run(p);
  current_input() = {};
  return 0;
}

template <class L>
void print_input(const std::uint8_t* data, std::size_t size, std::ostream& out) {
  const Program p = decode(data, size);
  print_trace<L>(out, p);
  out << "\n// the fuzz target restarts the seed stream first, so the maps get the same seeds:\n"
      << "swiss::restart_seed_stream_for_testing(0x" << std::hex << input_seed(data, size) << std::dec << "ull);\n";
  print_cpp<L>(out, p);
}

}  // namespace swisscheck

// The replay driver (fuzz/replay_main.cc) calls this for --trace.
extern "C" void SwissCheckPrintTrace(const std::uint8_t* data, std::size_t size);

// libFuzzer's byte mutation (dictionary included). Weak: the replay driver
// links the same target files without libFuzzer, where it is null.
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size,
                                                              std::size_t max_size);

namespace swisscheck {

// The share of custom-mutator calls handed to LLVMFuzzerMutate: byte edits
// still find what ops cannot say (a truncated tail, an opcode byte turned arg).
inline constexpr unsigned kByteMutationPercent = 50;

inline std::size_t custom_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  std::minstd_rand r(mutator_detail::spread(seed));
  if (LLVMFuzzerMutate != nullptr && r() % 100 < kByteMutationPercent) return LLVMFuzzerMutate(data, size, max_size);
  return mutate_program(data, size, max_size, static_cast<unsigned>(r()));
}

}  // namespace swisscheck

#if SWISSCHECK_CUSTOM_MUTATOR
#define SWISSCHECK_MUTATOR_HOOKS                                                                       \
  extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size, \
                                                 unsigned int seed) {                                  \
    return ::swisscheck::custom_mutate(data, size, max_size, seed);                                   \
  }                                                                                                    \
  extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* d1, std::size_t s1,             \
                                                   const std::uint8_t* d2, std::size_t s2,             \
                                                   std::uint8_t* out, std::size_t max_out,             \
                                                   unsigned int seed) {                                \
    return ::swisscheck::cross_over(d1, s1, d2, s2, out, max_out, seed);                               \
  }
#else
#define SWISSCHECK_MUTATOR_HOOKS
#endif

#define SWISSCHECK_FUZZ_TARGET(Lane)                                                   \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    return ::swisscheck::run_fuzz_input<Lane>(data, size);                            \
  }                                                                                   \
  extern "C" void SwissCheckPrintTrace(const std::uint8_t* data, std::size_t size) {  \
    ::swisscheck::print_input<Lane>(data, size, std::cout);                           \
  }                                                                                   \
  SWISSCHECK_MUTATOR_HOOKS
