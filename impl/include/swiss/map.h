// swiss::Map: a swiss-table hash map in the design of Go's runtime maps.
//
// The map is a directory of 2^globalDepth table pointers indexed by the top
// bits of the hash (extendible hashing). Each table holds at most
// kMaxTableCapacity slots; a full table doubles until it reaches that size and
// then splits in two by the next hash bit, so no single insert ever moves more
// than one table's worth of entries. Up to 8 entries live in a single group
// (the small map) with no directory at all.
//
// What stays valid (absl::flat_hash_map's contract, with Go's iteration
// guarantees on top). "Rebuild" = a table's entries move to new memory: only
// inserts of a new key into a table with no room left, reserve and rehash
// rebuild. Such an insert rebuilds that table and, when it must grow, may
// also tidy one nearly empty table (or buddy pair) elsewhere; absl moves
// every entry at that point. Entries over 128 bytes (key or value) live
// behind a pointer and never move at all while in the map, rebuild or not.
//
//   operation                          references, pointers to entries     iterators
//   ---------------------------------  ----------------------------------  ------------------------------------
//   find, contains, count, at,         all valid                           all valid
//   equal_range, begin/end, ==,
//   iteration (const: thread-safe)
//   insert, emplace, try_emplace,      all valid, unless the key is new    all valid unless it rebuilt; after a
//   insert_or_assign, operator[],      and its table had no room: then     rebuild, the entries of the rebuilt
//   insert(node), merge (into *this)   that table's entries move (and      table: *it, it->, erase(it) invalid,
//                                      those of one table it tidied)
//                                                                          but ++it of a begin() walk goes on
//                                                                          with Go's guarantees (positioned
//                                                                          iterators from find/insert: invalid)
//   erase(key), erase(it),             only the erased entries' refs       only iterators to erased entries
//   erase(first, last), erase_if,      are invalid; nothing moves, no      (erase(it) returns the next one)
//   extract, merge (from the source)   memory is freed (see rehash(0))
//   clear()                            all (no entries left); memory kept  begin() walks end; others invalid
//   reserve(n)                         may rebuild every table; then       as for a rebuild
//                                      inserting distinct keys until
//                                      size() == n rebuilds nothing
//   rehash(n), rehash(0) (shrinks)     may rebuild every table             as for a rebuild
//   swap(a, b), move construction,     valid, now naming entries of the    valid, now into the other map
//   move assignment (equal or          other map
//   propagating allocators)
//   copy assignment, move assignment   the target's: all invalid           the target's: all invalid
//   with unequal allocators
//
// What the map asks of its types (std's named requirements, per operation):
//
//   every operation                K and V Erasable; hasher callable on a key
//                                  (and on KK for heterogeneous lookup),
//                                  key_equal on two keys
//   emplace, try_emplace           value_type EmplaceConstructible from the
//                                  arguments (try_emplace: K from the key, V
//                                  from the rest)
//   insert(const value_type&)      CopyInsertable; insert(value_type&&):
//                                  MoveInsertable; operator[]: K Copy/Move-
//                                  Insertable, V DefaultInsertable
//   copy construction/assignment   CopyInsertable (and ==: V equality-comparable)
//   move assignment or             MoveInsertable, only with unequal
//   Map(Map&&, alloc)              allocators that do not propagate
//   growth, rehash, reserve        nothing more: movable entries are moved
//                                  (copied when the move may throw and a copy
//                                  exists); an entry that can be neither
//                                  moved nor copied is stored behind a
//                                  pointer, so such types work everywhere else
//
// V may be incomplete where the map type is named (struct Node {
// Map<int, Node> children; }); it must be complete where a member is used.
//
// Allocators as std's containers: copy construction asks
// select_on_container_copy_construction; copy assignment takes the source's
// allocator only under propagate_on_container_copy_assignment, move
// assignment only under ..._move_assignment (else, with unequal allocators,
// it moves entry by entry into its own memory); swap exchanges allocators
// only under ..._swap, and otherwise they must compare equal (undefined in
// std; debug builds abort). An allocator that does not propagate need not be
// assignable. The allocator's pointer may be a class type (a fancy pointer
// such as boost::interprocess::offset_ptr): everything the map keeps in its
// allocator's memory is held in that type (pointer.h), so a map can live in
// a memory-mapped file shared by processes. noexcept: move construction when
// the hasher's, key_equal's and allocator's moves are; move assignment when
// the allocator propagates on move or is always equal and the hasher's and
// key_equal's move assignments are; swap likewise with propagate_on_
// container_swap and nothrow swaps. max_load_factor() reports 1.0 and
// ignores its setter, as absl's (each table's own bound, 7/8, is fixed).
//
// Memory: erase never gives memory back. Inserts do: one that finds its
// table's room used up by tombstones (not entries) rebuilds it without them,
// folded into its buddy when both are nearly empty, else at most twice the
// size its entries need; one whose table must grow first tidies one nearly
// empty table or pair found by a cursor walking the directory. So a map
// churned at constant size stays within a small factor of its memory even
// when erase(begin()) drains tables in walk order. rehash(0) folds and
// shrinks everything at once. An iterator
// parked on a table that was rebuilt keeps that one table alive (its
// forwarding records are kept pointing at where the entries live now), not a
// chain of every table since.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "swiss/ctrl.h"
#include "swiss/hash.h"
#include "swiss/iterator.h"
#include "swiss/node_handle.h"
#include "swiss/probe.h"
#include "swiss/slot.h"
#include "swiss/table.h"

namespace swiss {

template <class M>
struct TestAccess;

namespace detail {
template <class M>
struct InvariantChecker;

template <bool Transparent>
struct KeyArg {
  template <class KK, class Key>
  using type = Key;
};
template <>
struct KeyArg<true> {
  template <class KK, class Key>
  using type = KK;
};

// swap of two maps whose allocators neither propagate nor compare equal:
// undefined in std (each map's memory must be freed by its own allocator).
[[noreturn, gnu::cold, gnu::noinline]] inline void unequal_allocators_in_swap() {
  std::fprintf(stderr, "swiss::Map::swap: the allocators compare unequal and propagate_on_container_swap is "
                       "false (undefined behaviour in std)\n");
  std::abort();
}

// insert(node) or merge of an entry that can be neither moved nor copied,
// from a map whose allocator compares unequal: its memory cannot change hands
// and the entry cannot be rebuilt (undefined in std).
[[noreturn, gnu::cold, gnu::noinline]] inline void node_from_unequal_allocator() {
  std::fprintf(stderr, "swiss::Map: insert(node)/merge of an immovable entry from a map with an unequal allocator\n");
  std::abort();
}

template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};

template <class T, class = void>
struct is_transparent : std::false_type {};
template <class T>
struct is_transparent<T, std::void_t<typename T::is_transparent>> : std::true_type {};
}  // namespace detail

template <class K, class V, class H = Hash<K>, class Eq = std::equal_to<K>,
          class Alloc = std::allocator<std::pair<const K, V>>>
class Map {
  using Policy = detail::SlotPolicy<K, V, Alloc>;
  using Table = detail::Table<Policy>;
  using AllocTraits = std::allocator_traits<Alloc>;
  // A directory entry, and how the map keeps its directory: in the
  // allocator's pointer types (raw pointers for std::allocator; see pointer.h).
  using TablePtr = detail::TablePtr<Table, detail::stored_ptr<Alloc, Table>>;
  using DirPtr = detail::stored_ptr<Alloc, TablePtr>;
  friend class detail::MapIterator<Map, false>;
  friend class detail::MapIterator<Map, true>;
  friend struct detail::InvariantChecker<Map>;
  friend struct TestAccess<Map>;
  template <class, class, class, class, class>
  friend class Map;  // merge() takes entries out of a map with another hasher

  static constexpr bool kTransparent = detail::is_transparent<H>::value && detail::is_transparent<Eq>::value;
  // Heterogeneous lookup: with a transparent hasher and key_eq, find(KK)
  // deduces KK; otherwise the argument converts to K. (An alias that is
  // exactly KK keeps KK deducible; std::conditional_t would not.)
  template <class KK>
  using key_arg = typename detail::KeyArg<kTransparent>::template type<KK, K>;

  // Splits stop here; past it a table that cannot be split grows instead.
  static constexpr unsigned kMaxDepth = 40;
  // The largest table reserve(n) builds to keep its promise (its growth
  // arithmetic stays in 32 bits).
  static constexpr std::uint32_t kMaxReserveCapacity = std::uint32_t{1} << 29;

 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<const K, V>;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using hasher = H;
  using key_equal = Eq;
  using allocator_type = Alloc;
  using reference = value_type&;
  using const_reference = const value_type&;
  using pointer = typename AllocTraits::pointer;
  using const_pointer = typename AllocTraits::const_pointer;
  using iterator = detail::MapIterator<Map, false>;
  using const_iterator = detail::MapIterator<Map, true>;
  using node_type = detail::NodeHandle<Policy>;
  using insert_return_type = detail::InsertReturn<iterator, node_type>;

  static constexpr bool kIndirectKey = sizeof(K) > kMaxInlineKeyBytes;
  static constexpr bool kIndirectElem = sizeof(V) > kMaxInlineElemBytes;

  // ---- construction --------------------------------------------------------
  Map() : Map(0) {}
  explicit Map(size_type bucket_count, const H& hash = H(), const Eq& eq = Eq(), const Alloc& alloc = Alloc())
      : seed_(detail::draw_seed()), hash_(hash), eq_(eq), alloc_(alloc) {
    if (bucket_count) reserve(bucket_count);
  }
  Map(size_type bucket_count, const Alloc& alloc) : Map(bucket_count, H(), Eq(), alloc) {}
  Map(size_type bucket_count, const H& hash, const Alloc& alloc) : Map(bucket_count, hash, Eq(), alloc) {}
  explicit Map(const Alloc& alloc) : Map(0, H(), Eq(), alloc) {}
  template <class InputIt>
  Map(InputIt first, InputIt last, size_type bucket_count = 0, const H& hash = H(), const Eq& eq = Eq(),
      const Alloc& alloc = Alloc())
      : Map(bucket_count, hash, eq, alloc) {
    insert(first, last);
  }
  template <class InputIt>
  Map(InputIt first, InputIt last, size_type bucket_count, const Alloc& alloc)
      : Map(first, last, bucket_count, H(), Eq(), alloc) {}
  template <class InputIt>
  Map(InputIt first, InputIt last, size_type bucket_count, const H& hash, const Alloc& alloc)
      : Map(first, last, bucket_count, hash, Eq(), alloc) {}
  Map(std::initializer_list<value_type> init, size_type bucket_count = 0, const H& hash = H(), const Eq& eq = Eq(),
      const Alloc& alloc = Alloc())
      : Map(init.begin(), init.end(), bucket_count, hash, eq, alloc) {}
  Map(std::initializer_list<value_type> init, size_type bucket_count, const Alloc& alloc)
      : Map(init, bucket_count, H(), Eq(), alloc) {}
  Map(std::initializer_list<value_type> init, size_type bucket_count, const H& hash, const Alloc& alloc)
      : Map(init, bucket_count, hash, Eq(), alloc) {}

  Map(const Map& other) : Map(other, AllocTraits::select_on_container_copy_construction(other.alloc_)) {}
  Map(const Map& other, const Alloc& alloc) : Map(0, other.hash_, other.eq_, alloc) {
    presize(other.size());
    for (const value_type& v : other) emplace_key(v.first, v.second);
  }
  Map(Map&& other) noexcept(std::is_nothrow_move_constructible_v<H> && std::is_nothrow_move_constructible_v<Eq> &&
                            std::is_nothrow_move_constructible_v<Alloc>)
      : seed_(detail::draw_seed()), hash_(std::move(other.hash_)), eq_(std::move(other.eq_)),
        alloc_(std::move(other.alloc_)) {
    steal(other);
  }
  Map(Map&& other, const Alloc& alloc) : Map(0, other.hash_, other.eq_, alloc) {
    if constexpr (!AllocTraits::is_always_equal::value) {
      if (!(alloc_ == other.alloc_)) {
        move_entries_from(other);
        return;
      }
    }
    steal(other);
  }

  // Assignment follows std's allocator rules: the target takes the source's
  // allocator only when propagate_on_container_{copy,move}_assignment says
  // so (an allocator that does not propagate need not be assignable at all).
  // A throw leaves *this unchanged while the copy is built and empty (with
  // either hasher) after, never half-assigned.
  Map& operator=(const Map& other) {
    if (std::addressof(other) == this) return *this;
    using Propagate = typename AllocTraits::propagate_on_container_copy_assignment;
    Map copy(other, Propagate::value ? other.alloc_ : alloc_);
    adopt(copy, Propagate{});
    return *this;
  }
  Map& operator=(Map&& other) noexcept((AllocTraits::propagate_on_container_move_assignment::value ||
                                        AllocTraits::is_always_equal::value) &&
                                       std::is_nothrow_move_assignable_v<H> && std::is_nothrow_move_assignable_v<Eq>) {
    if (std::addressof(other) == this) return *this;
    using Propagate = typename AllocTraits::propagate_on_container_move_assignment;
    if constexpr (!Propagate::value && !AllocTraits::is_always_equal::value) {
      if (!(alloc_ == other.alloc_)) {
        // Our allocator cannot free the other's memory: move entry by entry
        // into our own (std's rule for unequal allocators that do not
        // propagate). The source ends empty, its hasher and key_eq intact.
        clear();
        hash_ = other.hash_;
        eq_ = other.eq_;
        move_entries_from(other);
        return *this;
      }
    }
    adopt(other, Propagate{});
    return *this;
  }
  Map& operator=(std::initializer_list<value_type> init) {
    clear();
    insert(init.begin(), init.end());
    return *this;
  }

  ~Map() { destroy_all(); }

  // ---- iteration -----------------------------------------------------------
  iterator begin() { return make_begin<iterator>(); }
  const_iterator begin() const { return make_begin<const_iterator>(); }
  const_iterator cbegin() const { return begin(); }
  iterator end() { return iterator(); }
  const_iterator end() const { return const_iterator(); }
  const_iterator cend() const { return const_iterator(); }

  // ---- capacity ------------------------------------------------------------
  bool empty() const noexcept { return size_ == 0; }
  size_type size() const noexcept { return size_; }
  size_type max_size() const noexcept {
    const size_type by_alloc = AllocTraits::max_size(alloc_);
    return std::min<size_type>(by_alloc, (size_type{1} << kMaxDepth) * Table::max_growth(kMaxTableCapacity) / 2);
  }

  // ---- modifiers -------------------------------------------------------------
  void clear() noexcept {
    if (size_ != 0 || total_tombstones() != 0) {
      for_each_table([&](Table* t) {
        destroy_entries(t);
        t->reset_after_clear();
      });
    }
    size_ = 0;
    seed_ = detail::draw_seed();
  }

  std::pair<iterator, bool> insert(const value_type& v) { return emplace_key(v.first, v.second); }
  std::pair<iterator, bool> insert(value_type&& v) { return emplace_key(v.first, std::move(v.second)); }
  template <class P, class = std::enable_if_t<std::is_constructible_v<value_type, P&&>>>
  std::pair<iterator, bool> insert(P&& v) {
    return emplace(std::forward<P>(v));
  }
  iterator insert(const_iterator, const value_type& v) { return insert(v).first; }
  iterator insert(const_iterator, value_type&& v) { return insert(std::move(v)).first; }
  template <class P, class = std::enable_if_t<std::is_constructible_v<value_type, P&&>>>
  iterator insert(const_iterator, P&& v) {
    return emplace(std::forward<P>(v)).first;
  }
  template <class InputIt>
  void insert(InputIt first, InputIt last) {
    for (; first != last; ++first) emplace(*first);
  }
  void insert(std::initializer_list<value_type> init) { insert(init.begin(), init.end()); }

  template <class M>
  std::pair<iterator, bool> insert_or_assign(const K& k, M&& obj) {
    return assign_key(k, std::forward<M>(obj));
  }
  template <class M>
  std::pair<iterator, bool> insert_or_assign(K&& k, M&& obj) {
    return assign_key(std::move(k), std::forward<M>(obj));
  }
  template <class M>
  iterator insert_or_assign(const_iterator, const K& k, M&& obj) {
    return assign_key(k, std::forward<M>(obj)).first;
  }
  template <class M>
  iterator insert_or_assign(const_iterator, K&& k, M&& obj) {
    return assign_key(std::move(k), std::forward<M>(obj)).first;
  }

  template <class... Args>
  std::pair<iterator, bool> try_emplace(const K& k, Args&&... args) {
    return emplace_key(k, std::forward<Args>(args)...);
  }
  template <class... Args>
  std::pair<iterator, bool> try_emplace(K&& k, Args&&... args) {
    return emplace_key(std::move(k), std::forward<Args>(args)...);
  }
  template <class KK, class... Args, bool T = kTransparent,
            class = std::enable_if_t<T && !std::is_convertible_v<KK&&, const_iterator> &&
                                     !std::is_same_v<std::decay_t<KK>, K>>>
  std::pair<iterator, bool> try_emplace(KK&& k, Args&&... args) {
    return emplace_key(std::forward<KK>(k), std::forward<Args>(args)...);
  }
  template <class... Args>
  iterator try_emplace(const_iterator, const K& k, Args&&... args) {
    return try_emplace(k, std::forward<Args>(args)...).first;
  }
  template <class... Args>
  iterator try_emplace(const_iterator, K&& k, Args&&... args) {
    return try_emplace(std::move(k), std::forward<Args>(args)...).first;
  }

  template <class... Args>
  std::pair<iterator, bool> emplace(Args&&... args) {
    return emplace_dispatch(std::forward<Args>(args)...);
  }
  template <class... Args>
  iterator emplace_hint(const_iterator, Args&&... args) {
    return emplace(std::forward<Args>(args)...).first;
  }

  iterator erase(iterator pos) { return erase(const_iterator(pos)); }
  iterator erase(const_iterator pos) {
    iterator next;
    next.copy_from(pos);
    ++next;
    erase_slot(pos.cur_table_, pos.cur_slot_);
    return next;
  }
  iterator erase(const_iterator first, const_iterator last) {
    while (first != last) {
      const_iterator next = first;
      ++next;
      erase_slot(first.cur_table_, first.cur_slot_);
      first = next;
    }
    iterator out;
    out.copy_from(last);
    return out;
  }
  size_type erase(const K& k) { return erase_key(k); }
  template <class KK, bool T = kTransparent,
            class = std::enable_if_t<T && !std::is_convertible_v<KK&&, const_iterator> &&
                                     !std::is_convertible_v<KK&&, iterator>>>
  size_type erase(const KK& k) {
    return erase_key(k);
  }

  // ---- node handles ------------------------------------------------------------
  // extract is an erase that hands the entry over instead of destroying it:
  // like erase, it moves nothing else.
  node_type extract(const_iterator pos) {
    node_type nh;
    take_slot(pos.cur_table_, pos.cur_slot_, nh);
    return nh;
  }
  node_type extract(iterator pos) { return extract(const_iterator(pos)); }
  template <class KK = K, class = std::enable_if_t<!std::is_convertible_v<const key_arg<KK>&, const_iterator> &&
                                                   !std::is_convertible_v<const key_arg<KK>&, iterator>>>
  node_type extract(const key_arg<KK>& k) {
    node_type nh;
    const Location loc = locate(k, hash_of(k));
    if (loc.table != nullptr) take_slot(loc.table, loc.slot, nh);
    return nh;
  }
  // A node whose key is present comes back in the result, untouched.
  insert_return_type insert(node_type&& nh) {
    if (nh.empty()) return {end(), false, node_type()};
    auto [it, inserted] = insert_node(nh);
    if (!inserted) return {it, false, std::move(nh)};
    return {it, true, node_type()};
  }
  // With a hint, as std: a node whose key is present stays in nh.
  iterator insert(const_iterator, node_type&& nh) { return nh.empty() ? end() : insert_node(nh).first; }

  // Moves every entry of src whose key is not in this map here (never a
  // copy of a key or value); the rest stay in src, where they were. A throw
  // (a hasher, an allocation while this map grows) stops the merge between
  // entries: each is in one map or the other.
  template <class H2, class E2>
  void merge(Map<K, V, H2, E2, Alloc>& src) {
    if (static_cast<const void*>(std::addressof(src)) == static_cast<const void*>(this)) return;
    src.for_each_table([&](auto* t) {
      t->for_each_full([&](std::uint32_t i) {
        const K& k = key_at(t, i);
        const std::uint64_t hash = hash_of(k);
        auto [loc, is_new] = find_or_prepare_insert(k, hash);
        if (!is_new) return;
        node_type nh;
        src.take_slot(t, i, nh);
        build_from_node(loc, hash, nh);
      });
    });
  }
  template <class H2, class E2>
  void merge(Map<K, V, H2, E2, Alloc>&& src) {
    merge(src);
  }

  // Swaps allocators only under propagate_on_container_swap; otherwise
  // they must compare equal (std: undefined if not; checked in debug builds).
  void swap(Map& other) noexcept((AllocTraits::propagate_on_container_swap::value ||
                                  AllocTraits::is_always_equal::value) &&
                                 std::is_nothrow_swappable_v<H> && std::is_nothrow_swappable_v<Eq>) {
    using std::swap;
    if constexpr (AllocTraits::propagate_on_container_swap::value) {
      swap(alloc_, other.alloc_);
    } else if constexpr (!AllocTraits::is_always_equal::value) {
#ifndef NDEBUG
      if (!(alloc_ == other.alloc_)) detail::unequal_allocators_in_swap();
#endif
    }
    swap(hash_, other.hash_);
    swap(eq_, other.eq_);
    swap_storage(other);
  }
  friend void swap(Map& a, Map& b) noexcept(noexcept(a.swap(b))) { a.swap(b); }

  // ---- lookup ----------------------------------------------------------------
  template <class KK = K>
  iterator find(const key_arg<KK>& k) {
    return make_iterator<iterator>(locate(k, hash_of(k)));
  }
  template <class KK = K>
  const_iterator find(const key_arg<KK>& k) const {
    return make_iterator<const_iterator>(locate(k, hash_of(k)));
  }
  template <class KK = K>
  bool contains(const key_arg<KK>& k) const {
    return locate(k, hash_of(k)).table != nullptr;
  }
  template <class KK = K>
  size_type count(const key_arg<KK>& k) const {
    return contains<KK>(k) ? 1 : 0;
  }
  template <class KK = K>
  std::pair<iterator, iterator> equal_range(const key_arg<KK>& k) {
    iterator it = find<KK>(k);
    if (it == end()) return {it, it};
    iterator next = it;
    return {it, ++next};
  }
  template <class KK = K>
  std::pair<const_iterator, const_iterator> equal_range(const key_arg<KK>& k) const {
    const_iterator it = find<KK>(k);
    if (it == end()) return {it, it};
    const_iterator next = it;
    return {it, ++next};
  }
  template <class KK = K>
  V& at(const key_arg<KK>& k) {
    const Location loc = locate(k, hash_of(k));
    if (loc.table == nullptr) throw std::out_of_range("swiss::Map::at: key not found");
    return element(loc)->second;
  }
  template <class KK = K>
  const V& at(const key_arg<KK>& k) const {
    return const_cast<Map*>(this)->template at<KK>(k);
  }
  V& operator[](const K& k) { return element(emplace_location(k).first)->second; }
  V& operator[](K&& k) { return element(emplace_location(std::move(k)).first)->second; }

  // ---- buckets and hashing ---------------------------------------------------
  size_type bucket_count() const noexcept {
    size_type n = 0;
    for_each_table([&](Table* t) { n += t->capacity; });
    return n;
  }
  float load_factor() const noexcept {
    const size_type b = bucket_count();
    return b ? static_cast<float>(size_) / static_cast<float>(b) : 0.0f;
  }
  // As absl: 1.0 is reported and the setter is ignored. The real bound is
  // 7/8 per table (so load_factor() <= max_load_factor() always holds), fixed
  // by the design: growth is the table's, not a policy the user tunes.
  float max_load_factor() const noexcept { return 1.0f; }
  void max_load_factor(float) noexcept {}
  // rehash(n) rebuilds: it first gives back what erases left behind (tables
  // far emptier than their size, tombstones), then makes room for n buckets'
  // worth of entries. rehash(0) is the way to shrink a map (erase never does).
  void rehash(size_type buckets) {
    if (buckets > max_size()) throw std::length_error("swiss::Map::rehash: too many buckets");
    shrink();
    if (buckets != 0) reserve(buckets - buckets / 8);
  }
  // After reserve(n), inserting distinct keys until size() == n rebuilds
  // nothing, wherever their hashes land (up to ~470M entries; beyond, the
  // map is only presized).
  void reserve(size_type n);

  hasher hash_function() const { return hash_; }
  key_equal key_eq() const { return eq_; }
  allocator_type get_allocator() const noexcept { return alloc_; }

  friend bool operator==(const Map& a, const Map& b) {
    if (a.size_ != b.size_) return false;
    bool equal = true;
    a.for_each_table([&](Table* t) {
      for (std::uint32_t i = 0; equal && i < t->capacity; ++i) {
        if (!detail::is_full(t->ctrl(i))) continue;
        const value_type* e = Policy::element(t->slot(i));
        const Location loc = b.locate(e->first, b.hash_of(e->first));
        equal = loc.table != nullptr && element(loc)->second == e->second;
      }
    });
    return equal;
  }
  friend bool operator!=(const Map& a, const Map& b) { return !(a == b); }

  void check_invariants() const;

 private:
  bool needs_room(size_type n) const;
  void presize(size_type n);
  void shrink();

 public:

 private:
  struct Location {
    Table* table;  // null: not found
    std::uint32_t slot;
  };

  static value_type* element(Location loc) { return Policy::element(loc.table->slot(loc.slot)); }
  static const K& key_at(Table* t, std::uint32_t i) { return Policy::element(t->slot(i))->first; }

  template <class KK>
  std::uint64_t hash_of(const KK& k) const {
    return detail::mix(static_cast<std::uint64_t>(hash_(k)), seed_);
  }
  std::uint64_t iteration_offsets() const { return detail::mix(0x1234567, seed_); }
  size_type dir_size() const { return size_type{1} << global_depth_; }
  Table* table_at(size_type i) const { return dir_[i]; }
  // The top global_depth_ bits of the hash, as two shifts so that depth 0
  // needs no branch (a shift by 64 is undefined).
  TablePtr table_for(std::uint64_t hash) const { return dir_[(hash >> 1) >> dir_shift_]; }
  // Calls f once per table (the directory lists a table once per entry it covers).
  template <class F>
  void for_each_table(F&& f) const {
    for (size_type i = 0; i < dir_size();) {
      Table* t = table_at(i);
      if (t == nullptr) return;
      i += size_type{1} << (global_depth_ - t->local_depth);  // before f, which may free t
      f(t);
    }
  }
  size_type total_tombstones() const {
    size_type n = 0;
    for_each_table([&](Table* t) { n += t->tombstones(); });
    return n;
  }

  template <class KK>
  Location locate(const KK& key, std::uint64_t hash) const {
    const TablePtr tp = table_for(hash);
    Table* const t = tp.get();
    if (t == nullptr) return {nullptr, 0};
    const std::uint32_t cap = tp.capacity();
    const std::uint64_t* const ctrl = Table::ctrl_words_of(t);
    const auto* const slots = Table::slots_of(t, cap);
    const std::uint8_t h2 = detail::h2(hash);
    if (cap == kGroupSlots) {  // the small map: one group, no probing
      for (unsigned i : detail::CtrlWord{ctrl[0]}.match_h2(h2))
        if (eq_(Policy::element(slots + i)->first, key)) return {t, i};
      return {nullptr, 0};
    }
    detail::ProbeSeq seq(hash, cap / kGroupSlots - 1);
    // The first group's slots load while its control word is still on its
    // way: a hit then waits for one cache miss, not two in a row. (One line:
    // a miss pays for what it fetches.)
    detail::prefetch(slots + seq.offset() * kGroupSlots);
    for (;; seq.next()) {
      const detail::CtrlWord w{ctrl[seq.offset()]};
      for (unsigned i : w.match_h2(h2)) {
        const std::uint32_t s = seq.slot(i);
        if (eq_(Policy::element(slots + s)->first, key)) return {t, s};
      }
      if (w.match_empty()) return {nullptr, 0};
    }
  }

  // Finds the key, or the slot a new entry for it takes (growing first when
  // the table has no room). The second member is true when the key is new;
  // the slot is then still empty or deleted and the caller builds the entry.
  template <class KK>
  std::pair<Location, bool> find_or_prepare_insert(const KK& key, std::uint64_t hash) {
    const std::uint8_t h2 = detail::h2(hash);
    for (;;) {
      const TablePtr tp = table_for(hash);
      Table* const t = tp.get();
      if (t == nullptr) {
        single_ = Table::create(alloc_, kGroupSlots, 0, true);
        continue;
      }
      const std::uint32_t cap = tp.capacity();
      const std::uint64_t* const ctrl = Table::ctrl_words_of(t);
      const auto* const slots = Table::slots_of(t, cap);
      if (cap == kGroupSlots) {  // the small map
        const detail::CtrlWord w{ctrl[0]};
        for (unsigned i : w.match_h2(h2))
          if (eq_(Policy::element(slots + i)->first, key)) return {{t, i}, false};
        if (const detail::SlotMask empty = w.match_empty()) return {{t, empty.lowest()}, true};
        rehash_table(t);
        continue;
      }
      detail::ProbeSeq seq(hash, cap / kGroupSlots - 1);
      // As in locate; and a new entry is built in these lines more often than not.
      detail::prefetch(slots + seq.offset() * kGroupSlots);
      std::int64_t tombstone = -1;
      for (;; seq.next()) {
        const detail::CtrlWord w{ctrl[seq.offset()]};
        for (unsigned i : w.match_h2(h2)) {
          const std::uint32_t s = seq.slot(i);
          if (eq_(Policy::element(slots + s)->first, key)) return {{t, s}, false};
        }
        const detail::SlotMask empty = w.match_empty();
        if (tombstone < 0) {
          const detail::SlotMask deleted(w.match_empty_or_deleted().bits() & ~empty.bits());
          if (deleted) tombstone = seq.slot(deleted.lowest());
        }
        if (empty) {
          // A tombstone on the path is reused without spending growth.
          if (tombstone >= 0) return {{t, static_cast<std::uint32_t>(tombstone)}, true};
          if (t->growth_left > 0) return {{t, seq.slot(empty.lowest())}, true};
          break;
        }
      }
      rehash_table(t);
    }
  }

  template <class... Args>
  void build_entry(Location loc, std::uint64_t hash, Args&&... args) {
    auto* s = loc.table->slot(loc.slot);
    Policy::unpoison(s);
    try {
      Policy::construct(alloc_, s, std::forward<Args>(args)...);
    } catch (...) {
      Policy::poison(s);
      throw;
    }
    loc.table->commit_insert(loc.slot, detail::h2(hash));
    ++size_;
  }

  // try_emplace's core: the key object is built only if the key is new.
  template <class KK, class... Args>
  std::pair<Location, bool> emplace_location(KK&& k, Args&&... args) {
    const std::uint64_t hash = hash_of(k);
    auto [loc, is_new] = find_or_prepare_insert(k, hash);
    if (is_new)
      build_entry(loc, hash, std::piecewise_construct, std::forward_as_tuple(std::forward<KK>(k)),
                  std::forward_as_tuple(std::forward<Args>(args)...));
    return {loc, is_new};
  }
  template <class KK, class... Args>
  std::pair<iterator, bool> emplace_key(KK&& k, Args&&... args) {
    auto [loc, is_new] = emplace_location(std::forward<KK>(k), std::forward<Args>(args)...);
    return {make_iterator<iterator>(loc), is_new};
  }
  template <class KK, class M>
  std::pair<iterator, bool> assign_key(KK&& k, M&& obj) {
    const std::uint64_t hash = hash_of(k);
    auto [loc, is_new] = find_or_prepare_insert(k, hash);
    if (is_new)
      build_entry(loc, hash, std::forward<KK>(k), std::forward<M>(obj));
    else
      element(loc)->second = std::forward<M>(obj);
    return {make_iterator<iterator>(loc), is_new};
  }

  // emplace(args...): find the key without building the entry when the
  // arguments name it; otherwise build a temporary pair first.
  template <class A, class B>
  std::pair<iterator, bool> emplace_dispatch(A&& a, B&& b) {
    if constexpr (std::is_same_v<std::decay_t<A>, K> || (kTransparent && !std::is_same_v<std::decay_t<A>, std::piecewise_construct_t>))
      return emplace_key(std::forward<A>(a), std::forward<B>(b));
    else
      return emplace_key(K(std::forward<A>(a)), std::forward<B>(b));
  }
  template <class P>
  std::pair<iterator, bool> emplace_dispatch(P&& p) {
    using D = std::decay_t<P>;
    if constexpr (detail::is_pair<D>::value) {
      return emplace_dispatch(std::get<0>(std::forward<P>(p)), std::get<1>(std::forward<P>(p)));
    } else {
      value_type tmp(std::forward<P>(p));
      return emplace_key(tmp.first, std::move(tmp.second));
    }
  }
  template <class T1, class T2>
  std::pair<iterator, bool> emplace_dispatch(std::piecewise_construct_t, T1&& key_args, T2&& value_args) {
    if constexpr (!std::is_move_constructible_v<K>) {
      // A key that cannot be moved is built where it will live (its entry
      // is indirect, see slot.h), then looked up; a duplicate is destroyed.
      node_type nh;
      nh.emplace(alloc_, std::piecewise_construct, std::forward<T1>(key_args), std::forward<T2>(value_args));
      auto [it, inserted] = insert_node(nh);
      return {it, inserted};
    } else {
      K key = std::make_from_tuple<K>(std::forward<T1>(key_args));
      const std::uint64_t hash = hash_of(key);
      auto [loc, is_new] = find_or_prepare_insert(key, hash);
      if (is_new)
        build_entry(loc, hash, std::piecewise_construct, std::forward_as_tuple(std::move(key)),
                    std::forward<T2>(value_args));
      return {make_iterator<iterator>(loc), is_new};
    }
  }
  std::pair<iterator, bool> emplace_dispatch() { return emplace_key(K()); }
  template <class A, class B, class C, class... Rest>
  std::pair<iterator, bool> emplace_dispatch(A&& a, B&& b, C&& c, Rest&&... rest) {
    value_type tmp(std::forward<A>(a), std::forward<B>(b), std::forward<C>(c), std::forward<Rest>(rest)...);
    return emplace_key(tmp.first, std::move(tmp.second));
  }

  template <class KK>
  size_type erase_key(const KK& k) {
    const Location loc = locate(k, hash_of(k));
    if (loc.table == nullptr) return 0;
    erase_slot(loc.table, loc.slot);
    return 1;
  }
  // Erase destroys one entry and touches nothing else: no table is merged,
  // shrunk or rebuilt, so every other entry stays where it is (the C++
  // contract; memory comes back on rehash(0)).
  void erase_slot(Table* t, std::uint32_t i) {
    Policy::destroy(alloc_, t->slot(i));
    forget_slot(t, i);
  }
  // The slot's entry is gone (destroyed or handed over) and its bytes zero.
  void forget_slot(Table* t, std::uint32_t i) {
    Policy::poison(t->slot(i));
    t->commit_erase(i);
    if (--size_ == 0) seed_ = detail::draw_seed();  // Go issue 25237
  }

  // insert(node)'s core: nh is empty afterwards if (and only if) it went in.
  std::pair<iterator, bool> insert_node(node_type& nh) {
    const std::uint64_t hash = hash_of(nh.key());
    auto [loc, is_new] = find_or_prepare_insert(nh.key(), hash);
    if (is_new) build_from_node(loc, hash, nh);
    return {make_iterator<iterator>(loc), is_new};
  }
  // extract's core: the entry at (t, i) moves into the empty node and its
  // slot is erased (cleared, as every erased slot is).
  void take_slot(Table* t, std::uint32_t i, node_type& nh) {
    auto* s = t->slot(i);
    nh.fill_from(alloc_, s);
    std::memset(static_cast<void*>(s), 0, sizeof(*s));
    forget_slot(t, i);
  }
  // insert(node)'s core: the prepared slot takes the node's entry. A node
  // from a map whose allocator compares unequal cannot hand its memory over:
  // its key and value are moved into a new entry instead.
  // (std makes equal allocators a precondition of insert(node) and merge.)
  void build_from_node(Location loc, std::uint64_t hash, node_type& nh) {
    if constexpr (!AllocTraits::is_always_equal::value) {
      if (!(*nh.alloc_ == alloc_)) {
        if constexpr (std::is_move_constructible_v<K> && std::is_move_constructible_v<V>) {
          build_entry(loc, hash, std::piecewise_construct, std::forward_as_tuple(std::move(nh.key())),
                      std::forward_as_tuple(std::move(nh.mapped())));
          nh.reset();
          return;
        } else {
          detail::node_from_unequal_allocator();
        }
      }
    }
    auto* s = loc.table->slot(loc.slot);
    Policy::unpoison(s);
    try {
      nh.release_to(s);
    } catch (...) {
      Policy::poison(s);
      throw;
    }
    loc.table->commit_insert(loc.slot, detail::h2(hash));
    ++size_;
  }

  template <class It>
  It make_begin() const {
    It it;
    if (size_ != 0) it.start(this, nullptr, 0);
    return it;
  }
  template <class It>
  It make_iterator(Location loc) const {
    It it;
    if (loc.table != nullptr) it.point_at(this, loc.table, loc.slot);
    return it;
  }

  // ---- growth ------------------------------------------------------------------
  // A table ran out of growth: rebuild it at the same size when tombstones,
  // not entries, used it up; double it below kMaxTableCapacity; split it
  // above. A split that would leave one side empty (a degenerate hash) doubles
  // the table past kMaxTableCapacity instead.
  // (Each path hashes t's keys only if it rebuilds t alone: merge hashes
  // both buddies itself.)
  void rehash_table(Table* t) {
    if (t->small) return replace(t, HashBuffer(*this, t), 0, 2 * kGroupSlots);
    if (t->used <= Table::max_growth(t->capacity) / 2) {
      // Tombstones, not entries, used up the room. Inserts may move entries
      // (erases may not), so this is where a table emptied by erases gives
      // memory back: it folds into its buddy when both are nearly empty
      // (erasing from one end of the iteration order drains whole tables,
      // one after another), else it is rebuilt no bigger than twice what
      // its entries need, without its tombstones.
      if (Table* b = t->local_depth != 0 ? buddy_of(t) : nullptr;
          b != nullptr && t->used + b->used <= Table::max_growth(kMaxTableCapacity) / 4) {
        const std::uint32_t cap = capacity_for(2 * (t->used + b->used + 1), 2 * kGroupSlots);
        return t->index < b->index ? merge(t, b, cap) : merge(b, t, cap);
      }
      return replace(t, HashBuffer(*this, t), 0,
                     std::min(t->capacity, capacity_for(2 * (t->used + 1), 2 * kGroupSlots)));
    }
    // The table must grow: first fold one pair of nearly empty buddies
    // elsewhere, if a short look finds one, so that a map whose entries drift
    // across the hash space (erase(begin()) drains tables in walk order while
    // inserts land everywhere) does not spread over ever more tables.
    fold_one_drained_pair(t);
    const HashBuffer hashes(*this, t);
    if (t->capacity < kMaxTableCapacity) return replace(t, hashes, 0, t->capacity * 2);
    // Split into 2^extra tables: two for a full kMaxTableCapacity table, as
    // many as leave each about half full for a bigger one (built by reserve),
    // so that after one pause growth is bounded again.
    unsigned extra = 1;
    while ((t->used >> extra) > Table::max_growth(kMaxTableCapacity) / 2 && t->local_depth + extra < kMaxDepth) ++extra;
    if (t->local_depth + extra <= kMaxDepth && hashes.spreads(t, t->local_depth, extra))
      return replace(t, hashes, extra, kMaxTableCapacity);
    replace(t, hashes, 0, t->capacity * 2, /*oversize=*/true);
  }

  // The hashes of a table's full slots, computed before anything changes so a
  // throwing hasher leaves the map as it was.
  struct HashBuffer {
    HashBuffer(const Map& m, Table* t) : alloc(m.alloc_), n(t->capacity) {
      data = detail::allocate_raw<std::uint64_t>(alloc, n);
      try {
        t->for_each_full([&](std::uint32_t i) { data[i] = m.hash_of(key_at(t, i)); });
      } catch (...) {
        detail::deallocate_raw(alloc, data, n);
        throw;
      }
    }
    ~HashBuffer() { detail::deallocate_raw(alloc, data, n); }
    HashBuffer(const HashBuffer&) = delete;
    HashBuffer& operator=(const HashBuffer&) = delete;
    // Whether the next `extra` hash bits below the top `depth` put the
    // table's entries into more than one part (else a split moves them all
    // into one table: a degenerate hash).
    bool spreads(Table* t, unsigned depth, unsigned extra) const {
      bool first = true, spread = false;
      std::uint64_t part = 0;
      t->for_each_full([&](std::uint32_t i) {
        const std::uint64_t p = part_of(data[i], depth, extra);
        if (first) part = p, first = false;
        spread = spread || p != part;
      });
      return spread;
    }
    Alloc alloc;
    std::uint32_t n;
    std::uint64_t* data;
  };

  static std::uint32_t capacity_for(std::uint32_t entries, std::uint32_t at_least) {
    std::uint32_t cap = at_least;
    while (entries > Table::max_growth(cap)) cap *= 2;
    return cap;
  }
  // The part (0 .. 2^extra) of a table at `depth` a hash goes to when the
  // table splits by the `extra` hash bits below its top `depth` bits.
  static std::uint64_t part_of(std::uint64_t hash, unsigned depth, unsigned extra) {
    return extra == 0 ? 0 : (hash << depth) >> (64 - extra);
  }

  // A few values, inline while there are at most two (every rebuild but a
  // multi-way split), from the map's allocator otherwise.
  template <class T>
  struct Scratch {
    Scratch(const Alloc& a, std::size_t count) : alloc(a), n(count) {
      data = n <= 2 ? inline_data : detail::allocate_array<T>(alloc, n);
      for (std::size_t i = 0; i < n; ++i) data[i] = T();
    }
    ~Scratch() {
      if (data != inline_data) detail::deallocate_array(alloc, data, n);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    T& operator[](std::size_t i) { return data[i]; }
    Alloc alloc;
    std::size_t n;
    T inline_data[2] = {};
    T* data;
  };

  // Moves every entry of t into 2^extra new tables of at least `cap` slots
  // each (enough for the entries each gets) and puts them in t's place in
  // the directory. t is released; if an iterator (or an older stale table)
  // still holds it, it stays behind as a stale table forwarding each slot to
  // the entry's new home. A throw (allocation, a copying transfer) leaves
  // the map as it was.
  void replace(Table* t, const HashBuffer& hashes, unsigned extra, std::uint32_t cap, bool oversize = false) {
    const unsigned depth = t->local_depth + extra;
    ++rebuilds_;
    const unsigned from_depth = t->local_depth;
    auto destination = [&](std::uint32_t i) -> unsigned {
      return static_cast<unsigned>(part_of(hashes.data[i], from_depth, extra));
    };
    const unsigned n_new = 1u << extra;
    Scratch<std::uint32_t> counts(alloc_, n_new);
    t->for_each_full([&](std::uint32_t i) { ++counts[destination(i)]; });

    while (depth > global_depth_) grow_directory();

    Retirement out(*this, t, n_new);
    Scratch<Table*> fresh(alloc_, n_new);
    auto undo = [&] {
      for (unsigned j = 0; j < n_new; ++j)
        if (fresh[j]) Table::release(fresh[j]);
    };
    try {
      for (unsigned j = 0; j < n_new; ++j) {
        fresh[j] = Table::create(alloc_, capacity_for(counts[j], cap), static_cast<std::uint8_t>(depth), false);
        fresh[j]->oversize = fresh[j]->capacity > kMaxTableCapacity && (oversize || t->oversize);
      }
    } catch (...) {
      undo();
      throw;
    }

    try {
      transfer(t, hashes.data, fresh.data, destination, out.forward);
    } catch (...) {
      for (unsigned j = 0; j < n_new; ++j) destroy_entries(fresh[j]);
      undo();
      throw;
    }
    if constexpr (kCopyOnTransfer) destroy_entries(t);

    // Install the new tables over t's run of directory entries.
    const size_type span = size_type{1} << (global_depth_ - depth);
    for (unsigned j = 0; j < n_new; ++j) install(fresh[j], t->index + j * span);
    out.retire(fresh.data);
  }

  // Points the run of directory entries a table of its depth covers from
  // `first` at it (at depth 0 the one entry is single_).
  void install(Table* t, size_type first) {
    t->index = static_cast<std::uint32_t>(first);
    const size_type span = size_type{1} << (global_depth_ - t->local_depth);
    for (size_type e = 0; e < span; ++e) dir_[first + e] = t;
  }

  static constexpr bool kCopyOnTransfer = !Policy::kNothrowRelocate && Policy::kCanCopy;

  // Moves every entry of src into fresh[dest(i)] (or, when a move might
  // throw, copies it, leaving src whole for the caller to destroy once every
  // copy stands), and records in forward, if given, where each slot went.
  template <class Dest>
  void transfer(Table* src, const std::uint64_t* hashes, Table* const* fresh, Dest&& dest,
                detail::Forward* forward) {
    if (forward)
      for (std::uint32_t i = 0; i < src->capacity; ++i) forward[i] = {-1, 0};
    src->for_each_full([&](std::uint32_t i) {
      const unsigned j = dest(i);
      Table* d = fresh[j];
      const std::uint32_t s = d->find_insert_slot(hashes[i]);
      auto* to = d->slot(s);
      Policy::unpoison(to);
      if constexpr (kCopyOnTransfer) {
        try {
          Policy::copy(alloc_, to, src->slot(i));
        } catch (...) {
          Policy::poison(to);
          throw;
        }
      } else {
        Policy::relocate(alloc_, to, src->slot(i));
        Policy::poison(src->slot(i));
      }
      d->commit_insert_fresh(s, detail::h2(hashes[i]));
      if (forward) forward[i] = {static_cast<std::int32_t>(j), s};
    });
  }

  // Folds two buddies (the halves of the split that made them) back into one
  // table of at least `cap` slots. Only reserve and rehash merge: erase never
  // moves an entry. Iterators walking either forward into the merged table;
  // an iteration that meets the merged table later walks only the part of it
  // still ahead (iterator.h).
  void merge(Table* left, Table* right, std::uint32_t cap, bool oversize = false) {
    HashBuffer left_hashes(*this, left);
    HashBuffer right_hashes(*this, right);
    Retirement left_out(*this, left, 1), right_out(*this, right, 1);
    Table* fresh[1] = {Table::create(alloc_, capacity_for(left->used + right->used, cap),
                                     static_cast<std::uint8_t>(left->local_depth - 1), false)};
    fresh[0]->oversize = fresh[0]->capacity > kMaxTableCapacity && (oversize || left->oversize || right->oversize);
    auto to_merged = [](std::uint32_t) -> unsigned { return 0; };
    try {
      transfer(left, left_hashes.data, fresh, to_merged, left_out.forward);
      transfer(right, right_hashes.data, fresh, to_merged, right_out.forward);
    } catch (...) {
      destroy_entries(fresh[0]);
      Table::release(fresh[0]);
      throw;
    }
    if constexpr (kCopyOnTransfer) {
      destroy_entries(left);
      destroy_entries(right);
    }
    ++rebuilds_;
    install(fresh[0], left->index);
    left_out.retire(fresh);
    right_out.retire(fresh);
  }
  // The buddy of a table at local depth > 0: the table covering the other
  // half of the run the two split from (null if that half has split further).
  Table* buddy_of(Table* t) const {
    const size_type span = size_type{1} << (global_depth_ - t->local_depth);
    Table* b = table_at(t->index ^ span);
    return b->local_depth == t->local_depth ? b : nullptr;
  }
  // Looks at up to 8 tables from a cursor that moves on through the
  // directory, and tidies the first it can: merges a pair of buddies (not
  // `growing`) that together fill at most 3/8 of a kMaxTableCapacity table
  // (the merged table is then at most 3/4 full), or rebuilds a table at most
  // 1/4 full with room for half as many entries again. Each moves well under one
  // table of entries, so the pause stays bounded. Optional work, so a throw (hasher, allocation) just skips it.
  void fold_one_drained_pair(Table* growing) noexcept {
    if (global_depth_ == 0) return;
    try {
      for (int looked = 0; looked < 8; ++looked) {
        fold_cursor_ &= dir_size() - 1;
        Table* t = table_at(fold_cursor_);
        fold_cursor_ = t->index + (size_type{1} << (global_depth_ - t->local_depth));
        if (t == growing || t->capacity > kMaxTableCapacity) continue;
        Table* b = t->local_depth != 0 ? buddy_of(t) : nullptr;
        if (b != nullptr && b != growing && b->capacity <= kMaxTableCapacity &&
            t->used + b->used <= Table::max_growth(kMaxTableCapacity) * 3 / 8) {
          const std::uint32_t cap = capacity_for(2 * (t->used + b->used + 1), 2 * kGroupSlots);
          return t->index < b->index ? merge(t, b, cap) : merge(b, t, cap);
        }
        const std::uint32_t room = capacity_for(t->used + t->used / 2 + 1, 2 * kGroupSlots);
        if (t->used <= Table::max_growth(t->capacity) / 4 && room < t->capacity) {
          HashBuffer hashes(*this, t);
          return replace(t, hashes, 0, room);
        }
      }
    } catch (...) {
    }
  }

  // Sweeps the directory merging every pair of buddies `fold(left, right)`
  // accepts, until a sweep merges none.
  template <class Fold>
  void merge_buddies(Fold&& fold, std::uint32_t cap, bool oversize) {
    for (bool merged = true; merged && global_depth_ > 0;) {
      merged = false;
      for (size_type i = 0; i < dir_size();) {
        Table* t = table_at(i);
        Table* b = t->local_depth != 0 && (t->index & (size_type{1} << (global_depth_ - t->local_depth))) == 0
                       ? buddy_of(t) : nullptr;
        if (b != nullptr && fold(t, b)) {
          merge(t, b, cap, oversize);
          merged = true;
          continue;  // the merged table starts at i
        }
        i += size_type{1} << (global_depth_ - t->local_depth);
      }
    }
  }

  // A table on its way out: if someone still holds it (an iterator, or an
  // older stale table forwarding into it), it needs forwarding records for
  // where each entry goes; allocated up front so a failure changes nothing.
  struct Retirement {
    using TableRef = typename Table::TableRef;
    Retirement(Map& m, Table* t, unsigned targets) : table(t), alloc(m.alloc_), n(targets) {
      if (t->ref_count() == 1) return;
      forward = detail::allocate_array<detail::Forward>(alloc, t->capacity);
      try {
        to = detail::allocate_array<TableRef>(alloc, n);
      } catch (...) {
        detail::deallocate_array(alloc, forward, t->capacity);
        throw;
      }
    }
    ~Retirement() {
      if (forward) detail::deallocate_array(alloc, forward, table->capacity);
      if (to) detail::deallocate_array(alloc, to, n);
    }
    Retirement(const Retirement&) = delete;
    Retirement& operator=(const Retirement&) = delete;
    // The entries have moved to fresh[0..n): mark the table stale, hand it
    // its forwarding records, drop the directory's reference.
    void retire(Table* const* fresh) {
      table->used = 0;
      table->stale = true;
      if (forward) {
        for (unsigned j = 0; j < n; ++j) {
          to[j] = fresh[j];
          Table::retain(fresh[j]);
          Table::add_forwarder(fresh[j], table);
        }
        table->forward = std::exchange(forward, nullptr);
        table->forward_targets = std::exchange(to, nullptr);
        table->forward_target_count = n;
        // Older stale tables forwarding into this one now forward past it.
        for (std::uint32_t i = 0; i < table->forwarder_count; ++i) Table::forward_past(table->forwarders[i], table);
        table->forwarder_count = 0;
      }
      Table::release(table);
    }
    Table* table;
    Alloc alloc;
    unsigned n;
    detail::Forward* forward = nullptr;
    TableRef* to = nullptr;
  };

  // Doubles the directory: entry i becomes entries 2i and 2i+1.
  void grow_directory() {
    const size_type old_size = dir_size();
    TablePtr* next = detail::allocate_array<TablePtr>(alloc_, old_size * 2);
    for (size_type i = 0; i < old_size * 2; ++i) next[i] = dir_[i / 2];
    if (global_depth_ > 0) detail::deallocate_array<TablePtr>(alloc_, dir_, old_size);
    dir_ = next;
    single_ = nullptr;
    ++global_depth_;
    --dir_shift_;
    for (size_type i = 0; i < dir_size(); ++i)
      if (i == 0 || dir_[i] != dir_[i - 1]) dir_[i]->index = static_cast<std::uint32_t>(i);
  }

  // ---- teardown ----------------------------------------------------------------
  void destroy_entries(Table* t) {
    t->for_each_full([&](std::uint32_t i) {
      Policy::destroy(alloc_, t->slot(i));
      Policy::poison(t->slot(i));
      t->set_ctrl(i, detail::kCtrlEmpty);
    });
    t->used = 0;
  }
  void destroy_all() {
    for_each_table([&](Table* t) {
      destroy_entries(t);
      t->stale = true;  // an iterator that outlives the map sees nothing more
      Table::release(t);
    });
    if (global_depth_ > 0) detail::deallocate_array<TablePtr>(alloc_, dir_, dir_size());
    single_ = nullptr;
    set_depth_zero();
    size_ = 0;
  }
  // At depth 0 the directory is single_ itself, so dir_ points into *this
  // and moving the storage between maps re-points it.
  void set_depth_zero() noexcept {
    dir_ = std::addressof(single_);
    global_depth_ = 0;
    dir_shift_ = 63;
  }
  void steal(Map& other) noexcept {
    single_ = std::exchange(other.single_, nullptr);
    dir_ = other.global_depth_ == 0 ? std::addressof(single_) : static_cast<TablePtr*>(other.dir_);
    global_depth_ = other.global_depth_;
    dir_shift_ = other.dir_shift_;
    other.set_depth_zero();
    size_ = std::exchange(other.size_, 0);
    seed_ = std::exchange(other.seed_, detail::draw_seed());
  }
  void swap_storage(Map& other) noexcept {
    using std::swap;
    swap(single_, other.single_);
    swap(dir_, other.dir_);
    swap(global_depth_, other.global_depth_);
    swap(dir_shift_, other.dir_shift_);
    if (global_depth_ == 0) dir_ = std::addressof(single_);
    if (other.global_depth_ == 0) other.dir_ = std::addressof(other.single_);
    swap(size_, other.size_);
    swap(seed_, other.seed_);
  }
  // The end of every assignment that takes over src's storage (a copy
  // built for it, or a moved-from map whose memory our allocator can free):
  // drop our entries, then take src's hasher, key_eq, allocator (when
  // Propagate) and tables.
  template <class Propagate>
  void adopt(Map& src, Propagate) {
    destroy_all();
    hash_ = std::move(src.hash_);
    eq_ = std::move(src.eq_);
    if constexpr (Propagate::value) alloc_ = std::move(src.alloc_);
    steal(src);
  }
  // Moves every entry of other (whose allocator is not ours) into this
  // map, then empties other.
  void move_entries_from(Map& other) {
    presize(other.size());
    for (value_type& v : other) emplace_key(std::move(const_cast<K&>(v.first)), std::move(v.second));
    other.clear();
  }

  TablePtr single_ = nullptr;  // the only table while global_depth_ == 0
  DirPtr dir_ = std::addressof(single_);  // 2^global_depth_ entries (&single_ at depth 0)
  size_type size_ = 0;
  std::uint64_t seed_;
  std::uint8_t global_depth_ = 0;
  std::uint8_t dir_shift_ = 63;  // 63 - global_depth_
  // Tables rebuilt so far (grown, split, rebuilt in place, merged): what
  // moves entries. Debug builds use it to catch stale positioned iterators;
  // the suite reads it (TestAccess::rebuilds) to check which ops may move.
  std::uint64_t rebuilds_ = 0;
  size_type fold_cursor_ = 0;  // where fold_one_drained_pair looks next
  [[no_unique_address]] H hash_;
  [[no_unique_address]] Eq eq_;
  [[no_unique_address]] Alloc alloc_;
};

// Whether making room for n entries has anything to do (reserve, presize).
template <class K, class V, class H, class Eq, class A>
bool Map<K, V, H, Eq, A>::needs_room(size_type n) const {
  if (n > max_size()) throw std::length_error("swiss::Map::reserve: too many entries");
  if (n <= size_) return false;
  // Up to 8 entries fit the small map, built by the first insert (as Go's
  // map with a hint <= 8 allocates nothing up front).
  return !(n <= kGroupSlots && global_depth_ == 0 && (single_ == nullptr || single_->small));
}

template <class K, class V, class H, class Eq, class A>
void Map<K, V, H, Eq, A>::reserve(size_type n) {
  if (!needs_room(n)) return;
  if (n > Table::max_growth(kMaxReserveCapacity)) return presize(n);
  const std::uint32_t need = static_cast<std::uint32_t>(n - size_);
  if (global_depth_ == 0 && single_ == nullptr) {
    Table* t = Table::create(alloc_, capacity_for(need, 2 * kGroupSlots), 0, false);
    t->oversize = t->capacity > kMaxTableCapacity;
    single_ = t;
    return;
  }
  // The new keys may all land in one table, so every table needs room for
  // all of them. When giving each that room costs more than twice one table
  // for all n entries, fold the tables into one first (as absl's one array).
  auto has_room = [&](Table* t) { return !t->small && t->growth_left >= need; };
  size_type per_table = 0;
  for_each_table([&](Table* t) { per_table += has_room(t) ? t->capacity : capacity_for(t->used + need, 2 * kGroupSlots); });
  if (global_depth_ > 0 && per_table > 2 * size_type{capacity_for(static_cast<std::uint32_t>(n), 2 * kGroupSlots)})
    merge_buddies([](Table*, Table*) { return true; }, 2 * kGroupSlots, /*oversize=*/true);
  for (size_type i = 0; i < dir_size();) {
    Table* t = table_at(i);
    if (!has_room(t)) {
      HashBuffer hashes(*this, t);
      replace(t, hashes, 0, capacity_for(t->used + need, 2 * kGroupSlots), /*oversize=*/true);
      continue;
    }
    i += size_type{1} << (global_depth_ - t->local_depth);
  }
}

// Room for n entries spread evenly (a copy's layout): tables of
// kMaxTableCapacity under a directory deep enough, with no promise that
// an uneven spread does not split one.
template <class K, class V, class H, class Eq, class A>
void Map<K, V, H, Eq, A>::presize(size_type n) {
  if (!needs_room(n)) return;
  const std::uint32_t per_table = Table::max_growth(kMaxTableCapacity);
  if (global_depth_ == 0 && single_ == nullptr)
    single_ = Table::create(alloc_, capacity_for(static_cast<std::uint32_t>(std::min<size_type>(n, per_table)), 16),
                            0, false);
  unsigned depth = 0;
  while ((size_type{per_table} << depth) < n) ++depth;
  const std::uint32_t want_cap =
      depth > 0 ? static_cast<std::uint32_t>(kMaxTableCapacity) : capacity_for(static_cast<std::uint32_t>(n), 16);
  for (size_type i = 0; i < dir_size();) {
    Table* t = table_at(i);
    if (t->small || t->capacity < want_cap) {
      HashBuffer hashes(*this, t);
      replace(t, hashes, 0, want_cap);
      continue;
    }
    if (t->local_depth < depth) {
      HashBuffer hashes(*this, t);
      replace(t, hashes, 1, kMaxTableCapacity);
      continue;
    }
    i += size_type{1} << (global_depth_ - t->local_depth);
  }
}

// What rehash does before it makes room: buddies whose entries fit half a
// kMaxTableCapacity table fold back into one, then every table is rebuilt
// at the smallest capacity for its entries (which drops its tombstones).
template <class K, class V, class H, class Eq, class A>
void Map<K, V, H, Eq, A>::shrink() {
  if (global_depth_ == 0 && (single_ == nullptr || single_->small)) return;
  merge_buddies([](Table* l, Table* r) { return l->used + r->used <= Table::max_growth(kMaxTableCapacity) / 2; },
                2 * kGroupSlots, /*oversize=*/false);
  for (size_type i = 0; i < dir_size();) {
    Table* t = table_at(i);
    if (!t->small && (t->capacity > capacity_for(t->used, 2 * kGroupSlots) || t->tombstones() != 0)) {
      HashBuffer hashes(*this, t);
      replace(t, hashes, 0, 2 * kGroupSlots);
      t = table_at(i);
    }
    i += size_type{1} << (global_depth_ - t->local_depth);
  }
}

template <class K, class V, class H, class Eq, class A, class Pred>
typename Map<K, V, H, Eq, A>::size_type erase_if(Map<K, V, H, Eq, A>& m, Pred pred) {
  typename Map<K, V, H, Eq, A>::size_type n = 0;
  for (auto it = m.begin(); it != m.end();) {
    if (pred(*it)) {
      it = m.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace swiss

#include "swiss/invariants.h"
