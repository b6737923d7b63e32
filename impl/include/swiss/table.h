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

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

#include "swiss/ctrl.h"
#include "swiss/slot.h"

namespace swiss::detail {

template <class Policy>
struct Table {
  using Slot = typename Policy::Slot;
  using Alloc = typename Policy::allocator_type;
  using Traits = std::allocator_traits<Alloc>;

  struct Group {
    std::uint64_t ctrl;
    Slot slots[kGroupSlots];
  };
  // Where the entry of a slot went when this table was retired.
  struct Forward {
    std::int32_t target;  // index into forward_targets, or -1 if the slot was not full
    std::uint32_t slot;
  };
  struct alignas(alignof(Group) > alignof(std::max_align_t) ? alignof(Group) : alignof(std::max_align_t)) Chunk {
    unsigned char bytes[alignof(Group) > alignof(std::max_align_t) ? alignof(Group) : alignof(std::max_align_t)];
  };
  using ChunkAlloc = typename Traits::template rebind_alloc<Chunk>;
  using ForwardAlloc = typename Traits::template rebind_alloc<Forward>;
  using PtrAlloc = typename Traits::template rebind_alloc<Table*>;

  std::uint32_t refs = 1;
  std::uint32_t capacity;
  std::uint32_t used = 0;
  std::uint32_t growth_left;
  std::uint32_t index = 0;        // first directory entry this table covers
  std::uint8_t local_depth = 0;
  bool small = false;
  bool stale = false;
  bool oversize = false;           // grown past kMaxTableCapacity: its keys' hashes could not be split
  Forward* forward = nullptr;     // stale only: one per slot, or null if nobody needed it
  Table** forward_targets = nullptr;
  std::uint32_t forward_target_count = 0;
  std::size_t chunks;
  [[no_unique_address]] Alloc alloc;

  static constexpr std::uint32_t max_growth(std::uint32_t cap) { return cap * 7 / 8; }
  static constexpr std::size_t header_bytes() {
    return (sizeof(Table) + sizeof(Chunk) - 1) / sizeof(Chunk) * sizeof(Chunk);
  }

  Group* groups() { return reinterpret_cast<Group*>(reinterpret_cast<unsigned char*>(this) + header_bytes()); }
  const Group* groups() const { return const_cast<Table*>(this)->groups(); }
  std::uint32_t group_mask() const { return capacity / kGroupSlots - 1; }
  Group& group(std::size_t g) { return groups()[g]; }
  Slot* slot(std::size_t i) { return &groups()[i / kGroupSlots].slots[i % kGroupSlots]; }
  const Slot* slot(std::size_t i) const { return const_cast<Table*>(this)->slot(i); }
  std::uint8_t ctrl(std::size_t i) const { return CtrlWord{groups()[i / kGroupSlots].ctrl}.at(i % kGroupSlots); }
  void set_ctrl(std::size_t i, std::uint8_t c) {
    CtrlWord w{groups()[i / kGroupSlots].ctrl};
    w.set(i % kGroupSlots, c);
    groups()[i / kGroupSlots].ctrl = w.word;
  }
  std::uint32_t tombstones() const { return small ? 0 : max_growth(capacity) - used - growth_left; }

  // A fresh table: every control byte empty, every slot zero (and poisoned).
  static Table* create(const Alloc& a, std::uint32_t cap, std::uint8_t depth, bool small) {
    ChunkAlloc ca(a);
    const std::size_t bytes = header_bytes() + cap / kGroupSlots * sizeof(Group);
    const std::size_t n = (bytes + sizeof(Chunk) - 1) / sizeof(Chunk);
    Chunk* mem = std::allocator_traits<ChunkAlloc>::allocate(ca, n);
    Table* t = ::new (static_cast<void*>(mem)) Table(a);
    t->capacity = cap;
    t->local_depth = depth;
    t->small = small;
    t->growth_left = small ? cap : max_growth(cap);
    t->chunks = n;
    for (std::uint32_t g = 0; g < cap / kGroupSlots; ++g) {
      Group& grp = t->group(g);
      grp.ctrl = kCtrlWordEmpty;
      std::memset(static_cast<void*>(grp.slots), 0, sizeof(grp.slots));
      Policy::poison(grp.slots, kGroupSlots);
    }
    return t;
  }

  static void retain(Table* t) { ++t->refs; }

  // Drop one reference; the last one frees the table. Its entries must have
  // been destroyed or moved out before.
  static void release(Table* t) {
    if (--t->refs != 0) return;
    Alloc a(t->alloc);
    if (t->forward) {
      ForwardAlloc fa(a);
      std::allocator_traits<ForwardAlloc>::deallocate(fa, t->forward, t->capacity);
    }
    if (t->forward_targets) {
      for (std::uint32_t i = 0; i < t->forward_target_count; ++i) release(t->forward_targets[i]);
      PtrAlloc pa(a);
      std::allocator_traits<PtrAlloc>::deallocate(pa, t->forward_targets, t->forward_target_count);
    }
    Policy::unpoison_bytes(t->groups(), t->capacity / kGroupSlots * sizeof(Group));
    const std::size_t n = t->chunks;
    t->~Table();
    ChunkAlloc ca(a);
    std::allocator_traits<ChunkAlloc>::deallocate(ca, reinterpret_cast<Chunk*>(t), n);
  }

  // The first slot a new entry with this hash can take: an empty or deleted
  // slot on its probe path. Only for a table known to have room and not to
  // hold the key (growth and rebuild, where keys are unique).
  std::uint32_t find_insert_slot(std::uint64_t hash) {
    if (small) return CtrlWord{group(0).ctrl}.match_empty().lowest();
    const std::uint32_t mask = group_mask();
    std::uint32_t g = static_cast<std::uint32_t>(h1(hash)) & mask;
    for (std::uint32_t step = 1;; ++step) {
      const SlotMask free = CtrlWord{group(g).ctrl}.match_empty_or_deleted();
      if (free) return g * kGroupSlots + free.lowest();
      g = (g + step) & mask;
    }
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
    if (CtrlWord{group(i / kGroupSlots).ctrl}.match_empty()) {
      set_ctrl(i, kCtrlEmpty);
      ++growth_left;
    } else {
      set_ctrl(i, kCtrlDeleted);
    }
  }

  // Forget every entry (already destroyed): all control bytes empty.
  void reset_after_clear() {
    for (std::uint32_t g = 0; g < capacity / kGroupSlots; ++g) group(g).ctrl = kCtrlWordEmpty;
    used = 0;
    growth_left = small ? capacity : max_growth(capacity);
  }

 private:
  explicit Table(const Alloc& a) : alloc(a) {}
  ~Table() = default;
};

}  // namespace swiss::detail
