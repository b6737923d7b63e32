// propagate_on_container_swap is false (propagate on move assignment is
// true): swap exchanges the contents but each map keeps its allocator. The
// allocators compare equal (swap requires it without POCS) but carry a name.
#include <cstdint>
#include <cstdio>
#include <memory>

#include "swiss/map.h"

template <class T>
struct NamedAlloc {
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::false_type;
  using is_always_equal = std::false_type;
  char name;
  explicit NamedAlloc(char c) : name(c) {}
  template <class U>
  NamedAlloc(const NamedAlloc<U>& o) : name(o.name) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <class U>
  bool operator==(const NamedAlloc<U>&) const { return true; }  // interchangeable memory
};

using Pair = std::pair<const std::uint64_t, std::uint64_t>;
using M = swiss::Map<std::uint64_t, std::uint64_t, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     NamedAlloc<Pair>>;

int main() {
  M a(NamedAlloc<Pair>('a')), b(NamedAlloc<Pair>('b'));
  for (std::uint64_t k = 0; k < 100; ++k) a[k] = k;
  b[1000] = 1;
  a.swap(b);
  if (a.get_allocator().name != 'a' || b.get_allocator().name != 'b') {
    std::printf("FAIL: swap without propagate_on_container_swap exchanged the allocators\n");
    return 1;
  }
  if (a.size() != 1 || b.size() != 100) return 2;
  return 0;
}
