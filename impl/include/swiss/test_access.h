// Test-only introspection: the map's shape, where an entry's slot is, and
// whether a slot's bytes are zero. Not part of the map's API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "swiss/map.h"

namespace swiss {

struct MapShape {
  bool small = false;
  unsigned global_depth = 0;
  std::size_t directory_size = 0;
  std::size_t tables = 0;
  std::size_t capacity = 0;
  std::size_t tombstones = 0;
  std::size_t max_table_capacity = 0;
};

template <class M>
struct TestAccess {
  using Table = typename M::Table;
  using Policy = typename M::Policy;
  using Slot = typename M::Policy::Slot;

  static MapShape shape(const M& m) {
    MapShape s;
    s.global_depth = m.dir_.depth();
    s.directory_size = m.dir_.size();
    m.dir_.for_each_table([&](Table* t) {
      s.small = t->small;
      ++s.tables;
      s.capacity += t->capacity;
      s.tombstones += t->tombstones();
      if (t->capacity > s.max_table_capacity) s.max_table_capacity = t->capacity;
    });
    return s;
  }

  static const void* slot_address(const M& m, const typename M::key_type& k) {
    const auto loc = m.locate(k, m.hash_of(k));
    return loc.table ? static_cast<const void*>(loc.table->slot(loc.slot)) : nullptr;
  }

  static constexpr std::size_t slot_bytes() { return sizeof(Slot); }

  // Whether p is a slot of one of the map's live tables. An erase may merge
  // or shrink the table it erased from, freeing the slot's memory.
  static bool slot_in_map(const M& m, const void* p) { return find_slot(m, p).table != nullptr; }

  static bool slot_is_zero(const M& m, const void* slot) {
    const FoundSlot where = find_slot(m, slot);
    if (where.table == nullptr) {
      std::fprintf(stderr, "TestAccess::slot_is_zero: %p is not a slot of this map's live tables\n", slot);
      std::abort();
    }
    const bool full = detail::is_full(where.table->ctrl(where.index));
    const Slot* s = static_cast<const Slot*>(slot);
    Policy::unpoison(s);
    const unsigned char* bytes = static_cast<const unsigned char*>(slot);
    bool zero = true;
    for (std::size_t b = 0; b < sizeof(Slot); ++b) zero = zero && bytes[b] == 0;
    if (!full) Policy::poison(s);
    return zero;
  }

  static std::uint64_t seed(const M& m) { return m.seed_; }
  // The map's hash of k: the user hash mixed with the map's seed.
  static std::uint64_t hash(const M& m, const typename M::key_type& k) { return m.hash_of(k); }

  // How many times the map has rebuilt a table (grown, split, rebuilt in
  // place, merged by reserve/rehash) since it was constructed: an op that
  // leaves this unchanged moved no entry.
  static std::uint64_t rebuilds(const M& m) { return m.rebuilds_; }

  // The capacity of the map's table when it has exactly one, past the small
  // map; else 0. O(1), so a check may read it before every op.
  static std::size_t one_table_capacity(const M& m) {
    if (!m.dir_.single() || m.dir_.empty()) return 0;
    const Table* t = m.dir_.at(0);
    return t->small ? 0 : t->capacity;
  }
  // How many entries a table of `capacity` slots may hold when it runs out
  // of room and is still rebuilt at the same size (its tombstones dropped):
  // half its 7/8 growth budget (Growth::rehash_table). Holding more, it grows.
  static constexpr std::size_t in_place_limit(std::size_t capacity) {
    return Table::max_growth(static_cast<std::uint32_t>(capacity)) / 2;
  }

 private:
  struct FoundSlot {
    Table* table = nullptr;  // null: not a slot of a live table
    std::uint32_t index = 0;
  };
  static FoundSlot find_slot(const M& m, const void* p) {
    FoundSlot where;
    const Slot* s = static_cast<const Slot*>(p);
    m.dir_.for_each_table([&](Table* t) {
      const Slot* first = t->slot(0);
      if (where.table == nullptr && s >= first && s < first + t->capacity)
        where = {t, static_cast<std::uint32_t>(s - first)};
    });
    return where;
  }
};

}  // namespace swiss
