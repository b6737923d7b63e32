// The C++ contract absl::flat_hash_map keeps (which references and iterators
// survive which operation) plus Go's iteration guarantees, one RapidCheck
// property per rule:
//   * erase of any kind (erase(key), erase(it), erase(first, last), erase_if,
//     extract) moves no other entry and rebuilds nothing;
//   * insert moves entries only when it rebuilds a table (rebuilds() changes);
//   * after reserve(n), inserting distinct keys up to size() == n rebuilds
//     nothing (bucket_count() unchanged, references and iterators valid), for
//     any n and unevenly spread keys;
//   * an indirect entry (value over 128 bytes) never moves, growth included;
//   * rehash(0) after the map shrank gives memory back.
// And two plain tests: the use-after-free (a reference kept across
// erases that used to merge tables) and a parked iterator that must not pin
// unbounded memory while the map churns.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "check/instrumented.h"
#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace {

using props::ConstantHash;
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

// ---- reserve holds ---------------------------------------------------------------

// reserve(n), then distinct keys until size() == n: nothing is rebuilt, so
// bucket_count() stays, every reference taken after reserve stays valid, and
// so does every iterator (a find result still points at its entry; a walk
// begun after reserve yields each entry present throughout once).
template <class M>
void reserve_holds(std::uint32_t n) {
  const std::uint32_t pre = *rc::gen::weightedOneOf<std::uint32_t>(
      {{3, rc::gen::just(0u)}, {1, rc::gen::inRange<std::uint32_t>(0, n + 1)}});
  RC_TAG(pre == 0 ? "empty before reserve" : "entries before reserve");
  M m;
  for (std::uint32_t i = 0; i < pre; ++i) m.emplace(spread(i), i);
  m.reserve(n);
  const std::size_t buckets = m.bucket_count();
  const std::uint64_t built = rebuilds(m);
  Addresses<M> where = addresses(m);
  std::vector<typename M::iterator> found;
  for (const auto& [k, p] : where)
    if (found.size() < 16) found.push_back(m.find(k));
  auto walk = m.begin();
  std::set<std::uint64_t> walked;
  const bool walking = walk != m.end();
  if (walking) walked.insert(walk->first);
  for (std::uint32_t i = pre; m.size() < n; ++i) {
    auto [it, inserted] = m.emplace(spread(i), i);
    RC_ASSERT(inserted);
    where.emplace(it->first, &*it);
    if (found.size() < 32 && i % 97 == 0) found.push_back(it);
    if (i % 64 == 0 && walk != m.end()) {  // the walk goes on while the map fills
      ++walk;
      if (walk != m.end()) RC_ASSERT(walked.insert(walk->first).second);
    }
  }
  // One exception: a map that has allocated nothing builds its small group
  // (8 slots) on the first insert, as Go's map with a hint <= 8 does; no
  // entry, reference or iterator exists before it, so nothing is invalidated.
  if (buckets == 0 && n <= 8)
    RC_ASSERT(m.bucket_count() <= 8u);
  else
    RC_ASSERT(m.bucket_count() == buckets);
  RC_ASSERT(rebuilds(m) == built);
  require_same_places(m, where, unspread);
  for (auto& it : found) {
    RC_ASSERT(where.at(it->first) == &*it);
    auto next = it;
    ++next;  // a find/insert result may still advance: nothing was rebuilt
    if (next != m.end()) RC_ASSERT(where.count(next->first) == 1u);
  }
  if (walking) {
    while (walk != m.end() && ++walk != m.end()) {
      RC_ASSERT(where.count(walk->first) == 1u);
      RC_ASSERT(walked.insert(walk->first).second);  // none twice
    }
    for (std::uint32_t i = 0; i < pre; ++i) RC_ASSERT(walked.count(spread(i)) == 1u);  // present throughout
  }
  m.check_invariants();
}

RC_GTEST_PROP(Contract, ReserveThenFillRebuildsNothing, ()) {
  const int hasher = *rc::gen::inRange(0, 3);
  switch (hasher) {
    case 0: RC_TAG("default hash"); reserve_holds<U64Map>(*interesting_size(20000)); break;
    // Every key on one probe chain: quadratic, so smaller sizes.
    case 1: RC_TAG("constant hash"); reserve_holds<swiss::Map<std::uint64_t, std::uint64_t, ConstantHash>>(*interesting_size(3600)); break;
    case 2: RC_TAG("hash % 3"); reserve_holds<swiss::Map<std::uint64_t, std::uint64_t, FewValuedHash>>(*interesting_size(7200)); break;
  }
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

// ---- rehash(0) gives memory back ----------------------------------------------------

RC_GTEST_PROP(Contract, RehashZeroGivesMemoryBackAfterShrinking, ()) {
  const std::uint32_t n = *rc::gen::inRange<std::uint32_t>(900, 20000);
  const std::uint32_t keep = *rc::gen::weightedOneOf<std::uint32_t>(
      {{1, rc::gen::just(0u)}, {3, rc::gen::inRange<std::uint32_t>(1, 200)}, {1, rc::gen::inRange<std::uint32_t>(200, n / 4)}});
  U64Map m;
  for (std::uint32_t i = 0; i < n; ++i) m.emplace(spread(i), i);
  const std::size_t full = m.bucket_count();
  // Erase all but `keep` entries, chosen at random.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  for (std::uint32_t i = n - 1; i > 0; --i) std::swap(order[i], order[(seed ^ spread(i)) % (i + 1)]);
  for (std::uint32_t i = keep; i < n; ++i) m.erase(spread(order[i]));
  RC_ASSERT(m.size() == keep);
  RC_ASSERT(m.bucket_count() == full);  // erase keeps memory
  m.rehash(0);
  // Within a small factor of size(): at most 4 slots an entry (a table is
  // at least 7/8 / 2 full after a rebuild, and a directory of tables rounds
  // up), plus one smallest table.
  RC_ASSERT(m.bucket_count() <= 4 * m.size() + 16);
  for (std::uint32_t i = 0; i < keep; ++i) RC_ASSERT(m.at(spread(order[i])) == order[i]);
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

// ---- a parked iterator does not pin unbounded memory --------------------------------------

// A 100-entry map churned (erase one key, insert a new one) a million times
// while a begin() iterator is kept and not advanced. Every rebuild of a table
// the iterator (or a stale table before it) holds leaves a stale table behind
// with forwarding records; the map must keep that to O(tables), not a chain
// as long as its history. Plain erase+insert at this size (39% load in a
// 256-slot table) almost never rebuilds (tombstones are rare and reused), so
// every 1024 cycles the churn also grows the map's table (reserve) and gives
// the memory back (rehash(0)): two rebuilds. Live bytes (a counting
// allocator) must stay within 4x of the same churn's peak without a parked
// iterator. Then the iterator, advanced, still keeps Go's rules: it yields
// only keys in the map when it reaches them, none twice, and every key
// present throughout exactly once.
using CountedMap = swiss::Map<std::uint64_t, std::uint64_t, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                              swisscheck::LedgerAllocator<std::pair<const std::uint64_t, std::uint64_t>>>;

// Runs `cycles` churn cycles over the keys in `churning` (each replaced by a
// fresh key); returns the peak of live allocator bytes.
std::size_t churn(CountedMap& m, std::vector<std::uint64_t>& churning, std::uint64_t& fresh, std::uint64_t cycles) {
  const swisscheck::Ledger& ledger = swisscheck::Ledger::current();
  std::size_t peak = ledger.bytes_outstanding();
  for (std::uint64_t c = 0; c < cycles; ++c) {
    std::uint64_t& key = churning[c % churning.size()];
    if (m.erase(key) != 1u) ADD_FAILURE() << "churned key " << key << " missing";
    key = fresh++;
    m.emplace(key, key);
    if (c % 1024 == 1023) {
      m.reserve(m.size() + 300);
      peak = std::max(peak, ledger.bytes_outstanding());
      m.rehash(0);
    }
    if (c % 256 == 0) peak = std::max(peak, ledger.bytes_outstanding());
  }
  return std::max(peak, ledger.bytes_outstanding());
}

TEST(Contract, ParkedIteratorDoesNotPinUnboundedMemory) {
  using swisscheck::Ledger;
  Ledger& ledger = Ledger::current();
  ledger.reset();
  constexpr std::uint64_t kEntries = 100;
  constexpr std::uint64_t kCycles = 1000000;
  auto fresh_map = [] {
    CountedMap m;
    for (std::uint64_t k = 0; k < kEntries; ++k) m.emplace(k, k);
    return m;
  };
  std::size_t footprint = 0, alone = 0;
  {
    CountedMap m = fresh_map();
    footprint = ledger.bytes_outstanding();
    std::vector<std::uint64_t> churning;
    for (std::uint64_t k = kEntries / 2; k < kEntries; ++k) churning.push_back(k);
    std::uint64_t fresh = kEntries;
    alone = churn(m, churning, fresh, kCycles / 10);
  }
  ASSERT_EQ(ledger.bytes_outstanding(), 0u);

  CountedMap m = fresh_map();
  auto it = m.begin();
  const std::uint64_t parked_at = it->first;
  // Half of the keys (and the one the iterator is on) stay; the rest churn.
  std::set<std::uint64_t> fixed = {parked_at};
  for (std::uint64_t k = 0; fixed.size() < kEntries / 2; ++k) fixed.insert(k);
  std::vector<std::uint64_t> churning;
  for (std::uint64_t k = 0; k < kEntries; ++k)
    if (!fixed.count(k)) churning.push_back(k);
  std::uint64_t fresh = kEntries;
  const std::uint64_t rebuilt_before = rebuilds(m);
  const std::size_t peak = churn(m, churning, fresh, kCycles);
  const std::uint64_t rebuilt = rebuilds(m) - rebuilt_before;
  ASSERT_GE(rebuilt, kCycles / 1024) << "the churn rebuilt too little to test anything";
  EXPECT_LE(peak, 4 * alone) << "a parked iterator pins memory: peak " << peak << " bytes after " << rebuilt
                             << " rebuilds; the same churn without it peaks at " << alone << " (the map alone: "
                             << footprint << ")";
  std::printf("parked iterator: peak %zu bytes over %llu cycles and %llu rebuilds; without it %zu; the map alone %zu\n",
              peak, static_cast<unsigned long long>(kCycles), static_cast<unsigned long long>(rebuilt), alone, footprint);
  ASSERT_EQ(m.size(), kEntries);
  // Go's rules for the rest of the walk.
  std::set<std::uint64_t> yielded = {parked_at};
  for (++it; it != m.end(); ++it) {
    EXPECT_TRUE(m.contains(it->first)) << "yielded key " << it->first << " is not in the map";
    EXPECT_EQ(it->second, it->first) << "value of " << it->first;
    EXPECT_TRUE(yielded.insert(it->first).second) << "key " << it->first << " yielded twice";
  }
  for (std::uint64_t k : fixed) EXPECT_EQ(yielded.count(k), 1u) << "key " << k << ", present throughout, not yielded";
  m.check_invariants();
}

}  // namespace
