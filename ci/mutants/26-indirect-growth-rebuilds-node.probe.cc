// An entry over 128 bytes lives behind a pointer and never moves while it is
// in the map, however often the tables around it grow and split.
#include <array>
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct Big {
  std::array<std::uint64_t, 20> w{};  // 160 bytes
};

int main() {
  swiss::Map<std::uint64_t, Big> m;
  static_assert(decltype(m)::kIndirectElem);
  m[7].w[0] = 7;
  const Big* where = &m.find(7)->second;
  for (std::uint64_t k = 100; k < 3100; ++k) m[k].w[0] = k;  // small map -> tables -> splits
  if (&m.find(7)->second != where || m.find(7)->second.w[0] != 7) {
    std::printf("FAIL: an indirect entry moved during growth\n");
    return 1;
  }
  return 0;
}
