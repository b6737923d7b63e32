// A plain iteration yields each entry exactly once, whatever the seeded
// start slot (each map draws its own). Erases leave holes low in the groups
// (inserts fill each group from its first slot), which is when the walk's
// wrap back into its start group has to stop right before the start slot.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  for (int trial = 0; trial < 200; ++trial) {
    swiss::Map<std::uint64_t, std::uint64_t> m;
    const std::uint64_t n = 20 + trial % 50;
    for (std::uint64_t k = 0; k < n; ++k) m[k] = k;
    for (std::uint64_t k = 0; k < n; ++k)
      if ((k * 7 + trial) % 3 != 0) m.erase(k);
    std::vector<int> seen(n, 0);
    std::size_t walked = 0;
    for (const auto& kv : m) ++seen[kv.first], ++walked;
    if (walked != m.size()) {
      std::printf("FAIL: %zu entries walked for size %zu\n", walked, m.size());
      return 1;
    }
    for (std::uint64_t k = 0; k < n; ++k)
      if (seen[k] != (m.contains(k) ? 1 : 0)) {
        std::printf("FAIL: key %llu seen %d times\n", (unsigned long long)k, seen[k]);
        return 1;
      }
  }
  return 0;
}
