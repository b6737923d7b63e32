// An iteration during which inserts grow and split the table being walked:
// each yielded entry is a real one (its value is its key's), none twice, and
// every key present throughout is yielded.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  for (std::uint64_t n : {5, 60, 700, 3000}) {
    for (int trial = 0; trial < 4; ++trial) {
      swiss::Map<std::uint64_t, std::uint64_t> m;
      for (std::uint64_t k = 0; k < n; ++k) m[k] = k * 2 + 1;
      const std::uint64_t limit = 1000000 + 6 * n + 4000;
      std::vector<int> seen(limit, 0);
      std::uint64_t next = 1000000;
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (it->second != it->first * 2 + 1) {
          std::printf("FAIL: n=%llu: key %llu yielded with value %llu\n", (unsigned long long)n,
                      (unsigned long long)it->first, (unsigned long long)it->second);
          return 1;
        }
        if (++seen[it->first] > 1) {
          std::printf("FAIL: n=%llu: key %llu yielded twice\n", (unsigned long long)n, (unsigned long long)it->first);
          return 1;
        }
        for (int i = 0; i < 300 && next < limit; ++i, ++next) m[next] = next * 2 + 1;
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
