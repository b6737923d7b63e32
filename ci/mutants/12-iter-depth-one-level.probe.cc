// An iteration begun on a small map; between its first and second step the
// map grows through several splits at once (directory depth 0 -> 3). The
// walk must go on without repeating or losing the original entries.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  for (int trial = 0; trial < 20; ++trial) {
    swiss::Map<std::uint64_t, std::uint64_t> m;
    const std::uint64_t n = 6;
    for (std::uint64_t k = 0; k < n; ++k) m[k] = k;
    std::vector<int> seen(10000, 0);
    bool burst = false;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (++seen[it->first] > 1) {
        std::printf("FAIL: key %llu yielded twice\n", (unsigned long long)it->first);
        return 1;
      }
      if (!burst) {
        burst = true;
        for (std::uint64_t k = 100; k < 8000; ++k) m[k] = k;
      }
    }
    for (std::uint64_t k = 0; k < n; ++k)
      if (seen[k] != 1) {
        std::printf("FAIL: key %llu never yielded\n", (unsigned long long)k);
        return 1;
      }
  }
  return 0;
}
