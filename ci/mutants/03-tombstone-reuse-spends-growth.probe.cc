// Erasing a key and inserting it again keeps the size constant; the
// reinsert takes a tombstone on its probe path, which costs no growth. At
// constant size the table therefore never runs out of room and nothing moves;
// afterwards, new keys must still make it grow at 7/8 (a growth_left that
// went wrong either rebuilds early or lets the table fill without an empty
// slot, which aborts the probe loop).
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct SameHash {  // all keys probe one sequence: the first groups fill up, erases leave tombstones
  std::size_t operator()(std::uint64_t) const { return 12345; }
};

int main() {
  swiss::Map<std::uint64_t, std::uint64_t, SameHash> m;
  for (std::uint64_t k = 0; k < 40; ++k) m[k] = k;
  const std::uint64_t* kept = &m.find(39)->second;
  for (int round = 0; round < 400; ++round) {
    const std::uint64_t k = static_cast<std::uint64_t>(round % 32);
    m.erase(k);
    m[k] = k;
    if (&m.find(39)->second != kept) {
      std::printf("FAIL: erase+reinsert churn at constant size rebuilt the table (round %d)\n", round);
      return 1;
    }
  }
  for (std::uint64_t k = 1000; k < 1100; ++k) m[k] = k;
  for (std::uint64_t k = 0; k < 40; ++k)
    if (!m.contains(k)) {
      std::printf("FAIL: key %llu lost\n", (unsigned long long)k);
      return 1;
    }
  if (m.size() != 140) {
    std::printf("FAIL: size %zu, expected 140\n", m.size());
    return 1;
  }
  return 0;
}
