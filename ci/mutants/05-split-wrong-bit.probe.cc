// Enough keys for several splits; each must still be found where it was put.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  const std::uint64_t n = 5000;
  for (std::uint64_t k = 0; k < n; ++k) m[k] = ~k;
  for (std::uint64_t k = 0; k < n; ++k) {
    auto it = m.find(k);
    if (it == m.end() || it->second != ~k) {
      std::printf("FAIL: key %llu not found after splits\n", (unsigned long long)k);
      return 1;
    }
  }
  return 0;
}
