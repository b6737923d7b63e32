// Inserting distinct keys through several growths: every key must stay
// findable and the tables must keep an empty slot (a table whose growth
// budget ignores the entries it was built with fills up completely).
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  for (std::uint64_t k = 0; k < 3000; ++k) {
    m[k] = k;
    if (m.size() > m.bucket_count() * 7 / 8 + 8) {  // 8: the small map holds 8 in 8 slots
      std::printf("FAIL: %zu entries in %zu slots\n", m.size(), m.bucket_count());
      return 1;
    }
  }
  for (std::uint64_t k = 0; k < 3000; ++k)
    if (m.find(k) == m.end() || m.find(k)->second != k) {
      std::printf("FAIL: key %llu lost\n", (unsigned long long)k);
      return 1;
    }
  return 0;
}
