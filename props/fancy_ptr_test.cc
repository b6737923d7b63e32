// swiss::Map with an allocator whose pointer is a class type (issue 16,
// point 3): check/fancy_alloc.h's FancyPtr stores a self-relative, tagged
// offset and aborts when its bytes are read anywhere but where it was
// constructed, so every test here also checks that the map never memcpys,
// zero-initializes or raw-reads the allocator's pointers it keeps (the
// directory, forwarding records, indirect entries). Each phase: small map,
// one table, many tables (directory growth and splits), indirect entries,
// Go-style iteration through growth, erase, node handles, copy/move/swap,
// clear, rehash(0), reserve; check_invariants() and an std::map oracle after
// each, and every block FancyAlloc handed out is back at the end of each test.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "check/fancy_alloc.h"
#include "check/lanes.h"
#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace {

using swisscheck::FancyAlloc;
using swisscheck::FancyHeap;
using swisscheck::FancyPtr;
using U64 = std::uint64_t;

template <class V>
using FMap = swiss::Map<U64, V, swiss::Hash<U64>, std::equal_to<U64>, FancyAlloc<std::pair<const U64, V>>>;

// Over 128 bytes: stored behind a pointer (the allocator's pointer type).
using Big = swisscheck::BigValue;

using FU64 = FMap<U64>;
using FStr = FMap<std::string>;
using FBig = FMap<Big>;

static_assert(std::is_same_v<FU64::pointer, FancyPtr<std::pair<const U64, U64>>>);
static_assert(std::is_same_v<FU64::const_pointer, FancyPtr<const std::pair<const U64, U64>>>);
static_assert(std::is_same_v<FBig::pointer, FancyPtr<std::pair<const U64, Big>>>);
static_assert(std::is_same_v<FStr::allocator_type, FancyAlloc<std::pair<const U64, std::string>>>);
static_assert(FBig::kIndirectElem && !FU64::kIndirectElem);
static_assert(std::is_same_v<FU64::node_type::allocator_type, FU64::allocator_type>);

template <class V>
V value_of(U64 k);
template <>
U64 value_of<U64>(U64 k) {
  return k * 7 + 1;
}
template <>
std::string value_of<std::string>(U64 k) {
  return "v" + std::to_string(k) + std::string(k % 40, 'x');  // past the small-string buffer for most k
}
template <>
Big value_of<Big>(U64 k) {
  return Big::from(k);
}

template <class M>
using Oracle = std::map<U64, typename M::mapped_type>;

template <class M>
swiss::MapShape shape_of(const M& m) {
  return swiss::TestAccess<M>::shape(m);
}

// check_invariants(), then the map holds exactly the oracle: iteration
// yields each entry once with its value, find agrees, size agrees.
template <class M>
void expect_matches(const M& m, const Oracle<M>& oracle) {
  m.check_invariants();
  ASSERT_EQ(m.size(), oracle.size());
  std::set<U64> seen;
  std::size_t wrong = 0;
  for (const auto& [k, v] : m) {
    ASSERT_TRUE(seen.insert(k).second) << "iteration yielded key " << k << " twice";
    auto it = oracle.find(k);
    ASSERT_TRUE(it != oracle.end()) << "iteration yielded key " << k << ", which the oracle does not hold";
    wrong += !(it->second == v);
  }
  EXPECT_EQ(wrong, 0u) << "entries with a wrong value";
  EXPECT_EQ(seen.size(), oracle.size());
  std::size_t missing = 0;
  for (const auto& [k, v] : oracle) {
    auto it = m.find(k);
    if (it == m.end() || !(it->second == v)) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "oracle entries find() does not return with their value";
}

template <class M>
void fill(M& m, Oracle<M>& oracle, U64 first, U64 last) {
  for (U64 k = first; k < last; ++k) {
    auto [it, inserted] = m.try_emplace(k, value_of<typename M::mapped_type>(k));
    ASSERT_EQ(inserted, oracle.try_emplace(k, value_of<typename M::mapped_type>(k)).second) << "key " << k;
    ASSERT_EQ(it->first, k);
  }
}

// Every test starts with FancyHeap empty and must leave it empty: each block
// the map took from FancyAlloc came back, with the size it was taken with
// (FancyHeap aborts on a wrong size or an unknown pointer).
class FancyMap : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(FancyHeap::live_blocks(), 0u) << "blocks outstanding before the test"; }
  void TearDown() override {
    EXPECT_EQ(FancyHeap::live_blocks(), 0u) << "FancyAlloc blocks not returned";
    EXPECT_EQ(FancyHeap::live_bytes(), 0u);
  }
};

// ---- the pointer itself: it must be able to catch what it is for ------------

TEST(FancyPtrSelf, BehavesAsAPointer) {
  int a[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  FancyPtr<int> p = FancyPtr<int>::pointer_to(a[2]);
  EXPECT_EQ(std::to_address(p), &a[2]);
  EXPECT_EQ(*p, 2);
  EXPECT_EQ(p[3], 5);
  FancyPtr<int> q = p + 4;
  EXPECT_EQ(*q, 6);
  EXPECT_EQ(q - p, 4);
  EXPECT_TRUE(p < q);
  EXPECT_EQ(*--q, 5);
  EXPECT_EQ(*q++, 5);
  EXPECT_EQ(*q, 6);
  FancyPtr<const int> c = p;
  EXPECT_TRUE(c == p);
  FancyPtr<void> v = p;
  EXPECT_EQ(std::to_address(static_cast<FancyPtr<int>>(v)), &a[2]);
  EXPECT_EQ(std::pointer_traits<FancyPtr<int>>::pointer_to(a[7]) - p, 5);
  FancyPtr<int> n;
  EXPECT_TRUE(n == nullptr);
  EXPECT_FALSE(n);
  EXPECT_TRUE(p != nullptr);
  EXPECT_TRUE(p);
  EXPECT_TRUE(FancyPtr<int>() == FancyPtr<int>(nullptr));
}

TEST(FancyPtrSelf, RawBytesAreNotTheAddress) {
  int x = 0;
  FancyPtr<int> p = FancyPtr<int>::pointer_to(x);
  std::uintptr_t raw;
  std::memcpy(&raw, &p, sizeof raw);
  EXPECT_NE(raw, reinterpret_cast<std::uintptr_t>(&x));
  // Not a canonical x86-64 / AArch64 user address: a raw dereference faults.
  EXPECT_NE(raw >> 48, 0u);
  EXPECT_NE(raw >> 48, 0xFFFFu);
  FancyPtr<int> null;
  std::memcpy(&raw, &null, sizeof raw);
  EXPECT_NE(raw, 0u) << "null must not be all zero bytes";
}

TEST(FancyPtrSelfDeathTest, CatchesBytewiseCopyZeroedMemoryAndReadAfterDestroy) {
  int x = 0;
  FancyPtr<int> p = FancyPtr<int>::pointer_to(x);
  alignas(FancyPtr<int>) unsigned char bytes[2 * sizeof(FancyPtr<int>)];
  std::memcpy(bytes + sizeof(FancyPtr<int>), &p, sizeof p);  // bytes elsewhere: not a FancyPtr there
  auto* moved = reinterpret_cast<FancyPtr<int>*>(bytes + sizeof(FancyPtr<int>));
  EXPECT_DEATH((void)std::to_address(*moved), "not a FancyPtr written at this address");
  std::memset(bytes, 0, sizeof(FancyPtr<int>));
  EXPECT_DEATH((void)std::to_address(*reinterpret_cast<FancyPtr<int>*>(bytes)), "not a FancyPtr written");
  auto* dead = ::new (static_cast<void*>(bytes)) FancyPtr<int>(p);
  EXPECT_EQ(std::to_address(*dead), &x);
  dead->~FancyPtr<int>();
  EXPECT_DEATH((void)std::to_address(*dead), "read after its destructor ran");
  // Read in place as another pointer type: the tag is per type.
  long y = 0;
  auto* as_long = ::new (static_cast<void*>(bytes)) FancyPtr<long>(FancyPtr<long>::pointer_to(y));
  EXPECT_EQ(std::to_address(*as_long), &y);
  auto* as_int = reinterpret_cast<FancyPtr<int>*>(bytes);
  EXPECT_DEATH((void)std::to_address(*as_int), "not a FancyPtr written at this address for this type");
}

TEST(FancyPtrSelfDeathTest, AllocatorRejectsWrongSizeAndForeignPointer) {
  FancyAlloc<U64> a;
  FancyPtr<U64> p = a.allocate(4);
  EXPECT_DEATH(a.deallocate(p, 3), "of a block of 32 bytes");
  U64 local = 0;
  EXPECT_DEATH(a.deallocate(FancyPtr<U64>::pointer_to(local), 1), "never handed out");
  // Fresh memory holds no FancyPtr (FancyAlloc fills it): reading one fails.
  FancyAlloc<FancyPtr<int>> pa;
  FancyPtr<FancyPtr<int>> cell = pa.allocate(1);
  EXPECT_DEATH((void)std::to_address(*cell), "not a FancyPtr");
  pa.deallocate(cell, 1);
  a.deallocate(p, 4);
  EXPECT_EQ(FancyHeap::live_blocks(), 0u);
}

// ---- the map ----------------------------------------------------------------

TEST_F(FancyMap, SmallMapAllocatesThroughTheFancyAllocator) {
  const std::uint64_t before = FancyHeap::total_allocations();
  FU64 m;
  Oracle<FU64> o;
  fill(m, o, 0, 8);
  EXPECT_TRUE(shape_of(m).small);
  EXPECT_GT(FancyHeap::total_allocations(), before) << "the map did not allocate through FancyAlloc";
  EXPECT_GT(FancyHeap::live_blocks(), 0u);
  expect_matches(m, o);
  EXPECT_EQ(m.erase(3), 1u);
  o.erase(3);
  m[100] = 5;
  o[100] = 5;
  expect_matches(m, o);
  m.insert_or_assign(100, 6);
  o[100] = 6;
  EXPECT_EQ(m.at(100), 6u);
  expect_matches(m, o);
}

TEST_F(FancyMap, OneTable) {
  FU64 m;
  Oracle<FU64> o;
  fill(m, o, 0, 600);
  const swiss::MapShape s = shape_of(m);
  EXPECT_FALSE(s.small);
  EXPECT_EQ(s.global_depth, 0u);
  EXPECT_EQ(s.tables, 1u);
  expect_matches(m, o);
  for (U64 k = 0; k < 600; k += 3) {
    ASSERT_EQ(m.erase(k), 1u);
    o.erase(k);
  }
  for (U64 k = 1; k < 600; k += 3) {
    m[k] += 1;
    o[k] += 1;
  }
  expect_matches(m, o);
}

TEST_F(FancyMap, ManyTablesGrowTheDirectoryAndSplit) {
  FU64 m;
  Oracle<FU64> o;
  unsigned last_depth = 0;
  for (U64 chunk = 0; chunk < 30; ++chunk) {
    fill(m, o, chunk * 1000, chunk * 1000 + 1000);
    const swiss::MapShape s = shape_of(m);
    EXPECT_GE(s.global_depth, last_depth);
    last_depth = s.global_depth;
    if (chunk % 6 == 5) expect_matches(m, o);
  }
  const swiss::MapShape s = shape_of(m);
  EXPECT_GE(s.global_depth, 4u) << "30000 entries should need a directory of at least 16 entries";
  EXPECT_GE(s.tables, 20u);
  expect_matches(m, o);
  for (U64 k = 0; k < 30000; k += 2) {
    ASSERT_EQ(m.erase(k), 1u);
    o.erase(k);
  }
  expect_matches(m, o);
  fill(m, o, 30000, 36000);  // inserts reuse tombstones and tidy drained tables
  expect_matches(m, o);
}

TEST_F(FancyMap, IndirectEntriesLiveBehindFancyPointersAndNeverMove) {
  FBig m;
  Oracle<FBig> o;
  fill(m, o, 0, 200);
  std::map<U64, const Big*> where;
  for (U64 k = 0; k < 200; ++k) where[k] = &m.find(k)->second;
  fill(m, o, 200, 6000);  // growth and splits relocate the slots (the fancy pointers), not the entries
  EXPECT_GE(shape_of(m).tables, 4u);
  for (const auto& [k, p] : where) ASSERT_EQ(&m.find(k)->second, p) << "indirect entry " << k << " moved";
  expect_matches(m, o);
  for (U64 k = 0; k < 6000; ++k)
    if (k % 4 != 0) {
      m.erase(k);
      o.erase(k);
    }
  m.rehash(0);  // rebuilds every table
  expect_matches(m, o);
  for (U64 k = 0; k < 200; k += 4) ASSERT_EQ(&m.find(k)->second, where[k]) << "rehash(0) moved entry " << k;
  // A node handle takes the pointer along; the entry keeps its address.
  auto nh = m.extract(8);
  ASSERT_FALSE(nh.empty());
  EXPECT_EQ(&nh.mapped(), where[8]);
  o.erase(8);
  expect_matches(m, o);
  FBig other;
  auto r = other.insert(std::move(nh));
  EXPECT_TRUE(r.inserted);
  EXPECT_EQ(&r.position->second, where[8]);
  other.check_invariants();
}

// Go's iteration rules while every step inserts (the map grows from one
// table to dozens: tables double, split, the directory grows, and the tables
// the iterator walks are retired with forwarding records from FancyAlloc):
// a key present at the start and never erased is yielded exactly once, a key
// erased before it is reached is not yielded, a key inserted meanwhile at most
// once, every yielded entry is in the map with its value at that moment.
template <class M>
void iterate_while_growing(U64 start, U64 per_step, U64 limit) {
  using V = typename M::mapped_type;
  M m;
  Oracle<M> o;
  fill(m, o, 0, start);
  std::set<U64> yielded, erased;
  U64 next = start;
  U64 steps = 0;
  for (auto it = m.begin(); it != m.end(); ++it, ++steps) {
    const U64 k = it->first;
    ASSERT_TRUE(yielded.insert(k).second) << "key " << k << " yielded twice";
    ASSERT_FALSE(erased.count(k)) << "key " << k << " yielded after it was erased";
    auto want = o.find(k);
    ASSERT_TRUE(want != o.end()) << "yielded key " << k << " is not in the map";
    ASSERT_TRUE(want->second == it->second) << "key " << k << " yielded with a wrong value";
    for (U64 i = 0; i < per_step && next < limit; ++i, ++next) {
      m.try_emplace(next, value_of<V>(next));
      o.try_emplace(next, value_of<V>(next));
    }
    // Erase a start key not yet yielded now and then (ahead of or behind
    // the iterator: either way it must not be yielded from now on).
    if (steps % 7 == 3) {
      const U64 victim = (steps * 2654435761u) % start;
      if (!yielded.count(victim) && o.erase(victim)) {
        ASSERT_EQ(m.erase(victim), 1u);
        erased.insert(victim);
      }
    }
  }
  for (U64 k = 0; k < start; ++k) EXPECT_TRUE(erased.count(k) || yielded.count(k)) << "start key " << k << " never yielded";
  EXPECT_GE(next, limit) << "the loop ended before the map grew to its limit";
  EXPECT_GE(shape_of(m).tables, 8u);
  expect_matches(m, o);
}

TEST_F(FancyMap, IterationWhileInsertingSurvivesGrowthU64) { iterate_while_growing<FU64>(700, 40, 24000); }
TEST_F(FancyMap, IterationWhileInsertingSurvivesGrowthString) { iterate_while_growing<FStr>(700, 30, 12000); }
TEST_F(FancyMap, IterationWhileInsertingSurvivesGrowthIndirect) { iterate_while_growing<FBig>(300, 30, 8000); }

// An iterator parked at begin() while the map grows by tens of thousands:
// its table is retired and kept alive with forwarding records (allocated by
// FancyAlloc, holding its pointers); the walk then goes on by Go's rules.
TEST_F(FancyMap, ParkedIteratorFollowsForwardingRecords) {
  FU64 m;
  Oracle<FU64> o;
  fill(m, o, 0, 500);
  auto it = m.begin();
  const U64 first = it->first;
  fill(m, o, 500, 25000);
  m.reserve(40000);
  m.rehash(0);
  // After the rebuilds *it is invalid (contract table); ++it goes on.
  std::set<U64> yielded = {first};
  for (++it; it != m.end(); ++it) {
    ASSERT_TRUE(yielded.insert(it->first).second) << "key " << it->first << " yielded twice";
    ASSERT_EQ(it->second, o.at(it->first));
  }
  for (U64 k = 0; k < 500; ++k) EXPECT_TRUE(yielded.count(k)) << "start key " << k << " never yielded";
  expect_matches(m, o);
}

TEST_F(FancyMap, EraseEveryWay) {
  for (U64 n : {6u, 600u, 20000u}) {
    SCOPED_TRACE(n);
    FStr m;
    Oracle<FStr> o;
    fill(m, o, 0, n);
    // by key
    for (U64 k = 0; k < n; k += 5) {
      ASSERT_EQ(m.erase(k), 1u);
      ASSERT_EQ(m.erase(k), 0u);
      o.erase(k);
    }
    expect_matches(m, o);
    // by iterator (erase returns the next one)
    std::size_t by_it = 0;
    for (auto it = m.begin(); it != m.end();) {
      if (it->first % 5 == 1) {
        o.erase(it->first);
        it = m.erase(it);
        ++by_it;
      } else {
        ++it;
      }
    }
    EXPECT_GT(by_it, 0u);
    expect_matches(m, o);
    // a range: the first third of the iteration order
    auto last = m.begin();
    for (std::size_t i = 0; i < m.size() / 3; ++i) ++last;
    for (auto it = m.begin(); it != last; ++it) o.erase(it->first);
    m.erase(m.cbegin(), FStr::const_iterator(last));
    expect_matches(m, o);
    // erase_if
    auto third = [](const auto& kv) { return kv.first % 3 == 0; };
    EXPECT_EQ(swiss::erase_if(m, third), std::erase_if(o, third));
    expect_matches(m, o);
  }
}

TEST_F(FancyMap, NodeHandlesExtractInsertMerge) {
  FU64 a, b;
  Oracle<FU64> oa, ob;
  fill(a, oa, 0, 5000);
  fill(b, ob, 4000, 9000);
  // extract by key and by iterator, into the other map
  for (U64 k = 0; k < 300; ++k) {
    auto nh = a.extract(k);
    ASSERT_FALSE(nh.empty());
    EXPECT_EQ(nh.key(), k);
    EXPECT_EQ(nh.mapped(), value_of<U64>(k));
    nh.key() += 100000;  // a node's key may change before it goes back in
    auto r = b.insert(std::move(nh));
    ASSERT_TRUE(r.inserted);
    EXPECT_TRUE(r.node.empty());
    EXPECT_EQ(r.position->first, k + 100000);
    oa.erase(k);
    ob[k + 100000] = value_of<U64>(k);
  }
  auto it = a.find(4500);
  auto nh = a.extract(it);
  ASSERT_FALSE(nh.empty());
  oa.erase(4500);
  // 4500 is in b: the node comes back untouched
  auto r = b.insert(std::move(nh));
  EXPECT_FALSE(r.inserted);
  ASSERT_FALSE(r.node.empty());
  EXPECT_EQ(r.node.key(), 4500u);
  EXPECT_EQ(r.position->first, 4500u);
  expect_matches(a, oa);
  expect_matches(b, ob);
  // merge: a's keys absent from b move; the rest (4000..4999) stay in a
  b.merge(a);
  for (auto i = oa.begin(); i != oa.end();) {
    if (ob.try_emplace(i->first, i->second).second)
      i = oa.erase(i);
    else
      ++i;
  }
  expect_matches(a, oa);
  expect_matches(b, ob);
  EXPECT_EQ(a.size(), 999u);  // 4000..4999 without 4500
  FU64::node_type empty;
  EXPECT_TRUE(empty.empty());
}

// The depth-0 map keeps its one table in the map object itself: moves and
// swaps between maps of every shape must re-point it.
TEST_F(FancyMap, CopyMoveSwapAcrossShapes) {
  const std::vector<U64> sizes = {0, 5, 600, 20000};
  for (U64 na : sizes)
    for (U64 nb : sizes) {
      SCOPED_TRACE(std::to_string(na) + " / " + std::to_string(nb));
      FStr a, b;
      Oracle<FStr> oa, ob;
      fill(a, oa, 0, na);
      fill(b, ob, 50000, 50000 + nb);
      {
        FStr copy(a);
        expect_matches(copy, oa);
        copy = b;
        expect_matches(copy, ob);
        expect_matches(b, ob);
        FStr moved(std::move(copy));
        expect_matches(moved, ob);
        EXPECT_TRUE(copy.empty());
        copy.check_invariants();
        copy.try_emplace(1, "reused");  // a moved-from map is usable
        EXPECT_EQ(copy.at(1), "reused");
        moved = std::move(copy);
        EXPECT_EQ(moved.size(), 1u);
        moved.check_invariants();
      }
      a.swap(b);
      expect_matches(a, ob);
      expect_matches(b, oa);
      swap(a, b);
      expect_matches(a, oa);
      expect_matches(b, ob);
      // both go on growing after the swaps
      fill(a, oa, 100000, 101000);
      fill(b, ob, 200000, 201000);
      expect_matches(a, oa);
      expect_matches(b, ob);
    }
}

TEST_F(FancyMap, ClearRehashReserve) {
  FU64 m;
  Oracle<FU64> o;
  fill(m, o, 0, 20000);
  const std::size_t blocks = FancyHeap::live_blocks();
  m.clear();
  o.clear();
  expect_matches(m, o);
  EXPECT_EQ(FancyHeap::live_blocks(), blocks) << "clear() keeps the memory (contract table)";
  fill(m, o, 0, 20000);
  expect_matches(m, o);
  // rehash(0) after erasing most gives memory back
  for (U64 k = 0; k < 20000; ++k)
    if (k % 50 != 0) {
      m.erase(k);
      o.erase(k);
    }
  const std::size_t bytes_before = FancyHeap::live_bytes();
  const std::size_t buckets_before = m.bucket_count();
  m.rehash(0);
  expect_matches(m, o);
  EXPECT_LT(m.bucket_count(), buckets_before / 4);
  EXPECT_LT(FancyHeap::live_bytes(), bytes_before / 4);
  EXPECT_LE(m.bucket_count(), 4 * m.size() + 16);
  // reserve(n), then filling to n rebuilds nothing
  for (U64 n : {100u, 5000u, 30000u}) {
    SCOPED_TRACE(n);
    FU64 r;
    Oracle<FU64> ro;
    r.reserve(n);
    r.check_invariants();
    const std::uint64_t rebuilds = swiss::TestAccess<FU64>::rebuilds(r);
    fill(r, ro, 0, n);
    EXPECT_EQ(swiss::TestAccess<FU64>::rebuilds(r), rebuilds) << "an insert after reserve(" << n << ") rebuilt";
    expect_matches(r, ro);
  }
}

TEST_F(FancyMap, EveryBlockReturnedAfterMixedUse) {
  {
    FU64 a;
    FBig b;
    FStr c;
    Oracle<FU64> oa;
    Oracle<FBig> ob;
    Oracle<FStr> oc;
    fill(a, oa, 0, 3000);
    fill(b, ob, 0, 1500);
    fill(c, oc, 0, 1500);
    auto parked = a.begin();  // holds a table through the growth below
    fill(a, oa, 3000, 9000);
    EXPECT_GT(FancyHeap::live_blocks(), 3u);
    FU64 copy = a;
    copy.rehash(0);
    b.clear();
    ob.clear();
    c.reserve(4000);
    expect_matches(a, oa);
    expect_matches(b, ob);
    expect_matches(c, oc);
    expect_matches(copy, oa);
    ASSERT_TRUE(parked != a.end());
  }
  EXPECT_EQ(FancyHeap::live_blocks(), 0u);
}

}  // namespace
