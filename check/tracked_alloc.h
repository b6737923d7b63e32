// TrackedAlloc<T, P>: a stateful allocator, for the lanes that check std's
// allocator rules (issue 16, point 1) on copy assignment, move assignment and
// swap between maps. P (Propagation) gives its three propagate_on_container_*
// traits: NoPropagation (the default, the stateful_alloc lane) or traits that
// differ from each other (the instrumented_tracked lane: propagates on move
// assignment, not on swap), so a map that consults the wrong trait is seen.
//
//   state        a resource id (what equality compares: allocators with the
//                same id can free each other's memory) and a tag (which
//                allocator object it is, copied with it, not compared): two
//                maps with equal allocators still tell apart whose allocator
//                each holds, so a swap or assignment that exchanges or takes
//                an allocator it must leave is seen even when they are equal
//   traits       propagate_on_container_{copy_assignment,move_assignment,swap}
//                as P says (all false_type by default); is_always_equal is
//                false_type;
//                select_on_container_copy_construction() returns the default
//                allocator (resource #0), as std::pmr's polymorphic_allocator
//                hands a copy the default resource
//   registry     every live block (pointer -> resource id, bytes, alignment)
//                and counts per resource id; a deallocation through an
//                allocator of another resource, of a pointer that is not a live
//                block, or with the wrong size, and (NoPropagation) any
//                assignment of an allocator (a container may assign one only
//                when it propagates), are recorded as errors, never thrown or
//                crashed on: the interpreter reports them as map failures of
//                the op. With a propagating P an assignment may be right: the
//                identity each map holds after the op (AllocWalk) decides
//
// The registry is a process-wide singleton, not thread-safe: one interpreter
// run at a time, as the fuzz targets and props run them.
//
// AllocWalk is the oracle of which allocator each of the interpreter's maps
// holds, by std's rules for this allocator; the interpreter, the trace and the
// C++ replay snippet share it, so they agree on which ops are skipped.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "check/rules.h"

namespace swisscheck {

// Which allocator object: the resource (compared) and the tag (not compared).
struct AllocIdentity {
  std::uint32_t id = 0;
  std::uint32_t tag = 0;
  bool operator==(const AllocIdentity&) const = default;
};
inline std::string show_identity(AllocIdentity a) {
  return "#" + std::to_string(a.id) + " (tag " + std::to_string(a.tag) + ")";
}

class TrackedRegistry {
 public:
  struct Count {
    std::size_t blocks = 0;
    std::size_t bytes = 0;
  };

  // Forgets every block and error (the start of an interpreter run).
  void reset() {
    blocks_.clear();
    per_id_.clear();
    errors_.clear();
  }

  void* allocate(std::uint32_t id, std::size_t bytes, std::size_t align) {
    void* p = ::operator new(bytes, std::align_val_t(align));
    blocks_[p] = {id, bytes, align};
    Count& c = per_id_[id];
    ++c.blocks;
    c.bytes += bytes;
    return p;
  }

  void deallocate(std::uint32_t id, void* p, std::size_t bytes) {
    auto it = blocks_.find(p);
    if (it == blocks_.end()) {
      // Not freed: a double free would end the run in a sanitizer report
      // before the interpreter could name the op.
      error("deallocate through allocator #" + std::to_string(id) + " of " + show_ptr(p) +
            ", which is not a live block of any allocator (double free, or memory from elsewhere)");
      return;
    }
    const Block b = it->second;
    if (b.id != id)
      error("memory allocated by allocator #" + std::to_string(b.id) + " freed through allocator #" +
            std::to_string(id) + " (" + std::to_string(b.bytes) + " bytes at " + show_ptr(p) + ")");
    if (b.bytes != bytes)
      error("deallocate of " + std::to_string(bytes) + " bytes at " + show_ptr(p) + " through allocator #" +
            std::to_string(id) + ", a block of " + std::to_string(b.bytes) + " bytes");
    Count& c = per_id_[b.id];
    --c.blocks;
    c.bytes -= b.bytes;
    if (c.blocks == 0) per_id_.erase(b.id);
    blocks_.erase(it);
    ::operator delete(p, std::align_val_t(b.align));  // as allocated, whatever the caller said
  }

  void on_assign(AllocIdentity to, AllocIdentity from) {
    error("allocator " + show_identity(to) + " was assigned allocator " + show_identity(from) +
          ": propagate_on_container_copy_assignment, _move_assignment and _swap are false, so a "
          "container must never assign it (std assigns an allocator only when it propagates)");
  }

  // Resource id -> live blocks and bytes (resources with none are absent).
  const std::map<std::uint32_t, Count>& outstanding() const { return per_id_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  struct Block {
    std::uint32_t id;
    std::size_t bytes;
    std::size_t align;
  };
  static std::string show_ptr(const void* p) {
    std::ostringstream o;
    o << p;
    return o.str();
  }
  void error(std::string e) {
    if (errors_.size() < 16) errors_.push_back(std::move(e));  // the first ones are what matter
  }

  absl::flat_hash_map<const void*, Block> blocks_;
  std::map<std::uint32_t, Count> per_id_;
  std::vector<std::string> errors_;
};

inline TrackedRegistry& tracked_registry() {
  static TrackedRegistry r;
  return r;
}

// Which of the three propagate_on_container_* traits a TrackedAlloc has.
template <bool kCopyAssign, bool kMoveAssign, bool kSwap>
struct Propagation {
  static constexpr bool copy_assignment = kCopyAssign;
  static constexpr bool move_assignment = kMoveAssign;
  static constexpr bool swap = kSwap;
};
using NoPropagation = Propagation<false, false, false>;

template <class T, class P = NoPropagation>
class TrackedAlloc {
 public:
  using value_type = T;
  using propagation = P;
  using propagate_on_container_copy_assignment = std::bool_constant<P::copy_assignment>;
  using propagate_on_container_move_assignment = std::bool_constant<P::move_assignment>;
  using propagate_on_container_swap = std::bool_constant<P::swap>;
  using is_always_equal = std::false_type;
  static constexpr bool kPropagatesAtAll = P::copy_assignment || P::move_assignment || P::swap;

  // The default allocator: resource #0, tag 0.
  TrackedAlloc() noexcept = default;
  explicit TrackedAlloc(AllocIdentity a) noexcept : a_(a) {}
  TrackedAlloc(const TrackedAlloc&) noexcept = default;
  template <class U>
  TrackedAlloc(const TrackedAlloc<U, P>& o) noexcept : a_(o.identity()) {}
  // Allowed (so a map that assigns compiles); with no propagation recorded as
  // an error: no container operation may assign such an allocator. (With a
  // propagating P the walk's identity check after the op decides.) A move is
  // a copy: the moved-from allocator stays equal, as std requires.
  TrackedAlloc& operator=(const TrackedAlloc& o) noexcept {
    if constexpr (!kPropagatesAtAll) tracked_registry().on_assign(a_, o.a_);
    a_ = o.a_;
    return *this;
  }

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(tracked_registry().allocate(a_.id, n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { tracked_registry().deallocate(a_.id, p, n * sizeof(T)); }

  // As std::pmr: a copy of a container gets the default resource, not the
  // source's (so a map that copies its source's allocator instead is seen).
  TrackedAlloc select_on_container_copy_construction() const noexcept { return TrackedAlloc(); }

  AllocIdentity identity() const noexcept { return a_; }
  template <class U>
  bool operator==(const TrackedAlloc<U, P>& o) const noexcept {
    return a_.id == o.identity().id;
  }

 private:
  AllocIdentity a_;
};

template <class A>
inline constexpr bool is_tracked_alloc_v = false;
template <class T, class P>
inline constexpr bool is_tracked_alloc_v<TrackedAlloc<T, P>> = true;

// The allocator each of the interpreter's maps is made with: maps 0 and 1
// share resource #1 (equal allocators: swap, merge and node handles between
// them are defined), map 2 has resource #2 (unequal to both). Every map has
// its own tag.
inline constexpr std::uint32_t kSlotResource[kMapSlots] = {1, 1, 2};
inline AllocIdentity slot_identity(std::uint32_t slot) { return {kSlotResource[slot], slot + 1}; }

// Why a map must hold the allocator AllocWalk says, after an op (no propagation).
inline const char* alloc_rule(Code c) {
  switch (c) {
    case Code::kCopyAssign:
      return "propagate_on_container_copy_assignment is false: copy assignment keeps the target's allocator";
    case Code::kMoveAssign:
      return "propagate_on_container_move_assignment is false: move assignment keeps the target's allocator";
    case Code::kSwap: return "propagate_on_container_swap is false: swap leaves each map its allocator";
    case Code::kCopyConstruct:
      return "a copy is made with select_on_container_copy_construction(), the default allocator #0";
    case Code::kMoveConstruct: return "a move construction takes a copy of the source's allocator";
    default: return "only construction gives a map its allocator";
  }
}

// Which allocator each map holds, by std's rules for a TrackedAlloc with the
// walk's three propagation traits, and the current map (as the interpreter
// moves it). Without propagation nothing but construction changes a map's
// allocator: copy and move assignment and swap leave each map its own; an
// assignment that propagates gives the target the source's allocator, a swap
// that propagates exchanges them.
struct AllocWalk {
  std::array<AllocIdentity, kMapSlots> slot = {slot_identity(0), slot_identity(1), slot_identity(2)};
  std::uint32_t cur = 0;
  bool pocca = false, pocma = false, pocs = false;  // propagate_on_container_{copy,move}_assignment, _swap

  bool equal(std::uint32_t a, std::uint32_t b) const { return slot[a].id == slot[b].id; }

  // Applies one top-level op; returns why the op is skipped (no-op on the map
  // and the oracle), or "" when it runs: swap without propagation and merge
  // require equal allocators in std (undefined behaviour otherwise;
  // swiss::Map aborts on such a swap in debug builds).
  std::string step(const Op& op) {
    const std::uint32_t d = target_slot(op.code, op.n, cur);
    const std::uint32_t s = named_slot(op.n);
    switch (op.code) {
      case Code::kCopyConstruct: slot[d] = AllocIdentity{}; cur = d; return "";  // select_on_container_copy_construction
      case Code::kMoveConstruct: slot[d] = slot[cur]; cur = d; return "";         // the source's, moved
      case Code::kCopyAssign: if (pocca) slot[d] = slot[cur]; cur = d; return "";
      case Code::kMoveAssign: if (pocma) slot[d] = slot[cur]; cur = d; return "";
      case Code::kSelect: cur = d; return "";
      case Code::kSwap: case Code::kMerge:
        if (op.code == Code::kSwap && pocs) {
          std::swap(slot[cur], slot[s]);
          return "";
        }
        if (s == cur || equal(cur, s)) return "";
        return std::string("skipped: the allocators differ (this map's ") + show_identity(slot[cur]) +
               ", map " + std::to_string(s) + "'s " + show_identity(slot[s]) + ") and do not propagate, so " +
               (op.code == Code::kSwap ? "swap" : "merge") + " is undefined in std";
      default: return "";
    }
  }

  // Why a map must hold the allocator the walk says, after an op.
  const char* rule(Code c) const {
    switch (c) {
      case Code::kCopyAssign:
        return pocca ? "propagate_on_container_copy_assignment is true: copy assignment gives the target the source's allocator"
                     : "propagate_on_container_copy_assignment is false: copy assignment keeps the target's allocator";
      case Code::kMoveAssign:
        return pocma ? "propagate_on_container_move_assignment is true: move assignment gives the target the source's allocator"
                     : "propagate_on_container_move_assignment is false: move assignment keeps the target's allocator";
      case Code::kSwap:
        return pocs ? "propagate_on_container_swap is true: swap exchanges the maps' allocators"
                    : "propagate_on_container_swap is false: swap leaves each map its allocator";
      default: return alloc_rule(c);
    }
  }
};

// The walk for allocator type A's traits.
template <class A>
AllocWalk alloc_walk() {
  using T = std::allocator_traits<A>;
  AllocWalk w;
  w.pocca = T::propagate_on_container_copy_assignment::value;
  w.pocma = T::propagate_on_container_move_assignment::value;
  w.pocs = T::propagate_on_container_swap::value;
  return w;
}

}  // namespace swisscheck
