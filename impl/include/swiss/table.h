// A table: a power-of-two array of 8-slot groups probed by triangular steps,
// at most kMaxTableCapacity slots, covering an aligned run of directory
// entries (extendible hashing). The map's smallest state, the small map, is a
// table of one group flagged `small`: no probing, no tombstones, up to 8
// entries.
//
// Tables are reference counted: the directory holds one reference, every
// iterator walking the table holds one, and a retired table holds one on each
// table its entries moved to. A table replaced (grown, split, rebuilt) while
// someone still holds it is kept as a stale table with a forwarding record per
// slot, so an iterator inside it can follow each entry to where it lives now.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

#include "swiss/ctrl.h"
#include "swiss/pointer.h"
#include "swiss/probe.h"
#include "swiss/slot.h"

namespace swiss::detail {

// Where the entry of a slot went when its table was retired. (Outside
// Table so that naming it does not instantiate Table, whose layout needs the
// entry type complete: a map may be a member of its own value type.)
struct Forward {
  std::int32_t target;  // index into forward_targets, or -1 if the slot was not full
  std::uint32_t slot;
};

template <class Policy>
struct Table {
  using Slot = typename Policy::Slot;
  using Alloc = typename Policy::allocator_type;

  using Forward = detail::Forward;
  static constexpr std::size_t kChunkAlign = alignof(Slot) > 16 ? alignof(Slot) : 16;
  struct alignas(kChunkAlign) Chunk {
    unsigned char bytes[kChunkAlign];
  };
  // A table pointer kept in allocator memory (the forwarding lists below):
  // the allocator's pointer type, Table* for std::allocator.
  using TableRef = stored_ptr<Alloc, Table>;

  // Atomic because readers hold references too: any number of threads may
  // iterate one map that nobody modifies ([res.on.data.races]), and each
  // iterator retains the table it walks. Only a writer can drop the
  // directory's reference, so a reader never frees a table another reads.
  std::atomic<std::uint32_t> refs{1};
  std::uint32_t capacity;
  std::uint32_t used = 0;
  std::uint32_t growth_left;
  std::uint32_t index = 0;        // first directory entry this table covers
  std::uint8_t local_depth = 0;
  bool small = false;
  bool stale = false;
  bool oversize = false;           // grown past kMaxTableCapacity: its keys' hashes could not be split
  stored_ptr<Alloc, Forward> forward = nullptr;  // stale only: one per slot, or null if nobody needed it
  stored_ptr<Alloc, TableRef> forward_targets = nullptr;
  std::uint32_t forward_target_count = 0;
  // The stale tables whose forwarding records point into this table. When
  // this table is retired in turn, their records are pointed past it (see
  // forward_past), so an iterator parked on a stale table pins that one
  // table, not a chain as long as the map's history.
  std::uint32_t forwarder_count = 0;
  std::uint32_t forwarder_cap = 0;
  stored_ptr<Alloc, TableRef> forwarders = nullptr;
  std::size_t chunks;
  [[no_unique_address]] Alloc alloc;

  static constexpr std::uint32_t max_growth(std::uint32_t cap) { return cap * 7 / 8; }
  static constexpr std::size_t header_bytes() {
    return (sizeof(Table) + sizeof(Chunk) - 1) / sizeof(Chunk) * sizeof(Chunk);
  }

  // Layout of one allocation: this header, then one control word per group,
  // then the slots. Go interleaves each control word with its group's slots;
  // keeping the words together (as Abseil keeps its control bytes) lets a
  // lookup that misses touch one small array instead of a line per slot group.
  static std::uint64_t* ctrl_words_of(const Table* t) {
    return reinterpret_cast<std::uint64_t*>(reinterpret_cast<unsigned char*>(const_cast<Table*>(t)) + header_bytes());
  }
  static Slot* slots_of(const Table* t, std::uint32_t cap) {
    return reinterpret_cast<Slot*>(reinterpret_cast<unsigned char*>(const_cast<Table*>(t)) + slots_offset(cap));
  }
  std::uint64_t* ctrl_words() { return ctrl_words_of(this); }
  const std::uint64_t* ctrl_words() const { return const_cast<Table*>(this)->ctrl_words(); }
  std::uint64_t& ctrl_word(std::size_t g) { return ctrl_words()[g]; }
  CtrlWord group_ctrl(std::size_t g) const { return CtrlWord{ctrl_words()[g]}; }
  std::uint32_t group_mask() const { return capacity / kGroupSlots - 1; }
  Slot* slot(std::size_t i) { return slots_of(this, capacity) + i; }
  const Slot* slot(std::size_t i) const { return slots_of(this, capacity) + i; }
  std::uint8_t ctrl(std::size_t i) const { return group_ctrl(i / kGroupSlots).at(i % kGroupSlots); }
  void set_ctrl(std::size_t i, std::uint8_t c) {
    if constexpr (std::endian::native == std::endian::little) {
      // Byte i of the word is the i-th byte in memory: one byte store.
      reinterpret_cast<unsigned char*>(ctrl_words())[i] = c;
    } else {
      CtrlWord w = group_ctrl(i / kGroupSlots);
      w.set(i % kGroupSlots, c);
      ctrl_word(i / kGroupSlots) = w.word;
    }
  }
  static constexpr std::size_t slots_offset(std::uint32_t cap) {
    const std::size_t end_of_ctrl = header_bytes() + cap / kGroupSlots * sizeof(std::uint64_t);
    return (end_of_ctrl + alignof(Slot) - 1) / alignof(Slot) * alignof(Slot);
  }
  // Calls f(i) for every full slot i, a group's control word at a time.
  template <class F>
  void for_each_full(F&& f) const {
    for (std::uint32_t g = 0; g < capacity / kGroupSlots; ++g)
      for (unsigned i : group_ctrl(g).match_full()) f(g * static_cast<std::uint32_t>(kGroupSlots) + i);
  }

  std::uint32_t tombstones() const { return small ? 0 : max_growth(capacity) - used - growth_left; }

  // A fresh table: every control byte empty, every slot zero (and poisoned).
  static Table* create(const Alloc& a, std::uint32_t cap, std::uint8_t depth, bool small) {
    const std::size_t bytes = slots_offset(cap) + cap * sizeof(Slot);
    const std::size_t n = (bytes + sizeof(Chunk) - 1) / sizeof(Chunk);
    Chunk* mem = allocate_raw<Chunk>(a, n);
    Table* t = ::new (static_cast<void*>(mem)) Table(a);
    t->capacity = cap;
    t->local_depth = depth;
    t->small = small;
    t->growth_left = small ? cap : max_growth(cap);
    t->chunks = n;
    for (std::uint32_t g = 0; g < cap / kGroupSlots; ++g) t->ctrl_word(g) = kCtrlWordEmpty;
    std::memset(static_cast<void*>(t->slot(0)), 0, cap * sizeof(Slot));
    Policy::poison(t->slot(0), cap);
    return t;
  }

  static void retain(Table* t) { t->refs.fetch_add(1, std::memory_order_relaxed); }
  std::uint32_t ref_count() const { return refs.load(std::memory_order_acquire); }

  // Drop one reference; the last one frees the table. Its entries must have
  // been destroyed or moved out before.
  static void release(Table* t) {
    if (t->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    Alloc a(t->alloc);
    if (t->forward) deallocate_array<Forward>(a, t->forward, t->capacity);
    if (t->forward_targets) {
      for (std::uint32_t i = 0; i < t->forward_target_count; ++i) {
        remove_forwarder(t->forward_targets[i], t);
        release(t->forward_targets[i]);
      }
      deallocate_array<TableRef>(a, t->forward_targets, t->forward_target_count);
    }
    if (t->forwarders) deallocate_array<TableRef>(a, t->forwarders, t->forwarder_cap);
    Policy::unpoison(t->slot(0), t->capacity);
    const std::size_t n = t->chunks;
    t->~Table();
    deallocate_raw(a, reinterpret_cast<Chunk*>(t), n);
  }

  // Records that stale table `from` forwards into t. Only an optimization
  // (it lets forward_past shorten chains), so when memory runs out the
  // record is skipped and the chain through t just stays.
  static void add_forwarder(Table* t, Table* from) noexcept {
    if (t->forwarder_count == t->forwarder_cap) {
      const std::uint32_t cap = t->forwarder_cap ? 2 * t->forwarder_cap : 2;
      TableRef* grown;
      try {
        grown = allocate_array<TableRef>(t->alloc, cap);
      } catch (...) {
        return;
      }
      for (std::uint32_t i = 0; i < t->forwarder_count; ++i) grown[i] = t->forwarders[i];
      if (t->forwarders) deallocate_array<TableRef>(t->alloc, t->forwarders, t->forwarder_cap);
      t->forwarders = grown;
      t->forwarder_cap = cap;
    }
    t->forwarders[t->forwarder_count++] = from;
  }
  static void remove_forwarder(Table* t, Table* from) noexcept {
    for (std::uint32_t i = 0; i < t->forwarder_count; ++i)
      if (t->forwarders[i] == from) {
        t->forwarders[i] = t->forwarders[--t->forwarder_count];
        return;
      }
  }

  // Stale table a forwards (some of) its slots into t, which has just been
  // retired with forwarding records of its own: point a's records straight
  // at where t's entries went, hold those tables, and let go of t. Run for
  // every forwarder of a table being retired, it keeps every chain one table
  // long. On allocation failure a keeps pointing at t (a longer chain, still
  // correct).
  static void forward_past(Table* a, Table* t) noexcept {
    if (t->forward == nullptr) return;
    const std::uint32_t na = a->forward_target_count, nt = t->forward_target_count;
    auto held_by_a = [&](Table* x) {
      for (std::uint32_t i = 0; i < na; ++i)
        if (a->forward_targets[i] == x) return true;
      return false;
    };
    // a's new targets: its own but t, then t's that a does not hold yet.
    std::uint32_t count = 0;
    for (std::uint32_t i = 0; i < na; ++i) count += a->forward_targets[i] != t;
    for (std::uint32_t j = 0; j < nt; ++j) count += !held_by_a(t->forward_targets[j]);
    TableRef* targets;
    std::int32_t* index;  // new index of a's targets [0, na) and of t's [na, na + nt); -1: t
    try {
      targets = allocate_array<TableRef>(a->alloc, count);
    } catch (...) {
      return;
    }
    try {
      index = allocate_array<std::int32_t>(a->alloc, na + nt);
    } catch (...) {
      deallocate_array<TableRef>(a->alloc, targets, count);
      return;
    }
    std::uint32_t c = 0;
    for (std::uint32_t i = 0; i < na; ++i) {
      Table* x = a->forward_targets[i];
      index[i] = x == t ? -1 : static_cast<std::int32_t>(c);
      if (x != t) targets[c++] = x;
    }
    for (std::uint32_t j = 0; j < nt; ++j) {
      Table* x = t->forward_targets[j];
      std::int32_t at = -1;
      for (std::uint32_t i = 0; i < c && at < 0; ++i)
        if (targets[i] == x) at = static_cast<std::int32_t>(i);
      if (at < 0) {
        at = static_cast<std::int32_t>(c);
        targets[c++] = x;
        retain(x);
        add_forwarder(x, a);
      }
      index[na + j] = at;
    }
    for (std::uint32_t s = 0; s < a->capacity; ++s) {
      Forward& f = a->forward[s];
      if (f.target < 0) continue;
      if (index[f.target] >= 0) {
        f.target = index[f.target];
        continue;
      }
      const Forward g = t->forward[f.slot];
      f = g.target < 0 ? Forward{-1, 0} : Forward{index[na + g.target], g.slot};
    }
    deallocate_array<std::int32_t>(a->alloc, index, na + nt);
    deallocate_array<TableRef>(a->alloc, a->forward_targets, na);
    a->forward_targets = targets;
    a->forward_target_count = c;
    release(t);  // a's hold; the caller still holds t
  }

  // The first slot a new entry with this hash can take: an empty or deleted
  // slot on its probe path. Only for a table known to have room and not to
  // hold the key (growth and rebuild, where keys are unique).
  std::uint32_t find_insert_slot(std::uint64_t hash) {
    if (small) return group_ctrl(0).match_empty().lowest();
    for (ProbeSeq seq(hash, group_mask());; seq.next()) {
      const SlotMask free = group_ctrl(seq.offset()).match_empty_or_deleted();
      if (free) return seq.slot(free.lowest());
    }
  }

  // The same for a table being filled by growth, which has no tombstones.
  void commit_insert_fresh(std::uint32_t i, std::uint8_t h) {
    --growth_left;
    set_ctrl(i, h);
    ++used;
  }

  // Mark slot i full with h2; the slot came from find_insert_slot or a probe.
  void commit_insert(std::uint32_t i, std::uint8_t h) {
    if (ctrl(i) == kCtrlEmpty) --growth_left;
    set_ctrl(i, h);
    ++used;
  }

  // After the entry at i was destroyed: a slot whose group still has an empty
  // slot was never passed by a probe, so it can be empty again; otherwise a
  // probe may have walked through it and it must stay a tombstone.
  void commit_erase(std::uint32_t i) {
    --used;
    if (small) {
      set_ctrl(i, kCtrlEmpty);
      ++growth_left;
      return;
    }
    if (group_ctrl(i / kGroupSlots).match_empty()) {
      set_ctrl(i, kCtrlEmpty);
      ++growth_left;
    } else {
      set_ctrl(i, kCtrlDeleted);
    }
  }

  // Forget every entry (already destroyed): all control bytes empty.
  void reset_after_clear() {
    for (std::uint32_t g = 0; g < capacity / kGroupSlots; ++g) ctrl_word(g) = kCtrlWordEmpty;
    used = 0;
    growth_left = small ? capacity : max_growth(capacity);
  }

 private:
  explicit Table(const Alloc& a) : alloc(a) {}
  ~Table() = default;
};

}  // namespace swiss::detail
