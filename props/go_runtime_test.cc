// Go's runtime map tests (runtime/map_test.go, test/fixedbugs/issue59411.go),
// ported in spirit: NaN keys, negative zero, iteration while the map grows,
// erases and clears, and the per-map seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace {

using props::shape;
using props::U64Map;

using DoubleMap = swiss::Map<double, std::int64_t>;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- NaN ---------------------------------------------------------------------

TEST(GoRuntime, NaNInsertedTwiceIsTwoEntries) {
  DoubleMap m;
  m[kNaN] = 1;
  m[kNaN] = 2;
  EXPECT_EQ(m.size(), 2u);
  m.check_invariants();
  // Every insert form adds an entry; none finds the earlier ones.
  EXPECT_TRUE(m.insert({kNaN, 4}).second);
  EXPECT_TRUE(m.emplace(kNaN, 8).second);
  EXPECT_TRUE(m.try_emplace(kNaN, 16).second);
  EXPECT_TRUE(m.insert_or_assign(kNaN, 32).second);
  EXPECT_EQ(m.size(), 6u);
  EXPECT_EQ(m.find(kNaN), m.end());
  EXPECT_EQ(m.count(kNaN), 0u);
  EXPECT_FALSE(m.contains(kNaN));
  EXPECT_EQ(m.erase(kNaN), 0u) << "a NaN key cannot be erased by key";
  EXPECT_THROW((void)m.at(kNaN), std::out_of_range);
  // All six are iterated, each once, with its own value.
  std::int64_t bits = 0;
  std::size_t yielded = 0;
  for (auto& [k, v] : m) {
    EXPECT_TRUE(std::isnan(k));
    EXPECT_EQ(bits & v, 0) << "value " << v << " yielded twice";
    bits |= v;
    ++yielded;
  }
  EXPECT_EQ(yielded, 6u);
  EXPECT_EQ(bits, 63);
  m.check_invariants();
}

// Go's MapAssignmentNan: many NaN entries, each value distinct, through growth.
TEST(GoRuntime, ManyNaNEntriesSurviveGrowth) {
  DoubleMap m;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    m[kNaN] = i;
    if (i % 500 == 0) m.check_invariants();
  }
  m.check_invariants();
  ASSERT_EQ(m.size(), static_cast<std::size_t>(n));
  std::vector<int> seen(n, 0);
  for (auto& [k, v] : m) {
    ASSERT_TRUE(std::isnan(k));
    ASSERT_GE(v, 0);
    ASSERT_LT(v, n);
    ++seen[v];
  }
  for (int i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "NaN entry with value " << i;
  // NaN entries leave only through an iterator (or clear).
  std::size_t erased = 0;
  for (auto it = m.begin(); it != m.end();) {
    if (it->second % 2 == 0) {
      it = m.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  EXPECT_EQ(erased, static_cast<std::size_t>(n / 2));
  EXPECT_EQ(m.size(), static_cast<std::size_t>(n - n / 2));
  m.check_invariants();
  for (auto& [k, v] : m) EXPECT_EQ(v % 2, 1);
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.begin(), m.end());
  m.check_invariants();
}

// Go's GrowWithNaN: three NaN entries are each yielded once while the first
// step of the loop grows the map.
TEST(GoRuntime, GrowWithNaN) {
  for (int grow : {50, 2000}) {
    SCOPED_TRACE(grow);
    DoubleMap m;
    m[kNaN] = 1;
    m[kNaN] = 2;
    m[kNaN] += 4;  // operator[] on NaN adds a new zero entry, then += 4
    ASSERT_EQ(m.size(), 3u);
    int nan_count = 0;
    std::int64_t bits = 0;
    bool grow_now = true;
    for (auto it = m.begin(); it != m.end(); ++it) {
      // Go's range copies k and v at the yield; an inline entry may move
      // when the map grows, so read it before mutating.
      const auto [k, v] = *it;
      if (grow_now) {
        grow_now = false;
        for (int i = 0; i < grow; ++i) m[double(i)] = i;
        for (int i = grow; i < 2 * grow; ++i) m[double(i)] += i;
        m.check_invariants();
      }
      if (std::isnan(k)) {
        ++nan_count;
        bits |= v;
      }
    }
    EXPECT_EQ(nan_count, 3);
    EXPECT_EQ(bits, 7);
  }
}

// Go's GrowWithNegativeZero: the key -0.0 keeps its sign and is yielded once
// while the map grows under the iteration.
TEST(GoRuntime, GrowWithNegativeZero) {
  const double neg_zero = std::copysign(0.0, -1.0);
  DoubleMap m;
  m[neg_zero] = 1;
  m[0.1] = 2;
  m[0.2] = 3;
  m[0.3] = 4;
  int neg_zero_yields = 0;
  bool grow_now = true;
  for (auto it = m.begin(); it != m.end(); ++it) {
    const auto [k, v] = *it;  // before the map grows (the entry may move)
    if (grow_now) {
      grow_now = false;
      for (int i = 0; i < 2000; ++i) m[double(i) + 100.0] = i;
    }
    if (k == 0.0) {
      ++neg_zero_yields;
      EXPECT_TRUE(std::signbit(k)) << "key -0.0 came back as +0.0";
      EXPECT_EQ(v, 1);
    }
  }
  EXPECT_EQ(neg_zero_yields, 1);
  m.check_invariants();
}

// Go's MapNanGrowIterator: a map full of NaN entries starts growing; half way
// through the iteration more inserts finish the growth; every NaN value is
// seen exactly once.
TEST(GoRuntime, MapNanGrowIterator) {
  for (int n_keys : {7, 14, 100, 896, 2000}) {
    SCOPED_TRACE(n_keys);
    DoubleMap m;
    for (int i = 0; i < n_keys; ++i) m[kNaN] = i;
    m[1.0] = -1;  // push it over the edge
    m.erase(1.0);
    std::set<std::int64_t> found;
    double next = 2.0;
    bool grown = false;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it->second != -1) {
        EXPECT_TRUE(found.insert(it->second).second) << "NaN value " << it->second << " repeated";
      }
      if (!grown && found.size() == static_cast<std::size_t>(n_keys / 2)) {
        grown = true;
        for (int i = 0; i < 2 * n_keys + 16; ++i) m[next++] = -1;
      }
    }
    EXPECT_EQ(found.size(), static_cast<std::size_t>(n_keys)) << "a NaN value was not yielded";
    m.check_invariants();
  }
}

// Go issue 59411: clear() during the iteration of a grown map of NaN keys
// ends the iteration: nothing that was in the map is yielded after it.
TEST(GoRuntime, ClearDuringIterationOfGrownNaNMapStops) {
  for (int n : {1, 8, 9, 100, 1000, 3000}) {
    SCOPED_TRACE(n);
    DoubleMap m;
    for (int i = 0; i < n; ++i) m[kNaN] = i;
    int steps = 0;
    for (auto it = m.begin(); it != m.end(); ++it) {
      ++steps;
      if (steps == 1) m.clear();
    }
    EXPECT_EQ(steps, 1) << "entries yielded after clear()";
    EXPECT_TRUE(m.empty());
    m.check_invariants();
  }
}

// The same for ordinary keys, and keys inserted after the clear may be
// yielded (at most once each) but no key from before the clear.
TEST(GoRuntime, ClearDuringIterationYieldsOnlyNewKeys) {
  for (int n : {5, 9, 100, 3000}) {
    for (int clear_at : {1, 2, n / 2}) {
      if (clear_at < 1 || clear_at > n) continue;
      SCOPED_TRACE(std::to_string(n) + " entries, clear at step " + std::to_string(clear_at));
      U64Map m;
      props::fill(m, 0, n);
      int steps = 0;
      bool cleared = false;
      std::set<std::uint64_t> after_clear;
      for (auto it = m.begin(); it != m.end(); ++it) {
        ++steps;
        if (cleared) {
          EXPECT_GE(it->first, 1'000'000u) << "key " << it->first << " from before clear() yielded";
          EXPECT_TRUE(after_clear.insert(it->first).second) << "new key yielded twice";
          EXPECT_EQ(m.at(it->first), it->second);
        }
        if (steps == clear_at) {
          m.clear();
          cleared = true;
          for (std::uint64_t k = 1'000'000; k < 1'000'000 + 2 * std::uint64_t(n); ++k) m[k] = k;
        }
      }
      EXPECT_TRUE(cleared);
      m.check_invariants();
    }
  }
}

// Go's IterGrowAndDelete: on the first step grow the map to 1000 keys and
// erase every odd key; no odd key is yielded after that.
TEST(GoRuntime, IterGrowAndDelete) {
  U64Map m;
  props::fill(m, 0, 100);
  bool grow = true;
  std::set<std::uint64_t> seen;
  for (auto& [k, v] : m) {
    EXPECT_TRUE(seen.insert(k).second) << "key " << k << " yielded twice";
    if (grow) {
      grow = false;
      props::fill(m, 100, 1000);
      for (std::uint64_t i = 1; i < 1000; i += 2) m.erase(i);
      m.check_invariants();
    } else {
      EXPECT_EQ(k % 2, 0u) << "odd key " << k << " yielded after it was erased";
    }
  }
  for (std::uint64_t k = 0; k < 100; k += 2) EXPECT_EQ(seen.count(k), 1u) << "even key " << k;
  EXPECT_EQ(m.size(), 500u);
}

// Go's MapIterDeleteReplace: erase and re-insert every key as it is yielded;
// afterwards every value is the replaced one.
TEST(GoRuntime, IterDeleteReplace) {
  std::vector<std::size_t> sizes = {0, 1, 7, 8, 9, 14, 15, 100, 895, 896, 897, 1792, 2500};
  for (std::size_t i = 0; i < 2000; i += 137) sizes.push_back(i);
  for (std::size_t n : sizes) {
    SCOPED_TRACE(n);
    swiss::Map<std::uint64_t, bool> m;
    for (std::uint64_t k = 0; k < n; ++k) m[k] = false;
    std::size_t steps = 0;
    for (auto it = m.begin(); it != m.end(); ++it) {
      ASSERT_LT(++steps, 4 * n + 64) << "iteration does not end";
      const std::uint64_t k = it->first;
      EXPECT_EQ(m.erase(k), 1u);
      m[k] = true;
    }
    EXPECT_GE(steps, n) << "a key present from the start was not yielded";
    EXPECT_EQ(m.size(), n);
    for (auto& [k, v] : m) EXPECT_TRUE(v) << "m[" << k << "] is still false";
    m.check_invariants();
  }
}

// Go issue 25936: m[k]++ after erase(k) starts from a value-initialized V,
// whether the slot became empty or a tombstone.
struct Counter3 {
  std::int64_t a = 0, b = 0, c = 0;
};
TEST(GoRuntime, IncrementAfterDelete) {
  for (std::size_t n : {1u, 8u, 31u, 2048u}) {
    SCOPED_TRACE(n);
    U64Map ints;
    swiss::Map<std::uint64_t, std::string> strings;
    swiss::Map<std::uint64_t, Counter3> structs;
    swiss::Map<std::uint64_t, std::array<std::uint64_t, 40>> bigs;  // indirect
    for (std::uint64_t k = 0; k < n; ++k) {
      ints[k] = 1000 + k;
      strings[k] = "previous value that is long enough to live on the heap";
      structs[k] = Counter3{5, 6, 7};
      bigs[k].fill(99);
    }
    for (std::uint64_t k = 0; k < n; ++k) {
      ints.erase(k);
      ints[k]++;
      EXPECT_EQ(ints[k], 1u);
      strings.erase(k);
      strings[k] += "x";
      EXPECT_EQ(strings[k], "x");
      structs.erase(k);
      structs[k].b++;
      EXPECT_EQ(structs[k].a, 0);
      EXPECT_EQ(structs[k].b, 1);
      EXPECT_EQ(structs[k].c, 0);
      bigs.erase(k);
      bigs[k][39]++;
      for (std::size_t i = 0; i < 39; ++i) ASSERT_EQ(bigs[k][i], 0u);
      EXPECT_EQ(bigs[k][39], 1u);
    }
    ints.check_invariants();
    strings.check_invariants();
    structs.check_invariants();
    bigs.check_invariants();
  }
}

// Go's MapIterDuplicate: 1000 keys in, 980 out, the 20 left are iterated once
// each (many rounds, so many seeds and layouts).
TEST(GoRuntime, MapIterDuplicate) {
  for (int round = 0; round < 300; ++round) {
    U64Map m;
    props::fill(m, 0, 1000);
    for (std::uint64_t k = 20; k < 1000; ++k) m.erase(k);
    std::vector<std::uint64_t> got;
    for (auto& kv : m) got.push_back(kv.first);
    std::sort(got.begin(), got.end());
    std::vector<std::uint64_t> want(20);
    for (std::uint64_t k = 0; k < 20; ++k) want[k] = k;
    ASSERT_EQ(got, want) << "round " << round;
    if (round % 50 == 0) m.check_invariants();
  }
}

// +0.0 and -0.0 are one key; the first inserted key is kept by an insert of
// the other, and lookups by either find it.
TEST(GoRuntime, NegativeZero) {
  const double neg_zero = std::copysign(0.0, -1.0);
  DoubleMap m;
  m[0.0] = 1;
  m[neg_zero] = 2;
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.at(0.0), 2);
  EXPECT_EQ(m.at(neg_zero), 2);
  EXPECT_FALSE(m.insert({neg_zero, 3}).second);
  EXPECT_FALSE(std::signbit(m.begin()->first)) << "insert of an existing key replaced the key";
  EXPECT_EQ(m.erase(neg_zero), 1u);
  EXPECT_TRUE(m.empty());

  DoubleMap r;
  r[neg_zero] = 1;
  r[0.0] = 2;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(std::signbit(r.begin()->first));
  // In a large map too (the hash must fold -0.0 into +0.0 at every depth).
  DoubleMap big;
  for (int i = 1; i <= 3000; ++i) big[i * 0.5] = i;
  big[0.0] = -1;
  big[neg_zero] = -2;
  EXPECT_EQ(big.size(), 3001u);
  EXPECT_EQ(big.at(0.0), -2);
  big.check_invariants();
}

// ---- The seed (Go issue 25237) ------------------------------------------------

TEST(GoRuntime, SeedDiffersBetweenMapsAndIsRedrawnWhenEmptied) {
  using TA = swiss::TestAccess<U64Map>;
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 16; ++i) {
    U64Map m;
    m[i] = i;
    seeds.insert(TA::seed(m));
  }
  EXPECT_GE(seeds.size(), 15u) << "maps share seeds";

  U64Map m;
  props::fill(m, 0, 100);
  std::uint64_t s0 = TA::seed(m);
  m.clear();
  std::uint64_t s1 = TA::seed(m);
  EXPECT_NE(s0, s1) << "clear() did not re-draw the seed";
  m[1] = 1;
  m[2] = 2;
  std::uint64_t s2 = TA::seed(m);
  m.erase(1);
  EXPECT_EQ(TA::seed(m), s2) << "seed changed while the map was not empty";
  m.erase(2);
  EXPECT_NE(TA::seed(m), s2) << "the last erase did not re-draw the seed";
  // Erase of the last entry through an iterator too.
  m[3] = 3;
  std::uint64_t s3 = TA::seed(m);
  m.erase(m.begin());
  EXPECT_NE(TA::seed(m), s3);
  m.check_invariants();
}

// Go's MapSparseIterOrder in our terms: the order depends on the seed, so a
// map rebuilt with the same keys (a fresh seed) is not always in the same
// order.
TEST(GoRuntime, IterationOrderDependsOnTheSeed) {
  auto order_of_fresh_map = [] {
    U64Map m;
    props::fill(m, 0, 20);
    return props::iterated_keys(m);
  };
  auto first = order_of_fresh_map();
  bool differs = false;
  for (int i = 0; i < 200 && !differs; ++i) differs = order_of_fresh_map() != first;
  EXPECT_TRUE(differs) << "200 fresh maps iterated in the same order";
}

// begin() is deterministic for a given map state.
TEST(GoRuntime, IterationOrderIsStableForOneState) {
  U64Map m;
  props::fill(m, 0, 500);
  auto a = props::iterated_keys(m);
  auto b = props::iterated_keys(m);
  EXPECT_EQ(a, b);
}

}  // namespace
