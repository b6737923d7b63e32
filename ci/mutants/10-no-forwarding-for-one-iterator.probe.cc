// Go's guarantee: an entry present for the whole iteration is yielded
// exactly once, even when inserts rebuild the table being walked.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  for (int trial = 0; trial < 10; ++trial) {
    swiss::Map<std::uint64_t, std::uint64_t> m;
    const std::uint64_t n = 100;
    for (std::uint64_t k = 0; k < n; ++k) m[k] = k;
    std::vector<int> seen(n, 0);
    std::uint64_t next = 1000;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it->first >= n) continue;
      ++seen[it->first];
      if (next < 3000)
        for (int i = 0; i < 400; ++i, ++next) m[next] = next;  // rebuilds the table we are in
    }
    for (std::uint64_t k = 0; k < n; ++k)
      if (seen[k] != 1) {
        std::printf("FAIL: key %llu yielded %d times across rebuilds\n", (unsigned long long)k, seen[k]);
        return 1;
      }
  }
  return 0;
}
