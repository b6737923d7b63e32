// The drop-in interface: every member std::unordered_map and
// absl::flat_hash_map code uses exists with the usual types (a compile
// test), and each behaves as those maps do.
#include <gtest/gtest.h>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "props_util.h"
#include "swiss/map.h"
#include "swiss/test_access.h"

namespace {

using props::U64Map;

// ---- Compile test: the whole interface --------------------------------------------

template <class M>
concept DropInMap = requires(M m, const M cm, typename M::key_type k, typename M::mapped_type v,
                             typename M::value_type kv, typename M::iterator it,
                             typename M::const_iterator cit, typename M::size_type n,
                             typename M::hasher h, typename M::key_equal eq,
                             typename M::allocator_type a, std::vector<typename M::value_type> vec,
                             std::initializer_list<typename M::value_type> il) {
  // construction
  M();
  M(n);
  M(n, h);
  M(n, h, eq);
  M(n, h, eq, a);
  M(a);
  M(n, a);
  M(n, h, a);
  M(vec.begin(), vec.end());
  M(vec.begin(), vec.end(), n);
  M(vec.begin(), vec.end(), n, h, eq, a);
  M(il);
  M(il, n);
  M(il, n, h, eq, a);
  M(cm);
  M(cm, a);
  M(std::move(m));
  M(std::move(m), a);
  { m = cm } -> std::same_as<M&>;
  { m = std::move(m) } -> std::same_as<M&>;
  { m = il } -> std::same_as<M&>;
  // iteration and capacity
  { m.begin() } -> std::same_as<typename M::iterator>;
  { m.end() } -> std::same_as<typename M::iterator>;
  { cm.begin() } -> std::same_as<typename M::const_iterator>;
  { cm.end() } -> std::same_as<typename M::const_iterator>;
  { m.cbegin() } -> std::same_as<typename M::const_iterator>;
  { m.cend() } -> std::same_as<typename M::const_iterator>;
  { cm.size() } -> std::same_as<typename M::size_type>;
  { cm.empty() } -> std::same_as<bool>;
  { cm.max_size() } -> std::same_as<typename M::size_type>;
  // modifiers
  { m.insert(kv) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.insert(std::move(kv)) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.insert(std::make_pair(k, v)) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.insert(cit, kv) } -> std::same_as<typename M::iterator>;
  { m.insert(cit, std::move(kv)) } -> std::same_as<typename M::iterator>;
  m.insert(vec.begin(), vec.end());
  m.insert(il);
  { m.insert_or_assign(k, v) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.insert_or_assign(std::move(k), v) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.insert_or_assign(cit, k, v) } -> std::same_as<typename M::iterator>;
  { m.insert_or_assign(cit, std::move(k), v) } -> std::same_as<typename M::iterator>;
  { m.try_emplace(k, v) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.try_emplace(std::move(k), v) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.try_emplace(k) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.try_emplace(cit, k, v) } -> std::same_as<typename M::iterator>;
  { m.try_emplace(cit, std::move(k), v) } -> std::same_as<typename M::iterator>;
  { m.emplace(k, v) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.emplace(kv) } -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.emplace(std::piecewise_construct, std::forward_as_tuple(k), std::forward_as_tuple(v)) }
      -> std::same_as<std::pair<typename M::iterator, bool>>;
  { m.emplace_hint(cit, k, v) } -> std::same_as<typename M::iterator>;
  { m.erase(it) } -> std::same_as<typename M::iterator>;
  { m.erase(cit) } -> std::same_as<typename M::iterator>;
  { m.erase(cit, cit) } -> std::same_as<typename M::iterator>;
  { m.erase(k) } -> std::same_as<typename M::size_type>;
  m.clear();
  m.swap(m);
  swap(m, m);
  // lookup
  { m.find(k) } -> std::same_as<typename M::iterator>;
  { cm.find(k) } -> std::same_as<typename M::const_iterator>;
  { cm.count(k) } -> std::same_as<typename M::size_type>;
  { cm.contains(k) } -> std::same_as<bool>;
  { m.equal_range(k) } -> std::same_as<std::pair<typename M::iterator, typename M::iterator>>;
  { cm.equal_range(k) }
      -> std::same_as<std::pair<typename M::const_iterator, typename M::const_iterator>>;
  { m.at(k) } -> std::same_as<typename M::mapped_type&>;
  { cm.at(k) } -> std::same_as<const typename M::mapped_type&>;
  { m[k] } -> std::same_as<typename M::mapped_type&>;
  { m[std::move(k)] } -> std::same_as<typename M::mapped_type&>;
  // buckets and policy
  { cm.bucket_count() } -> std::same_as<typename M::size_type>;
  { cm.load_factor() } -> std::same_as<float>;
  { cm.max_load_factor() } -> std::same_as<float>;
  m.max_load_factor(0.5f);
  m.rehash(n);
  m.reserve(n);
  // observers
  { cm.hash_function() } -> std::same_as<typename M::hasher>;
  { cm.key_eq() } -> std::same_as<typename M::key_equal>;
  { cm.get_allocator() } -> std::same_as<typename M::allocator_type>;
  { cm == cm } -> std::same_as<bool>;
  { cm != cm } -> std::same_as<bool>;
  { erase_if(m, [](const typename M::value_type&) { return true; }) }
      -> std::same_as<typename M::size_type>;
  cm.check_invariants();
};

template <class M, class K, class V, class H, class Eq, class A>
constexpr bool member_types_are_standard() {
  static_assert(std::is_same_v<typename M::key_type, K>);
  static_assert(std::is_same_v<typename M::mapped_type, V>);
  static_assert(std::is_same_v<typename M::value_type, std::pair<const K, V>>);
  static_assert(std::is_same_v<typename M::size_type, std::size_t>);
  static_assert(std::is_same_v<typename M::difference_type, std::ptrdiff_t>);
  static_assert(std::is_same_v<typename M::hasher, H>);
  static_assert(std::is_same_v<typename M::key_equal, Eq>);
  static_assert(std::is_same_v<typename M::allocator_type, A>);
  static_assert(std::is_same_v<typename M::reference, std::pair<const K, V>&>);
  static_assert(std::is_same_v<typename M::const_reference, const std::pair<const K, V>&>);
  static_assert(std::is_same_v<typename M::pointer, typename std::allocator_traits<A>::pointer>);
  static_assert(
      std::is_same_v<typename M::const_pointer, typename std::allocator_traits<A>::const_pointer>);
  static_assert(std::forward_iterator<typename M::iterator>);
  static_assert(std::forward_iterator<typename M::const_iterator>);
  static_assert(std::is_convertible_v<typename M::iterator, typename M::const_iterator>);
  static_assert(std::is_same_v<std::iter_reference_t<typename M::iterator>, std::pair<const K, V>&>);
  static_assert(
      std::is_same_v<std::iter_reference_t<typename M::const_iterator>, const std::pair<const K, V>&>);
  static_assert(std::is_nothrow_move_constructible_v<M>);
  static_assert(std::is_nothrow_swappable_v<M>);
  return true;
}

static_assert(DropInMap<U64Map>);
static_assert(DropInMap<swiss::Map<std::string, std::string>>);
static_assert(DropInMap<swiss::Map<int, std::vector<int>>>);
static_assert(member_types_are_standard<U64Map, std::uint64_t, std::uint64_t,
                                        swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                                        std::allocator<std::pair<const std::uint64_t, std::uint64_t>>>());
static_assert(swiss::kGroupSlots == 8 && swiss::kMaxTableCapacity == 1024 &&
              swiss::kMaxInlineKeyBytes == 128 && swiss::kMaxInlineElemBytes == 128);
static_assert(std::is_same_v<decltype(swiss::TestAccess<U64Map>::shape(std::declval<const U64Map&>())),
                             swiss::MapShape>);

// The same function template body compiles for std::unordered_map and
// swiss::Map (code written for one compiles with the other) and gives the
// same answer.
template <class M>
std::map<int, int> generic_workload() {
  M m = {{1, 10}, {2, 20}};
  m.reserve(100);
  m.insert({3, 30});
  m.emplace(4, 40);
  m.try_emplace(5, 50);
  m.insert_or_assign(1, 11);
  m[6] = 60;
  m.erase(2);
  for (auto& [k, v] : m) v += 1;
  erase_if(m, [](const auto& kv) { return kv.first == 4; });
  return std::map<int, int>(m.begin(), m.end());
}

TEST(Api, SameCodeCompilesForStdAndSwiss) {
  const auto swiss_result = generic_workload<swiss::Map<int, int>>();
  const auto std_result = generic_workload<std::unordered_map<int, int>>();
  EXPECT_EQ(swiss_result, std_result);
}

// ---- Construction ---------------------------------------------------------------

TEST(Api, RangeAndInitializerListConstruction) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> src;
  for (std::uint64_t k = 0; k < 1000; ++k) src.emplace_back(k, k * 2);
  src.emplace_back(5, 999);  // duplicate: the first one wins, as in std
  U64Map from_range(src.begin(), src.end());
  from_range.check_invariants();
  EXPECT_EQ(from_range.size(), 1000u);
  EXPECT_EQ(from_range.at(5), 10u);
  for (std::uint64_t k = 0; k < 1000; ++k) EXPECT_EQ(from_range.at(k), k * 2);

  U64Map from_list = {{1, 2}, {3, 4}, {1, 5}};
  EXPECT_EQ(from_list.size(), 2u);
  EXPECT_EQ(from_list.at(1), 2u);
  EXPECT_EQ(from_list.at(3), 4u);
  from_list = {{7, 8}};
  EXPECT_EQ(from_list.size(), 1u);
  EXPECT_EQ(from_list.at(7), 8u);
  from_list.check_invariants();

  U64Map with_buckets(100);
  EXPECT_TRUE(with_buckets.empty());
  EXPECT_GE(with_buckets.bucket_count(), 100u);
  with_buckets.check_invariants();
}

// ---- Hints, emplace forms, equal_range, erase ranges ----------------------------

TEST(Api, InsertHintOverloads) {
  U64Map m;
  props::fill(m, 0, 20);
  auto hint = m.find(3);
  auto it = m.insert(hint, {100, 1});
  EXPECT_EQ(it->first, 100u);
  EXPECT_EQ(it->second, 1u);
  auto dup = m.insert(m.end(), {100, 2});
  EXPECT_EQ(dup->second, 1u) << "insert with hint of an existing key changed it";
  auto e = m.emplace_hint(m.begin(), 101, 3);
  EXPECT_EQ(e->first, 101u);
  auto t = m.try_emplace(m.cend(), 102, 4);
  EXPECT_EQ(t->second, 4u);
  auto t2 = m.try_emplace(m.cbegin(), 102, 5);
  EXPECT_EQ(t2->second, 4u) << "try_emplace with hint of an existing key changed it";
  auto a = m.insert_or_assign(m.cbegin(), 102, 6);
  EXPECT_EQ(a->second, 6u);
  auto a2 = m.insert_or_assign(m.cend(), 103, 7);
  EXPECT_EQ(a2->first, 103u);
  std::pair<const std::uint64_t, std::uint64_t> kv{104, 8};
  EXPECT_EQ(m.insert(m.cbegin(), kv)->second, 8u);
  EXPECT_EQ(m.size(), 25u);
  m.check_invariants();
}

TEST(Api, EmplaceForms) {
  swiss::Map<std::string, std::string> m;
  EXPECT_TRUE(m.emplace("a", "1").second);
  EXPECT_TRUE(m.emplace(std::make_pair(std::string("b"), std::string("2"))).second);
  EXPECT_TRUE(m.emplace(std::piecewise_construct, std::forward_as_tuple("c"), std::forward_as_tuple(3, 'x')).second);
  EXPECT_FALSE(m.emplace("a", "9").second);
  EXPECT_EQ(m.at("a"), "1");
  EXPECT_EQ(m.at("c"), "xxx");
  // try_emplace does not move from its arguments when the key exists.
  std::string value = "must stay";
  EXPECT_FALSE(m.try_emplace("a", std::move(value)).second);
  EXPECT_EQ(value, "must stay");
  m.check_invariants();
}

TEST(Api, EqualRange) {
  U64Map m;
  props::fill(m, 0, 100, 1);
  auto [first, last] = m.equal_range(42);
  ASSERT_NE(first, m.end());
  EXPECT_EQ(first->first, 42u);
  EXPECT_EQ(std::distance(first, last), 1);
  EXPECT_EQ(std::next(first), last);
  auto [nf, nl] = m.equal_range(1000);
  EXPECT_EQ(nf, m.end());
  EXPECT_EQ(nl, m.end());
  const U64Map& cm = m;
  auto [cf, cl] = cm.equal_range(7);
  EXPECT_EQ(cf->second, 8u);
  EXPECT_EQ(std::distance(cf, cl), 1);
}

TEST(Api, IteratorRangeErase) {
  for (std::size_t n : {5u, 100u, 3000u}) {
    SCOPED_TRACE(n);
    U64Map m;
    props::fill(m, 0, n);
    // Erase the first ten iterated entries exactly.
    std::vector<std::uint64_t> order = props::iterated_keys(m);
    auto last = std::next(m.begin(), std::min<std::size_t>(10, n));
    auto ret = m.erase(m.cbegin(), last);
    EXPECT_EQ(ret, last);
    EXPECT_EQ(m.size(), n - std::min<std::size_t>(10, n));
    for (std::size_t i = 0; i < order.size(); ++i)
      EXPECT_EQ(m.contains(order[i]), i >= 10) << "key " << order[i] << " at position " << i;
    m.check_invariants();
    // An empty range erases nothing.
    EXPECT_EQ(m.erase(m.cbegin(), m.cbegin()), m.begin());
    EXPECT_EQ(m.size(), n - std::min<std::size_t>(10, n));
    // The whole range empties the map.
    EXPECT_EQ(m.erase(m.cbegin(), m.cend()), m.end());
    EXPECT_TRUE(m.empty());
    m.check_invariants();
  }
}

TEST(Api, EraseIf) {
  U64Map m;
  props::fill(m, 0, 3000, 1);
  auto removed = erase_if(m, [](const auto& kv) { return kv.first % 3 == 0; });
  EXPECT_EQ(removed, 1000u);
  EXPECT_EQ(m.size(), 2000u);
  for (std::uint64_t k = 0; k < 3000; ++k) EXPECT_EQ(m.contains(k), k % 3 != 0) << k;
  EXPECT_EQ(erase_if(m, [](const auto&) { return false; }), 0u);
  EXPECT_EQ(erase_if(m, [](const auto&) { return true; }), 2000u);
  EXPECT_TRUE(m.empty());
  m.check_invariants();
}

TEST(Api, EqualityIgnoresOrderAndLayout) {
  U64Map a, b;
  props::fill(a, 0, 500, 1);
  for (std::uint64_t k = 500; k-- > 0;) b[k] = k + 1;  // reverse order, other seed
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a != b);
  // Same contents reached through growth and erasure.
  U64Map c;
  props::fill(c, 0, 5000, 1);
  for (std::uint64_t k = 500; k < 5000; ++k) c.erase(k);
  EXPECT_TRUE(a == c);
  b[3] = 0;
  EXPECT_FALSE(a == b) << "differing values compare equal";
  EXPECT_TRUE(a != b);
  b[3] = 4;
  b[9999] = 1;
  EXPECT_FALSE(a == b) << "differing sizes compare equal";
  b.erase(9999);
  b.erase(0);
  b[10000] = 1;
  EXPECT_FALSE(a == b) << "differing keys compare equal";
  EXPECT_TRUE(U64Map() == U64Map());
}

TEST(Api, BucketsAndLoadFactor) {
  U64Map m;
  props::fill(m, 0, 1000);
  EXPECT_GE(m.bucket_count(), 1000u);
  EXPECT_GT(m.load_factor(), 0.0f);
  EXPECT_LE(m.load_factor(), m.max_load_factor());
  m.rehash(5000);
  EXPECT_GE(m.bucket_count(), 5000u);
  m.reserve(10000);
  EXPECT_GE(static_cast<double>(m.bucket_count()) * m.max_load_factor(), 10000.0);
  EXPECT_EQ(m.size(), 1000u);
  for (std::uint64_t k = 0; k < 1000; ++k) EXPECT_EQ(m.at(k), k);
  m.check_invariants();
}

// ---- Heterogeneous lookup ------------------------------------------------------------

// A key type that counts its constructions, so a lookup that converts its
// argument to a key shows up.
struct CountedString {
  std::string s;
  static inline long constructed = 0;
  CountedString(std::string_view v) : s(v) { ++constructed; }
  CountedString(const char* v) : s(v) { ++constructed; }
  CountedString(const CountedString& o) : s(o.s) { ++constructed; }
  CountedString(CountedString&& o) noexcept : s(std::move(o.s)) { ++constructed; }
  CountedString& operator=(const CountedString&) = default;
  CountedString& operator=(CountedString&&) = default;
};
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  std::size_t operator()(const CountedString& c) const { return (*this)(std::string_view(c.s)); }
};
struct TransparentEq {
  using is_transparent = void;
  static std::string_view view(std::string_view v) { return v; }
  static std::string_view view(const CountedString& c) { return c.s; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const { return view(a) == view(b); }
};

TEST(Api, HeterogeneousLookupBuildsNoKey) {
  swiss::Map<CountedString, int, TransparentHash, TransparentEq> m;
  for (int i = 0; i < 100; ++i) m.emplace(std::to_string(i) + " a key long enough", i);
  const long before = CountedString::constructed;
  for (int i = 0; i < 100; ++i) {
    std::string text = std::to_string(i) + " a key long enough";
    std::string_view sv = text;
    auto it = m.find(sv);
    ASSERT_NE(it, m.end());
    EXPECT_EQ(it->second, i);
    EXPECT_TRUE(m.contains(sv));
    EXPECT_EQ(m.count(sv), 1u);
    auto [f, l] = m.equal_range(sv);
    EXPECT_EQ(std::distance(f, l), 1);
    const auto& cm = m;
    EXPECT_NE(cm.find(sv), cm.end());
  }
  EXPECT_FALSE(m.contains(std::string_view("absent")));
  EXPECT_EQ(CountedString::constructed, before) << "a lookup by string_view built a key";
}

// std::string keys with the default hasher (transparent for strings) and
// std::equal_to<> are found by std::string_view and const char*.
using TransparentStringMap = swiss::Map<std::string, int, swiss::Hash<std::string>, std::equal_to<>>;

template <class M>
concept HasHeterogeneousLookup = requires(M m, const M cm, std::string_view sv) {
  m.find(sv);
  cm.find(sv);
  cm.contains(sv);
  cm.count(sv);
  m.equal_range(sv);
};

template <class M>
void check_string_view_lookup() {
  M m;
  m["alpha"] = 1;
  m["beta"] = 2;
  std::string_view a = "alpha";
  EXPECT_EQ(m.find(a)->second, 1);
  EXPECT_TRUE(m.contains(std::string_view("beta")));
  EXPECT_EQ(m.count(std::string_view("gamma")), 0u);
  auto [f, l] = m.equal_range(a);
  EXPECT_EQ(std::distance(f, l), 1);
  EXPECT_TRUE(m.contains("alpha"));
  EXPECT_EQ(m.at(std::string("beta")), 2);
}

// Fails (rather than breaking the build) when the lookups do not accept a
// string_view, so the rest of this file still runs.
TEST(Api, StringKeysFoundByStringView) {
  if constexpr (HasHeterogeneousLookup<TransparentStringMap>) {
    check_string_view_lookup<TransparentStringMap>();
  } else {
    ADD_FAILURE() << "Map<std::string, V, swiss::Hash<std::string>, std::equal_to<>> has no "
                     "find/contains/count/equal_range taking a std::string_view";
  }
}

// Heterogeneous erase, where the map offers it (absl and C++23 do).
template <class M>
concept HasHeterogeneousErase = requires(M m, std::string_view sv) { m.erase(sv); };

TEST(Api, HeterogeneousErase) {
  if constexpr (HasHeterogeneousErase<TransparentStringMap>) {
    TransparentStringMap m;
    m["alpha"] = 1;
    m["beta"] = 2;
    EXPECT_EQ(m.erase(std::string_view("alpha")), 1u);
    EXPECT_EQ(m.erase(std::string_view("alpha")), 0u);
    EXPECT_EQ(m.size(), 1u);
    m.check_invariants();
  } else {
    GTEST_SKIP() << "no heterogeneous erase";
  }
}

// ---- Stateful hasher, key_eq and allocator ----------------------------------------------

struct SaltedHash {
  std::uint64_t salt = 0;
  std::size_t operator()(std::uint64_t k) const { return (k ^ salt) * 0x9E3779B97F4A7C15ull; }
};
struct TaggedEq {
  int tag = 0;
  bool operator()(std::uint64_t a, std::uint64_t b) const { return a == b; }
};

// An allocator with state: an id and a counter of outstanding bytes. The
// propagation traits are parameters, so the standard's rules for copy, move
// and swap can each be checked.
struct Arena {
  long live_bytes = 0;
  long allocations = 0;
};
template <class T, bool kPropagate>
struct ArenaAllocator {
  using value_type = T;
  using propagate_on_container_copy_assignment = std::bool_constant<kPropagate>;
  using propagate_on_container_move_assignment = std::bool_constant<kPropagate>;
  using propagate_on_container_swap = std::bool_constant<kPropagate>;
  using is_always_equal = std::false_type;
  template <class U>
  struct rebind {
    using other = ArenaAllocator<U, kPropagate>;
  };
  Arena* arena;
  explicit ArenaAllocator(Arena* a) noexcept : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U, kPropagate>& o) noexcept : arena(o.arena) {}
  T* allocate(std::size_t n) {
    arena->live_bytes += static_cast<long>(n * sizeof(T));
    ++arena->allocations;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    arena->live_bytes -= static_cast<long>(n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const ArenaAllocator<U, kPropagate>& o) const noexcept { return arena == o.arena; }
};

template <bool kPropagate>
using ArenaMap = swiss::Map<std::uint64_t, std::uint64_t, SaltedHash, TaggedEq,
                            ArenaAllocator<std::pair<const std::uint64_t, std::uint64_t>, kPropagate>>;

TEST(Api, StatefulHasherAndKeyEqAreKept) {
  using M = swiss::Map<std::uint64_t, std::uint64_t, SaltedHash, TaggedEq>;
  M m(0, SaltedHash{77}, TaggedEq{5});
  props::fill(m, 0, 2000);
  EXPECT_EQ(m.hash_function().salt, 77u);
  EXPECT_EQ(m.key_eq().tag, 5);
  m.check_invariants();
  M copy(m);
  EXPECT_EQ(copy.hash_function().salt, 77u);
  EXPECT_EQ(copy.key_eq().tag, 5);
  M moved(std::move(copy));
  EXPECT_EQ(moved.hash_function().salt, 77u);
  M other(0, SaltedHash{1}, TaggedEq{2});
  other[5] = 5;
  other = m;
  EXPECT_EQ(other.hash_function().salt, 77u) << "copy assignment did not copy the hasher";
  EXPECT_EQ(other.key_eq().tag, 5);
  EXPECT_EQ(other.size(), 2000u);
  M swapped(0, SaltedHash{3}, TaggedEq{4});
  swapped.swap(other);
  EXPECT_EQ(swapped.hash_function().salt, 77u);
  EXPECT_EQ(other.hash_function().salt, 3u);
  swapped.check_invariants();
  other.check_invariants();
}

TEST(Api, AllocatorIsUsedAndPropagated) {
  Arena a, b;
  using A = ArenaAllocator<std::pair<const std::uint64_t, std::uint64_t>, true>;
  {
    ArenaMap<true> m(0, SaltedHash{}, TaggedEq{}, A(&a));
    props::fill(m, 0, 2000);
    EXPECT_GT(a.live_bytes, 0);
    EXPECT_EQ(m.get_allocator(), A(&a));
    // Copy construction: the allocator is copied (select_on_container_copy_construction).
    ArenaMap<true> copy(m);
    EXPECT_EQ(copy.get_allocator(), A(&a));
    // Allocator-extended copy: the given allocator.
    ArenaMap<true> copy_b(m, A(&b));
    EXPECT_EQ(copy_b.get_allocator(), A(&b));
    EXPECT_GT(b.live_bytes, 0);
    EXPECT_TRUE(copy_b == m);
    // Copy assignment with propagation: the destination takes a's allocator
    // and gives b's memory back.
    copy_b = m;
    EXPECT_EQ(copy_b.get_allocator(), A(&a));
    EXPECT_EQ(b.live_bytes, 0) << "memory of the old allocator not returned";
    // Swap with propagation.
    ArenaMap<true> small_b(0, SaltedHash{}, TaggedEq{}, A(&b));
    small_b[1] = 1;
    small_b.swap(copy_b);
    EXPECT_EQ(small_b.get_allocator(), A(&a));
    EXPECT_EQ(copy_b.get_allocator(), A(&b));
    EXPECT_EQ(copy_b.size(), 1u);
    EXPECT_EQ(small_b.size(), 2000u);
    small_b.check_invariants();
    copy_b.check_invariants();
    // Allocator-extended move to another arena: elements move over, the
    // source's memory stays with the source's allocator.
    ArenaMap<true> moved_b(std::move(small_b), A(&b));
    EXPECT_EQ(moved_b.get_allocator(), A(&b));
    EXPECT_EQ(moved_b.size(), 2000u);
    moved_b.check_invariants();
  }
  EXPECT_EQ(a.live_bytes, 0) << "leak or wrong deallocator";
  EXPECT_EQ(b.live_bytes, 0) << "leak or wrong deallocator";
}

// Abseil issue 2168: move assignment between unequal allocators that do not
// propagate must move element by element into the destination's memory.
TEST(Api, MoveAssignWithUnequalNonPropagatingAllocators) {
  Arena a, b;
  using A = ArenaAllocator<std::pair<const std::uint64_t, std::uint64_t>, false>;
  {
    ArenaMap<false> src(0, SaltedHash{}, TaggedEq{}, A(&a));
    props::fill(src, 0, 3000, 1);
    ArenaMap<false> dst(0, SaltedHash{}, TaggedEq{}, A(&b));
    dst[7] = 7;
    dst = std::move(src);
    EXPECT_EQ(dst.get_allocator(), A(&b)) << "a non-propagating allocator was replaced";
    EXPECT_EQ(dst.size(), 3000u);
    for (std::uint64_t k = 0; k < 3000; ++k) ASSERT_EQ(dst.at(k), k + 1);
    dst.check_invariants();
    src.clear();  // the source is valid (unspecified contents) and usable
    src[1] = 2;
    src.check_invariants();
    // Copy assignment and swap without propagation keep each allocator too.
    ArenaMap<false> c(0, SaltedHash{}, TaggedEq{}, A(&a));
    c = dst;
    EXPECT_EQ(c.get_allocator(), A(&a));
    EXPECT_TRUE(c == dst);
  }
  EXPECT_EQ(a.live_bytes, 0);
  EXPECT_EQ(b.live_bytes, 0);
}

// ---- Copy, move, swap -----------------------------------------------------------------

TEST(Api, CopyIsDeepAndIndependent) {
  for (std::size_t n : {0u, 3u, 8u, 9u, 1000u, 3000u}) {
    SCOPED_TRACE(n);
    U64Map m;
    props::fill(m, 0, n, 1);
    U64Map copy(m);
    copy.check_invariants();
    EXPECT_TRUE(copy == m);
    copy[n + 5] = 1;
    if (n) copy.erase(0);
    EXPECT_EQ(m.size(), n);
    EXPECT_FALSE(m.contains(n + 5));
    if (n) {
      EXPECT_TRUE(m.contains(0));
    }
    U64Map assigned;
    assigned[123456] = 1;
    assigned = m;
    EXPECT_TRUE(assigned == m);
    EXPECT_FALSE(assigned.contains(123456));
    assigned.check_invariants();
    // Self assignment changes nothing.
    U64Map& alias = assigned;
    assigned = alias;
    EXPECT_TRUE(assigned == m);
    assigned.check_invariants();
  }
}

TEST(Api, MoveLeavesSourceUsable) {
  for (std::size_t n : {0u, 3u, 9u, 3000u}) {
    SCOPED_TRACE(n);
    U64Map m;
    props::fill(m, 0, n, 1);
    U64Map expected(m);
    U64Map moved(std::move(m));
    EXPECT_TRUE(moved == expected);
    moved.check_invariants();
    m.check_invariants();  // valid but unspecified
    m.clear();
    props::fill(m, 0, 20, 2);
    EXPECT_EQ(m.size(), 20u);
    m.check_invariants();
    U64Map target;
    props::fill(target, 100, 200);
    target = std::move(moved);
    EXPECT_TRUE(target == expected);
    target.check_invariants();
    U64Map& alias = target;
    target = std::move(alias);  // self move: valid state
    target.check_invariants();
  }
}

TEST(Api, SwapExchangesEverything) {
  U64Map a, b;
  props::fill(a, 0, 3000, 1);
  props::fill(b, 0, 5, 2);
  U64Map a0(a), b0(b);
  a.swap(b);
  EXPECT_TRUE(a == b0);
  EXPECT_TRUE(b == a0);
  using std::swap;
  swap(a, b);
  EXPECT_TRUE(a == a0);
  EXPECT_TRUE(b == b0);
  a.check_invariants();
  b.check_invariants();
  // Iterators keep walking the map they came from (the storage moved).
  auto it = a.find(7);
  a.swap(b);
  EXPECT_EQ(it->first, 7u);
  EXPECT_EQ(it->second, 8u);
}

TEST(Api, OperatorBracketAndStructuredBindings) {
  swiss::Map<std::string, std::vector<int>> m;
  m["x"].push_back(1);
  m["x"].push_back(2);
  m[std::string("y")].push_back(3);
  EXPECT_EQ(m.size(), 2u);
  int sum = 0;
  for (auto& [k, v] : m)
    for (int x : v) sum += x;
  EXPECT_EQ(sum, 6);
  for (const auto& [k, v] : std::as_const(m)) EXPECT_FALSE(v.empty()) << k;
}

}  // namespace
