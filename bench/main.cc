// swiss_bench: swiss::Map against absl::flat_hash_map,
// boost::unordered_flat_map and std::unordered_map.
//
// Benchmark names are  workload/hashing/map/size,  e.g. hit/default/swiss/1000000:
//   workloads  insert insert_reserved hit miss erase iterate churn   (u64 -> u64)
//              lookup_hit lookup_miss   (u64 -> u64, independent lookups)
//              str_hit str_miss                   (20-byte string keys -> u64)
//              v256_insert v256_hit               (u64 -> 256-byte values)
//              grow_latency bytes                 (u64 -> u64, default hashing)
//   hashing    default (each map's own hasher) | cheap (one shared CheapHash)
// Every time is per iteration; the "ops" counter says how many operations an
// iteration did (bench/report.py divides).
//
// Our flags (the rest are Google Benchmark's, e.g. --benchmark_filter):
//   --swiss_quick        1M only: the u64 workloads, string hit/miss, growth
//   --swiss_sizes=LIST   comma-separated sizes (default 1000,100000,1000000,10000000)
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "counting_allocator.h"
#include "growth.h"
#include "keys.h"
#include "maps.h"
#include "workloads.h"

namespace bench {
namespace {

// String keys and 256-byte values stop at this size: at 10M their key sets
// and maps need several GB, more than a shared machine should give a benchmark.
constexpr std::size_t kMaxWideSize = 1'000'000;
// Growth latency and bytes per entry are reported from this size up.
constexpr std::size_t kMinGrowthSize = 1'000'000;

struct Plan {
  bool quick = false;
  std::vector<std::size_t> sizes{1'000, 100'000, 1'000'000, 10'000'000};
};

template <class... Ts> struct TypeList {};
using Families = TypeList<SwissFamily, AbslFamily, BoostFamily, StdFamily>;
using Hashings = TypeList<DefaultHashing, CheapHashing>;

template <class Fn, class... Args>
benchmark::internal::Benchmark* add(const std::string& name, Fn fn, Args... args) {
  return benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { fn(s, args...); })
      ->UseManualTime()
      ->Unit(benchmark::kNanosecond);
}

template <class F, class H>
std::string suffix(std::size_t n) {
  return std::string("/") + H::kName + "/" + F::kName + "/" + std::to_string(n);
}

// Registration order is size, hashing, workload, map: the four maps' runs of
// one workload follow each other, so a change in machine load mid-run shifts
// them together rather than skewing one map's row.
template <class H, class... Fs>
void add_timed(const Plan& plan, std::size_t n, TypeList<Fs...>) {
  auto for_each_map = [](auto&& add_one) { (add_one(Fs{}), ...); };
  using u64 = std::uint64_t;
  // hit, miss, lookup_*, iterate first: they share the built maps (built_map_cache.h).
  for_each_map([&](auto f) { add("hit" + suffix<decltype(f), H>(n), bench_hit<MapFor<decltype(f), H, u64, u64>>, n); });
  for_each_map([&](auto f) { add("miss" + suffix<decltype(f), H>(n), bench_miss<MapFor<decltype(f), H, u64, u64>>, n); });
  for_each_map([&](auto f) {
    add("lookup_hit" + suffix<decltype(f), H>(n), bench_lookup<MapFor<decltype(f), H, u64, u64>>, n, Lookup::kHit);
  });
  for_each_map([&](auto f) {
    add("lookup_miss" + suffix<decltype(f), H>(n), bench_lookup<MapFor<decltype(f), H, u64, u64>>, n, Lookup::kMiss);
  });
  for_each_map([&](auto f) { add("iterate" + suffix<decltype(f), H>(n), bench_iterate<MapFor<decltype(f), H, u64, u64>>, n); });
  for_each_map([&](auto f) {
    add("insert" + suffix<decltype(f), H>(n), bench_insert<MapFor<decltype(f), H, u64, u64>>, n, Reserve::kNo);
  });
  for_each_map([&](auto f) {
    add("insert_reserved" + suffix<decltype(f), H>(n), bench_insert<MapFor<decltype(f), H, u64, u64>>, n, Reserve::kYes);
  });
  for_each_map([&](auto f) { add("erase" + suffix<decltype(f), H>(n), bench_erase<MapFor<decltype(f), H, u64, u64>>, n); });
  for_each_map([&](auto f) { add("churn" + suffix<decltype(f), H>(n), bench_churn<MapFor<decltype(f), H, u64, u64>>, n); });
  if (n <= kMaxWideSize) {
    using Str = std::string;
    for_each_map([&](auto f) { add("str_hit" + suffix<decltype(f), H>(n), bench_hit<MapFor<decltype(f), H, Str, u64>>, n); });
    for_each_map([&](auto f) { add("str_miss" + suffix<decltype(f), H>(n), bench_miss<MapFor<decltype(f), H, Str, u64>>, n); });
  }
  if (n <= kMaxWideSize && !plan.quick) {
    for_each_map([&](auto f) {
      add("v256_hit" + suffix<decltype(f), H>(n), bench_hit<MapFor<decltype(f), H, u64, Blob256>>, n);
    });
    for_each_map([&](auto f) {
      add("v256_insert" + suffix<decltype(f), H>(n), bench_insert<MapFor<decltype(f), H, u64, Blob256>>, n, Reserve::kNo);
    });
  }
}

template <class... Fs>
void add_growth(std::size_t n, TypeList<Fs...>) {
  using u64 = std::uint64_t;
  using Counting = GlobalCountingAllocator<std::pair<const u64, u64>>;
  auto for_each_map = [](auto&& add_one) { (add_one(Fs{}), ...); };
  for_each_map([&](auto f) {
    using F = decltype(f);
    add("grow_latency" + suffix<F, DefaultHashing>(n), bench_growth_latency<MapFor<F, DefaultHashing, u64, u64>>, n)
        ->Iterations(kGrowthRuns);
  });
  for_each_map([&](auto f) {
    using F = decltype(f);
    add("bytes" + suffix<F, DefaultHashing>(n), bench_bytes_per_entry<MapFor<F, DefaultHashing, u64, u64, Counting>>, n)
        ->Iterations(1);
  });
}

template <class... Hs>
void register_all(const Plan& plan, TypeList<Hs...>) {
  for (std::size_t n : plan.sizes) {  // size-major: a size's key sets are generated once
    (add_timed<Hs>(plan, n, Families{}), ...);
    if (n >= kMinGrowthSize) add_growth(n, Families{});
  }
}

bool starts_with(const char* arg, const char* prefix) { return std::strncmp(arg, prefix, std::strlen(prefix)) == 0; }

// Takes our flags out of argv (Google Benchmark rejects flags it does not know).
Plan parse_plan(int& argc, char** argv) {
  Plan plan;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--swiss_quick") == 0) {
      plan.quick = true;
      plan.sizes = {1'000'000};
    } else if (starts_with(argv[i], "--swiss_sizes=")) {
      plan.sizes.clear();
      std::string list = argv[i] + std::strlen("--swiss_sizes=");
      for (std::size_t at = 0; at < list.size();) {
        std::size_t comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        plan.sizes.push_back(std::stoull(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return plan;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  const bench::Plan plan = bench::parse_plan(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_all(plan, bench::Hashings{});
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
