// +0.0 == -0.0, so they are one key: inserting one finds the other.
#include <cstdio>

#include "swiss/map.h"

int main() {
  for (int trial = 0; trial < 20; ++trial) {
    swiss::Map<double, int> m;
    for (int i = 1; i <= 100; ++i) m.emplace(i * 0.25, i);
    m.emplace(0.0, 1);
    const bool inserted = m.emplace(-0.0, 2).second;
    if (inserted || m.size() != 101 || m.at(-0.0) != 1) {
      std::printf("FAIL: -0.0 and +0.0 are two keys (size %zu)\n", m.size());
      return 1;
    }
  }
  return 0;
}
