// Move assignment between unequal allocators that do not propagate: the
// target cannot take the source's memory, it moves the entries into its
// own. Each allocator here serves its own pool; a block given back to a
// pool it did not come from is counted.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>

#include "swiss/map.h"

inline std::set<void*> pools[3];  // the live blocks of pools 1 and 2
inline int wrong_pool = 0;

template <class T>
struct PoolAlloc {
  using value_type = T;
  using propagate_on_container_move_assignment = std::false_type;
  int pool;
  explicit PoolAlloc(int p) : pool(p) {}
  template <class U>
  PoolAlloc(const PoolAlloc<U>& o) : pool(o.pool) {}
  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);
    pools[pool].insert(p);
    return p;
  }
  void deallocate(T* p, std::size_t n) {
    if (pools[pool].erase(p) == 0) ++wrong_pool;
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const PoolAlloc<U>& o) const { return pool == o.pool; }
};

using Pair = std::pair<const std::uint64_t, std::uint64_t>;
using M = swiss::Map<std::uint64_t, std::uint64_t, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     PoolAlloc<Pair>>;

int main() {
  {
    M a(PoolAlloc<Pair>(1)), b(PoolAlloc<Pair>(2));
    for (std::uint64_t k = 0; k < 2000; ++k) a[k] = k, b[k * 3] = k;
    a = std::move(b);
    if (a.get_allocator().pool != 1 || a.size() != 2000 || a.at(300) != 100) return 2;
    a[99999] = 1;
  }
  if (wrong_pool != 0) {
    std::printf("FAIL: %d blocks returned to a pool they did not come from\n", wrong_pool);
    return 1;
  }
  return 0;
}
