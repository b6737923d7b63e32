// The instrumented types: lifetimes counted, faults thrown where armed.
#include <gtest/gtest.h>

#include <new>
#include <vector>

#include "check/instrumented.h"

namespace swisscheck {
namespace {

TEST(Instrumented, CountsLiveObjects) {
  Ledger& l = Ledger::current();
  l.reset();
  {
    InstrumentedKey a(1), b(a), c(std::move(b));
    InstrumentedValue v(5);
    EXPECT_EQ(l.live_keys(), 3u);
    EXPECT_EQ(l.live_values(), 1u);
  }
  EXPECT_EQ(l.live_keys(), 0u);
  EXPECT_EQ(l.live_values(), 0u);
  EXPECT_TRUE(l.errors().empty());
}

TEST(Instrumented, DoubleDestroyIsRecorded) {
  Ledger& l = Ledger::current();
  l.reset();
  alignas(InstrumentedKey) unsigned char buf[sizeof(InstrumentedKey)];
  auto* k = new (buf) InstrumentedKey(9);
  k->~InstrumentedKey();
  k->~InstrumentedKey();  // what a buggy map would do
  ASSERT_FALSE(l.errors().empty());
  EXPECT_NE(l.errors().front().find("double destroy"), std::string::npos);
}

TEST(Instrumented, FaultsFireOnlyInsideAScope) {
  Ledger& l = Ledger::current();
  l.reset();
  InstrumentedKey a(1);
  l.arm(Fault::kCopy, 2);
  InstrumentedKey outside(a);  // not counted: no scope
  FaultScope s(l);
  InstrumentedKey first(a);  // 1st copy in scope
  EXPECT_THROW(InstrumentedKey second(a), InjectedFault);
  EXPECT_FALSE(l.armed());
  EXPECT_EQ(l.faults_fired(), 1u);
  InstrumentedKey third(a);  // disarmed again
  EXPECT_EQ(l.calls(Fault::kCopy), 3u);
}

TEST(Instrumented, HashAndEqAreFaultPoints) {
  Ledger& l = Ledger::current();
  l.reset();
  InstrumentedKey a(1), b(1);
  FaultScope s(l);
  l.arm(Fault::kHash, 1);
  EXPECT_THROW(InstrumentedHash{}(a), InjectedFault);
  l.arm(Fault::kEq, 1);
  EXPECT_THROW((void)InstrumentedEq{}(a, b), InjectedFault);
  EXPECT_TRUE(InstrumentedEq{}(a, b));
}

TEST(Instrumented, AllocatorCountsAndThrows) {
  Ledger& l = Ledger::current();
  l.reset();
  LedgerAllocator<int> alloc;
  LedgerAllocator<double> rebound(alloc);
  EXPECT_TRUE(alloc == rebound);
  int* p = alloc.allocate(10);
  EXPECT_EQ(l.bytes_outstanding(), 10 * sizeof(int));
  {
    FaultScope s(l);
    l.arm(Fault::kAlloc, 1);
    EXPECT_THROW(rebound.allocate(3), std::bad_alloc);
  }
  alloc.deallocate(p, 10);
  EXPECT_EQ(l.bytes_outstanding(), 0u);
  EXPECT_EQ(l.blocks_outstanding(), 0u);
}

}  // namespace
}  // namespace swisscheck
