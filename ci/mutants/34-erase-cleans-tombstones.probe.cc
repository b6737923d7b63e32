// Erase moves nothing: after erasing most of a full table, the entries left
// are at the addresses they had.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  const std::uint64_t n = 896;  // one 1024-slot table at 7/8: most groups without an empty slot
  for (std::uint64_t k = 0; k < n; ++k) m[k] = k;
  std::vector<const std::uint64_t*> where(n);
  for (std::uint64_t k = 0; k < n; ++k) where[k] = &m.find(k)->second;
  for (std::uint64_t k = 0; k < n; ++k)
    if (k % 8 != 0) m.erase(k);
  for (std::uint64_t k = 0; k < n; k += 8)
    if (&m.find(k)->second != where[k]) {
      std::printf("FAIL: erasing other keys moved the entry of %llu\n", (unsigned long long)k);
      return 1;
    }
  return 0;
}
