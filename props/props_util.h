// Small helpers shared by the example tests in props/: map aliases, the
// test-only shape, degenerate hashers, and the "fill to the edge of a
// capacity" probe several Go-style tests need.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "check/test_types.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace props {

using U64Map = swiss::Map<std::uint64_t, std::uint64_t>;

template <class M>
swiss::MapShape shape(const M& m) {
  return swiss::TestAccess<M>::shape(m);
}

// Every user hash value the same (abseil's "bad hash" tests): check/'s, the
// u64_const_hash lane's.
using swisscheck::ConstantHash;

// Two hash values, by the key's parity: two long collision chains.
struct TwoValuedHash {
  std::size_t operator()(std::uint64_t k) const { return (k & 1) ? 0x1111 : 0x2222; }
};

// Three hash values (key % 3): keys spread over few, long chains, and a
// split separates at most three groups of them.
struct FewValuedHash {
  std::size_t operator()(std::uint64_t k) const { return k % 3; }
};

// ---- checkers (Boost.Unordered's test::check_* style) ------------------------
// Each returns a ::testing::AssertionResult that names what is wrong, for
// EXPECT_TRUE / ASSERT_TRUE.

// m.find(key(k)) finds every k in [first, last), and value_ok(k, value)
// accepts what it found. Names the first few keys missing or wrong.
template <class M, class MakeKey, class ValueOk>
::testing::AssertionResult finds_every_key(const M& m, std::uint64_t first, std::uint64_t last,
                                           MakeKey key, ValueOk value_ok) {
  int wrong = 0;
  ::testing::AssertionResult r = ::testing::AssertionFailure();
  for (std::uint64_t k = first; k < last; ++k) {
    auto it = m.find(key(k));
    const bool found = it != m.end();
    if (found && value_ok(k, it->second)) continue;
    if (++wrong <= 8) r << (wrong > 1 ? "; " : "") << "key " << k << (found ? " has a wrong value" : " not found");
  }
  if (wrong == 0) return ::testing::AssertionSuccess();
  return r << " (" << wrong << " of keys " << first << ".." << last - 1 << ")";
}
// The u64 form: key k with value k + offset.
template <class M>
::testing::AssertionResult finds_every_key(const M& m, std::uint64_t first, std::uint64_t last,
                                           std::uint64_t offset) {
  return finds_every_key(
      m, first, last, [](std::uint64_t k) { return k; },
      [offset](std::uint64_t k, const auto& v) { return v == k + offset; });
}

// The keys an iteration has yielded, for loops that also mutate the map:
// call yield(k) at each step; a key yielded twice is a failure.
template <class K = std::uint64_t>
class YieldLog {
 public:
  ::testing::AssertionResult yield(const K& k) {
    if (seen_.insert(k).second) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "key " << k << " yielded twice";
  }
  bool yielded(const K& k) const { return seen_.count(k) != 0; }
  std::size_t size() const { return seen_.size(); }
  // Every k in [first, last) was yielded (once: yield() refuses repeats),
  // except those `exempt` says need not be (erased on the way, say).
  template <class Exempt>
  ::testing::AssertionResult yielded_each(std::uint64_t first, std::uint64_t last, Exempt exempt) const {
    int missed = 0;
    ::testing::AssertionResult r = ::testing::AssertionFailure();
    for (std::uint64_t k = first; k < last; ++k) {
      if (exempt(k) || yielded(K(k))) continue;
      if (++missed <= 8) r << (missed > 1 ? "; " : "") << "key " << k << " not yielded";
    }
    if (missed == 0) return ::testing::AssertionSuccess();
    return r << " (" << missed << " of keys " << first << ".." << last - 1 << ")";
  }
  ::testing::AssertionResult yielded_each(std::uint64_t first, std::uint64_t last) const {
    return yielded_each(first, last, [](std::uint64_t) { return false; });
  }

 private:
  std::set<K> seen_;
};

// The iteration order as a list of keys; a key yielded twice is a failure.
template <class M>
std::vector<typename M::key_type> iterated_keys(const M& m) {
  std::vector<typename M::key_type> keys;
  YieldLog<typename M::key_type> log;
  for (const auto& kv : m) {
    EXPECT_TRUE(log.yield(kv.first)) << "in a plain iteration";
    keys.push_back(kv.first);
  }
  return keys;
}

// The contents by plain iteration (a duplicate key is a failure).
template <class M>
std::map<typename M::key_type, typename M::mapped_type> contents(const M& m) {
  std::map<typename M::key_type, typename M::mapped_type> out;
  for (const auto& kv : m) {
    EXPECT_TRUE(out.emplace(kv.first, kv.second).second)
        << "iteration yielded key " << kv.first << " twice";
  }
  return out;
}

// The largest number of distinct keys 0..n-1 a fresh U64Map holds while its
// capacity is exactly `capacity` (the next insert grows it). Capacity is a
// function of the number of insertions while the map is one table, so a
// fresh map filled with that many keys sits exactly at growthLeft == 0.
// Returns 0 if the map never had that capacity.
template <class M = U64Map>
std::size_t max_size_at_capacity(std::size_t capacity) {
  M m;
  std::size_t last = 0;
  bool seen = false;
  for (std::uint64_t k = 0; k < 4 * capacity + 64; ++k) {
    m.emplace(k, k);
    std::size_t c = shape(m).capacity;
    if (c == capacity) {
      seen = true;
      last = m.size();
    } else if (seen) {
      break;
    }
  }
  return last;
}

// Inserts keys [first, last) with value key + offset.
template <class M>
void fill(M& m, std::uint64_t first, std::uint64_t last, std::uint64_t offset = 0) {
  for (std::uint64_t k = first; k < last; ++k) m.insert_or_assign(k, k + offset);
}

}  // namespace props
