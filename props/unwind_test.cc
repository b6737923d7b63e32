// Hashbrown-style unwind tests (tests/hasher_unwind.rs in spirit, and boost's
// exception-point counter): run a sequence of operations once to count the
// fault points of one kind, then again for every k, with the k-th point
// throwing. After the throw the map must be valid, hold exactly what it held
// before the throwing operation (insert of a new key is all-or-nothing, and
// no entry is lost even mid-growth), iterate each entry once, and leak
// nothing (the ledger's live objects and bytes; LSan at exit).
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fault_map.h"
#include "props_util.h"
#include "swiss/test_access.h"

namespace {

using namespace props;

struct Step {
  enum Kind { kInsertCopy, kEmplace, kTryEmplace, kAssign, kIndex, kErase, kFind } kind;
  std::uint64_t key;
  std::uint64_t value = 0;
};

const char* kind_name(Step::Kind k) {
  switch (k) {
    case Step::kInsertCopy: return "insert(const value_type&)";
    case Step::kEmplace: return "emplace";
    case Step::kTryEmplace: return "try_emplace";
    case Step::kAssign: return "insert_or_assign";
    case Step::kIndex: return "operator[]";
    case Step::kErase: return "erase(key)";
    case Step::kFind: return "find";
  }
  return "?";
}

// Runs one step with fault points live; returns whether it threw. The model
// changes only when the step completed.
bool run_step(FaultMap& m, Model& model, const Step& s) {
  const std::pair<const IKey, IValue> kv{IKey(s.key), IValue(s.value)};
  const IKey key(s.key);
  bool threw = false;
  try {
    FaultScope scope;
    switch (s.kind) {
      case Step::kInsertCopy: m.insert(kv); break;
      case Step::kEmplace: m.emplace(IKey(s.key), IValue(s.value)); break;
      case Step::kTryEmplace: m.try_emplace(key, s.value); break;
      case Step::kAssign: m.insert_or_assign(key, IValue(s.value)); break;
      case Step::kIndex: m[key] = IValue(s.value); break;
      case Step::kErase: m.erase(key); break;
      case Step::kFind: (void)m.find(key); break;
    }
  } catch (const InjectedFault&) {
    threw = true;
  } catch (const InjectedBadAlloc&) {
    threw = true;
  }
  if (!threw) {
    switch (s.kind) {
      case Step::kInsertCopy:
      case Step::kEmplace:
      case Step::kTryEmplace: model.emplace(s.key, s.value); break;
      case Step::kAssign:
      case Step::kIndex: model[s.key] = s.value; break;
      case Step::kErase: model.erase(s.key); break;
      case Step::kFind: break;
    }
  }
  return threw;
}

struct Scenario {
  const char* name;
  std::function<std::uint64_t()> prefill;  // keys [0, prefill()) go in before the steps
  std::function<std::vector<Step>(std::uint64_t prefill)> steps;
};

// Inserts of new keys, rotating through the insert forms.
std::vector<Step> inserts(std::uint64_t first, std::uint64_t last) {
  static const Step::Kind forms[] = {Step::kEmplace, Step::kInsertCopy, Step::kTryEmplace,
                                     Step::kAssign, Step::kIndex};
  std::vector<Step> out;
  for (std::uint64_t k = first; k < last; ++k) out.push_back({forms[k % 5], k, k * 10 + 1});
  return out;
}

std::vector<Scenario> scenarios() {
  std::vector<Scenario> out;
  // The 9th key turns the small map into a table.
  out.push_back({"small_to_table", [] { return std::uint64_t{5}; },
                 [](std::uint64_t p) {
                   auto s = inserts(p, p + 7);
                   s.push_back({Step::kErase, 2});
                   s.push_back({Step::kFind, 3});
                   s.push_back({Step::kAssign, 1, 77});
                   s.push_back({Step::kEmplace, 4, 99});  // existing key: no change
                   return s;
                 }});
  // A 16-slot table doubles to 32.
  out.push_back({"table_doubles",
                 [] { return std::uint64_t(max_size_at_capacity(16) - 2); },
                 [](std::uint64_t p) {
                   auto s = inserts(p, p + 5);
                   s.push_back({Step::kErase, 0});
                   s.push_back({Step::kIndex, 0, 5});
                   return s;
                 }});
  // A full 1024-slot table splits in two (and the directory doubles).
  out.push_back({"table_splits",
                 [] { return std::uint64_t(max_size_at_capacity(1024) - 2); },
                 [](std::uint64_t p) { return inserts(p, p + 5); }});
  // A full table with erased entries fills up again: tombstones are cleaned
  // (pruned or rehashed in place) instead of growing.
  // (A 128-slot table: the same code path as a 1024-slot one at an eighth
  // of the cost per run.)
  out.push_back({"tombstone_cleanup",
                 [] { return std::uint64_t(max_size_at_capacity(128)); },
                 [](std::uint64_t p) {
                   std::vector<Step> s;
                   for (std::uint64_t i = 0; i < 100; ++i) {
                     s.push_back({Step::kErase, (i * 7) % p});
                     s.push_back({i % 2 ? Step::kInsertCopy : Step::kEmplace, p + i, i});
                   }
                   return s;
                 }});
  return out;
}

struct UnwindCase {
  std::size_t scenario;
  Fault fault;
};

class Unwind : public ::testing::TestWithParam<UnwindCase> {
 protected:
  void SetUp() override {
    Ledger& l = Ledger::current();
    ASSERT_EQ(l.live_keys() + l.live_values(), 0u) << "objects alive before the test";
    l.reset();
  }
};

// Runs the scenario with the nth fault point of kind f throwing (0: none).
// Returns the number of fault points of kind f the steps reached.
std::uint64_t run_scenario(const Scenario& sc, std::uint64_t prefill, const std::vector<Step>& steps,
                           Fault f, std::uint64_t nth, bool* fired) {
  Ledger& l = Ledger::current();
  const std::size_t bytes_before = l.bytes_outstanding();
  const std::uint64_t calls_before = l.calls(f);
  *fired = false;
  {
    FaultMap m;
    Model model;
    for (std::uint64_t k = 0; k < prefill; ++k) {
      m.emplace(IKey(k), IValue(k * 10));
      model.emplace(k, k * 10);
    }
    if (nth) l.arm(f, nth);
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      const std::size_t size_before = m.size();
      bool threw = run_step(m, model, s);
      if (threw) {
        *fired = true;
        SCOPED_TRACE(std::string(sc.name) + ": fault " + swisscheck::fault_name(f) + " #" +
                     std::to_string(nth) + " thrown by step " + std::to_string(i) + " " +
                     kind_name(s.kind) + " key " + std::to_string(s.key));
        EXPECT_EQ(m.size(), size_before) << "a throwing operation changed the size";
        expect_map_equals(m, model);
        if (::testing::Test::HasFailure()) return 0;
      } else if (m.size() != model.size()) {
        ADD_FAILURE() << sc.name << " step " << i << " " << kind_name(s.kind) << ": size "
                      << m.size() << ", model " << model.size();
        return 0;
      }
    }
    l.disarm();
    SCOPED_TRACE(std::string(sc.name) + ": end, fault " + swisscheck::fault_name(f) + " #" +
                 std::to_string(nth));
    expect_map_equals(m, model);
    // The map is still usable.
    EXPECT_TRUE(m.emplace(IKey(1'000'000), IValue(1)).second);
    EXPECT_EQ(m.size(), model.size() + 1);
    EXPECT_NE(m.find(IKey(1'000'000)), m.end());
  }
  EXPECT_EQ(l.live_keys(), 0u);
  EXPECT_EQ(l.live_values(), 0u);
  EXPECT_EQ(l.bytes_outstanding(), bytes_before) << "allocator bytes leaked";
  EXPECT_TRUE(l.errors().empty()) << ledger_errors(l);
  return l.calls(f) - calls_before;
}

// For every k from the first fault point to past the last one.
TEST_P(Unwind, ThrowAtEveryPoint) {
  const UnwindCase c = GetParam();
  const Scenario sc = scenarios()[c.scenario];
  const std::uint64_t prefill = sc.prefill();
  ASSERT_GT(prefill, 0u);
  const std::vector<Step> steps = sc.steps(prefill);
  bool fired = false;
  const std::uint64_t points = run_scenario(sc, prefill, steps, c.fault, 0, &fired);
  ASSERT_FALSE(HasFailure());
  if (c.fault != Fault::kEq) {
    ASSERT_GT(points, 0u) << "the scenario reaches no fault point";
  }
  std::uint64_t fired_runs = 0;
  for (std::uint64_t nth = 1; nth <= points + 2; ++nth) {
    run_scenario(sc, prefill, steps, c.fault, nth, &fired);
    ASSERT_FALSE(HasFailure()) << "fault #" << nth << " of " << points;
    fired_runs += fired;
  }
  // Equality calls depend on the seed (H2 matches), the others do not.
  if (c.fault != Fault::kEq) {
    EXPECT_GE(fired_runs, points) << "armed faults that never fired";
  }
  std::printf("%s/%s: %llu fault points, %llu runs threw\n", sc.name, swisscheck::fault_name(c.fault),
              static_cast<unsigned long long>(points), static_cast<unsigned long long>(fired_runs));
}

std::vector<UnwindCase> all_cases() {
  std::vector<UnwindCase> out;
  for (std::size_t s = 0; s < scenarios().size(); ++s)
    for (Fault f : {Fault::kHash, Fault::kEq, Fault::kCopy, Fault::kAlloc}) out.push_back({s, f});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Hashbrown, Unwind, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<UnwindCase>& i) {
                           return std::string(scenarios()[i.param.scenario].name) + "_" +
                                  swisscheck::fault_name(i.param.fault);
                         });

// ---- Whole-map operations under faults -----------------------------------------------

class UnwindWhole : public Unwind {};

FaultMap build(std::uint64_t n, std::uint64_t value_offset = 0) {
  FaultMap m;
  for (std::uint64_t k = 0; k < n; ++k) m.emplace(IKey(k), IValue(k + value_offset));
  return m;
}
Model model_of(std::uint64_t n, std::uint64_t value_offset = 0) {
  Model out;
  for (std::uint64_t k = 0; k < n; ++k) out.emplace(k, k + value_offset);
  return out;
}

// The points to try: all of them for small counts, a spread for large ones.
std::vector<std::uint64_t> points_to_try(std::uint64_t points) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t k = 1; k <= points + 1; ++k)
    if (points <= 400 || k <= 40 || k + 40 > points || k % 37 == 0) out.push_back(k);
  return out;
}

// Copy construction that throws part way leaks nothing and leaves the
// source untouched.
TEST_F(UnwindWhole, CopyConstructionThrows) {
  Ledger& l = Ledger::current();
  for (std::uint64_t n : {5u, 100u, 2000u}) {
    const FaultMap src = build(n);
    const Model model = model_of(n);
    for (Fault f : {Fault::kCopy, Fault::kAlloc, Fault::kHash}) {
      const std::uint64_t before = l.calls(f);
      {
        FaultScope scope;
        FaultMap copy(src);
      }
      const std::uint64_t points = l.calls(f) - before;
      for (std::uint64_t nth : points_to_try(points)) {
        SCOPED_TRACE(std::to_string(n) + " entries, " + swisscheck::fault_name(f) + " #" +
                     std::to_string(nth) + " of " + std::to_string(points));
        const std::size_t bytes = l.bytes_outstanding();
        std::optional<FaultMap> copy;
        l.arm(f, nth);
        try {
          FaultScope scope;
          copy.emplace(src);
        } catch (const InjectedFault&) {
        } catch (const InjectedBadAlloc&) {
        }
        l.disarm();
        if (copy) expect_map_equals(*copy, model, n);
        copy.reset();
        EXPECT_EQ(l.bytes_outstanding(), bytes) << "copy that threw leaked memory";
        expect_map_equals(src, model);
        ASSERT_FALSE(HasFailure());
      }
    }
  }
}

// Copy assignment that throws leaves the destination valid (basic
// guarantee: some subset of entries, each intact) and leaks nothing.
TEST_F(UnwindWhole, CopyAssignmentThrows) {
  Ledger& l = Ledger::current();
  for (std::uint64_t n : {6u, 300u}) {
    const FaultMap src = build(n, 1);
    const std::uint64_t before = l.calls(Fault::kCopy) + l.calls(Fault::kAlloc);
    {
      FaultMap dst = build(50, 7);
      FaultScope scope;
      dst = src;
    }
    const std::uint64_t points = l.calls(Fault::kCopy) + l.calls(Fault::kAlloc) - before;
    for (Fault f : {Fault::kCopy, Fault::kAlloc}) {
      for (std::uint64_t nth = 1; nth <= points; ++nth) {
        SCOPED_TRACE(std::to_string(n) + " entries, " + swisscheck::fault_name(f) + " #" +
                     std::to_string(nth));
        FaultMap dst = build(50, 7);
        bool threw = false;
        l.arm(f, nth);
        try {
          FaultScope scope;
          dst = src;
        } catch (const InjectedFault&) {
          threw = true;
        } catch (const InjectedBadAlloc&) {
          threw = true;
        }
        l.disarm();
        dst.check_invariants();
        // Every entry dst holds is one of the old or one of the new, intact.
        Model seen;
        for (const auto& kv : dst) {
          const std::uint64_t k = kv.first.payload(), v = kv.second.payload();
          EXPECT_TRUE(seen.emplace(k, v).second) << "key " << k << " twice";
          EXPECT_TRUE((k < n && v == k + 1) || (k < 50 && v == k + 7)) << k << " -> " << v;
          EXPECT_NE(dst.find(IKey(k)), dst.end());
        }
        if (!threw) {
          EXPECT_EQ(seen, model_of(n, 1));
        }
        EXPECT_EQ(l.live_keys(), dst.size() + src.size());
        EXPECT_EQ(l.live_values(), dst.size() + src.size());
        EXPECT_TRUE(l.errors().empty()) << ledger_errors(l);
        // Usable afterwards.
        dst = src;
        expect_map_equals(dst, model_of(n, 1), src.size());
        ASSERT_FALSE(HasFailure());
      }
    }
  }
}

// reserve() that throws (allocation, or a hash while moving entries) loses
// no entry; reserve() after the fault succeeds.
TEST_F(UnwindWhole, ReserveThrows) {
  Ledger& l = Ledger::current();
  for (std::uint64_t n : {3u, 100u, 1000u}) {
    for (Fault f : {Fault::kAlloc, Fault::kHash}) {
      const Model model = model_of(n);
      std::uint64_t points;
      {
        FaultMap m = build(n);
        const std::uint64_t before = l.calls(f);
        FaultScope scope;
        m.reserve(5000);
        points = l.calls(f) - before;
      }
      for (std::uint64_t nth : points_to_try(points)) {
        SCOPED_TRACE(std::to_string(n) + " entries, " + swisscheck::fault_name(f) + " #" +
                     std::to_string(nth) + " of " + std::to_string(points));
        FaultMap m = build(n);
        l.arm(f, nth);
        try {
          FaultScope scope;
          m.reserve(5000);
        } catch (const InjectedFault&) {
        } catch (const InjectedBadAlloc&) {
        }
        l.disarm();
        expect_map_equals(m, model);
        m.reserve(5000);
        expect_map_equals(m, model);
        ASSERT_FALSE(HasFailure());
      }
    }
  }
}

// Equality faults while keys collide: lookups and inserts among colliding
// keys compare keys, and a throwing compare changes nothing.
struct CollidingInstrumentedHash {
  std::size_t operator()(const IKey& k) const {
    InstrumentedHash h;
    return h(k) & 0x3;  // four hash values: long probe sequences, many compares
  }
};
TEST_F(UnwindWhole, EqualityThrowsAmongCollidingKeys) {
  using M = swiss::Map<IKey, IValue, CollidingInstrumentedHash, InstrumentedEq,
                       LedgerAllocator<std::pair<const IKey, IValue>>>;
  Ledger& l = Ledger::current();
  for (std::uint64_t nth = 1; nth <= 400; nth += 3) {
    SCOPED_TRACE(nth);
    M m;
    Model model;
    for (std::uint64_t k = 0; k < 60; ++k) {
      m.emplace(IKey(k), IValue(k));
      model.emplace(k, k);
    }
    l.arm(Fault::kEq, nth);
    for (std::uint64_t k = 30; k < 90; ++k) {
      const IKey key(k);
      try {
        FaultScope scope;
        if (k % 2) {
          m.try_emplace(key, k);
        } else {
          m.erase(key);
        }
        if (k % 2) {
          model.emplace(k, k);
        } else {
          model.erase(k);
        }
      } catch (const InjectedFault&) {
      }
    }
    l.disarm();
    expect_map_equals(m, model);
    ASSERT_FALSE(HasFailure());
  }
}

}  // namespace
