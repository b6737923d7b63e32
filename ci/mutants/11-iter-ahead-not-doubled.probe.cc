// An iteration during which inserts split tables and double the directory:
// no key may be yielded twice, and every key present throughout is yielded.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  for (std::uint64_t n : {5, 100, 900, 2000, 5000}) {
    for (int trial = 0; trial < 4; ++trial) {
      swiss::Map<std::uint64_t, std::uint64_t> m;
      for (std::uint64_t k = 0; k < n; ++k) m[k] = k;
      const std::uint64_t limit = 1000000 + 6 * n + 4000;
      std::vector<int> seen(limit, 0);
      std::uint64_t next = 1000000;
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (++seen[it->first] > 1) {
          std::printf("FAIL: n=%llu: key %llu yielded twice\n", (unsigned long long)n, (unsigned long long)it->first);
          return 1;
        }
        for (int i = 0; i < 300 && next < limit; ++i, ++next) m[next] = next;
      }
      for (std::uint64_t k = 0; k < n; ++k)
        if (seen[k] != 1) {
          std::printf("FAIL: n=%llu: key %llu never yielded\n", (unsigned long long)n, (unsigned long long)k);
          return 1;
        }
    }
  }
  return 0;
}
