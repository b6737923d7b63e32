// A value over 128 bytes lives behind a pointer the map allocates. When its
// constructor throws, that allocation is returned: every byte the map took
// from its allocator is back once the map is gone.
#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "swiss/map.h"

inline long outstanding = 0;  // allocations not yet returned

template <class T>
struct CountingAlloc {
  using value_type = T;
  CountingAlloc() = default;
  template <class U>
  CountingAlloc(const CountingAlloc<U>&) {}
  T* allocate(std::size_t n) {
    ++outstanding;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    --outstanding;
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const CountingAlloc&, const CountingAlloc&) { return true; }
};

struct BigValue {
  std::array<std::uint64_t, 20> w{};  // 160 bytes: stored indirectly
  explicit BigValue(int v) {
    if (v < 0) throw std::runtime_error("constructor failed");
    w[0] = static_cast<std::uint64_t>(v);
  }
};

using M = swiss::Map<std::uint64_t, BigValue, swiss::Hash<std::uint64_t>, std::equal_to<std::uint64_t>,
                     CountingAlloc<std::pair<const std::uint64_t, BigValue>>>;
static_assert(M::kIndirectElem);

int main() {
  {
    M m;
    for (int i = 0; i < 30; ++i) m.try_emplace(i, i);
    for (int i = 100; i < 120; ++i) {
      try {
        m.try_emplace(i, -1);
        return 2;
      } catch (const std::runtime_error&) {
      }
    }
    if (m.size() != 30) return 3;
  }
  if (outstanding != 0) {
    std::printf("FAIL: %ld allocations leaked by throwing indirect constructors\n", outstanding);
    return 1;
  }
  return 0;
}
