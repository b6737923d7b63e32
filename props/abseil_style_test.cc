// Abseil-style tests (raw_hash_set_test.cc in spirit): degenerate hashes,
// clear(), size overflow in reserve(), at(), and ASan poisoning of slots
// that hold no entry.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <stdexcept>
#include <vector>

#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

#include "swiss/config.h"

#ifdef SWISS_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace {

using props::ConstantHash;
using props::shape;
using props::TwoValuedHash;
using props::U64Map;

using ConstantMap = swiss::Map<std::uint64_t, std::uint64_t, ConstantHash>;
using TwoValuedMap = swiss::Map<std::uint64_t, std::uint64_t, TwoValuedHash>;

// ---- Bad hashes -----------------------------------------------------------------

template <class M>
void expect_exactly(const M& m, const std::set<std::uint64_t>& present, std::uint64_t universe) {
  ASSERT_EQ(m.size(), present.size());
  for (std::uint64_t k = 0; k < universe; ++k) {
    auto it = m.find(k);
    if (present.count(k)) {
      ASSERT_NE(it, m.end()) << "key " << k << " lost";
      ASSERT_EQ(it->second, k * 3);
    } else {
      ASSERT_EQ(it, m.end()) << "erased key " << k << " still found";
    }
  }
}

// abseil's EraseCollision: three colliding keys, erased in every order; the
// others stay findable after each erase.
template <class M>
void erase_collision_all_orders() {
  std::vector<std::uint64_t> order = {1, 2, 3};
  do {
    M m;
    std::set<std::uint64_t> present;
    for (std::uint64_t k : {1, 2, 3}) {
      m.emplace(k, k * 3);
      present.insert(k);
    }
    for (std::uint64_t k : order) {
      EXPECT_EQ(m.erase(k), 1u);
      present.erase(k);
      expect_exactly(m, present, 5);
      m.check_invariants();
    }
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(AbseilStyle, EraseCollision) {
  erase_collision_all_orders<ConstantMap>();
  erase_collision_all_orders<TwoValuedMap>();
}

// abseil's InsertCollisionAndFindAfterDelete: n colliding keys in, then out
// one by one (in a scattered order); after every erase every remaining key
// is found and the erased ones are not.
template <class M>
void insert_collision_find_after_delete(std::uint64_t n) {
  M m;
  std::set<std::uint64_t> present;
  for (std::uint64_t k = 0; k < n; ++k) {
    EXPECT_TRUE(m.emplace(k, k * 3).second);
    present.insert(k);
    ASSERT_EQ(m.find(k)->second, k * 3);
  }
  m.check_invariants();
  for (std::uint64_t j = 0; j < n; ++j) {
    std::uint64_t k = (j * 37) % n;  // n is not a multiple of 37
    ASSERT_EQ(m.erase(k), 1u);
    present.erase(k);
    expect_exactly(m, present, n);
    if (j % 16 == 0) m.check_invariants();
  }
  EXPECT_TRUE(m.empty());
  m.check_invariants();
}

TEST(AbseilStyle, InsertCollisionAndFindAfterDeleteConstantHash) {
  insert_collision_find_after_delete<ConstantMap>(7);  // small map
  insert_collision_find_after_delete<ConstantMap>(200);
}

TEST(AbseilStyle, InsertCollisionAndFindAfterDeleteTwoValuedHash) {
  insert_collision_find_after_delete<TwoValuedMap>(9);
  insert_collision_find_after_delete<TwoValuedMap>(500);
}

// Colliding keys under churn: tombstones pile up on one probe path; erase
// and re-insert new keys many times and everything is still found.
TEST(AbseilStyle, CollisionChurn) {
  ConstantMap m;
  std::set<std::uint64_t> present;
  for (std::uint64_t k = 0; k < 100; ++k) {
    m.emplace(k, k * 3);
    present.insert(k);
  }
  std::uint64_t next = 100;
  for (int cycle = 0; cycle < 3000; ++cycle) {
    std::uint64_t victim = *present.begin();
    ASSERT_EQ(m.erase(victim), 1u);
    present.erase(victim);
    m.emplace(next, next * 3);
    present.insert(next++);
    if (cycle % 500 == 0) {
      expect_exactly(m, present, next);
      m.check_invariants();
    }
  }
  expect_exactly(m, present, next);
  m.check_invariants();
}

// More colliding keys than one table can hold (1024 * 7/8): the map must still
// hold them all, whatever it does about splitting a table whose keys all
// share one hash.
TEST(AbseilStyle, ConstantHashBeyondOneTable) {
  ConstantMap m;
  const std::uint64_t n = 1500;
  for (std::uint64_t k = 0; k < n; ++k) ASSERT_TRUE(m.emplace(k, k * 3).second) << k;
  m.check_invariants();
  std::set<std::uint64_t> present;
  for (std::uint64_t k = 0; k < n; ++k) present.insert(k);
  expect_exactly(m, present, n + 10);
}

// ---- clear() ----------------------------------------------------------------------

// abseil's ClearBug: after clear() the map reuses its storage (Go's clear
// does not shrink), and entries inserted again land in that same storage.
TEST(AbseilStyle, ClearBug) {
  for (std::size_t n : {5u, 8u, 100u}) {
    SCOPED_TRACE(n);
    using TA = swiss::TestAccess<U64Map>;
    U64Map m;
    props::fill(m, 0, n, 3);
    const std::size_t capacity = shape(m).capacity;
    const auto* original = static_cast<const char*>(TA::slot_address(m, 2));
    m.clear();
    m.check_invariants();
    EXPECT_EQ(shape(m).capacity, capacity);
    props::fill(m, 0, n, 3);
    m.check_invariants();
    EXPECT_EQ(shape(m).capacity, capacity);
    const auto* second = static_cast<const char*>(TA::slot_address(m, 2));
    // Not strictly guaranteed (abseil says the same): the slot is in the
    // same storage as before. A table's groups may sit in one block.
    const std::ptrdiff_t distance = std::abs(original - second);
    EXPECT_LT(static_cast<std::size_t>(distance), 2 * capacity * (TA::slot_bytes() + 1))
        << "entries went to other storage after clear()";
    for (std::uint64_t k = 0; k < n; ++k) EXPECT_EQ(m.at(k), k + 3);
  }
}

// clear() of an empty, never-allocated map and of a map emptied by erase.
TEST(AbseilStyle, ClearOnEmptyMaps) {
  U64Map fresh;
  fresh.clear();
  fresh.check_invariants();
  EXPECT_TRUE(fresh.empty());
  fresh[1] = 2;
  EXPECT_EQ(fresh.at(1), 2u);

  U64Map emptied;
  props::fill(emptied, 0, 50);
  for (std::uint64_t k = 0; k < 50; ++k) emptied.erase(k);
  emptied.clear();
  emptied.check_invariants();
  EXPECT_EQ(shape(emptied).tombstones, 0u);
  props::fill(emptied, 0, 50);
  EXPECT_EQ(emptied.size(), 50u);
  emptied.check_invariants();
}

// ---- reserve() and at() ---------------------------------------------------------

// Abseil 5a0e2cb5: a huge reserve must not overflow a size computation into
// a small allocation; it throws std::length_error and leaves the map alone.
TEST(AbseilStyle, ReserveOverflowThrowsAndLeavesMapUnchanged) {
  for (std::size_t n : {0u, 5u, 100u}) {
    SCOPED_TRACE(n);
    U64Map m;
    props::fill(m, 0, n, 1);
    const swiss::MapShape before = shape(m);
    const std::size_t max = std::numeric_limits<std::size_t>::max();
    // Sizes whose slot count (n * 8 / 7, rounded to a power of two, times
    // the slot size) overflows somewhere, all beyond max_size().
    for (std::size_t huge : {max, max - 1, max / 2, max / 4, max / 7, max / 8 + 1, m.max_size() + 1}) {
      if (huge <= m.max_size()) continue;
      EXPECT_THROW(m.reserve(huge), std::length_error) << huge;
      m.check_invariants();
      EXPECT_EQ(m.size(), n);
      EXPECT_EQ(shape(m).capacity, before.capacity);
    }
    for (std::uint64_t k = 0; k < n; ++k) EXPECT_EQ(m.at(k), k + 1);
    m[n] = n + 1;  // still usable
    EXPECT_EQ(m.size(), n + 1);
    m.check_invariants();
  }
}

// The constructor's bucket count goes through the same arithmetic.
TEST(AbseilStyle, HugeBucketCountInConstructorThrows) {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  for (std::size_t huge : {max, max / 2, max / 8}) {
    bool threw = false;
    try {
      U64Map m(huge);
      (void)m;
    } catch (const std::length_error&) {
      threw = true;
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    EXPECT_TRUE(threw) << "Map(" << huge << ") did not throw";
  }
}

TEST(AbseilStyle, MaxSizeIsSane) {
  U64Map m;
  EXPECT_GT(m.max_size(), std::size_t{1} << 30);
  EXPECT_LE(m.max_size(), std::numeric_limits<std::size_t>::max() / sizeof(std::pair<const std::uint64_t, std::uint64_t>));
}

TEST(AbseilStyle, AtThrowsOutOfRange) {
  U64Map m;
  EXPECT_THROW((void)m.at(1), std::out_of_range);
  const U64Map& cm = m;
  EXPECT_THROW((void)cm.at(1), std::out_of_range);
  props::fill(m, 0, 100, 5);
  EXPECT_EQ(m.at(42), 47u);
  EXPECT_EQ(cm.at(42), 47u);
  m.at(42) = 7;
  EXPECT_EQ(cm.at(42), 7u);
  EXPECT_THROW((void)m.at(100), std::out_of_range);
  EXPECT_THROW((void)cm.at(1000), std::out_of_range);
  m.erase(42);
  EXPECT_THROW((void)m.at(42), std::out_of_range);
  EXPECT_EQ(m.size(), 99u) << "a failed at() changed the map";
  m.check_invariants();
}

// ---- ASan poisoning ---------------------------------------------------------------

#ifdef SWISS_ASAN
template <class M>
bool slot_fully_poisoned(const void* slot) {
  const auto* p = static_cast<const char*>(slot);
  for (std::size_t i = 0; i < swiss::TestAccess<M>::slot_bytes(); ++i)
    if (!__asan_address_is_poisoned(p + i)) return false;
  return true;
}
template <class M>
bool slot_unpoisoned(const void* slot) {
  return __asan_region_is_poisoned(const_cast<void*>(slot), swiss::TestAccess<M>::slot_bytes()) ==
         nullptr;
}

// An erased slot is poisoned, in a small map and in a table, whether it
// became empty or a tombstone; the slots still full are not.
TEST(AbseilStyle, ErasedSlotsArePoisoned) {
  using TA = swiss::TestAccess<U64Map>;
  for (std::size_t n : {1u, 5u, 8u, 31u, 2048u}) {
    SCOPED_TRACE(n);
    U64Map m;
    props::fill(m, 0, n, 1);
    for (std::uint64_t k = 0; k < n; ++k)
      ASSERT_TRUE(slot_unpoisoned<U64Map>(TA::slot_address(m, k))) << "full slot " << k << " poisoned";
    for (std::uint64_t k = 0; k < n; k += 2) {
      const void* slot = TA::slot_address(m, k);
      m.erase(k);
      EXPECT_TRUE(slot_fully_poisoned<U64Map>(slot)) << "erased slot of key " << k << " readable";
    }
    for (std::uint64_t k = 1; k < n; k += 2)
      EXPECT_TRUE(slot_unpoisoned<U64Map>(TA::slot_address(m, k))) << "full slot " << k << " poisoned";
    m.check_invariants();  // unpoisons what it reads, and poisons it back
    for (std::uint64_t k = 1; k < n; k += 2) {
      const void* slot = TA::slot_address(m, k);
      m.erase(m.find(k));
      EXPECT_TRUE(slot_fully_poisoned<U64Map>(slot)) << "slot erased by iterator readable";
    }
  }
}

// Slots that have held nothing since the map's storage was made or cleared
// are poisoned: a small map's whole group after clear(), and the seven slots
// of that group not taken by the next insert.
TEST(AbseilStyle, UnusedSlotsArePoisoned) {
  using TA = swiss::TestAccess<U64Map>;
  U64Map m;
  props::fill(m, 0, 8, 1);
  ASSERT_TRUE(shape(m).small);
  std::vector<const void*> group;
  for (std::uint64_t k = 0; k < 8; ++k) group.push_back(TA::slot_address(m, k));
  m.clear();
  for (std::size_t i = 0; i < group.size(); ++i)
    EXPECT_TRUE(slot_fully_poisoned<U64Map>(group[i])) << "slot " << i << " readable after clear()";
  m[100] = 1;
  const void* taken = TA::slot_address(m, 100);
  EXPECT_TRUE(slot_unpoisoned<U64Map>(taken));
  std::size_t poisoned = 0;
  for (const void* s : group)
    if (s != taken && slot_fully_poisoned<U64Map>(s)) ++poisoned;
  bool taken_in_group = std::find(group.begin(), group.end(), taken) != group.end();
  EXPECT_EQ(poisoned, taken_in_group ? 7u : 8u) << "never-used slots readable";

  // A table: after growth, every slot the entries do not occupy in the old
  // storage is gone or poisoned, and the table's unused slots are too. We
  // know a table's slot addresses only through its keys, so fill a table,
  // record them, clear, and insert a few keys back.
  U64Map t;
  props::fill(t, 0, 800, 1);
  std::vector<const void*> slots;
  for (std::uint64_t k = 0; k < 800; ++k) slots.push_back(TA::slot_address(t, k));
  t.clear();
  for (std::size_t i = 0; i < slots.size(); ++i)
    ASSERT_TRUE(slot_fully_poisoned<U64Map>(slots[i])) << "table slot " << i << " readable after clear()";
  props::fill(t, 10000, 10010, 1);
  std::set<const void*> now_full;
  for (std::uint64_t k = 10000; k < 10010; ++k) now_full.insert(TA::slot_address(t, k));
  std::size_t readable = 0;
  for (const void* s : slots)
    if (!now_full.count(s) && !slot_fully_poisoned<U64Map>(s)) ++readable;
  EXPECT_EQ(readable, 0u) << "slots with no entry are readable";
  t.check_invariants();
}

// Indirect storage: the slot (a pointer) is poisoned after erase as well.
TEST(AbseilStyle, ErasedIndirectSlotsArePoisoned) {
  using M = swiss::Map<std::uint64_t, std::array<std::uint64_t, 20>>;
  using TA = swiss::TestAccess<M>;
  static_assert(M::kIndirectElem);
  M m;
  for (std::uint64_t k = 0; k < 50; ++k) m[k].fill(k);
  for (std::uint64_t k = 0; k < 50; ++k) {
    const void* slot = TA::slot_address(m, k);
    m.erase(k);
    EXPECT_TRUE(slot_fully_poisoned<M>(slot)) << k;
  }
}
#else
TEST(AbseilStyle, PoisoningNeedsAsan) { GTEST_SKIP() << "not an ASan build"; }
#endif

}  // namespace
