// Many tables drained by erases, then refilled with new keys: the inserts'
// tidy steps fold drained buddy pairs. Every key that is in the map must be
// found, and none that is not.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  std::uint64_t next = 0;
  for (; next < 20000; ++next) m[next] = next;
  for (int round = 0; round < 6; ++round) {
    for (auto it = m.begin(); it != m.end();) it = (it->first % 10 != 3) ? m.erase(it) : std::next(it);
    const std::uint64_t first_new = next;
    for (int i = 0; i < 18000; ++i, ++next) m[next] = next;
    for (std::uint64_t k = 0; k < next; ++k) {
      const bool want = k >= first_new || k % 10 == 3;
      if (m.contains(k) != want) {
        std::printf("FAIL: round %d: key %llu %s\n", round, (unsigned long long)k, want ? "lost" : "resurrected");
        return 1;
      }
    }
  }
  return 0;
}
