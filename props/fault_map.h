// The map over check/instrumented.h's types that the unwind and lifetime
// tests share, and the checks they run after every step: the map equals a
// model, iteration yields each entry once, the invariants hold, and the
// ledger's live objects are exactly the map's entries.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "check/instrumented.h"
#include "swiss/map.h"

namespace props {

using swisscheck::LedgerAllocator;
using swisscheck::Fault;
using swisscheck::FaultScope;
using swisscheck::InjectedBadAlloc;
using swisscheck::InjectedFault;
using swisscheck::InstrumentedEq;
using swisscheck::InstrumentedHash;
using swisscheck::InstrumentedKey;
using swisscheck::InstrumentedValue;
using swisscheck::Ledger;

using IKey = InstrumentedKey;
using IValue = InstrumentedValue;
using FaultMap = swiss::Map<IKey, IValue, InstrumentedHash, InstrumentedEq,
                            LedgerAllocator<std::pair<const IKey, IValue>>>;
using Model = std::map<std::uint64_t, std::uint64_t>;

inline std::string ledger_errors(const Ledger& l) {
  std::string out;
  for (const auto& e : l.errors()) out += "\n  " + e;
  return out;
}

// Everything about `m` that must hold between operations. `others` is the
// number of live entries in other maps of the same ledger. No fault point
// runs here (no FaultScope is open).
template <class M>
void expect_map_equals(const M& m, const Model& model, std::size_t others = 0) {
  Ledger& l = Ledger::current();
  ASSERT_FALSE(l.in_scope());
  ASSERT_EQ(m.size(), model.size());
  std::set<std::uint64_t> yielded;
  for (const auto& kv : m) {
    const std::uint64_t k = kv.first.payload();
    ASSERT_TRUE(yielded.insert(k).second) << "iteration yielded key " << k << " twice";
    auto it = model.find(k);
    ASSERT_NE(it, model.end()) << "map holds key " << k << " the model does not";
    ASSERT_EQ(kv.second.payload(), it->second) << "value of key " << k;
  }
  ASSERT_EQ(yielded.size(), model.size()) << "iteration missed entries";
  for (const auto& [k, v] : model) {
    auto it = m.find(IKey(k));
    ASSERT_NE(it, m.end()) << "key " << k << " not found by lookup";
    ASSERT_EQ(it->second.payload(), v);
  }
  m.check_invariants();
  EXPECT_EQ(l.live_keys(), m.size() + others) << "keys leaked or destroyed twice";
  EXPECT_EQ(l.live_values(), m.size() + others) << "values leaked or destroyed twice";
  EXPECT_TRUE(l.errors().empty()) << ledger_errors(l);
}

}  // namespace props
