// A full small map (exactly 8 entries) with one erased and one new key
// inserted has room: nothing may move and it stays one 8-slot group.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  for (std::uint64_t k = 0; k < 8; ++k) m[k] = k;
  const std::uint64_t* kept = &m.find(7)->second;
  for (std::uint64_t round = 0; round < 20; ++round) {
    // keys 0..6 first, then the ones this loop inserted (key 7 stays)
    if (m.erase(round < 7 ? round : 100 + (round - 7)) != 1) return 2;
    m[100 + round] = round;  // 8 entries again
    if (m.bucket_count() != 8 || &m.find(7)->second != kept) {
      std::printf("FAIL: a small map with room rebuilt (bucket_count %zu) in round %llu\n", m.bucket_count(),
                  (unsigned long long)round);
      return 1;
    }
  }
  return 0;
}
