// The per-map seed must change which keys collide, not just relabel the
// hashes: for fixed pairs of keys, hash(x) ^ hash(y) must differ between
// maps. (TestAccess is the map's befriended test hook; this probe defines
// its own specialization to read the seeded hash.)
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

using M = swiss::Map<std::uint64_t, int>;
template <>
struct swiss::TestAccess<M> {
  static std::uint64_t hash(const M& m, std::uint64_t k) { return m.hash_of(k); }
};

int main() {
  M a, b;
  int same = 0;
  for (std::uint64_t x = 1; x <= 64; ++x) {
    const std::uint64_t y = x * 1000003;
    const std::uint64_t da = swiss::TestAccess<M>::hash(a, x) ^ swiss::TestAccess<M>::hash(a, y);
    const std::uint64_t db = swiss::TestAccess<M>::hash(b, x) ^ swiss::TestAccess<M>::hash(b, y);
    same += da == db;
  }
  if (same > 4) {
    std::printf("FAIL: %d of 64 key pairs collide alike under two seeds\n", same);
    return 1;
  }
  return 0;
}
