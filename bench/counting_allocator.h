// An allocator that counts the bytes a map holds (now and at the peak), for
// the bytes-per-entry figures. Stateless (the counts are global; the benchmark
// is single-threaded), so every copy and rebind compares equal, as all four
// maps require for rebinding to their internal node/group/table types.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>

namespace bench {

struct AllocationCounts {
  std::size_t live_bytes = 0;
  std::size_t peak_bytes = 0;
  std::size_t allocations = 0;
  void reset() { *this = {}; }
};

inline AllocationCounts& allocation_counts() {
  static AllocationCounts counts;
  return counts;
}

template <class T>
struct CountingAllocator {
  using value_type = T;
  using is_always_equal = std::true_type;

  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);  // handles over-aligned T
    AllocationCounts& c = allocation_counts();
    c.live_bytes += n * sizeof(T);
    c.peak_bytes = std::max(c.peak_bytes, c.live_bytes);
    ++c.allocations;
    return p;
  }
  void deallocate(T* p, std::size_t n) noexcept {
    allocation_counts().live_bytes -= n * sizeof(T);
    std::allocator<T>().deallocate(p, n);
  }

  template <class U>
  bool operator==(const CountingAllocator<U>&) const noexcept { return true; }
};

}  // namespace bench
