// The C++ contract absl::flat_hash_map keeps (which references and iterators
// survive which operation) plus Go's iteration guarantees, one RapidCheck
// property per rule:
//   * erase of any kind (erase(key), erase(it), erase(first, last), erase_if,
//     extract) moves no other entry and rebuilds nothing;
//   * insert moves entries only when it rebuilds a table (rebuilds() changes);
//   * an indirect entry (value over 128 bytes) never moves, growth included.
// And a plain test: the use-after-free (a reference kept across
// erases that used to merge tables).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace {

using props::FewValuedHash;
using props::U64Map;

template <class M>
std::uint64_t rebuilds(const M& m) {
  return swiss::TestAccess<M>::rebuilds(m);
}

// Where each entry lives, by key: what a caller holding references sees.
template <class M>
using Addresses = std::map<typename M::key_type, const typename M::value_type*>;

template <class M>
Addresses<M> addresses(const M& m) {
  Addresses<M> out;
  for (const auto& kv : m) out.emplace(kv.first, &kv);
  return out;
}

// Every recorded entry is still there, at the same address, with value
// value_of(key); the map holds nothing else.
template <class M, class ValueOf>
void require_same_places(const M& m, const Addresses<M>& where, ValueOf value_of) {
  RC_ASSERT(m.size() == where.size());
  for (const auto& [k, p] : where) {
    auto it = m.find(k);
    RC_ASSERT(it != m.end());
    RC_ASSERT(&*it == p);
    RC_ASSERT(p->second == value_of(k));  // through the old reference (ASan: still the map's memory)
  }
}

// Key i of a test: distinct for distinct i, spread over all 64 bits, and
// invertible (the multiplier is odd), so a key tells which i it is.
constexpr std::uint64_t kSpread = 0x9E3779B97F4A7C15ull;
constexpr std::uint64_t inverse(std::uint64_t a) {  // mod 2^64, a odd (Newton)
  std::uint64_t x = a;
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
static_assert(kSpread * inverse(kSpread) == 1);
constexpr std::uint64_t spread(std::uint64_t i) { return i * kSpread + 7; }
constexpr std::uint64_t unspread(std::uint64_t k) { return (k - 7) * inverse(kSpread); }

// Sizes around the map's shape changes: the small map (8), the first tables,
// one full 1024-slot table (896), two (1792), four (3584).
rc::Gen<std::uint32_t> interesting_size(std::uint32_t limit) {
  std::vector<std::uint32_t> edges;
  for (std::uint32_t e : {0u, 1u, 7u, 8u, 9u, 14u, 15u, 16u, 28u, 29u, 448u, 449u, 895u, 896u, 897u, 1023u, 1024u,
                          1025u, 1791u, 1792u, 1793u, 3583u, 3584u, 3585u, 7168u, 7169u, 20000u})
    if (e <= limit) edges.push_back(e);
  return rc::gen::weightedOneOf<std::uint32_t>({{3, rc::gen::elementOf(edges)},
                                                {2, rc::gen::inRange<std::uint32_t>(0, std::min(limit, 1000u) + 1)},
                                                {1, rc::gen::inRange<std::uint32_t>(0, limit + 1)}});
}

// ---- erase keeps references ---------------------------------------------------

template <class M>
void erase_keeps_references() {
  const std::uint32_t n = *interesting_size(4000);
  M m;
  for (std::uint32_t i = 0; i < n; ++i) m.emplace(spread(i), i);
  Addresses<M> where = addresses(m);
  std::map<std::uint64_t, std::uint64_t> value;
  for (std::uint32_t i = 0; i < n; ++i) value[spread(i)] = i;
  const std::uint64_t built = rebuilds(m);
  const std::size_t buckets = m.bucket_count();
  auto pick = [&]() -> std::uint64_t {  // a present key, or now and then an absent one
    if (where.empty() || *rc::gen::inRange(0, 8) == 0) return spread(n + *rc::gen::inRange<std::uint32_t>(0, 100));
    return std::next(where.begin(), *rc::gen::inRange<std::size_t>(0, where.size()))->first;
  };
  auto forget = [&](std::uint64_t k) {
    where.erase(k);
    value.erase(k);
  };
  const int ops = *rc::gen::inRange(1, 40);
  for (int op = 0; op < ops; ++op) {
    const int kind = *rc::gen::inRange(0, 7);
    const std::uint64_t k = pick();
    const bool present = where.count(k) != 0;
    switch (kind) {
      case 0:
        RC_ASSERT(m.erase(k) == (present ? 1u : 0u));
        forget(k);
        break;
      case 1:
        if (present) {
          auto next = m.erase(m.find(k));
          forget(k);
          if (next != m.end()) RC_ASSERT(where.at(next->first) == &*next);
        }
        break;
      case 2:
        if (present) {  // erase(first, last): a few steps of the walk from k
          auto first = m.find(k), last = first;
          std::vector<std::uint64_t> span;
          for (int s = *rc::gen::inRange(0, 6); s > 0 && last != m.end(); --s, ++last) span.push_back(last->first);
          auto out = m.erase(first, last);
          RC_ASSERT(out == last);
          for (std::uint64_t e : span) forget(e);
        }
        break;
      case 3: {
        const std::uint64_t mod = *rc::gen::inRange<std::uint64_t>(2, 9), rem = *rc::gen::inRange<std::uint64_t>(0, mod);
        std::size_t expect = 0;
        for (auto it = value.begin(); it != value.end();) {
          if (it->second % mod == rem) {
            where.erase(it->first);
            it = value.erase(it);
            ++expect;
          } else {
            ++it;
          }
        }
        RC_ASSERT(erase_if(m, [&](const auto& kv) { return kv.second % mod == rem; }) == expect);
        break;
      }
      case 4: {
        auto node = m.extract(k);
        RC_ASSERT(node.empty() == !present);
        if (present) {
          RC_ASSERT(node.key() == k);
          RC_ASSERT(node.mapped() == value.at(k));
        }
        forget(k);
        break;
      }
      case 5:
        if (present) {
          auto node = m.extract(m.find(k));
          RC_ASSERT(node.key() == k);
          forget(k);
        }
        break;
      case 6:  // it = erase(it) over part of a walk from begin()
        for (auto it = m.begin(); it != m.end();) {
          if (it->second % 5 == static_cast<std::uint64_t>(op % 5)) {
            forget(it->first);
            it = m.erase(it);
          } else {
            ++it;
          }
        }
        break;
    }
    RC_ASSERT(rebuilds(m) == built);
    require_same_places(m, where, [&](std::uint64_t key) { return value.at(key); });
  }
  RC_ASSERT(m.bucket_count() == buckets);  // erase keeps memory
  m.check_invariants();
}

RC_GTEST_PROP(Contract, EraseOfEveryKindMovesNothingElse, ()) { erase_keeps_references<U64Map>(); }
RC_GTEST_PROP(Contract, EraseMovesNothingElseFewValuedHash, ()) {
  erase_keeps_references<swiss::Map<std::uint64_t, std::uint64_t, FewValuedHash>>();
}

// ---- insert moves entries only when it rebuilds ---------------------------------

template <class M>
void insert_moves_only_when_rebuilt(std::uint32_t limit) {
  const std::uint32_t n = *interesting_size(limit);
  M m;
  for (std::uint32_t i = 0; i < n; ++i) m.emplace(spread(i), i);
  std::map<std::uint64_t, std::uint64_t> value;
  for (const auto& kv : m) value[kv.first] = kv.second;
  Addresses<M> where = addresses(m);
  const int ops = *rc::gen::inRange(1, 300);
  std::uint64_t next_new = n;
  for (int op = 0; op < ops; ++op) {
    const std::uint64_t before = rebuilds(m);
    const bool fresh = where.empty() || *rc::gen::inRange(0, 3) != 0;
    const std::uint64_t k = fresh ? spread(next_new++) : std::next(where.begin(), *rc::gen::inRange<std::size_t>(0, where.size()))->first;
    const std::uint64_t v = *rc::gen::arbitrary<std::uint64_t>();
    switch (*rc::gen::inRange(0, 6)) {
      case 0: RC_ASSERT(m.emplace(k, v).second == fresh); break;
      case 1: RC_ASSERT(m.insert({k, v}).second == fresh); break;
      case 2: RC_ASSERT(m.try_emplace(k, v).second == fresh); break;
      case 3: m.insert_or_assign(k, v); value[k] = v; break;
      case 4: m[k] = v; value[k] = v; break;
      case 5: m.emplace_hint(m.end(), k, v); break;
    }
    value.emplace(k, v);  // a present key keeps its value (but for 3 and 4, set above)
    if (!fresh) RC_ASSERT(rebuilds(m) == before);  // a present key: nothing to grow
    if (rebuilds(m) == before) {
      // Nothing rebuilt: every entry that was there is where it was.
      where.emplace(k, &*m.find(k));
      require_same_places(m, where, [&](std::uint64_t key) { return value.at(key); });
    } else {
      where = addresses(m);  // a rebuild may move entries: start over from here
    }
  }
  m.check_invariants();
}

RC_GTEST_PROP(Contract, InsertMovesEntriesOnlyWhenItRebuilds, ()) { insert_moves_only_when_rebuilt<U64Map>(3000); }
RC_GTEST_PROP(Contract, InsertMovesOnlyWhenRebuiltFewValuedHash, ()) {
  insert_moves_only_when_rebuilt<swiss::Map<std::uint64_t, std::uint64_t, FewValuedHash>>(1100);  // long chains: smaller
}

// ---- indirect entries never move ---------------------------------------------------

struct Big {
  std::array<std::uint64_t, 25> words{};  // 200 bytes: stored behind a pointer
  explicit Big(std::uint64_t v = 0) { words.fill(v); }
  bool operator==(const Big&) const = default;
};
using BigMap = swiss::Map<std::uint64_t, Big>;
static_assert(BigMap::kIndirectElem);

RC_GTEST_PROP(Contract, IndirectEntriesNeverMoveAcrossGrowth, ()) {
  BigMap m;
  Addresses<BigMap> where;
  std::uint64_t next = 0;
  const int ops = *rc::gen::inRange(1, 30);
  for (int op = 0; op < ops; ++op) {
    switch (*rc::gen::inRange(0, 5)) {
      case 0: case 1: {  // a batch of inserts: growth, splits
        const std::uint32_t batch = *interesting_size(1500);
        for (std::uint32_t i = 0; i < batch; ++i, ++next) where.emplace(spread(next), &*m.emplace(spread(next), Big(next)).first);
        break;
      }
      case 2:
        if (!where.empty()) {
          const std::size_t drop = *rc::gen::inRange<std::size_t>(0, where.size());
          for (std::size_t i = 0; i < drop; i += 2) {
            auto it = std::next(where.begin(), *rc::gen::inRange<std::size_t>(0, where.size()));
            m.erase(it->first);
            where.erase(it);
          }
        }
        break;
      case 3: m.reserve(m.size() + *rc::gen::inRange<std::size_t>(0, 5000)); break;
      case 4: m.rehash(0); break;
    }
    require_same_places(m, where, [](std::uint64_t key) { return Big(unspread(key)); });
  }
  m.check_invariants();
}

// ---- the use-after-free -------------------------------------------------------

// Before e4aad1a, erasing 4999 of 5000 entries merged and shrank tables under
// a reference the caller held: a heap-use-after-free under ASan.
TEST(Contract, ReferenceSurvivesErasingEverythingElse) {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  for (std::uint64_t k = 0; k < 5000; ++k) m.emplace(k, k);
  auto& ref = m.at(4999);
  for (std::uint64_t k = 0; k < 4999; ++k) m.erase(k);
  ref += 1;
  EXPECT_EQ(m.at(4999), 5000u);
  EXPECT_EQ(&m.at(4999), &ref);
  m.check_invariants();
}

}  // namespace
