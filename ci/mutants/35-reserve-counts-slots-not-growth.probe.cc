// reserve(1000) on a map whose table has 1024 slots (room for 896): after
// it, 1000 distinct inserts rebuild nothing.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  m.reserve(500);   // one table of 1024 slots
  m.reserve(1000);  // 1024 slots hold 896: it must be rebuilt bigger now
  m[0] = 0;
  const std::uint64_t* first = &m.find(0)->second;
  for (std::uint64_t k = 1; k < 1000; ++k) m[k] = k;
  if (&m.find(0)->second != first) {
    std::printf("FAIL: inserts up to a reserved size rebuilt the table\n");
    return 1;
  }
  return 0;
}
