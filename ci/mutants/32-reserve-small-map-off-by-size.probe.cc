// After reserve(n), inserting distinct keys until size() == n rebuilds
// nothing: here a small map holding 1 entry, reserve(9), 8 more inserts.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  for (std::uint64_t n = 9; n <= 16; ++n) {
    swiss::Map<std::uint64_t, std::uint64_t> m;
    m[0] = 0;
    m.reserve(n);
    const std::uint64_t* first = &m.find(0)->second;
    for (std::uint64_t k = 1; k < n; ++k) m[k] = k;
    if (&m.find(0)->second != first) {
      std::printf("FAIL: reserve(%llu) on a 1-entry small map did not make room for %llu entries\n",
                  (unsigned long long)n, (unsigned long long)n);
      return 1;
    }
  }
  return 0;
}
