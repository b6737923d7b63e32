// clear() keeps the memory: after reserve(800), fill, clear, refilling with
// 800 other keys fits the same table and moves nothing.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  m.reserve(800);
  for (std::uint64_t k = 0; k < 800; ++k) m[k] = k;
  const std::size_t buckets = m.bucket_count();
  m.clear();
  m[5000] = 1;
  const std::uint64_t* first = &m.find(5000)->second;
  for (std::uint64_t k = 5001; k < 5800; ++k) m[k] = k;
  if (&m.find(5000)->second != first || m.bucket_count() != buckets) {
    std::printf("FAIL: refilling a cleared map to its old size rebuilt it (buckets %zu -> %zu)\n", buckets,
                m.bucket_count());
    return 1;
  }
  return 0;
}
