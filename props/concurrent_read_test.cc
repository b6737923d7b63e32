// Concurrent reads ([res.on.data.races]): any number of threads may call the
// const member functions of one map that no thread modifies. Four threads
// read one shared map at once, each doing every kind of read: full
// iteration of the const map, find and then ++ on the returned iterator
// (which retains the table it walks), copy construction, operator==, at and
// contains. Built and run under ThreadSanitizer (preset tsan, ctest label
// tsan; halt_on_error makes a race a failing exit); in other builds it is a
// plain test that checks every thread read the right things.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "swiss/map.h"

namespace {

constexpr int kThreads = 4;

std::uint64_t key_of(std::uint64_t i, std::uint64_t) { return i * 0x9E3779B97F4A7C15ull; }
std::string key_of(std::uint64_t i, const std::string&) { return "key-" + std::to_string(i) + "-padding-past-sso"; }

template <class M>
M build(std::uint64_t n) {
  M m;
  for (std::uint64_t i = 0; i < n; ++i) m.emplace(key_of(i, typename M::key_type{}), i);
  return m;
}

// What one thread read; every thread must read the same.
struct Reads {
  std::uint64_t iterated = 0, value_sum = 0, found = 0, advanced = 0, copies_equal = 0, at_sum = 0, contained = 0;
  bool operator==(const Reads&) const = default;
};

template <class M>
Reads read_all(const M& m, std::uint64_t n, int rounds) {
  using K = typename M::key_type;
  Reads r;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& kv : m) {  // full iteration of a const map
      ++r.iterated;
      r.value_sum += kv.second;
    }
    // find, then walk a few steps from the returned iterator
    for (std::uint64_t i = 0; i < n; i += 1 + n / 64) {
      auto it = m.find(key_of(i, K{}));
      if (it == m.end()) continue;
      ++r.found;
      for (int step = 0; step < 3 && it != m.end(); ++step, ++it) ++r.advanced;
    }
    const M copy(m);  // copy construction reads (iterates) the shared map
    r.copies_equal += copy == m && m == copy;
    for (std::uint64_t i = 0; i < n; i += 1 + n / 256) {
      r.at_sum += m.at(key_of(i, K{}));
      r.contained += m.contains(key_of(i, K{}));
      r.contained += m.contains(key_of(n + i, K{}));  // absent
    }
  }
  return r;
}

template <class M>
void read_from_threads(std::uint64_t n, int rounds) {
  const M shared = build<M>(n);
  std::vector<Reads> reads(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      }  // start together
      reads[t] = read_all(shared, n, rounds);
    });
  }
  for (auto& th : threads) th.join();
  const Reads alone = read_all(shared, n, rounds);
  EXPECT_EQ(alone.iterated, n * rounds);
  EXPECT_EQ(alone.value_sum, n * (n - 1) / 2 * rounds);
  EXPECT_EQ(alone.copies_equal, static_cast<std::uint64_t>(rounds));
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(reads[t] == alone) << "thread " << t << " read other values";
  shared.check_invariants();
}

using U64 = swiss::Map<std::uint64_t, std::uint64_t>;
using Str = swiss::Map<std::string, std::uint64_t>;

// 20k entries: dozens of 1024-slot tables under a directory.
TEST(ConcurrentRead, U64ManyTables) { read_from_threads<U64>(20000, 3); }
TEST(ConcurrentRead, U64SmallMap) { read_from_threads<U64>(5, 200); }
TEST(ConcurrentRead, U64OneTable) { read_from_threads<U64>(300, 50); }
TEST(ConcurrentRead, StringManyTables) { read_from_threads<Str>(20000, 2); }
TEST(ConcurrentRead, StringSmallMap) { read_from_threads<Str>(6, 200); }

}  // namespace
