// Iteration with Go's guarantees under mutation.
//
// An iterator walks the directory from a start entry chosen by the map's seed,
// one table at a time, and each table from a seeded slot offset. It holds a
// reference on the table it walks, so a table replaced meanwhile (grown,
// split, rebuilt) stays alive as a stale table whose forwarding records lead
// to where each entry lives now: the iterator yields an entry it has not yet
// passed exactly once, with its current value, and skips entries erased
// since. When it leaves a table it skips every directory entry that table
// covered when it was live, so the halves of a split it walked as one stale
// table are not walked again. When the directory doubles, the iterator's
// position doubles with it.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <type_traits>

#include "swiss/ctrl.h"

namespace swiss::detail {

template <class MapT, bool Const>
class MapIterator {
  using Table = typename MapT::Table;
  using Policy = typename MapT::Policy;
  friend MapT;
  friend class MapIterator<MapT, !Const>;

 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = typename MapT::value_type;
  using difference_type = std::ptrdiff_t;
  using reference = std::conditional_t<Const, const value_type&, value_type&>;
  using pointer = std::conditional_t<Const, const value_type*, value_type*>;

  // User-provided, so that end()'s MapIterator() does not zero the walk state.
  MapIterator() noexcept {}
  MapIterator(const MapIterator& o) { copy_from(o); }
  template <bool C = Const, class = std::enable_if_t<C>>
  MapIterator(const MapIterator<MapT, false>& o) {  // iterator -> const_iterator
    copy_from(o);
  }
  MapIterator& operator=(const MapIterator& o) {
    if (this != std::addressof(o)) {
      Table* old = tab_;
      copy_from(o);
      if (old) Table::release(old);
    }
    return *this;
  }
  ~MapIterator() {
    if (tab_) Table::release(tab_);
  }

  reference operator*() const { return *cur_; }
  pointer operator->() const { return cur_; }
  MapIterator& operator++() {
    // The common step: the next full slot of the live table being walked.
    // (A positioned iterator holds no table; a directory that doubled
    // meanwhile matters only when the walk leaves the table, in advance.)
    Table* const t = tab_;
    if (t != nullptr && !filtered_ && !t->stale && next_full_slot(t)) return *this;
    advance();
    return *this;
  }
  MapIterator operator++(int) {
    MapIterator old(*this);
    advance();
    return old;
  }
  friend bool operator==(const MapIterator& a, const MapIterator& b) { return a.cur_ == b.cur_; }

 private:
  // Only an iterator that holds a table has walk state to copy: a
  // positioned iterator (from find/insert) sets its walk up when it first
  // advances, and an end iterator never advances. That keeps the iterator
  // every insert returns cheap to pass around.
  template <class O>
  void copy_from(const O& o) {
    map_ = o.map_;
    tab_ = o.tab_;
    cur_ = o.cur_;
    cur_table_ = o.cur_table_;
    cur_slot_ = o.cur_slot_;
    positioned_ = o.positioned_;
#ifndef NDEBUG
    rebuilds_ = o.rebuilds_;
#endif
    if (tab_ == nullptr) return;
    Table::retain(tab_);
    entry_idx_ = o.entry_idx_;
    entry_offset_ = o.entry_offset_;
    dir_offset_ = o.dir_offset_;
    dir_idx_ = o.dir_idx_;
    global_depth_ = o.global_depth_;
    filtered_ = o.filtered_;
    ahead_lo_ = o.ahead_lo_;
    ahead_hi_ = o.ahead_hi_;
  }

  // An iterator from find/insert/emplace is only a position: cheap to make,
  // holding nothing. Its walk state is set up the first time it advances,
  // from where its entry is then, so it must advance before the map
  // rebuilds that entry's table (as with any std map after a rehash; a
  // begin()-started walk has no such limit). In debug builds this is checked.
  // `where` is that slot's address (at->slot(slot), which the caller's probe
  // already has: computing it again would read the table header). A
  // template, so that declaring it does not name Policy::Slot, which needs
  // the entry type complete (a map may be a member of its own value type).
  template <class Slot>
  void point_at(const MapT* m, Table* at, std::uint32_t slot, Slot* where) {
    map_ = m;
    cur_table_ = at;
    cur_slot_ = slot;
    cur_ = Policy::element(where);
    positioned_ = true;
#ifndef NDEBUG
    rebuilds_ = m->rebuilds_;
#endif
  }

  // Positions the walk at the map's seeded start (begin), or just past the
  // entry at (t, slot) in that same order.
  void start(const MapT* m, Table* at, std::uint32_t slot) {
    map_ = m;
    const std::uint64_t r = m->iteration_offsets();
    entry_offset_ = static_cast<std::uint32_t>(r);
    global_depth_ = m->dir_.depth();
    const std::size_t dir_mask = (std::size_t{1} << global_depth_) - 1;
    // The walk starts at the first directory entry of the table holding the
    // seeded start entry, so every table is entered at its first entry.
    dir_offset_ = m->dir_.at(static_cast<std::size_t>(r >> 32) & dir_mask)->index;
    if (at == nullptr) {
      dir_idx_ = 0;
      entry_idx_ = 0;
      advance();
      return;
    }
    dir_idx_ = (at->index - dir_offset_) & dir_mask;
    enter(at, dir_mask + 1);
    entry_idx_ = position_of(slot, at->capacity) + 1;
    tab_ = at;
    Table::retain(at);
    cur_table_ = at;
    cur_slot_ = slot;
    cur_ = Policy::element(at->slot(slot));
  }

  void finish() {
    if (tab_) Table::release(tab_);
    tab_ = nullptr;
    cur_ = nullptr;
    cur_table_ = nullptr;
  }

  // Follows a stale table's forwarding records to the slot where the entry
  // of slot s lives now; false if it was erased or cleared since.
  static bool resolve(Table*& t, std::uint32_t& s) {
    while (t->stale) {
      if (t->forward == nullptr) return false;
      const auto f = t->forward[s];
      if (f.target < 0) return false;
      t = t->forward_targets[f.target];
      s = f.slot;
    }
    return is_full(t->ctrl(s));
  }

  [[gnu::noinline]] void advance() {
    const MapT& m = *map_;
    if (positioned_) {
      positioned_ = false;
#ifndef NDEBUG
      if (rebuilds_ != m.rebuilds_) {
        std::fprintf(stderr, "swiss::Map: an iterator from find/insert advanced after the map rebuilt a table\n");
        std::abort();
      }
#endif
      start(map_, cur_table_, cur_slot_);
    }
    for (;;) {
      if (global_depth_ != m.dir_.depth()) {
        const unsigned orders = m.dir_.depth() - global_depth_;
        dir_idx_ <<= orders;
        dir_offset_ <<= orders;
        ahead_lo_ <<= orders;
        ahead_hi_ <<= orders;
        global_depth_ = m.dir_.depth();
      }
      const std::size_t dir_size = std::size_t{1} << global_depth_;
      if (dir_idx_ >= dir_size) return finish();
      if (tab_ == nullptr) {
        Table* t = m.dir_.at((dir_idx_ + dir_offset_) & (dir_size - 1));
        if (t == nullptr) return finish();  // the map let go of its tables (moved from)
        Table::retain(t);
        tab_ = t;
        entry_idx_ = 0;
        enter(t, dir_size);
      }
      Table* const t = tab_;
      if (!t->stale && !filtered_) {
        if (next_full_slot(t)) return;
      }
      while (entry_idx_ < t->capacity) {
        Table* live = t;
        std::uint32_t s = slot_at(entry_idx_, t->capacity);
        ++entry_idx_;
        if (t->stale ? resolve(live, s) : is_full(t->ctrl(s))) {
          if ((filtered_ || t->stale) && !within(live, dir_size) && !ahead(m, live, s)) continue;
          cur_table_ = live;
          cur_slot_ = s;
          cur_ = Policy::element(live->slot(s));
          return;
        }
      }
      dir_idx_ = ahead_hi_;
      filtered_ = false;
      tab_ = nullptr;
      Table::release(t);
    }
  }

  // As in Go, a table is walked slot by slot from a seeded slot, wrapping
  // around: walk position p is slot slot_at(p).
  std::uint32_t slot_at(std::uint32_t p, std::uint32_t cap) const { return (p + entry_offset_) & (cap - 1); }
  std::uint32_t position_of(std::uint32_t slot, std::uint32_t cap) const {
    return (slot - entry_offset_) & (cap - 1);
  }

  // The walk over a live table: the rest of a group's full slots at once.
  bool next_full_slot(Table* t) {
    const std::uint32_t cap = t->capacity;
    while (entry_idx_ < cap) {
      const std::uint32_t q = slot_at(entry_idx_, cap);
      const unsigned first = q % kGroupSlots;
      const unsigned ahead = CtrlWord{Table::ctrl_words_of(t)[q / kGroupSlots]}.full_bits() & (0xffu << first);
      if (ahead != 0) {
        const unsigned skipped = static_cast<unsigned>(std::countr_zero(ahead)) - first;
        // The walk began inside this group: its slots before the start come last.
        if (entry_idx_ + skipped >= cap) break;
        entry_idx_ += skipped + 1;
        const std::uint32_t s = q + skipped;
        cur_table_ = t;
        cur_slot_ = s;
        cur_ = Policy::element(Table::slots_of(t, cap) + s);
        return true;
      }
      entry_idx_ += kGroupSlots - first;
    }
    entry_idx_ = cap;
    return false;
  }

  // Entering table t at walk position dir_idx_. Normally t starts right here
  // and ends before the walk does. A table merged from two after the walk
  // passed one of them starts earlier (or wraps around to the walk's start):
  // then only its entries whose directory entry lies in the part of the walk
  // still ahead, [ahead_lo_, ahead_hi_), are yielded.
  //
  // [ahead_lo_, ahead_hi_) is also where the walk resumes after the table.
  // Entries of a stale table are followed to where they live now; when that
  // table covers more of the directory than the stale one did (it was merged
  // since), the slot may hold a key inserted since whose directory entry is
  // elsewhere in the walk, so its position is checked too.
  void enter(Table* t, std::size_t dir_size) {
    const std::size_t span = std::size_t{1} << (global_depth_ - t->local_depth);
    const std::size_t first = (t->index - dir_offset_) & (dir_size - 1);
    filtered_ = !(first == dir_idx_ && first + span <= dir_size);
    ahead_lo_ = dir_idx_;
    ahead_hi_ = !filtered_ ? dir_idx_ + span
                : dir_idx_ >= first ? std::min(first + span, dir_size)
                                    : first + span - dir_size;
  }
  // Whether every directory entry of live table t lies in [ahead_lo_, ahead_hi_).
  bool within(Table* t, std::size_t dir_size) const {
    const std::size_t span = std::size_t{1} << (global_depth_ - t->local_depth);
    const std::size_t first = (t->index - dir_offset_) & (dir_size - 1);
    return first >= ahead_lo_ && first + span <= ahead_hi_;
  }
  bool ahead(const MapT& m, Table* t, std::uint32_t s) const {
    const std::uint64_t h = m.hash_of(Policy::element(t->slot(s))->first);
    const std::size_t home = global_depth_ ? static_cast<std::size_t>(h >> (64 - global_depth_)) : 0;
    const std::size_t pos = (home - dir_offset_) & ((std::size_t{1} << global_depth_) - 1);
    return pos >= ahead_lo_ && pos < ahead_hi_;
  }

  const MapT* map_ = nullptr;
  Table* tab_ = nullptr;  // the table being walked (held)
  value_type* cur_ = nullptr;  // null at the end
  Table* cur_table_ = nullptr;  // where cur_ lives (for erase)
  std::uint32_t cur_slot_ = 0;
  bool positioned_ = false;  // from find/insert: walk state not set up yet
  // The walk state: meaningful only while tab_ is held; start() and enter()
  // set all of it before it is read, so an iterator that never walks (end(),
  // the result of every find and insert) does not pay to initialize it.
  std::uint32_t entry_idx_;
  std::uint32_t entry_offset_;
  std::size_t dir_offset_;
  std::size_t dir_idx_;
  std::uint8_t global_depth_;
  bool filtered_;  // walking a merged table: yield only entries ahead
  std::size_t ahead_lo_;
  std::size_t ahead_hi_;
#ifndef NDEBUG
  std::uint64_t rebuilds_ = 0;
#endif
};

}  // namespace swiss::detail
