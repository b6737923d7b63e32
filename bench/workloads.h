// The timed workloads, each one function template over the map type M, so the
// same code runs for swiss::Map, absl, boost and std, with either hashing and
// any key/value type (u64->u64, 20-byte strings, 256-byte values).
//
// Each checks what it did (sizes, checksums of what it found) after the
// clock stops and fails the benchmark if the map got it wrong.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "built_map_cache.h"
#include "keys.h"
#include "timing.h"

namespace bench {

template <class M>
void fill(M& m, const KeySet<typename M::key_type>& ks) {
  using V = typename M::mapped_type;
  for (std::size_t i = 0; i < ks.inserted.size(); ++i) m.try_emplace(ks.inserted[i], value_for<V>(i));
}

template <class V>
std::uint64_t value_checksum(std::size_t n) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += digest(value_for<V>(i));
  return sum;
}

template <class M>
const M& built_map(std::size_t n) {
  const auto& ks = key_set<typename M::key_type>(n);
  return built_maps().get<M>(n, [&](M& m) { fill(m, ks); });
}

enum class Reserve { kNo, kYes };

// The timed loops, kept out of line so a profile (perf, callgrind
// --toggle-collect='*hit_pass*') sees each workload's operations apart from
// the setup around them. One call per pass over the keys. Each ends in
// DoNotOptimize: without a visible side effect GCC proves a read-only pass
// `pure` and runs only one of several identical passes.
template <class M>
[[gnu::noinline]] void insert_pass(M& m, const std::vector<typename M::key_type>& keys, Reserve reserve) {
  using V = typename M::mapped_type;
  if (reserve == Reserve::kYes) m.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) m.try_emplace(keys[i], value_for<V>(i));
}

template <class M>
[[gnu::noinline]] std::uint64_t hit_pass(const M& m, const std::vector<typename M::key_type>& keys) {
  std::uint64_t sum = 0;
  for (const auto& k : keys) sum += digest(m.find(k)->second);
  benchmark::DoNotOptimize(sum);
  return sum;
}

template <class M>
[[gnu::noinline]] std::size_t miss_pass(const M& m, const std::vector<typename M::key_type>& keys) {
  std::size_t found = 0;
  for (const auto& k : keys) found += m.find(k) != m.end();
  benchmark::DoNotOptimize(found);
  return found;
}

// One find per key, each result stored to its own element of out (0 for a
// miss): no lookup's address, branch or sum depends on an earlier one, so the
// CPU may overlap as many lookups as it can keep in flight.
template <class M>
[[gnu::noinline]] void lookup_pass(const M& m, const std::vector<typename M::key_type>& keys, std::uint64_t* out) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto it = m.find(keys[i]);
    out[i] = it != m.end() ? digest(it->second) : 0;
  }
  benchmark::DoNotOptimize(out);
}

template <class M>
[[gnu::noinline]] std::uint64_t iterate_pass(const M& m) {
  std::uint64_t sum = 0;
  for (const auto& kv : m) sum += digest(kv.first) + digest(kv.second);
  benchmark::DoNotOptimize(sum);
  return sum;
}

template <class M>
[[gnu::noinline]] std::size_t erase_pass(M& m, const std::vector<typename M::key_type>& keys) {
  std::size_t erased = 0;
  for (const auto& k : keys) erased += m.erase(k);
  return erased;
}

// n inserts of distinct keys into a new map (after reserve(n) with kYes; the
// reserve call is timed with the inserts). Constructing and destroying the
// maps is not timed.
template <class M>
void bench_insert(benchmark::State& state, std::size_t n, Reserve reserve) {
  built_maps().drop();
  const auto& ks = key_set<typename M::key_type>(n);
  std::vector<std::unique_ptr<M>> maps(passes_for(n));
  for (auto _ : state) {
    for (auto& m : maps) m = std::make_unique<M>();
    const CpuStopwatch clock;
    for (auto& m : maps) insert_pass(*m, ks.inserted, reserve);
    state.SetIterationTime(clock.seconds());
    for (auto& m : maps) {
      if (m->size() != n) state.SkipWithError("insert: size() != number of distinct keys inserted");
      m.reset();
    }
  }
  report_ops(state, maps.size() * n);
}

// find() of every inserted key, in shuffled order.
template <class M>
void bench_hit(benchmark::State& state, std::size_t n) {
  const M& m = built_map<M>(n);
  const auto& ks = key_set<typename M::key_type>(n);
  const std::size_t passes = passes_for(n);
  const std::uint64_t expected = passes * value_checksum<typename M::mapped_type>(n);
  for (auto _ : state) {
    const CpuStopwatch clock;
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < passes; ++p) sum += hit_pass(m, ks.hits);
    benchmark::DoNotOptimize(sum);
    state.SetIterationTime(clock.seconds());
    if (sum != expected) {
      state.SkipWithError("hit: the values found are not the values inserted");
      break;
    }
  }
  report_ops(state, passes * n);
}

// find() of n keys that were never inserted.
template <class M>
void bench_miss(benchmark::State& state, std::size_t n) {
  const M& m = built_map<M>(n);
  const auto& ks = key_set<typename M::key_type>(n);
  const std::size_t passes = passes_for(n);
  for (auto _ : state) {
    const CpuStopwatch clock;
    std::size_t found = 0;
    for (std::size_t p = 0; p < passes; ++p) found += miss_pass(m, ks.misses);
    benchmark::DoNotOptimize(found);
    state.SetIterationTime(clock.seconds());
    if (found != 0) {
      state.SkipWithError("miss: found a key that was never inserted");
      break;
    }
  }
  report_ops(state, passes * n);
}

enum class Lookup { kHit, kMiss };

// Independent lookups (lookup_pass) of every inserted key or of as many keys
// never inserted, both in an order of their own (KeySet::lookup_hits,
// lookup_misses), the same keys in the same order for every map. hit checks
// each stored value, miss that nothing was found.
template <class M>
void bench_lookup(benchmark::State& state, std::size_t n, Lookup kind) {
  using V = typename M::mapped_type;
  const M& m = built_map<M>(n);
  const auto& ks = key_set<typename M::key_type>(n);
  const auto& keys = kind == Lookup::kHit ? ks.lookup_hits : ks.lookup_misses;
  const std::size_t passes = passes_for(n);
  std::vector<std::uint64_t> out(n);
  for (auto _ : state) {
    const CpuStopwatch clock;
    for (std::size_t p = 0; p < passes; ++p) lookup_pass(m, keys, out.data());
    state.SetIterationTime(clock.seconds());
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t want = kind == Lookup::kHit ? digest(value_for<V>(ks.lookup_hit_index[i])) : 0;
      if (out[i] != want) {
        state.SkipWithError(kind == Lookup::kHit ? "lookup_hit: a value found is not the value inserted"
                                                 : "lookup_miss: found a key that was never inserted");
        break;
      }
    }
  }
  report_ops(state, passes * n);
}

// A full pass over the map, reading every key and value.
template <class M>
void bench_iterate(benchmark::State& state, std::size_t n) {
  const M& m = built_map<M>(n);
  const auto& ks = key_set<typename M::key_type>(n);
  const std::size_t passes = passes_for(n);
  std::uint64_t expected = value_checksum<typename M::mapped_type>(n);
  for (const auto& k : ks.inserted) expected += digest(k);
  expected *= passes;
  for (auto _ : state) {
    const CpuStopwatch clock;
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < passes; ++p) sum += iterate_pass(m);
    benchmark::DoNotOptimize(sum);
    state.SetIterationTime(clock.seconds());
    if (sum != expected) {
      state.SkipWithError("iterate: the pass did not yield every entry exactly once");
      break;
    }
  }
  report_ops(state, passes * n);
}

// erase(key) of every inserted key, in shuffled order, until the map is empty.
// The maps are rebuilt for each iteration outside the clock.
template <class M>
void bench_erase(benchmark::State& state, std::size_t n) {
  built_maps().drop();
  const auto& ks = key_set<typename M::key_type>(n);
  std::vector<std::unique_ptr<M>> maps(passes_for(n));
  for (auto _ : state) {
    for (auto& m : maps) {
      m = std::make_unique<M>();
      fill(*m, ks);
    }
    const CpuStopwatch clock;
    std::size_t erased = 0;
    for (auto& m : maps) erased += erase_pass(*m, ks.hits);
    state.SetIterationTime(clock.seconds());
    for (auto& m : maps) {
      if (!m->empty()) state.SkipWithError("erase: a map is not empty after erasing every key");
      m.reset();
    }
    if (erased != maps.size() * n) state.SkipWithError("erase: did not erase every key exactly once");
  }
  report_ops(state, maps.size() * n);
}

// Constant size n: each operation erases the oldest key and inserts a new one
// (FIFO), so tombstones and reuse are exercised without the map growing. The
// new keys come from their own stream, disjoint from the inserted and missed.
template <class M>
void bench_churn(benchmark::State& state, std::size_t n) {
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  built_maps().drop();
  const auto& ks = key_set<K>(n);
  auto m = std::make_unique<M>();
  fill(*m, ks);
  std::vector<K> oldest_first = ks.inserted;
  const std::size_t ops = passes_for(n) * n;
  std::size_t next = 0, pos = 0;
  for (auto _ : state) {
    const CpuStopwatch clock;
    std::size_t erased = 0;
    for (std::size_t i = 0; i < ops; ++i) {
      erased += m->erase(oldest_first[pos]);
      K fresh = key_from<K>(mix(kSeed + kChurnStream + next++));
      m->try_emplace(fresh, value_from<V>(next));
      oldest_first[pos] = std::move(fresh);
      if (++pos == n) pos = 0;
    }
    state.SetIterationTime(clock.seconds());
    if (erased != ops || m->size() != n) {
      state.SkipWithError("churn: an erase missed its key or the size drifted");
      break;
    }
  }
  report_ops(state, ops);
}

}  // namespace bench
