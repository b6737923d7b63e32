// GlobalCountingAllocator: counts the bytes a map holds (now and at the
// peak), for the bytes-per-entry figures. Stateless (the counts are one global
// swisscheck::AllocTally; the benchmark is single-threaded), so every copy and
// rebind compares equal, as all four maps require for rebinding to their
// internal node/group/table types. Why this is not check/'s LedgerAllocator:
// check/alloc_tally.h.
#pragma once

#include <cstddef>
#include <memory>

#include "check/alloc_tally.h"

namespace bench {

inline swisscheck::AllocTally& allocation_counts() {
  static swisscheck::AllocTally counts;
  return counts;
}

template <class T>
struct GlobalCountingAllocator {
  using value_type = T;
  using is_always_equal = std::true_type;

  GlobalCountingAllocator() = default;
  template <class U>
  GlobalCountingAllocator(const GlobalCountingAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);  // handles over-aligned T
    allocation_counts().on_allocate(n * sizeof(T));
    return p;
  }
  void deallocate(T* p, std::size_t n) noexcept {
    // A mismatch is not counted: live_bytes stays > 0 and
    // bench_bytes_per_entry reports that the map did not free everything.
    (void)allocation_counts().on_deallocate(n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  template <class U>
  bool operator==(const GlobalCountingAllocator<U>&) const noexcept { return true; }
};

}  // namespace bench
