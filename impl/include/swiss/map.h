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
//
// The parts, one concept per header: ctrl.h (control bytes, matching a
// group), probe.h (the probe sequence over a table's groups), slot.h (how an
// entry is stored: inline or behind a pointer), table.h (one table: groups,
// counts, reference counts, forwarding records), directory.h (which table
// owns a hash), growth.h (making room: every rebuild, the only code that
// moves entries), iterator.h (iteration with Go's guarantees), hash.h,
// node_handle.h, pointer.h. This file is the public API over them: lookup,
// insert and erase on the tables the directory names, and the C++ contract.
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
#include "swiss/directory.h"
#include "swiss/growth.h"
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
  using Directory = detail::Directory<Table, Alloc>;
  using TablePtr = typename Directory::Entry;
  friend class detail::MapIterator<Map, false>;
  friend class detail::MapIterator<Map, true>;
  friend class detail::Growth<Map>;
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
    detail::Growth<Map>(*this).presize(other.size());
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
      dir_.for_each_table([&](Table* t) {
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
  // copy of a key or value, but for an inline entry whose move may throw: it
  // is copied into its new slot, and the original destroyed once the copy
  // stands, as growth does); the rest stay in src, where they were. A throw
  // (a hasher, an allocation while this map grows, such a copy) stops the
  // merge between entries: each is in one map or the other.
  template <class H2, class E2>
  void merge(Map<K, V, H2, E2, Alloc>& src) {
    if (static_cast<const void*>(std::addressof(src)) == static_cast<const void*>(this)) return;
    src.dir_.for_each_table([&](auto* t) {
      t->for_each_full([&](std::uint32_t i) {
        const K& k = key_at(t, i);
        const std::uint64_t hash = hash_of(k);
        auto [loc, is_new] = find_or_prepare_insert(k, hash);
        if (!is_new) return;
        // Through a node such an entry would be copied twice, and a throw
        // at the second copy would destroy it with the node, in neither map.
        if constexpr (!Policy::kNothrowRelocate && Policy::kCanCopy) {
          build_entry(loc, hash, std::as_const(*Policy::element(t->slot(i))));
          return src.erase_slot(t, i);
        }
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
    dir_.for_each_table([&](Table* t) { n += t->capacity; });
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
    detail::Growth<Map>(*this).shrink();
    if (buckets != 0) reserve(buckets - buckets / 8);
  }
  // After reserve(n), inserting distinct keys until size() == n rebuilds
  // nothing, wherever their hashes land (up to ~470M entries; beyond, the
  // map is only presized).
  void reserve(size_type n) { detail::Growth<Map>(*this).reserve(n); }

  hasher hash_function() const { return hash_; }
  key_equal key_eq() const { return eq_; }
  allocator_type get_allocator() const noexcept { return alloc_; }

  friend bool operator==(const Map& a, const Map& b) {
    if (a.size_ != b.size_) return false;
    bool equal = true;
    a.dir_.for_each_table([&](Table* t) {
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
  // Where a key is (or goes): its table and slot number, and the slot's
  // address, computed once by the probe from the directory entry, so that
  // nothing after the probe (the iterator find returns, at(), building the
  // entry) reads the table header to find the slot again.
  struct Location {
    Table* table;  // null: not found
    std::uint32_t slot;
    typename Policy::Slot* at;
  };

  static value_type* element(Location loc) { return Policy::element(loc.at); }
  static const K& key_at(Table* t, std::uint32_t i) { return Policy::element(t->slot(i))->first; }

  template <class KK>
  std::uint64_t hash_of(const KK& k) const {
    return detail::mix(static_cast<std::uint64_t>(hash_(k)), seed_);
  }
  std::uint64_t iteration_offsets() const { return detail::mix(0x1234567, seed_); }
  size_type total_tombstones() const {
    size_type n = 0;
    dir_.for_each_table([&](Table* t) { n += t->tombstones(); });
    return n;
  }

  template <class KK>
  Location locate(const KK& key, std::uint64_t hash) const {
    const TablePtr tp = dir_.entry_for(hash);
    Table* const t = tp.get();
    if (t == nullptr) return {nullptr, 0, nullptr};
    const std::uint32_t cap = tp.capacity();
    const std::uint64_t* const ctrl = Table::ctrl_words_of(t);
    auto* const slots = Table::slots_of(t, cap);  // not const: a Location holds a slot pointer
    const std::uint8_t h2 = detail::h2(hash);
    if (cap == kGroupSlots) {  // the small map: one group, no probing
      for (unsigned i : detail::CtrlWord{ctrl[0]}.match_h2(h2))
        if (eq_(Policy::element(slots + i)->first, key)) return {t, i, slots + i};
      return {nullptr, 0, nullptr};
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
        if (eq_(Policy::element(slots + s)->first, key)) return {t, s, slots + s};
      }
      if (w.match_empty()) return {nullptr, 0, nullptr};
    }
  }

  // Finds the key, or the slot a new entry for it takes (growing first when
  // the table has no room). The second member is true when the key is new;
  // the slot is then still empty or deleted and the caller builds the entry.
  template <class KK>
  std::pair<Location, bool> find_or_prepare_insert(const KK& key, std::uint64_t hash) {
    const std::uint8_t h2 = detail::h2(hash);
    for (;;) {
      const TablePtr tp = dir_.entry_for(hash);
      Table* const t = tp.get();
      if (t == nullptr) {  // the map's first table: the small map
        dir_.install_first(Table::create(alloc_, kGroupSlots, 0, true));
        continue;
      }
      const std::uint32_t cap = tp.capacity();
      const std::uint64_t* const ctrl = Table::ctrl_words_of(t);
      auto* const slots = Table::slots_of(t, cap);  // not const: a Location holds a slot pointer
      if (cap == kGroupSlots) {  // the small map
        const detail::CtrlWord w{ctrl[0]};
        for (unsigned i : w.match_h2(h2))
          if (eq_(Policy::element(slots + i)->first, key)) return {{t, i, slots + i}, false};
        if (const detail::SlotMask empty = w.match_empty()) {
          const unsigned i = empty.lowest();
          return {{t, i, slots + i}, true};
        }
        detail::Growth<Map>::make_room(*this, t);
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
          if (eq_(Policy::element(slots + s)->first, key)) return {{t, s, slots + s}, false};
        }
        const detail::SlotMask empty = w.match_empty();
        if (tombstone < 0) {
          const detail::SlotMask deleted(w.match_empty_or_deleted().bits() & ~empty.bits());
          if (deleted) tombstone = seq.slot(deleted.lowest());
        }
        if (empty) {
          // A tombstone on the path is reused without spending growth.
          if (tombstone >= 0) {
            const auto s = static_cast<std::uint32_t>(tombstone);
            return {{t, s, slots + s}, true};
          }
          if (t->growth_left > 0) {
            const std::uint32_t s = seq.slot(empty.lowest());
            return {{t, s, slots + s}, true};
          }
          break;
        }
      }
      detail::Growth<Map>::make_room(*this, t);
    }
  }

  template <class... Args>
  void build_entry(Location loc, std::uint64_t hash, Args&&... args) {
    auto* const s = loc.at;
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
    erase_slot(loc.table, loc.slot, loc.at);
    return 1;
  }
  // Erase destroys one entry and touches nothing else: no table is merged,
  // shrunk or rebuilt, so every other entry stays where it is (the C++
  // contract; memory comes back on rehash(0)). s is t->slot(i) (a template
  // parameter, as in MapIterator::point_at).
  template <class Slot>
  void erase_slot(Table* t, std::uint32_t i, Slot* s) {
    Policy::destroy(alloc_, s);
    forget_slot(t, i);
  }
  void erase_slot(Table* t, std::uint32_t i) { erase_slot(t, i, t->slot(i)); }
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
    auto* const s = loc.at;
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
    if (loc.table != nullptr) it.point_at(this, loc.table, loc.slot, loc.at);
    return it;
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
    dir_.for_each_table([&](Table* t) {
      destroy_entries(t);
      t->stale = true;  // an iterator that outlives the map sees nothing more
      Table::release(t);
    });
    dir_.reset(alloc_);
    size_ = 0;
  }
  void steal(Map& other) noexcept {
    dir_.steal(other.dir_);
    size_ = std::exchange(other.size_, 0);
    seed_ = std::exchange(other.seed_, detail::draw_seed());
  }
  void swap_storage(Map& other) noexcept {
    using std::swap;
    dir_.swap(other.dir_);
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
    detail::Growth<Map>(*this).presize(other.size());
    for (value_type& v : other) emplace_key(std::move(const_cast<K&>(v.first)), std::move(v.second));
    other.clear();
  }

  Directory dir_;  // which table owns a hash (directory.h)
  size_type size_ = 0;
  std::uint64_t seed_;
  // Tables rebuilt so far (grown, split, rebuilt in place, merged): what
  // moves entries. Debug builds use it to catch stale positioned iterators;
  // the suite reads it (TestAccess::rebuilds) to check which ops may move.
  std::uint64_t rebuilds_ = 0;
  size_type fold_cursor_ = 0;  // where fold_one_drained_pair looks next
  [[no_unique_address]] H hash_;
  [[no_unique_address]] Eq eq_;
  [[no_unique_address]] Alloc alloc_;
};

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
