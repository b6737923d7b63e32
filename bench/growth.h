// What growing costs: the worst single insert while a map grows from empty to
// n (a full rehash stalls one insert for the whole table; swiss::Map's
// directory splits at most a 1024-slot table), and the bytes a map holds per
// entry, at the peak of growth and once settled.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "built_map_cache.h"
#include "counting_allocator.h"
#include "keys.h"
#include "timing.h"

namespace bench {

// The cost of one thread-CPU-clock read, which every per-insert figure
// includes: the median gap between back-to-back reads.
inline double clock_read_ns() {
  std::vector<std::uint64_t> gaps(1001);
  std::uint64_t previous = thread_cpu_ns();
  for (auto& g : gaps) {
    const std::uint64_t now = thread_cpu_ns();
    g = now - previous;
    previous = now;
  }
  std::nth_element(gaps.begin(), gaps.begin() + 500, gaps.end());
  return static_cast<double>(gaps[500]);
}

// Every insert timed on its own, by the thread's CPU time (timing.h says why:
// here it also keeps a preemption by another process, a few ms, from
// posing as a growth stall). The clock is read once per insert; an insert's
// time is the gap since the previous read, so each figure includes one clock
// read (reported as clock_read_ns, equal for every map).
//
// The growth runs once per benchmark iteration (register it with
// Iterations(kGrowthRuns)); each statistic is taken per run and the smallest
// over the runs is reported. A stall the map's design causes happens in every
// run; one the shared machine causes (an interrupt storm, direct reclaim in a
// page fault, both charged to the thread) rarely hits every run.
// max_insert_ns_any_run keeps the largest single figure seen, for honesty.
inline constexpr int kGrowthRuns = 3;

template <class M>
void bench_growth_latency(benchmark::State& state, std::size_t n) {
  using V = typename M::mapped_type;
  built_maps().drop();
  const auto& ks = key_set<typename M::key_type>(n);
  std::vector<std::uint32_t> gap_ns(n);
  auto quantile = [&](double q) {
    const std::size_t rank = std::min(n - 1, static_cast<std::size_t>(q * static_cast<double>(n)));
    std::nth_element(gap_ns.begin(), gap_ns.begin() + static_cast<std::ptrdiff_t>(rank), gap_ns.end());
    return static_cast<double>(gap_ns[rank]);
  };
  constexpr double kNone = std::numeric_limits<double>::infinity();
  double max_ns = kNone, p9999 = kNone, p99 = kNone, p50 = kNone, max_any = 0;
  for (auto _ : state) {
    auto m = std::make_unique<M>();
    const std::uint64_t start = thread_cpu_ns();
    std::uint64_t previous = start;
    for (std::size_t i = 0; i < n; ++i) {
      m->try_emplace(ks.inserted[i], value_for<V>(i));
      const std::uint64_t now = thread_cpu_ns();
      gap_ns[i] = static_cast<std::uint32_t>(std::min<std::uint64_t>(now - previous, std::numeric_limits<std::uint32_t>::max()));
      previous = now;
    }
    state.SetIterationTime(static_cast<double>(previous - start) * 1e-9);
    if (m->size() != n) {
      state.SkipWithError("growth: size() != number of distinct keys inserted");
      break;
    }
    const double run_max = static_cast<double>(*std::max_element(gap_ns.begin(), gap_ns.end()));
    max_ns = std::min(max_ns, run_max);
    max_any = std::max(max_any, run_max);
    p9999 = std::min(p9999, quantile(0.9999));
    p99 = std::min(p99, quantile(0.99));
    p50 = std::min(p50, quantile(0.5));
  }
  state.counters["max_insert_ns"] = max_ns;
  state.counters["max_insert_ns_any_run"] = max_any;
  state.counters["p9999_insert_ns"] = p9999;
  state.counters["p99_insert_ns"] = p99;
  state.counters["p50_insert_ns"] = p50;
  state.counters["runs"] = static_cast<double>(state.iterations());
  state.counters["clock_read_ns"] = clock_read_ns();
  report_ops(state, n);
}

// M must allocate through GlobalCountingAllocator. Peak: the most bytes held at any
// moment while inserting n keys (old and new arrays both live during a
// rehash). Settled: bytes held once all n are in. Also checks that destroying
// the map gives every byte back.
template <class M>
void bench_bytes_per_entry(benchmark::State& state, std::size_t n) {
  built_maps().drop();
  const auto& ks = key_set<typename M::key_type>(n);
  double peak = 0, settled = 0;
  for (auto _ : state) {
    swisscheck::AllocTally& counts = allocation_counts();
    counts = {};
    const CpuStopwatch clock;
    {
      M m;
      fill(m, ks);
      settled = static_cast<double>(counts.live_bytes);
      peak = static_cast<double>(counts.peak_bytes);
      if (m.size() != n) {
        state.SkipWithError("bytes: size() != number of distinct keys inserted");
        break;
      }
    }
    state.SetIterationTime(clock.seconds());
    if (counts.live_bytes != 0) {
      state.SkipWithError("bytes: the map did not free everything it allocated");
      break;
    }
  }
  state.counters["peak_bytes_per_entry"] = peak / static_cast<double>(n);
  state.counters["settled_bytes_per_entry"] = settled / static_cast<double>(n);
  report_ops(state, n);
}

}  // namespace bench
