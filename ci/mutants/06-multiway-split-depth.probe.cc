// reserve(5000) builds one 8192-slot table; filling it past 7/8 splits it
// 16 ways at once. Every key must still be found afterwards.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  m.reserve(5000);
  const std::uint64_t n = 7300;
  for (std::uint64_t k = 0; k < n; ++k) m[k] = k * 3;
  for (std::uint64_t k = 0; k < n; ++k) {
    auto it = m.find(k);
    if (it == m.end() || it->second != k * 3) {
      std::printf("FAIL: key %llu lost after a multi-way split\n", (unsigned long long)k);
      return 1;
    }
  }
  std::size_t walked = 0;
  for (auto& kv : m) walked += kv.second == kv.first * 3;
  if (walked != n) {
    std::printf("FAIL: iteration yields %zu of %llu entries\n", walked, (unsigned long long)n);
    return 1;
  }
  return 0;
}
