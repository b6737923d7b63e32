// Timing: each benchmark times exactly the operations it measures (building
// the map for a lookup run, or destroying it after an insert run, is outside
// the clock), by the thread's CPU time (user + system, page faults included).
// On a shared machine wall time also counts the time other processes hold the
// core, which would charge whichever map happened to run then; CPU time does
// not. The clock costs ~0.5 us a read (a system call), so a timed section
// does at least kOpsPerSection operations: small maps run several passes.
#pragma once

#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace bench {

inline constexpr std::size_t kOpsPerSection = 1 << 16;

// How many passes over n keys one timed section makes.
inline std::size_t passes_for(std::size_t n) { return std::max<std::size_t>(1, kOpsPerSection / n); }

inline std::uint64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

class CpuStopwatch {
 public:
  CpuStopwatch() : start_(thread_cpu_ns()) {}
  double seconds() const { return static_cast<double>(thread_cpu_ns() - start_) * 1e-9; }

 private:
  std::uint64_t start_;
};

// Records how many operations one iteration performs: report.py divides the
// per-iteration time by it to get ns per operation, and Google Benchmark shows
// the rate as items_per_second.
inline void report_ops(benchmark::State& state, std::size_t ops_per_iteration) {
  state.counters["ops"] = static_cast<double>(ops_per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ops_per_iteration));
}

}  // namespace bench
