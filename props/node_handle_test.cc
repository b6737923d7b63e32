// Node handles as std's and absl's (node_hash_map_test.cc, raw_hash_set_test.cc
// and [container.node] in spirit): extract by key and by iterator, an empty
// node for an absent key, the node's key()/mapped() (the key may change before
// the node goes back), insert(node) of a new key, of a present key (the node
// comes back), of an empty node, insert with a hint, merge between maps (and
// of an rvalue, and from a map with another hasher), move-only values, and
// indirect entries whose heap object keeps its address throughout. Lifetimes
// are counted (check/instrumented.h): no key or value is ever copied, each
// object is destroyed exactly once, nothing leaks. Last, a RapidCheck property
// runs random extract/insert/merge sequences against absl::flat_hash_map's
// node handles.
#include <absl/container/flat_hash_map.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "fault_map.h"
#include "props_util.h"
#include "swiss/map.h"

namespace {

using namespace props;

using Node = U64Map::node_type;
static_assert(!std::is_copy_constructible_v<Node> && std::is_nothrow_move_constructible_v<Node>);
static_assert(std::is_same_v<decltype(std::declval<U64Map&>().insert(std::declval<Node&&>())), U64Map::insert_return_type>);
static_assert(std::is_same_v<decltype(std::declval<U64Map::insert_return_type&>().node), Node>);

U64Map make(std::uint64_t first, std::uint64_t last, std::uint64_t offset = 0) {
  U64Map m;
  fill(m, first, last, offset);
  return m;
}

// ---- extract ---------------------------------------------------------------------

TEST(NodeHandle, ExtractByKey) {
  for (std::uint64_t n : {1u, 8u, 9u, 100u, 3000u}) {
    SCOPED_TRACE(n);
    U64Map m = make(0, n, 1000);
    Node node = m.extract(n / 2);
    ASSERT_FALSE(node.empty());
    EXPECT_TRUE(static_cast<bool>(node));
    EXPECT_EQ(node.key(), n / 2);
    EXPECT_EQ(node.mapped(), n / 2 + 1000);
    EXPECT_EQ(m.size(), n - 1);
    EXPECT_FALSE(m.contains(n / 2));
    m.check_invariants();
  }
}

TEST(NodeHandle, ExtractByIterator) {
  U64Map m = make(0, 500);
  U64Map::const_iterator cit = m.find(7);
  Node a = m.extract(cit);
  EXPECT_EQ(a.key(), 7u);
  Node b = m.extract(m.find(8));  // iterator overload
  EXPECT_EQ(b.key(), 8u);
  // Extract everything while walking, as one does with erase(it).
  std::size_t taken = 0;
  for (auto it = m.begin(); it != m.end();) {
    auto next = std::next(it);
    Node n = m.extract(it);
    EXPECT_EQ(n.key(), n.mapped());
    ++taken;
    it = next;
  }
  EXPECT_EQ(taken, 498u);
  EXPECT_TRUE(m.empty());
  m.check_invariants();
}

TEST(NodeHandle, ExtractOfAbsentKeyIsAnEmptyNode) {
  U64Map m = make(0, 10);
  Node node = m.extract(99);
  EXPECT_TRUE(node.empty());
  EXPECT_FALSE(node);
  EXPECT_EQ(m.size(), 10u);
  U64Map empty;
  EXPECT_TRUE(empty.extract(0).empty());
  Node def;
  EXPECT_TRUE(def.empty());
}

TEST(NodeHandle, KeyMayChangeBeforeReinsert) {
  U64Map m = make(0, 100);
  Node node = m.extract(5);
  node.key() = 500;
  node.mapped() = 42;
  auto r = m.insert(std::move(node));
  EXPECT_TRUE(r.inserted);
  EXPECT_TRUE(r.node.empty());
  EXPECT_EQ(r.position->first, 500u);
  EXPECT_EQ(m.at(500), 42u);
  EXPECT_FALSE(m.contains(5));
  EXPECT_EQ(m.size(), 100u);
  m.check_invariants();
}

// ---- insert(node) ------------------------------------------------------------------

TEST(NodeHandle, InsertOfANewKey) {
  U64Map src = make(0, 50), dst = make(100, 2000);
  Node node = src.extract(3);
  auto r = dst.insert(std::move(node));
  EXPECT_TRUE(r.inserted);
  EXPECT_TRUE(r.node.empty());
  ASSERT_NE(r.position, dst.end());
  EXPECT_EQ(r.position->first, 3u);
  EXPECT_EQ(r.position->second, 3u);
  EXPECT_EQ(&*r.position, &*dst.find(3));
  EXPECT_EQ(dst.size(), 1901u);
  EXPECT_EQ(src.size(), 49u);
  dst.check_invariants();
  src.check_invariants();
}

TEST(NodeHandle, InsertOfAPresentKeyHandsTheNodeBack) {
  U64Map src = make(0, 50, 1), dst = make(0, 50, 2);
  const auto* existing = &*dst.find(9);
  auto r = dst.insert(src.extract(9));
  EXPECT_FALSE(r.inserted);
  ASSERT_FALSE(r.node.empty());
  EXPECT_EQ(r.node.key(), 9u);
  EXPECT_EQ(r.node.mapped(), 10u);   // src's value, untouched
  EXPECT_EQ(&*r.position, existing);  // at the entry already there
  EXPECT_EQ(dst.at(9), 11u);          // which keeps its value
  EXPECT_EQ(dst.size(), 50u);
  // The node handed back goes home.
  EXPECT_TRUE(src.insert(std::move(r.node)).inserted);
  EXPECT_EQ(src.at(9), 10u);
}

TEST(NodeHandle, InsertOfAnEmptyNodeDoesNothing) {
  U64Map m = make(0, 20);
  auto r = m.insert(Node());
  EXPECT_FALSE(r.inserted);
  EXPECT_TRUE(r.node.empty());
  EXPECT_EQ(r.position, m.end());
  EXPECT_EQ(m.size(), 20u);
  EXPECT_EQ(m.insert(m.begin(), Node()), m.end());
}

TEST(NodeHandle, InsertWithHint) {
  U64Map src = make(0, 30), dst = make(20, 40, 5);
  auto it = dst.insert(dst.begin(), src.extract(3));
  EXPECT_EQ(it->first, 3u);
  EXPECT_EQ(it->second, 3u);
  EXPECT_EQ(&*it, &*dst.find(3));
  // A present key: the returned iterator is the entry there.
  it = dst.insert(dst.end(), src.extract(25));
  EXPECT_EQ(it->first, 25u);
  EXPECT_EQ(it->second, 30u);
  EXPECT_EQ(dst.size(), 21u);
}

// std ([associative.reqmts], a_uniq.insert(p, nh)): "if insertion took
// place, nh is empty; else nh is unchanged" (absl: node = move(res.node)).
TEST(NodeHandle, InsertWithHintOfAPresentKeyLeavesTheNode) {
  U64Map src = make(0, 30), dst = make(20, 40, 5);
  Node node = src.extract(25);
  auto it = dst.insert(dst.end(), std::move(node));
  EXPECT_EQ(it->first, 25u);
  ASSERT_FALSE(node.empty()) << "insert(hint, node) of a present key destroyed the node";  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(node.key(), 25u);
  EXPECT_EQ(node.mapped(), 25u);
}

TEST(NodeHandle, NodeSwapMoveAndAllocator) {
  U64Map m = make(0, 10);
  Node a = m.extract(1), b = m.extract(2), e;
  a.swap(b);
  EXPECT_EQ(a.key(), 2u);
  EXPECT_EQ(b.key(), 1u);
  swap(a, e);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(e.key(), 2u);
  a = std::move(e);
  EXPECT_EQ(a.key(), 2u);
  EXPECT_TRUE(e.empty());  // NOLINT(bugprone-use-after-move): a moved-from node is empty
  EXPECT_TRUE(a.get_allocator() == m.get_allocator());
  a = std::move(b);  // a's old entry is destroyed
  EXPECT_EQ(a.key(), 1u);
}

// ---- merge -------------------------------------------------------------------------

TEST(NodeHandle, MergeMovesAbsentKeysAndLeavesTheRest) {
  for (std::uint64_t n : {4u, 8u, 100u, 2000u}) {
    SCOPED_TRACE(n);
    U64Map a = make(0, n, 1), b = make(n / 2, n + n / 2, 2);
    std::map<std::uint64_t, const U64Map::value_type*> b_places;
    for (const auto& kv : b) b_places.emplace(kv.first, &kv);
    a.merge(b);
    EXPECT_EQ(a.size(), n + n / 2);
    for (std::uint64_t k = 0; k < n; ++k) EXPECT_EQ(a.at(k), k + 1) << "a's own entry changed";
    for (std::uint64_t k = n; k < n + n / 2; ++k) EXPECT_EQ(a.at(k), k + 2);
    // The overlap stays in b, where it was.
    EXPECT_EQ(b.size(), n - n / 2);
    for (std::uint64_t k = n / 2; k < n; ++k) {
      ASSERT_TRUE(b.contains(k));
      EXPECT_EQ(b.at(k), k + 2);
      EXPECT_EQ(&*b.find(k), b_places.at(k)) << "an entry left in the source moved";
    }
    a.check_invariants();
    b.check_invariants();
    a.merge(a);  // self merge: nothing
    EXPECT_EQ(a.size(), n + n / 2);
  }
}

TEST(NodeHandle, MergeOfAnRvalue) {
  U64Map a = make(0, 10);
  a.merge(make(5, 30, 7));
  EXPECT_EQ(a.size(), 30u);
  EXPECT_EQ(a.at(5), 5u);
  EXPECT_EQ(a.at(29), 36u);
  U64Map b = make(100, 200);
  a.merge(std::move(b));
  EXPECT_EQ(a.size(), 130u);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): every key was new, all moved
}

TEST(NodeHandle, MergeFromAMapWithAnotherHasher) {
  using Few = swiss::Map<std::uint64_t, std::uint64_t, FewValuedHash>;
  using Const = swiss::Map<std::uint64_t, std::uint64_t, ConstantHash, std::equal_to<>>;
  U64Map a = make(0, 300);
  Few few;
  fill(few, 200, 600, 1);
  Const con;
  fill(con, 550, 700, 2);
  a.merge(few);
  EXPECT_EQ(a.size(), 600u);
  EXPECT_EQ(few.size(), 100u);  // 200..299 were in a
  a.merge(con);
  EXPECT_EQ(a.size(), 700u);
  EXPECT_EQ(con.size(), 50u);  // 550..599
  few.merge(a);                // and back the other way
  EXPECT_EQ(few.size(), 700u);
  EXPECT_EQ(a.size(), 100u);
  few.check_invariants();
  a.check_invariants();
  con.check_invariants();
}

// ---- move-only values and indirect entries --------------------------------------------

TEST(NodeHandle, MoveOnlyValuesThroughExtractInsertMerge) {
  using M = swiss::Map<std::uint64_t, std::unique_ptr<std::uint64_t>>;
  M a, b;
  std::map<std::uint64_t, std::uint64_t*> objects;
  for (std::uint64_t k = 0; k < 200; ++k) {
    auto p = std::make_unique<std::uint64_t>(k);
    objects[k] = p.get();
    (k % 2 ? a : b).emplace(k, std::move(p));
  }
  M::node_type node = a.extract(1);
  EXPECT_EQ(node.mapped().get(), objects[1]);
  EXPECT_TRUE(b.insert(std::move(node)).inserted);
  b.merge(a);
  EXPECT_TRUE(a.empty());
  ASSERT_EQ(b.size(), 200u);
  for (const auto& [k, v] : b) EXPECT_EQ(v.get(), objects.at(k));
}

struct Big {
  std::array<std::uint64_t, 25> words{};  // 200 bytes: an indirect entry
  explicit Big(std::uint64_t v = 0) { words.fill(v); }
};

TEST(NodeHandle, IndirectEntriesKeepTheirAddress) {
  using M = swiss::Map<std::uint64_t, Big>;
  static_assert(M::kIndirectElem);
  M a, b;
  std::map<std::uint64_t, const M::value_type*> where;
  for (std::uint64_t k = 0; k < 1500; ++k) where[k] = &*(k < 1000 ? a : b).emplace(k, Big(k)).first;
  M::node_type node = a.extract(10);
  EXPECT_EQ(&node.mapped(), &where.at(10)->second);
  EXPECT_EQ(&node.key(), &where.at(10)->first);
  auto r = b.insert(std::move(node));
  ASSERT_TRUE(r.inserted);
  EXPECT_EQ(&*r.position, where.at(10));
  b.merge(a);  // 1..999 move over, growing b: the objects stay put
  EXPECT_TRUE(a.empty());
  ASSERT_EQ(b.size(), 1500u);
  for (const auto& [k, p] : where) {
    EXPECT_EQ(&*b.find(k), p) << "key " << k;
    EXPECT_EQ(p->second.words[24], k);
  }
}

// ---- heterogeneous extract -------------------------------------------------------------

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

TEST(NodeHandle, HeterogeneousExtract) {
  swiss::Map<std::string, int, StringHash, StringEq> m;
  for (int i = 0; i < 100; ++i) m.emplace("key" + std::to_string(i), i);
  auto node = m.extract(std::string_view("key42"));
  ASSERT_FALSE(node.empty());
  EXPECT_EQ(node.key(), "key42");
  EXPECT_EQ(node.mapped(), 42);
  EXPECT_TRUE(m.extract("absent").empty());
  EXPECT_EQ(m.size(), 99u);
}

// ---- lifetimes -------------------------------------------------------------------------

// Instrumented keys and values: any copy throws (the copy fault point is
// armed inside a scope around each call), every object dies once, nothing
// leaks; the ledger's live objects are the maps' entries plus the full nodes.
class NodeLifetime : public ::testing::Test {
 protected:
  void SetUp() override { ledger().reset(); }
  void TearDown() override {
    EXPECT_EQ(ledger().live_keys() + ledger().live_values(), 0u) << "objects leaked";
    EXPECT_EQ(ledger().bytes_outstanding(), 0u) << "allocator bytes leaked";
    EXPECT_TRUE(ledger().errors().empty()) << ledger_errors(ledger());
  }
  static Ledger& ledger() { return Ledger::current(); }
  // Runs f with copies forbidden: a copy of a key or value throws.
  template <class F>
  static auto no_copy(F&& f) {
    ledger().arm(Fault::kCopy, 1);
    FaultScope scope(ledger());
    struct Disarm {
      ~Disarm() { Ledger::current().disarm(); }
    } disarm;
    return f();
  }
  static void expect_live(std::size_t n) {
    EXPECT_EQ(ledger().live_keys(), n);
    EXPECT_EQ(ledger().live_values(), n);
  }
  static FaultMap build(std::uint64_t first, std::uint64_t last) {
    FaultMap m;
    for (std::uint64_t k = first; k < last; ++k) m.emplace(IKey(k), IValue(k));
    return m;
  }
};

TEST_F(NodeLifetime, ExtractInsertMergeCopyNothingAndDestroyOnce) {
  {
    FaultMap a = build(0, 1000), b = build(500, 1500);
    expect_live(2000);
    FaultMap::node_type n1 = no_copy([&] { return a.extract(IKey(3)); });
    FaultMap::node_type n2 = no_copy([&] { return a.extract(a.find(IKey(4))); });
    expect_live(2000);  // in the nodes now
    auto r = no_copy([&] { return b.insert(std::move(n1)); });
    EXPECT_TRUE(r.inserted);
    expect_live(2000);
    n2.key().set_payload(700);  // present in b: handed back
    auto r2 = no_copy([&] { return b.insert(std::move(n2)); });
    EXPECT_FALSE(r2.inserted);
    EXPECT_EQ(r2.node.key().payload(), 700u);
    expect_live(2000);
    r2.node = FaultMap::node_type();  // destroys exactly the node's key and value
    expect_live(1999);
    no_copy([&] { a.merge(b); });
    EXPECT_EQ(a.size(), 1500u - 1u);  // 0..1499 less 4; 3 came back
    EXPECT_EQ(b.size(), 500u);        // 500..999 stay
    expect_live(1999);
    no_copy([&] { a.merge(std::move(b)); });
    expect_live(1999);
    a.check_invariants();
    ASSERT_TRUE(ledger().errors().empty()) << ledger_errors(ledger());
  }
  expect_live(0);
}

TEST_F(NodeLifetime, ANodeOutlivesItsMap) {
  FaultMap::node_type node;
  {
    FaultMap m = build(0, 100);
    node = m.extract(IKey(50));
  }
  expect_live(1);
  EXPECT_EQ(node.mapped().payload(), 50u);
  FaultMap other;
  EXPECT_TRUE(no_copy([&] { return other.insert(std::move(node)); }).inserted);
  expect_live(1);
}

// ---- against absl::flat_hash_map's node handles ----------------------------------------------

// Two swiss maps of instrumented entries and two oracle maps, and three node
// slots for each; random extract / insert(node) / insert(hint, node) / merge /
// emplace / erase, compared after every step: contents, node states, insert
// results, and the ledger (live objects == entries in the maps + full nodes,
// no copies, no errors).
RC_GTEST_PROP(NodeHandle, ExtractInsertMergeMatchAbsl, ()) {
  using Oracle = absl::flat_hash_map<std::uint64_t, std::uint64_t>;
  Ledger& l = Ledger::current();
  l.reset();
  {
    std::array<FaultMap, 2> maps;
    std::array<Oracle, 2> oracles;
    std::array<FaultMap::node_type, 3> nodes;
    std::array<Oracle::node_type, 3> onodes;
    const std::uint64_t universe = *rc::gen::element<std::uint64_t>(10, 50, 2000);
    auto key = [&] { return *rc::gen::inRange<std::uint64_t>(0, universe); };
    for (int side = 0; side < 2; ++side) {
      const std::uint64_t n = *rc::gen::inRange<std::uint64_t>(0, universe);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t k = key();
        maps[side].emplace(IKey(k), IValue(k + side));
        oracles[side].emplace(k, k + side);
      }
    }
    auto no_copy = [&](auto&& f) {
      l.arm(Fault::kCopy, 1);
      FaultScope scope(l);
      f();
      l.disarm();
    };
    const int steps = *rc::gen::inRange(1, 60);
    for (int step = 0; step < steps; ++step) {
      const int side = *rc::gen::inRange(0, 2), other = 1 - side, slot = *rc::gen::inRange(0, 3);
      FaultMap& m = maps[side];
      Oracle& o = oracles[side];
      switch (*rc::gen::inRange(0, 7)) {
        case 0: {  // extract(key) into a slot (an old node there dies)
          const std::uint64_t k = key();
          no_copy([&] { nodes[slot] = m.extract(IKey(k)); });
          onodes[slot] = o.extract(k);
          break;
        }
        case 1:  // extract(iterator) of the first entry of a walk
          if (!o.empty()) {
            no_copy([&] { nodes[slot] = m.extract(m.begin()); });
            onodes[slot] = o.extract(nodes[slot].key().payload());
          }
          break;
        case 2: case 3: {  // insert(node) / insert(hint, node)
          const bool hint = *rc::gen::inRange(0, 2) == 1;
          if (!nodes[slot].empty() && *rc::gen::inRange(0, 3) == 0) {  // a new key first
            const std::uint64_t k = key();
            nodes[slot].key().set_payload(k);
            onodes[slot].key() = k;
          }
          if (hint) {
            FaultMap::iterator it;
            no_copy([&] { it = m.insert(m.begin(), std::move(nodes[slot])); });
            auto oit = o.insert(o.begin(), std::move(onodes[slot]));
            RC_ASSERT((it == m.end()) == (oit == o.end()));
            if (oit != o.end()) RC_ASSERT(it->first.payload() == oit->first);
          } else {
            std::optional<FaultMap::insert_return_type> r;
            no_copy([&] { r.emplace(m.insert(std::move(nodes[slot]))); });
            auto orr = o.insert(std::move(onodes[slot]));
            RC_ASSERT(r->inserted == orr.inserted);
            RC_ASSERT((r->position == m.end()) == (orr.position == o.end()));
            if (orr.position != o.end()) RC_ASSERT(r->position->first.payload() == orr.position->first);
            nodes[slot] = std::move(r->node);
            onodes[slot] = std::move(orr.node);
          }
          break;
        }
        case 4:  // merge the other map in
          no_copy([&] { m.merge(maps[other]); });
          o.merge(oracles[other]);
          break;
        case 5: {
          const std::uint64_t k = key();
          m.emplace(IKey(k), IValue(k * 3));
          o.emplace(k, k * 3);
          break;
        }
        case 6: {
          const std::uint64_t k = key();
          RC_ASSERT(m.erase(IKey(k)) == o.erase(k));
          break;
        }
      }
      std::size_t full_nodes = 0;
      for (int s = 0; s < 3; ++s) {
        RC_ASSERT(nodes[s].empty() == onodes[s].empty());
        if (nodes[s].empty()) continue;
        ++full_nodes;
        RC_ASSERT(nodes[s].key().payload() == onodes[s].key());
        RC_ASSERT(nodes[s].mapped().payload() == onodes[s].mapped());
      }
      for (int s = 0; s < 2; ++s) {
        RC_ASSERT(maps[s].size() == oracles[s].size());
        for (const auto& [k, v] : oracles[s]) {
          auto it = maps[s].find(IKey(k));
          RC_ASSERT(it != maps[s].end());
          RC_ASSERT(it->second.payload() == v);
        }
      }
      RC_ASSERT(l.live_keys() == maps[0].size() + maps[1].size() + full_nodes);
      RC_ASSERT(l.live_values() == maps[0].size() + maps[1].size() + full_nodes);
      RC_ASSERT(l.errors().empty());
    }
    maps[0].check_invariants();
    maps[1].check_invariants();
  }
  RC_ASSERT(l.live_keys() + l.live_values() == 0u);
  RC_ASSERT(l.bytes_outstanding() == 0u);
  RC_ASSERT(l.errors().empty());
}

}  // namespace
