// clear() during an iteration ends it, also when the iterator sits on a
// table that inserts rebuilt meanwhile (it then walks the stale table's
// forwarding records). NaN keys included, as in Go's clear-during-range bug.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "swiss/map.h"

int main() {
  for (int trial = 0; trial < 10; ++trial) {
    swiss::Map<double, std::uint64_t> m;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < 40; ++i) m.emplace(i % 4 == 0 ? nan : i * 0.5, i);
    int after_clear = 0;
    bool cleared = false;
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (cleared) {
        ++after_clear;
        continue;
      }
      for (int i = 0; i < 200; ++i) m.emplace(1000.0 + i, i);  // rebuilds the table being walked
      m.clear();
      cleared = true;
    }
    if (after_clear != 0 || !m.empty()) {
      std::printf("FAIL: %d entries yielded after clear() during iteration\n", after_clear);
      return 1;
    }
  }
  return 0;
}
