// Lifetime-counted keys and values (check/instrumented.h): every object the
// map builds is destroyed exactly once, none leaks, an erase destroys exactly
// one key and one value, and nothing is used after it died, across insert,
// erase, growth, copy, move, swap, clear, assignment and destruction.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "fault_map.h"
#include "props_util.h"
#include "swiss/test_access.h"

namespace {

using namespace props;

class Lifetime : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ledger().live_keys() + ledger().live_values(), 0u) << "objects alive before the test";
    ledger().reset();
  }
  void TearDown() override {
    EXPECT_EQ(ledger().live_keys(), 0u) << "keys leaked";
    EXPECT_EQ(ledger().live_values(), 0u) << "values leaked";
    EXPECT_EQ(ledger().bytes_outstanding(), 0u) << "allocator bytes leaked";
    EXPECT_EQ(ledger().constructions(), ledger().destructions());
    EXPECT_TRUE(ledger().errors().empty()) << ledger_errors(ledger());
  }
  static Ledger& ledger() { return Ledger::current(); }
  // Objects whose lifetime ended, net of those built meanwhile: an
  // operation that moves entries (growth, reserve, rehash) builds and
  // destroys as many, so this counts only real deaths.
  static std::int64_t net_destroyed() {
    return static_cast<std::int64_t>(ledger().destructions()) -
           static_cast<std::int64_t>(ledger().constructions());
  }
  static void expect_live(std::size_t n) {
    EXPECT_EQ(ledger().live_keys(), n);
    EXPECT_EQ(ledger().live_values(), n);
  }
};

FaultMap build(std::uint64_t n, std::uint64_t offset = 0) {
  FaultMap m;
  for (std::uint64_t k = 0; k < n; ++k) m.emplace(IKey(k), IValue(k + offset));
  return m;
}

TEST_F(Lifetime, EveryInsertAndEraseCountsExactly) {
  for (std::uint64_t n : {8u, 9u, 100u, 3000u}) {
    SCOPED_TRACE(n);
    FaultMap m;
    for (std::uint64_t k = 0; k < n; ++k) {
      m.emplace(IKey(k), IValue(k));
      if (k % 97 == 0) expect_live(m.size());
    }
    expect_live(n);
    m.check_invariants();
    // An erase moves nothing (no table is merged or shrunk): it builds no
    // object and destroys exactly the entry's key and value.
    for (std::uint64_t k = 0; k < n; ++k) {
      const IKey key(k);
      const std::int64_t before = net_destroyed();
      const std::uint64_t built = ledger().constructions();
      const std::size_t live_keys = ledger().live_keys(), live_values = ledger().live_values();
      ASSERT_EQ(m.erase(key), 1u);
      EXPECT_EQ(ledger().constructions(), built) << "erase built (moved) objects";
      EXPECT_EQ(net_destroyed() - before, 2) << "erase ended other than one key and one value";
      EXPECT_EQ(live_keys - ledger().live_keys(), 1u);
      EXPECT_EQ(live_values - ledger().live_values(), 1u);
      ASSERT_EQ(m.erase(key), 0u);
      EXPECT_EQ(net_destroyed() - before, 2) << "erase of an absent key destroyed something";
    }
    expect_live(0);
    m.check_invariants();
  }
}

TEST_F(Lifetime, EraseByIteratorAndRange) {
  FaultMap m = build(2000);
  std::size_t erased = 0;
  for (auto it = m.begin(); it != m.end();) {
    if (it->first.payload() % 2) {
      const std::int64_t before = net_destroyed();
      it = m.erase(it);
      EXPECT_EQ(net_destroyed() - before, 2);
      ++erased;
    } else {
      ++it;
    }
  }
  EXPECT_EQ(erased, 1000u);
  expect_live(1000);
  const std::int64_t before = net_destroyed();
  m.erase(m.begin(), std::next(m.begin(), 100));
  EXPECT_EQ(net_destroyed() - before, 200);
  expect_live(900);
  std::size_t removed = erase_if(m, [](const auto& kv) { return kv.first.payload() % 4 == 0; });
  expect_live(900 - removed);
  m.check_invariants();
}

TEST_F(Lifetime, ClearAndDestructionDestroyEverything) {
  {
    FaultMap m = build(3000);
    expect_live(3000);
    const std::uint64_t destroyed = ledger().destructions();
    m.clear();
    EXPECT_EQ(ledger().destructions() - destroyed, 6000u);
    expect_live(0);
    m.check_invariants();
    for (std::uint64_t k = 0; k < 50; ++k) m.emplace(IKey(k), IValue(k));
    expect_live(50);
  }
  expect_live(0);
  {
    FaultMap small = build(5);
    small.clear();
    small.clear();
    expect_live(0);
  }
}

// Growth moves inline entries (constructing and destroying as many) but
// keeps exactly one live object per key and per value.
TEST_F(Lifetime, GrowthKeepsOneObjectPerEntry) {
  FaultMap m;
  for (std::uint64_t k = 0; k < 5000; ++k) {
    m.emplace(IKey(k), IValue(k));
    if ((k & (k + 1)) == 0 || k % 896 == 0) {
      expect_live(m.size());
      ASSERT_TRUE(ledger().errors().empty()) << ledger_errors(ledger());
    }
  }
  m.reserve(20000);
  expect_live(5000);
  m.rehash(0);
  expect_live(5000);
  m.check_invariants();
}

TEST_F(Lifetime, InsertOfExistingKeyBuildsNothingThatSurvives) {
  FaultMap m = build(100);
  const IKey key(5);
  IValue value(123);
  const std::pair<const IKey, IValue> kv{IKey(6), IValue(7)};
  EXPECT_FALSE(m.emplace(IKey(5), IValue(1)).second);
  EXPECT_FALSE(m.insert(kv).second);
  EXPECT_FALSE(m.insert({IKey(7), IValue(1)}).second);
  EXPECT_FALSE(m.try_emplace(key, std::move(value)).second);
  EXPECT_FALSE(value.moved_from()) << "try_emplace moved from its argument for an existing key";
  EXPECT_FALSE(m.insert_or_assign(key, IValue(55)).second);
  EXPECT_EQ(m.at(key).payload(), 55u);
  m[key] = IValue(56);
  EXPECT_EQ(m.find(key)->second.payload(), 56u);
  expect_live(100 + 2);  // plus `key`/`value` and `kv`
  EXPECT_EQ(ledger().live_keys(), 102u);
}

TEST_F(Lifetime, OperatorBracketValueInitializesOnce) {
  FaultMap m;
  const IKey key(1);
  const std::uint64_t built = ledger().constructions();
  IValue& v = m[key];
  EXPECT_EQ(v.payload(), 0u);
  // One key copy and one value, nothing else alive.
  EXPECT_EQ(ledger().live_keys(), 2u);
  EXPECT_EQ(ledger().live_values(), 1u);
  EXPECT_GE(ledger().constructions() - built, 2u);
  m[key].set_payload(9);
  EXPECT_EQ(m.at(key).payload(), 9u);
  EXPECT_EQ(ledger().live_values(), 1u);
}

TEST_F(Lifetime, CopyAndCopyAssign) {
  for (std::uint64_t n : {0u, 5u, 9u, 3000u}) {
    SCOPED_TRACE(n);
    FaultMap a = build(n);
    {
      FaultMap b(a);
      expect_live(2 * n);
      FaultMap c = build(40, 1);
      expect_live(2 * n + 40);
      c = a;  // the 40 old entries are destroyed
      expect_live(3 * n);
      c = c;  // self assignment
      expect_live(3 * n);
      expect_map_equals(c, [&] { Model m; for (std::uint64_t k = 0; k < n; ++k) m[k] = k; return m; }(), 2 * n);
    }
    expect_live(n);
  }
}

// Boost unordered #205: copy assignment from a map that never allocated.
TEST_F(Lifetime, CopyAssignFromNeverAllocatedMap) {
  FaultMap empty;
  FaultMap full = build(100);
  full = empty;
  expect_live(0);
  EXPECT_TRUE(full.empty());
  full.check_invariants();
  FaultMap other;
  other = empty;
  empty = other;
  expect_live(0);
  full.emplace(IKey(1), IValue(1));
  expect_live(1);
}

TEST_F(Lifetime, MoveAndMoveAssign) {
  for (std::uint64_t n : {0u, 5u, 3000u}) {
    SCOPED_TRACE(n);
    FaultMap a = build(n);
    const std::uint64_t built = ledger().constructions();
    FaultMap b(std::move(a));
    EXPECT_EQ(ledger().constructions(), built) << "move construction with an equal allocator built objects";
    expect_live(n);
    FaultMap c = build(30, 1);
    c = std::move(b);  // c's 30 entries die, b's storage moves
    expect_live(n);
    a.clear();  // moved-from maps are valid
    b.clear();
    a.emplace(IKey(1), IValue(1));
    expect_live(n + 1);
    c.check_invariants();
    a.check_invariants();
  }
}

TEST_F(Lifetime, SwapBuildsAndDestroysNothing) {
  FaultMap a = build(3000), b = build(3, 10);
  const std::uint64_t built = ledger().constructions(), destroyed = ledger().destructions();
  a.swap(b);
  using std::swap;
  swap(a, b);
  a.swap(a);
  EXPECT_EQ(ledger().constructions(), built);
  EXPECT_EQ(ledger().destructions(), destroyed);
  expect_live(3003);
  a.check_invariants();
  b.check_invariants();
}

// Mutation during iteration: erasing the current and other entries and
// growing through several splits; nothing leaks and no dead object is read
// (the ledger records a read of a destroyed key or value).
TEST_F(Lifetime, MutationDuringIteration) {
  FaultMap m = build(200);
  std::uint64_t next = 100000;
  std::size_t steps = 0;
  for (auto it = m.begin(); it != m.end();) {
    const std::uint64_t k = it->first.payload();
    (void)it->second.payload();
    ++steps;
    if (k % 3 == 0) {
      it = m.erase(it);
    } else {
      if (m.size() < 4000)
        for (int i = 0; i < 20; ++i, ++next) m.emplace(IKey(next), IValue(next));
      m.erase(IKey(k + 1));
      ++it;
    }
  }
  EXPECT_GT(steps, 0u);
  expect_live(m.size());
  m.check_invariants();
  EXPECT_TRUE(ledger().errors().empty()) << ledger_errors(ledger());
}

// Indirect entries (value over 128 bytes) are built once: growth moves the
// pointer, never the object.
struct PaddedValue {
  IValue v;
  std::array<char, 200> pad{};
  explicit PaddedValue(std::uint64_t x) : v(x) {}
};
TEST_F(Lifetime, IndirectEntriesAreBuiltOnceAndNeverMoved) {
  using M = swiss::Map<IKey, PaddedValue, InstrumentedHash, InstrumentedEq,
                       LedgerAllocator<std::pair<const IKey, PaddedValue>>>;
  static_assert(M::kIndirectElem);
  {
    M m;
    for (std::uint64_t k = 0; k < 3000; ++k) {
      const IKey key(k);
      const std::uint64_t built = ledger().constructions();
      m.try_emplace(key, k);
      // The key is copied into the entry and the value built from k: two
      // constructions, however much the map grew or split.
      ASSERT_EQ(ledger().constructions() - built, 2u) << "insert " << k << " moved entries";
    }
    expect_live(3000);
    const std::uint64_t built = ledger().constructions();
    m.reserve(20000);
    EXPECT_EQ(ledger().constructions(), built) << "reserve rebuilt indirect entries";
    for (std::uint64_t k = 0; k < 3000; k += 2) m.erase(IKey(k));
    expect_live(1500);
    m.check_invariants();
  }
  expect_live(0);
}

}  // namespace
