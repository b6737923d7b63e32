// Manual timing: each benchmark times exactly the operations it measures
// (building the map for a lookup run, or destroying it after an insert run,
// is outside the clock), with steady_clock (vDSO-backed TSC on Linux x86,
// ~20 ns a read, negligible against a whole pass over the keys).
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Records how many operations one iteration performs: report.py divides the
// per-iteration time by it to get ns per operation, and Google Benchmark shows
// the rate as items_per_second.
inline void report_ops(benchmark::State& state, std::size_t ops_per_iteration) {
  state.counters["ops"] = static_cast<double>(ops_per_iteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ops_per_iteration));
}

}  // namespace bench
