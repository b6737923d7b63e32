// How an entry lives in a slot: inline (the pair's bytes are the slot), or,
// when the key or the value is over 128 bytes, behind a pointer to a pair
// built once on the heap. Growth relocates slots; for an indirect entry that
// moves the pointer and never the object.
#pragma once

#include <cstring>
#include <memory>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "swiss/config.h"
#include "swiss/ctrl.h"
#include "swiss/pointer.h"

#ifdef SWISS_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace swiss::detail {

// A hint that the line holding p is wanted soon.
inline void prefetch(const void* p) {
#if defined(__GNUC__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

template <class K, class V, class Alloc>
struct SlotPolicy {
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<const K, V>;
  using allocator_type = Alloc;
  using traits = std::allocator_traits<Alloc>;

  static constexpr bool kIndirectKey = sizeof(K) > kMaxInlineKeyBytes;
  static constexpr bool kIndirectElem = sizeof(V) > kMaxInlineElemBytes;
  // An entry that can be neither moved nor copied lives behind a pointer
  // too: growth then moves only the pointer, so such a type works in every
  // operation that does not copy or move an entry by value (as in std's
  // node-based map), where an inline slot could not be relocated at all.
  static constexpr bool kImmovable = !(std::is_move_constructible_v<K> && std::is_move_constructible_v<V>);
  static constexpr bool kIndirect = kIndirectKey || kIndirectElem || kImmovable;

  struct InlineSlot {
    alignas(value_type) unsigned char bytes[sizeof(value_type)];
  };
  // The heap object's pointer in the allocator's pointer type (value_type*
  // for std::allocator), constructed in place when the entry is built.
  using ElemPtr = stored_ptr<Alloc, value_type>;
  struct IndirectSlot {
    ElemPtr ptr;
  };
  using Slot = std::conditional_t<kIndirect, IndirectSlot, InlineSlot>;

  // Relocating an inline entry moves its key out of a `const K`: the object is
  // destroyed right after, so nobody observes the moved-from constant.
  static constexpr bool kNothrowRelocate =
      kIndirect || (std::is_nothrow_move_constructible_v<K> && std::is_nothrow_move_constructible_v<V>);
  static constexpr bool kCanCopy = std::is_copy_constructible_v<value_type>;

  static value_type* element(Slot* s) {
    if constexpr (kIndirect)
      return s->ptr;
    else
      return std::launder(reinterpret_cast<value_type*>(s->bytes));
  }
  static const value_type* element(const Slot* s) { return element(const_cast<Slot*>(s)); }

  template <class... Args>
  static void construct(Alloc& a, Slot* s, Args&&... args) {
    if constexpr (kIndirect) {
      value_type* p = allocate_raw<value_type>(a, 1);
      try {
        traits::construct(a, p, std::forward<Args>(args)...);
      } catch (...) {
        deallocate_raw(a, p, 1);
        throw;
      }
      ::new (static_cast<void*>(std::addressof(s->ptr))) ElemPtr(p);
    } else {
      try {
        traits::construct(a, reinterpret_cast<value_type*>(s->bytes), std::forward<Args>(args)...);
      } catch (...) {
        std::memset(static_cast<void*>(s), 0, sizeof(Slot));  // a failed build leaves no bytes behind
        throw;
      }
    }
  }

  // Destroy the entry and clear the slot's bytes ("delete clears elem").
  static void destroy(Alloc& a, Slot* s) {
    value_type* p = element(s);
    traits::destroy(a, p);
    if constexpr (kIndirect) {
      deallocate_raw(a, p, 1);
      s->ptr.~ElemPtr();
    }
    std::memset(static_cast<void*>(s), 0, sizeof(Slot));
  }

  // Move the entry from src into the empty dst. Only growth relocates, out of
  // a table on its way out that nobody reads slots of again, so src's bytes
  // are left as they are (no live slot is ever left holding them).
  static void relocate(Alloc& a, Slot* dst, Slot* src) noexcept(kNothrowRelocate) {
    if constexpr (kIndirect) {
      ::new (static_cast<void*>(std::addressof(dst->ptr))) ElemPtr(src->ptr);
    } else if constexpr (std::is_trivially_copyable_v<value_type>) {
      std::memcpy(static_cast<void*>(dst), src, sizeof(Slot));
    } else {
      value_type* from = element(src);
      traits::construct(a, reinterpret_cast<value_type*>(dst->bytes), std::piecewise_construct,
                        std::forward_as_tuple(std::move(const_cast<K&>(from->first))),
                        std::forward_as_tuple(std::move(from->second)));
      traits::destroy(a, from);
    }
  }

  // Copy src's entry into the empty dst (may throw; src untouched).
  static void copy(Alloc& a, Slot* dst, const Slot* src) { construct(a, dst, *element(src)); }

  // In ASan builds the bytes of every slot that is not full are poisoned.
  // ASan tracks 8-byte granules, so only slots that fill whole granules are
  // poisoned (a group's slots start 8-aligned after its control word).
  static constexpr bool kPoisonable = sizeof(Slot) % 8 == 0;
  static void poison(const Slot* s, std::size_t n = 1) {
#ifdef SWISS_ASAN
    if constexpr (kPoisonable) ASAN_POISON_MEMORY_REGION(s, n * sizeof(Slot));
#else
    (void)s, (void)n;
#endif
  }
  static void unpoison_bytes(const void* p, std::size_t n) {
#ifdef SWISS_ASAN
    if constexpr (kPoisonable) ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
    (void)p, (void)n;
#endif
  }
  static void unpoison(const Slot* s, std::size_t n = 1) {
#ifdef SWISS_ASAN
    if constexpr (kPoisonable) ASAN_UNPOISON_MEMORY_REGION(s, n * sizeof(Slot));
#else
    (void)s, (void)n;
#endif
  }
};

}  // namespace swiss::detail
