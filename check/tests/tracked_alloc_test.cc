// TrackedAlloc and the stateful_alloc lane: the registry records misuse
// instead of crashing, the allocator walk follows std's rules, the
// interpreter skips what std leaves undefined and reports what the registry
// saw as a failure of the op.
#include <gtest/gtest.h>

#include <sstream>

#include "check/interpreter.h"
#include "check/tests/test_util.h"
#include "check/tracked_alloc.h"

namespace swisscheck {
namespace {

TEST(TrackedAlloc, FreeThroughAnotherResourceIsRecorded) {
  TrackedRegistry& r = tracked_registry();
  r.reset();
  TrackedAlloc<std::uint64_t> a(AllocIdentity{1, 1}), b(AllocIdentity{2, 3});
  std::uint64_t* p = a.allocate(4);
  ASSERT_EQ(r.outstanding().at(1).blocks, 1u);
  EXPECT_EQ(r.outstanding().at(1).bytes, 32u);
  b.deallocate(p, 4);
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_EQ(r.errors()[0].rfind("memory allocated by allocator #1 freed through allocator #2", 0), 0u) << r.errors()[0];
  EXPECT_TRUE(r.outstanding().empty());  // freed all the same
  r.reset();
}

TEST(TrackedAlloc, DoubleFreeAndWrongSizeAreRecordedNotCrashed) {
  TrackedRegistry& r = tracked_registry();
  r.reset();
  TrackedAlloc<std::uint32_t> a(AllocIdentity{1, 1});
  std::uint32_t* p = a.allocate(3);
  a.deallocate(p, 2);
  a.deallocate(p, 3);
  ASSERT_EQ(r.errors().size(), 2u);
  EXPECT_NE(r.errors()[0].find("deallocate of 8 bytes"), std::string::npos) << r.errors()[0];
  EXPECT_NE(r.errors()[1].find("not a live block"), std::string::npos) << r.errors()[1];
  r.reset();
}

TEST(TrackedAlloc, EqualityRebindAssignmentAndCopyConstruction) {
  TrackedRegistry& r = tracked_registry();
  r.reset();
  TrackedAlloc<int> a(AllocIdentity{1, 1}), b(AllocIdentity{1, 2}), c(AllocIdentity{2, 3});
  EXPECT_TRUE(a == b);  // the tag is not compared
  EXPECT_FALSE(a == c);
  const TrackedAlloc<double> ra(a);
  EXPECT_EQ(ra.identity(), a.identity());
  EXPECT_TRUE(ra == a);
  EXPECT_EQ(std::allocator_traits<TrackedAlloc<int>>::select_on_container_copy_construction(c).identity(),
            AllocIdentity{});
  EXPECT_TRUE(r.errors().empty());
  b = c;  // never done by a container: recorded
  ASSERT_EQ(r.errors().size(), 1u);
  EXPECT_NE(r.errors()[0].find("allocator #1 (tag 2) was assigned allocator #2 (tag 3)"), std::string::npos)
      << r.errors()[0];
  r.reset();
}

TEST(AllocWalk, OnlyConstructionChangesAMapsAllocator) {
  AllocWalk w;
  EXPECT_TRUE(w.step({Code::kSwap, 0, 0, 1}).empty());             // #1 with #1
  EXPECT_FALSE(w.step({Code::kSwap, 0, 0, 2}).empty());            // #1 with #2
  EXPECT_FALSE(w.step({Code::kMerge, 0, 0, 5}).empty());           // map 2 into map 0 (rvalue)
  EXPECT_TRUE(w.step({Code::kMerge, 0, 0, 0}).empty());            // itself
  EXPECT_TRUE(w.step({Code::kCopyAssign, 0, 0, 2}).empty());       // map 2 = map 0: keeps #2
  EXPECT_EQ(w.cur, 2u);
  EXPECT_EQ(w.slot[2], slot_identity(2));
  w.step({Code::kMoveAssign, 0, 0, 0});                            // map 0 = move(map 2): keeps #1
  EXPECT_EQ(w.slot[0], slot_identity(0));
  w.step({Code::kCopyConstruct, 0, 0, 2});                         // map 2: the default #0
  EXPECT_EQ(w.slot[2], AllocIdentity{});
  w.step({Code::kMoveConstruct, 0, 0, 1});                         // map 1 takes map 2's
  EXPECT_EQ(w.slot[1], AllocIdentity{});
  EXPECT_EQ(w.cur, 1u);
  EXPECT_TRUE(w.step({Code::kSwap, 0, 0, 2}).empty());             // #0 with #0
}

// Copy and move assignment and swap between every pair of maps, with node
// handles and merges: everything std defines runs, the rest is skipped.
Program between_maps() {
  Program p;
  p.key_space_sel = 3;
  p.ops.push_back({Code::kInsertMany, 0, 0, 40});
  for (std::uint32_t to = 0; to < kMapSlots; ++to) {
    p.ops.push_back({Code::kCopyAssign, 0, 0, to});
    p.ops.push_back({Code::kInsertMany, 50 * to, 0, 30});
    p.ops.push_back({Code::kExtractKey, 50 * to + 1});
    for (std::uint32_t with = 0; with < 2 * kMapSlots; ++with) p.ops.push_back({Code::kSwap, 0, 0, with});
    p.ops.push_back({Code::kMoveAssign, 0, 0, (to + 2) % kMapSlots});
    p.ops.push_back({Code::kInsertNode, 0, 0, to % 3});
    p.ops.push_back({Code::kMerge, 0, 0, to});
    p.ops.push_back({Code::kMoveAssign, 0, 0, (to + 1) % kMapSlots});
  }
  p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
  p.ops.push_back({Code::kSwap, 0, 0, 0});
  p.ops.push_back({Code::kMoveConstruct, 0, 0, 2});
  p.ops.push_back({Code::kSwap, 0, 0, 1});
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});
  p.ops.push_back({Code::kCheck});
  return p;
}

TEST(StatefulAllocLane, AssignmentsSwapsAndNodesBetweenMapsPass) {
  const Program p = between_maps();
  Interpreter<StatefulAllocLane> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.ops_run, p.ops.size());
  EXPECT_TRUE(tracked_registry().outstanding().empty());
}

TEST(StatefulAllocLane, TraceAndSnippetSaySkippedOps) {
  Program p;
  p.key_space_sel = 1;
  p.ops.push_back({Code::kInsert, 1, 1});
  p.ops.push_back({Code::kSwap, 0, 0, 1});
  p.ops.push_back({Code::kSwap, 0, 0, 2});
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});
  std::ostringstream t;
  print_trace<StatefulAllocLane>(t, p);
  const std::string s = t.str();
  EXPECT_EQ(s.find("#1 swap with map 1 (member swap)  --"), std::string::npos) << s;
  EXPECT_NE(s.find("#2 swap with map 2 (member swap)  -- skipped: the allocators differ (this map's #1 (tag 1), "
                   "map 2's #2 (tag 3)) and do not propagate, so swap is undefined in std"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("skipped if the held node's allocator differs from this map's #1 (tag 1)"), std::string::npos) << s;
  std::ostringstream c;
  print_cpp<StatefulAllocLane>(c, p);
  const std::string cpp = c.str();
  EXPECT_NE(cpp.find("maps[0].emplace(Map::allocator_type(swisscheck::slot_identity(0)));"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("if (m->get_allocator() == maps[2]->get_allocator()) m->swap(*maps[2]);"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("if (node.empty() || node.get_allocator() == m->get_allocator())"), std::string::npos) << cpp;
}

// A hasher that misuses the registry at its Nth call: the interpreter must
// report it as a failure of the op running then (or of the final checks).
struct MisusingHash {
  enum class Misuse { kNone, kFreeThroughOther, kLeakOnNoMap, kLeakOnMap };
  static inline Misuse misuse = Misuse::kNone;
  static inline int countdown = 0;
  static inline std::uint64_t* leaked = nullptr;  // freed by the test after the run
  static inline AllocIdentity leaked_by;
  std::size_t operator()(std::uint64_t k) const {
    if (misuse != Misuse::kNone && --countdown == 0) {
      TrackedAlloc<std::uint64_t> one(slot_identity(0)), two(slot_identity(2)), seven(AllocIdentity{7, 7});
      switch (misuse) {
        case Misuse::kFreeThroughOther: two.deallocate(one.allocate(1), 1); break;
        case Misuse::kLeakOnNoMap: leaked = seven.allocate(1), leaked_by = seven.identity(); break;
        case Misuse::kLeakOnMap: leaked = one.allocate(1), leaked_by = one.identity(); break;
        case Misuse::kNone: break;
      }
      misuse = Misuse::kNone;
    }
    return swiss::Hash<std::uint64_t>()(k);
  }
};
struct MisusingLane : StatefulAllocLane {
  static constexpr const char* kName = "misusing";
  using Hasher = MisusingHash;
};

RunResult run_misusing(MisusingHash::Misuse m) {
  Program p;
  p.key_space_sel = 1;
  for (std::uint32_t i = 0; i < 4; ++i) p.ops.push_back({Code::kInsert, i, i});
  MisusingHash::misuse = m;
  MisusingHash::countdown = 3;  // a call of the 2nd insert (or the 3rd)
  Interpreter<MisusingLane> in(throwing());
  const RunResult r = in.run(p);
  MisusingHash::misuse = MisusingHash::Misuse::kNone;
  if (MisusingHash::leaked) TrackedAlloc<std::uint64_t>(MisusingHash::leaked_by).deallocate(MisusingHash::leaked, 1);
  MisusingHash::leaked = nullptr;
  tracked_registry().reset();
  return r;
}

TEST(StatefulAllocLane, RegistryMisuseIsAFailureOfTheOp) {
  RunResult r = run_misusing(MisusingHash::Misuse::kFreeThroughOther);
  ASSERT_FALSE(r.ok);
  EXPECT_LE(r.failed_op, 2u);
  EXPECT_NE(r.message.find("(insert): memory allocated by allocator #1 freed through allocator #2"), std::string::npos)
      << r.message;
  r = run_misusing(MisusingHash::Misuse::kLeakOnNoMap);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.message.find("allocator #7 has 1 blocks (8 bytes) allocated, but no map"), std::string::npos) << r.message;
  r = run_misusing(MisusingHash::Misuse::kLeakOnMap);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.message.find("(final checks): after destroying every map, blocks are still allocated (leak): "
                           "allocator #1: 1 blocks, 8 bytes"),
            std::string::npos)
      << r.message;
}

// Allocators whose propagation traits differ (the instrumented_tracked lane):
// a move assignment that propagates gives the target the source's allocator,
// a swap that does not leaves each map its own, and only its own is skipped
// between unequal allocators.
TEST(AllocWalk, MoveAssignmentPropagatesSwapDoesNot) {
  AllocWalk w = alloc_walk<InstrumentedTrackedLane::Alloc>();
  EXPECT_FALSE(w.pocca);
  EXPECT_TRUE(w.pocma);
  EXPECT_FALSE(w.pocs);
  EXPECT_TRUE(w.step({Code::kSwap, 0, 0, 1}).empty());   // #1 with #1: runs, allocators stay
  EXPECT_EQ(w.slot[0], slot_identity(0));
  EXPECT_FALSE(w.step({Code::kSwap, 0, 0, 2}).empty());  // #1 with #2: undefined, skipped
  w.step({Code::kCopyAssign, 0, 0, 2});                  // map 2 = map 0: keeps #2
  EXPECT_EQ(w.slot[2], slot_identity(2));
  w.step({Code::kMoveAssign, 0, 0, 0});                  // map 0 = move(map 2): takes #2
  EXPECT_EQ(w.slot[0], slot_identity(2));
  EXPECT_NE(std::string(w.rule(Code::kMoveAssign)).find("is true"), std::string::npos);
  AllocWalk s = alloc_walk<TrackedAlloc<int, Propagation<false, false, true>>>();
  EXPECT_TRUE(s.step({Code::kSwap, 0, 0, 2}).empty());  // propagates: defined between unequal ones
  EXPECT_EQ(s.slot[0], slot_identity(2));
  EXPECT_EQ(s.slot[2], slot_identity(0));
}

TEST(TrackedAlloc, PropagatingAllocatorsMayBeAssigned) {
  TrackedRegistry& r = tracked_registry();
  r.reset();
  TrackedAlloc<int, MovePropagation> a(AllocIdentity{1, 1}), b(AllocIdentity{2, 3});
  a = b;  // a map may: its move assignment propagates
  EXPECT_TRUE(r.errors().empty());
  EXPECT_EQ(a.identity(), b.identity());
}

// The lane's maps between each other (with its allocators' traits), and a
// throw at every copy of a copying growth, leave every check clean.
TEST(InstrumentedTrackedLane, BetweenMapsAndThrowsInCopyingGrowthPass) {
  Program p = between_maps();
  Interpreter<InstrumentedTrackedLane> in(throwing());
  RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.ops_run, p.ops.size());
  p = Program();
  p.key_space_sel = 3;
  for (std::uint32_t i = 0; i < 14; ++i) p.ops.push_back({Code::kTryEmplace, i, i});
  for (std::uint32_t k = 1; k <= 16; ++k) {  // the 15th entry grows the 16-slot table: 14 copies
    p.ops.push_back({Code::kArmFault, 0, k, static_cast<std::uint32_t>(Fault::kCopy)});
    p.ops.push_back({Code::kTryEmplace, 100, 1});
    p.ops.push_back({Code::kCheck});
  }
  r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(tracked_registry().outstanding().empty());
}

}  // namespace
}  // namespace swisscheck
