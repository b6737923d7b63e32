// Every key hashes alike, so all probe the same group sequence and the first
// groups fill completely: an erase there must leave a tombstone, or the keys
// placed further along the probe sequence are no longer found.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct SameHash {
  std::size_t operator()(std::uint64_t) const { return 0x9e3779b9u; }
};

int main() {
  for (int trial = 0; trial < 8; ++trial) {
    swiss::Map<std::uint64_t, std::uint64_t, SameHash> m;
    for (std::uint64_t k = 0; k < 24; ++k) m[k] = k + 100;
    for (std::uint64_t e = 0; e < 24; ++e) {
      m.erase(e);
      for (std::uint64_t k = e + 1; k < 24; ++k)
        if (!m.contains(k)) {
          std::printf("FAIL: key %llu lost after erasing %llu\n", (unsigned long long)k, (unsigned long long)e);
          return 1;
        }
    }
  }
  return 0;
}
