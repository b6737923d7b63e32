// Churn at a constant 28 entries (erase the 25 oldest, insert 25 new, again
// and again): the tombstones the erases leave are cleaned by rebuilding the
// table in place, never by growing it. A table grows only when more than
// half of its 7/8 budget holds entries, and 28 entries never fill half of a
// 64-slot table's 56, so the map cannot pass 64 buckets.
#include <cstdint>
#include <cstdio>
#include <deque>

#include "swiss/map.h"

int main() {
  const std::uint64_t n = 28, batch = 25;
  for (int trial = 0; trial < 30; ++trial) {
    swiss::Map<std::uint64_t, std::uint64_t> m;
    std::deque<std::uint64_t> fifo;
    std::uint64_t next = 0;
    for (; next < n; ++next) m[next] = next, fifo.push_back(next);
    for (int round = 0; round < 100; ++round) {
      for (std::uint64_t i = 0; i < batch; ++i) m.erase(fifo.front()), fifo.pop_front();
      for (std::uint64_t i = 0; i < batch; ++i, ++next) m[next] = next, fifo.push_back(next);
      if (m.bucket_count() > 64) {
        std::printf("FAIL: churn at %llu entries grew the map to %zu buckets (round %d)\n", (unsigned long long)n,
                    m.bucket_count(), round);
        return 1;
      }
    }
  }
  return 0;
}
