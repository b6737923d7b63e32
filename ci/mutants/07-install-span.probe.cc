// Splits at different depths: 3000 keys share one hash (a degenerate class
// that no split can separate), so the table holding them stays shallow while
// the rest of the directory deepens; it still splits off the ordinary keys
// that land beside the class, now as a table whose run covers several
// directory entries. Every key must remain reachable through the directory.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct ClassHash {
  std::size_t operator()(std::uint64_t k) const { return k < 3000 ? 0x5bd1e995u : k; }
};

int main() {
  swiss::Map<std::uint64_t, std::uint64_t, ClassHash> m;
  for (std::uint64_t k = 0; k < 3000; ++k) m[k] = k + 1;
  const std::uint64_t n = 60000;
  for (std::uint64_t k = 3000; k < n; ++k) {
    m[k] = k + 1;
    if (k % 2000 == 1999)
      for (std::uint64_t j = 0; j <= k; j += 5)
        if (!m.contains(j)) {
          std::printf("FAIL: key %llu lost after %llu inserts\n", (unsigned long long)j, (unsigned long long)k + 1);
          return 1;
        }
  }
  return 0;
}
