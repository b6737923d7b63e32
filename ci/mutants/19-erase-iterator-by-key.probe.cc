// erase(it) removes the entry the iterator names, even one whose key is not
// equal to itself (NaN), which no lookup can find.
#include <cstdint>
#include <cstdio>
#include <limits>

#include "swiss/map.h"

int main() {
  swiss::Map<double, int> m;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i < 30; ++i) m.emplace(i % 3 == 0 ? nan : i * 1.5, i);  // 10 NaN entries
  if (m.size() != 30) return 2;
  const std::size_t erased = swiss::erase_if(m, [](const auto&) { return true; });
  if (erased != 30 || m.size() != 0 || m.begin() != m.end()) {
    std::printf("FAIL: erase_if over a map with NaN keys left %zu entries (erased %zu)\n", m.size(), erased);
    return 1;
  }
  return 0;
}
