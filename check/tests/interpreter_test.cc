// The interpreter against swiss::Map: clean programs pass on every lane, and
// a map whose hasher is broken is caught (the harness can fail).
#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <set>

#include "check/decode.h"
#include "check/interpreter.h"
#include "check/tests/test_util.h"

namespace swisscheck {
namespace {

// Growth to several tables, splits, churn, iteration with growth and clear.
Program workout(std::uint8_t space_sel) {
  Program p;
  p.key_space_sel = space_sel;
  for (std::uint32_t i = 0; i < 12; ++i) p.ops.push_back({Code::kInsert, i, i});
  p.ops.push_back({Code::kIndexBump, 3});
  p.ops.push_back({Code::kEraseKey, 4});
  p.ops.push_back({Code::kIndexBump, 4});
  p.ops.push_back({Code::kInsertMany, 0, 0, 3000});
  Op it{Code::kIterMutate};
  it.actions.push_back({Code::kInsertMany, 3000, 0, 1500, 1});
  it.actions.push_back({Code::kInsertOrAssign, 5, 77, 0, 2});
  it.actions.push_back({Code::kEraseKey, 6, 0, 0, 2});
  it.actions.push_back({Code::kClear, 0, 0, 0, 40});
  it.actions.push_back({Code::kInsert, 7, 1, 0, 41});
  p.ops.push_back(it);
  p.ops.push_back({Code::kInsertMany, 0, 0, 600});
  p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
  p.ops.push_back({Code::kEraseMany, 0, 0, 300});
  p.ops.push_back({Code::kEqual, 0, 0, 0});
  p.ops.push_back({Code::kSwap, 0, 0, 3});
  p.ops.push_back({Code::kIterate});
  p.ops.push_back({Code::kCheck});
  return p;
}

template <class L>
void expect_clean(const Program& p) {
  Interpreter<L> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << L::kName << ": " << r.message;
  EXPECT_EQ(r.ops_run, p.ops.size());
}

void expect_clean_on_every_lane(const Program& p) {
  expect_clean<U64Lane>(p);
  expect_clean<ConstHashLane>(p);
  expect_clean<FewHashLane>(p);
  expect_clean<StringLane>(p);
  expect_clean<IndirectLane>(p);
  expect_clean<DoubleLane>(p);
  expect_clean<EmptyValueLane>(p);
  expect_clean<InstrumentedLane>(p);
  expect_clean<StatefulAllocLane>(p);
}

TEST(Interpreter, WorkoutPassesOnEveryLane) { expect_clean_on_every_lane(workout(1)); }

TEST(Interpreter, RandomInputsPass) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 60; ++round) {
    std::vector<std::uint8_t> b(rng() % 300);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    const Program p = decode(b.data(), b.size());
    Interpreter<U64Lane> a(throwing());
    RunResult r = a.run(p);
    ASSERT_TRUE(r.ok) << r.message;
    Interpreter<InstrumentedLane> f(throwing());
    r = f.run(p);
    ASSERT_TRUE(r.ok) << r.message;
    Interpreter<StatefulAllocLane> s(throwing());
    r = s.run(p);
    ASSERT_TRUE(r.ok) << r.message;
  }
}

// Node handles: extract from one map, insert into another (and back where
// the key is present), merge both ways, with growth in between.
Program node_workout(std::uint8_t space_sel) {
  Program p;
  p.key_space_sel = space_sel;
  p.ops.push_back({Code::kInsertMany, 0, 0, 40});
  p.ops.push_back({Code::kExtractKey, 3});
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});    // back where it came from
  p.ops.push_back({Code::kExtractFound, 5});
  p.ops.push_back({Code::kSelect, 0, 0, 1});
  p.ops.push_back({Code::kInsert, 5, 9});           // the key is present in map 1 too
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});    // handed back
  p.ops.push_back({Code::kEraseKey, 5});
  p.ops.push_back({Code::kInsertNode, 0, 0, 2});    // now it goes in (hint end())
  p.ops.push_back({Code::kInsertNode, 0, 0, 1});    // empty node
  p.ops.push_back({Code::kExtractKey, 1000});       // absent: empty node
  p.ops.push_back({Code::kInsertMany, 20, 0, 3 * kCountStep});
  p.ops.push_back({Code::kMerge, 0, 0, 0});         // map 0 into map 1
  p.ops.push_back({Code::kCheck});
  p.ops.push_back({Code::kSelect, 0, 0, 0});
  p.ops.push_back({Code::kInsertMany, 900, 0, 100});
  p.ops.push_back({Code::kMerge, 0, 0, 4});         // map 1 into map 0, as an rvalue
  p.ops.push_back({Code::kMerge, 0, 0, 0});         // itself
  p.ops.push_back({Code::kReserve, 0, 0, 2 * kCountStep * 4});
  p.ops.push_back({Code::kInsertMany, 3000, 0, 400});
  p.ops.push_back({Code::kExtractKey, 3001});
  p.ops.push_back({Code::kSelect, 0, 0, 2});
  p.ops.push_back({Code::kInsertNode, 0, 0, 0});
  p.ops.push_back({Code::kCheck});
  return p;
}

TEST(Interpreter, NodeOpsPassOnEveryLane) { expect_clean_on_every_lane(node_workout(5)); }

TEST(Interpreter, NodeOpsSurviveFaults) {
  Program p;
  p.key_space_sel = 3;
  p.ops.push_back({Code::kInsertMany, 0, 0, 300});
  p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
  p.ops.push_back({Code::kInsertMany, 250, 0, 400});
  for (std::uint32_t kind = 0; kind < 4; ++kind) {
    for (std::uint32_t nth = 1; nth < 40; nth += 9) {
      p.ops.push_back({Code::kArmFault, 0, nth, kind});
      p.ops.push_back({Code::kMerge, 0, 0, 0});
      p.ops.push_back({Code::kArmFault, 0, nth % 3 + 1, kind});
      p.ops.push_back({Code::kExtractKey, nth});
      p.ops.push_back({Code::kSelect, 0, 0, 0});
      p.ops.push_back({Code::kArmFault, 0, nth % 2 + 1, kind});
      p.ops.push_back({Code::kInsertNode, 0, 0, nth % 3});
      p.ops.push_back({Code::kInsertMany, kind * 700 + nth, 0, 120});
      p.ops.push_back({Code::kSelect, 0, 0, 1});
    }
  }
  Ledger::current().reset();
  Interpreter<InstrumentedLane> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
}

// insert(hint, node) of a present key keeps the node in nh, as std says
// (impl/ once destroyed it; the interpreter reports that as a lost node).
TEST(Interpreter, InsertWithHintOfAPresentKeyKeepsTheNode) {
  Program p;
  p.key_space_sel = 1;
  p.ops.push_back({Code::kInsert, 1, 1});
  p.ops.push_back({Code::kExtractKey, 1});
  p.ops.push_back({Code::kInsert, 1, 2});
  p.ops.push_back({Code::kInsertNode, 0, 0, 1});
  p.ops.push_back({Code::kInsertNode, 0, 0, 2});
  Interpreter<U64Lane> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
}

// A hasher that changes its mind: entries become unreachable, which the
// interpreter must report as a difference from the oracle.
struct DriftingHash {
  static inline std::uint64_t drift = 0;
  std::size_t operator()(std::uint64_t k) const { return k * 0x9E3779B97F4A7C15ull + drift++; }
};
struct DriftingLane : U64Lane {
  static constexpr const char* kName = "drifting";
  using Hasher = DriftingHash;
};

TEST(Interpreter, ReportsAMapThatLosesKeys) {
  Program p;
  p.key_space_sel = 2;
  // Few keys: the map stays small, so check_invariants() (which aborts) is
  // not reached before the interpreter's own lookups see the difference.
  for (std::uint32_t i = 0; i < 5; ++i) p.ops.push_back({Code::kInsert, i, i});
  Interpreter<DriftingLane> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("lane drifting"), std::string::npos) << r.message;
}

TEST(Interpreter, FaultsAreInjectedAndSurvived) {
  Program p;
  p.key_space_sel = 3;
  for (std::uint32_t kind = 0; kind < 4; ++kind) {
    for (std::uint32_t nth = 1; nth < 40; nth += 7) {
      p.ops.push_back({Code::kArmFault, 0, nth, kind});
      p.ops.push_back({Code::kInsertMany, kind * 1000 + nth * 10, 0, 200});
      p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
      p.ops.push_back({Code::kInsertRange, 3, 0, 40});
    }
  }
  Ledger::current().reset();
  Interpreter<InstrumentedLane> in(throwing());
  const RunResult r = in.run(p);
  EXPECT_TRUE(r.ok) << r.message;
}

// The matcher of a full check hands each NaN entry out once, by bits and
// value, and finds ordinary keys by identity.
TEST(Model, MatcherHandsOutEachNaNOnce) {
  Model<DoubleLane> md;
  const double nan = std::bit_cast<double>(DoubleLane::kNaNBits[0]);
  const double other_nan = std::bit_cast<double>(DoubleLane::kNaNBits[1]);
  for (int i = 0; i < 3; ++i) md.add(nan, 7);
  md.add(nan, 8);
  md.add(other_nan, 7);
  md.add(1.5, 9);
  Model<DoubleLane>::Matcher m(md);
  std::set<const void*> got;
  for (int i = 0; i < 3; ++i) {
    const auto* e = m.match(nan, 7);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->second, 7u);
    EXPECT_EQ(e->first.bits, DoubleLane::kNaNBits[0]);
    got.insert(e);
  }
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(m.match(nan, 7), nullptr);  // a fourth one is not in the oracle
  EXPECT_NE(m.match(nan, 8), nullptr);
  EXPECT_EQ(m.match(nan, 8), nullptr);
  EXPECT_NE(m.match(other_nan, 7), nullptr);
  EXPECT_EQ(m.match(nan, 9), nullptr);
  ASSERT_NE(m.match(1.5, 9), nullptr);
  EXPECT_NE(m.match(1.5, 9), nullptr);  // ordinary keys: the caller counts repeats
  EXPECT_EQ(m.match(2.5, 9), nullptr);
}

// Thousands of NaNs (1 key in 16 of a fill): full checks, iteration and range
// erase match them all (a NaN-heavy map used to cost quadratic time).
TEST(Interpreter, ManyNaNsPass) {
  Program p;
  p.key_space_sel = 7;
  p.ops.push_back({Code::kInsertMany, 0, 0, 8184});
  p.ops.push_back({Code::kInsertMany, 0, 0, 8184});
  p.ops.push_back({Code::kCheck});
  p.ops.push_back({Code::kIterate});
  p.ops.push_back({Code::kEraseRange, 0, 0, 15});
  p.ops.push_back({Code::kCopyConstruct, 0, 0, 1});
  p.ops.push_back({Code::kCheck});
  expect_clean<DoubleLane>(p);
}

}  // namespace
}  // namespace swisscheck
