// Copy assignment between maps with unequal allocators that do not
// propagate on copy assignment: the target's memory keeps coming from (and
// going back to) the target's own allocator.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>

#include "swiss/map.h"

inline std::map<void*, int> owner;  // block -> id of the allocator that handed it out
inline int foreign_frees = 0;

template <class T>
struct IdAlloc {
  using value_type = T;
  using propagate_on_container_copy_assignment = std::false_type;
  using propagate_on_container_move_assignment = std::false_type;
  using propagate_on_container_swap = std::false_type;
  using is_always_equal = std::false_type;
  int id;
  explicit IdAlloc(int i) : id(i) {}
  template <class U>
  IdAlloc(const IdAlloc<U>& o) : id(o.id) {}
  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);
    owner[p] = id;
    return p;
  }
  void deallocate(T* p, std::size_t n) {
    if (owner[p] != id) ++foreign_frees;
    owner.erase(p);
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const IdAlloc<U>& o) const { return id == o.id; }
};

using Pair = std::pair<const std::uint64_t, std::uint64_t>;
using M = swiss::Map<std::uint64_t, std::uint64_t, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     IdAlloc<Pair>>;

int main() {
  {
    M a(IdAlloc<Pair>(1)), b(IdAlloc<Pair>(2));
    for (std::uint64_t k = 0; k < 3000; ++k) a[k] = k, b[k + 7] = k;
    a = b;  // unequal, no POCCA: a keeps allocator 1 and copies into its memory
    if (a.get_allocator().id != 1 || a.size() != 3000 || a.at(7) != 0) return 2;
  }
  if (foreign_frees != 0) {
    std::printf("FAIL: %d blocks freed by an allocator that did not allocate them\n", foreign_frees);
    return 1;
  }
  return 0;
}
