// Growth: how a map makes room, and the only code that moves entries.
//
// An insert that finds its table without room rebuilds that table alone
// (make_room): without its tombstones when they, not entries, used the room
// (folded into its buddy when both are nearly empty); doubled while it is
// below kMaxTableCapacity; split by the next hash bits above, the directory
// doubling first when the table is at the global depth; doubled past
// kMaxTableCapacity, flagged oversize, when the hash cannot split it. So no
// insert moves more than one table (plus one nearly empty pair it tidies on
// the way), where a flat table moves every entry at once. reserve, presize
// and rehash's shrink are the other callers, and may rebuild every table.
//
// Every rebuild has the same shape (replace, merge): hash the old tables'
// keys first, into a HashBuffer, so a throwing hasher changes nothing;
// build the new tables; transfer the entries (relocated, or copied when a
// move may throw, so that a throw leaves the old table whole); install the
// new tables in the directory; retire the old ones. Retiring a table an
// iterator still holds leaves it behind as a stale table with a forwarding
// record per slot (Retirement), so the iterator follows each entry to its
// new home (iterator.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "swiss/ctrl.h"
#include "swiss/pointer.h"
#include "swiss/table.h"

namespace swiss::detail {

// M is the map, whose friend this is: Growth works on the map's directory,
// allocator, size, rebuild count and fold cursor, and hashes with its hasher.
template <class M>
class Growth {
  using Table = typename M::Table;
  using Policy = typename M::Policy;
  using Alloc = typename M::allocator_type;
  using size_type = typename M::size_type;

  // The largest table reserve(n) builds to keep its promise (its growth
  // arithmetic stays in 32 bits).
  static constexpr std::uint32_t kMaxReserveCapacity = std::uint32_t{1} << 29;

 public:
  explicit Growth(M& m) : m_(m) {}

  // An insert found table t without room: rebuild it (rehash_table), after
  // which the insert looks again. Out of line and static, so the insert
  // path pays one call with the map and the table in registers, as for any
  // cold function, and no Growth object.
  [[gnu::noinline]] static void make_room(M& m, Table* t) { Growth(m).rehash_table(t); }

  // reserve(n), presize(n) and shrink() below are called as
  // Growth(map).reserve(n): not on any lookup or insert path.

 private:
  // A table ran out of growth: rebuild it at the same size when tombstones,
  // not entries, used it up; double it below kMaxTableCapacity; split it
  // above. A split that would leave one side empty (a degenerate hash) doubles
  // the table past kMaxTableCapacity instead.
  // (Each path hashes t's keys only if it rebuilds t alone: merge hashes
  // both buddies itself.)
  void rehash_table(Table* t) {
    if (t->small) return replace(t, HashBuffer(m_, t), 0, 2 * kGroupSlots);
    if (t->used <= Table::max_growth(t->capacity) / 2) {
      // Tombstones, not entries, used up the room. Inserts may move entries
      // (erases may not), so this is where a table emptied by erases gives
      // memory back: it folds into its buddy when both are nearly empty
      // (erasing from one end of the iteration order drains whole tables,
      // one after another), else it is rebuilt no bigger than twice what
      // its entries need, without its tombstones.
      if (Table* b = t->local_depth != 0 ? dir().buddy_of(t) : nullptr;
          b != nullptr && t->used + b->used <= Table::max_growth(kMaxTableCapacity) / 4) {
        const std::uint32_t cap = capacity_for(2 * (t->used + b->used + 1), 2 * kGroupSlots);
        return t->index < b->index ? merge(t, b, cap) : merge(b, t, cap);
      }
      return replace(t, HashBuffer(m_, t), 0,
                     std::min(t->capacity, capacity_for(2 * (t->used + 1), 2 * kGroupSlots)));
    }
    // The table must grow: first fold one pair of nearly empty buddies
    // elsewhere, if a short look finds one, so that a map whose entries drift
    // across the hash space (erase(begin()) drains tables in walk order while
    // inserts land everywhere) does not spread over ever more tables.
    fold_one_drained_pair(t);
    const HashBuffer hashes(m_, t);
    if (t->capacity < kMaxTableCapacity) return replace(t, hashes, 0, t->capacity * 2);
    // Split into 2^split_bits tables: two for a full kMaxTableCapacity table, as
    // many as leave each about half full for a bigger one (built by reserve),
    // so that after one pause growth is bounded again.
    unsigned split_bits = 1;
    while ((t->used >> split_bits) > Table::max_growth(kMaxTableCapacity) / 2 && t->local_depth + split_bits < M::kMaxDepth)
      ++split_bits;
    if (t->local_depth + split_bits <= M::kMaxDepth && hashes.spreads(t, t->local_depth, split_bits))
      return replace(t, hashes, split_bits, kMaxTableCapacity);
    replace(t, hashes, 0, t->capacity * 2, /*oversize=*/true);
  }

 public:
  // After reserve(n), inserting distinct keys until size() == n rebuilds
  // nothing, wherever their hashes land: every table gets room for all
  // n - size() new keys (beyond kMaxReserveCapacity, the map is only presized).
  void reserve(size_type n) {
    if (!needs_room(n)) return;
    if (n > Table::max_growth(kMaxReserveCapacity)) return presize(n);
    const std::uint32_t need = static_cast<std::uint32_t>(n - m_.size_);
    if (dir().empty()) {
      Table* t = Table::create(m_.alloc_, capacity_for(need, 2 * kGroupSlots), 0, false);
      t->oversize = t->capacity > kMaxTableCapacity;
      dir().install_first(t);
      return;
    }
    // The new keys may all land in one table, so every table needs room for
    // all of them. When giving each that room costs more than twice one table
    // for all n entries, fold the tables into one first (as absl's one array).
    auto has_room = [&](Table* t) { return !t->small && t->growth_left >= need; };
    size_type per_table = 0;
    dir().for_each_table([&](Table* t) { per_table += has_room(t) ? t->capacity : capacity_for(t->used + need, 2 * kGroupSlots); });
    if (!dir().single() && per_table > 2 * size_type{capacity_for(static_cast<std::uint32_t>(n), 2 * kGroupSlots)})
      merge_buddies([](Table*, Table*) { return true; }, 2 * kGroupSlots, /*oversize=*/true);
    for (size_type i = 0; i < dir().size();) {
      Table* t = dir().at(i);
      if (!has_room(t)) {
        HashBuffer hashes(m_, t);
        replace(t, hashes, 0, capacity_for(t->used + need, 2 * kGroupSlots), /*oversize=*/true);
        continue;
      }
      i += dir().span(t);
    }
  }

  // Room for n entries spread evenly (a copy's layout): tables of
  // kMaxTableCapacity under a directory deep enough, with no promise that
  // an uneven spread does not split one.
  void presize(size_type n) {
    if (!needs_room(n)) return;
    const std::uint32_t per_table = Table::max_growth(kMaxTableCapacity);
    if (dir().empty())
      dir().install_first(Table::create(
          m_.alloc_, capacity_for(static_cast<std::uint32_t>(std::min<size_type>(n, per_table)), 16), 0, false));
    unsigned depth = 0;
    while ((size_type{per_table} << depth) < n) ++depth;
    const std::uint32_t want_cap =
        depth > 0 ? static_cast<std::uint32_t>(kMaxTableCapacity) : capacity_for(static_cast<std::uint32_t>(n), 16);
    for (size_type i = 0; i < dir().size();) {
      Table* t = dir().at(i);
      if (t->small || t->capacity < want_cap) {
        HashBuffer hashes(m_, t);
        replace(t, hashes, 0, want_cap);
        continue;
      }
      if (t->local_depth < depth) {
        HashBuffer hashes(m_, t);
        replace(t, hashes, 1, kMaxTableCapacity);
        continue;
      }
      i += dir().span(t);
    }
  }

  // What rehash does before it makes room: buddies whose entries fit half a
  // kMaxTableCapacity table fold back into one, then every table is rebuilt
  // at the smallest capacity for its entries (which drops its tombstones).
  void shrink() {
    if (dir().single() && (dir().at(0) == nullptr || dir().at(0)->small)) return;
    merge_buddies([](Table* l, Table* r) { return l->used + r->used <= Table::max_growth(kMaxTableCapacity) / 2; },
                  2 * kGroupSlots, /*oversize=*/false);
    for (size_type i = 0; i < dir().size();) {
      Table* t = dir().at(i);
      if (!t->small && (t->capacity > capacity_for(t->used, 2 * kGroupSlots) || t->tombstones() != 0)) {
        HashBuffer hashes(m_, t);
        replace(t, hashes, 0, 2 * kGroupSlots);
        t = dir().at(i);
      }
      i += dir().span(t);
    }
  }

 private:
  // The hashes of a table's full slots, computed before anything changes so a
  // throwing hasher leaves the map as it was.
  struct HashBuffer {
    HashBuffer(const M& m, Table* t) : alloc(m.alloc_), n(t->capacity) {
      data = allocate_raw<std::uint64_t>(alloc, n);
      try {
        t->for_each_full([&](std::uint32_t i) { data[i] = m.hash_of(M::key_at(t, i)); });
      } catch (...) {
        deallocate_raw(alloc, data, n);
        throw;
      }
    }
    ~HashBuffer() { deallocate_raw(alloc, data, n); }
    HashBuffer(const HashBuffer&) = delete;
    HashBuffer& operator=(const HashBuffer&) = delete;
    // Whether the next `split_bits` hash bits below the top `depth` put the
    // table's entries into more than one part (else a split moves them all
    // into one table: a degenerate hash).
    bool spreads(Table* t, unsigned depth, unsigned split_bits) const {
      bool first = true, spread = false;
      std::uint64_t part = 0;
      t->for_each_full([&](std::uint32_t i) {
        const std::uint64_t p = part_of(data[i], depth, split_bits);
        if (first) part = p, first = false;
        spread = spread || p != part;
      });
      return spread;
    }
    Alloc alloc;
    std::uint32_t n;
    std::uint64_t* data;
  };

  // A few values, inline while there are at most two (every rebuild but a
  // multi-way split), from the map's allocator otherwise.
  template <class T>
  struct Scratch {
    Scratch(const Alloc& a, std::size_t count) : alloc(a), n(count) {
      data = n <= 2 ? inline_data : allocate_array<T>(alloc, n);
      for (std::size_t i = 0; i < n; ++i) data[i] = T();
    }
    ~Scratch() {
      if (data != inline_data) deallocate_array(alloc, data, n);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    T& operator[](std::size_t i) { return data[i]; }
    Alloc alloc;
    std::size_t n;
    T inline_data[2] = {};
    T* data;
  };

  // A table on its way out: if someone still holds it (an iterator, or an
  // older stale table forwarding into it), it needs forwarding records for
  // where each entry goes; allocated up front so a failure changes nothing.
  struct Retirement {
    using TableRef = typename Table::TableRef;
    Retirement(const Alloc& a, Table* t, unsigned targets) : table(t), alloc(a), n(targets) {
      if (t->ref_count() == 1) return;
      forward = allocate_array<Forward>(alloc, t->capacity);
      try {
        to = allocate_array<TableRef>(alloc, n);
      } catch (...) {
        deallocate_array(alloc, forward, t->capacity);
        throw;
      }
    }
    ~Retirement() {
      if (forward) deallocate_array(alloc, forward, table->capacity);
      if (to) deallocate_array(alloc, to, n);
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
    Forward* forward = nullptr;
    TableRef* to = nullptr;
  };

  static std::uint32_t capacity_for(std::uint32_t entries, std::uint32_t at_least) {
    std::uint32_t cap = at_least;
    while (entries > Table::max_growth(cap)) cap *= 2;
    return cap;
  }
  // The part (0 .. 2^split_bits) of a table at `depth` a hash goes to when the
  // table splits by the `split_bits` hash bits below its top `depth` bits.
  static std::uint64_t part_of(std::uint64_t hash, unsigned depth, unsigned split_bits) {
    return split_bits == 0 ? 0 : (hash << depth) >> (64 - split_bits);
  }

  // Whether making room for n entries has anything to do (reserve, presize).
  bool needs_room(size_type n) const {
    if (n > m_.max_size()) throw std::length_error("swiss::Map::reserve: too many entries");
    if (n <= m_.size_) return false;
    // Up to 8 entries fit the small map, built by the first insert (as Go's
    // map with a hint <= 8 allocates nothing up front).
    return !(n <= kGroupSlots && dir().single() && (dir().at(0) == nullptr || dir().at(0)->small));
  }

  // Moves every entry of t into 2^split_bits new tables of at least `cap` slots
  // each (enough for the entries each gets) and puts them in t's place in
  // the directory. t is released; if an iterator (or an older stale table)
  // still holds it, it stays behind as a stale table forwarding each slot to
  // the entry's new home. A throw (allocation, a copying transfer) leaves
  // the map as it was. split_bits: how many hash bits below t's depth pick
  // an entry's new table (0 rebuilds t as one table, 1 splits it in two).
  void replace(Table* t, const HashBuffer& hashes, unsigned split_bits, std::uint32_t cap, bool oversize = false) {
    const unsigned depth = t->local_depth + split_bits;
    ++m_.rebuilds_;
    const unsigned from_depth = t->local_depth;
    auto destination = [&](std::uint32_t i) -> unsigned {
      return static_cast<unsigned>(part_of(hashes.data[i], from_depth, split_bits));
    };
    const unsigned n_new = 1u << split_bits;
    Scratch<std::uint32_t> counts(m_.alloc_, n_new);
    t->for_each_full([&](std::uint32_t i) { ++counts[destination(i)]; });

    while (depth > dir().depth()) dir().grow(m_.alloc_);

    Retirement out(m_.alloc_, t, n_new);
    Scratch<Table*> fresh(m_.alloc_, n_new);
    auto undo = [&] {
      for (unsigned j = 0; j < n_new; ++j)
        if (fresh[j]) Table::release(fresh[j]);
    };
    try {
      for (unsigned j = 0; j < n_new; ++j) {
        fresh[j] = Table::create(m_.alloc_, capacity_for(counts[j], cap), static_cast<std::uint8_t>(depth), false);
        fresh[j]->oversize = fresh[j]->capacity > kMaxTableCapacity && (oversize || t->oversize);
      }
    } catch (...) {
      undo();
      throw;
    }

    try {
      transfer(t, hashes.data, fresh.data, destination, out.forward);
    } catch (...) {
      for (unsigned j = 0; j < n_new; ++j) m_.destroy_entries(fresh[j]);
      undo();
      throw;
    }
    if constexpr (kCopyOnTransfer) m_.destroy_entries(t);

    // Install the new tables over t's run of directory entries.
    const size_type span = size_type{1} << (dir().depth() - depth);
    for (unsigned j = 0; j < n_new; ++j) dir().install(fresh[j], t->index + j * span);
    out.retire(fresh.data);
  }

  static constexpr bool kCopyOnTransfer = !Policy::kNothrowRelocate && Policy::kCanCopy;

  // Moves every entry of src into fresh[dest(i)] (or, when a move might
  // throw, copies it, leaving src whole for the caller to destroy once every
  // copy stands), and records in forward, if given, where each slot went.
  template <class Dest>
  void transfer(Table* src, const std::uint64_t* hashes, Table* const* fresh, Dest&& dest, Forward* forward) {
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
          Policy::copy(m_.alloc_, to, src->slot(i));
        } catch (...) {
          Policy::poison(to);
          throw;
        }
      } else {
        Policy::relocate(m_.alloc_, to, src->slot(i));
        Policy::poison(src->slot(i));
      }
      d->commit_insert_fresh(s, h2(hashes[i]));
      if (forward) forward[i] = {static_cast<std::int32_t>(j), s};
    });
  }

  // Folds two buddies (the halves of the split that made them) back into one
  // table of at least `cap` slots. Only reserve and rehash merge: erase never
  // moves an entry. Iterators walking either forward into the merged table;
  // an iteration that meets the merged table later walks only the part of it
  // still ahead (iterator.h).
  void merge(Table* left, Table* right, std::uint32_t cap, bool oversize = false) {
    HashBuffer left_hashes(m_, left);
    HashBuffer right_hashes(m_, right);
    Retirement left_out(m_.alloc_, left, 1), right_out(m_.alloc_, right, 1);
    Table* fresh[1] = {Table::create(m_.alloc_, capacity_for(left->used + right->used, cap),
                                     static_cast<std::uint8_t>(left->local_depth - 1), false)};
    fresh[0]->oversize = fresh[0]->capacity > kMaxTableCapacity && (oversize || left->oversize || right->oversize);
    auto to_merged = [](std::uint32_t) -> unsigned { return 0; };
    try {
      transfer(left, left_hashes.data, fresh, to_merged, left_out.forward);
      transfer(right, right_hashes.data, fresh, to_merged, right_out.forward);
    } catch (...) {
      m_.destroy_entries(fresh[0]);
      Table::release(fresh[0]);
      throw;
    }
    if constexpr (kCopyOnTransfer) {
      m_.destroy_entries(left);
      m_.destroy_entries(right);
    }
    ++m_.rebuilds_;
    dir().install(fresh[0], left->index);
    left_out.retire(fresh);
    right_out.retire(fresh);
  }

  // Looks at up to 8 tables from a cursor that moves on through the
  // directory, and tidies the first it can: merges a pair of buddies (not
  // `growing`) that together fill at most 3/8 of a kMaxTableCapacity table
  // (the merged table is then at most 3/4 full), or rebuilds a table at most
  // 1/4 full with room for half as many entries again. Each moves well under one
  // table of entries, so the pause stays bounded. Optional work, so a throw (hasher, allocation) just skips it.
  void fold_one_drained_pair(Table* growing) noexcept {
    if (dir().single()) return;
    try {
      for (int looked = 0; looked < 8; ++looked) {
        m_.fold_cursor_ &= dir().size() - 1;
        Table* t = dir().at(m_.fold_cursor_);
        m_.fold_cursor_ = t->index + dir().span(t);
        if (t == growing || t->capacity > kMaxTableCapacity) continue;
        Table* b = t->local_depth != 0 ? dir().buddy_of(t) : nullptr;
        if (b != nullptr && b != growing && b->capacity <= kMaxTableCapacity &&
            t->used + b->used <= Table::max_growth(kMaxTableCapacity) * 3 / 8) {
          const std::uint32_t cap = capacity_for(2 * (t->used + b->used + 1), 2 * kGroupSlots);
          return t->index < b->index ? merge(t, b, cap) : merge(b, t, cap);
        }
        const std::uint32_t room = capacity_for(t->used + t->used / 2 + 1, 2 * kGroupSlots);
        if (t->used <= Table::max_growth(t->capacity) / 4 && room < t->capacity) {
          HashBuffer hashes(m_, t);
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
    for (bool merged = true; merged && !dir().single();) {
      merged = false;
      for (size_type i = 0; i < dir().size();) {
        Table* t = dir().at(i);
        Table* b = t->local_depth != 0 && dir().is_left_half(t) ? dir().buddy_of(t) : nullptr;
        if (b != nullptr && fold(t, b)) {
          merge(t, b, cap, oversize);
          merged = true;
          continue;  // the merged table starts at i
        }
        i += dir().span(t);
      }
    }
  }

  typename M::Directory& dir() { return m_.dir_; }
  const typename M::Directory& dir() const { return m_.dir_; }

  M& m_;
};

}  // namespace swiss::detail
