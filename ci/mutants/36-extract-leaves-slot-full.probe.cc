// extract takes the entry out: the map no longer walks or finds it, and the
// node goes back in as the same entry.
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  for (std::uint64_t k = 1; k <= 20; ++k) m[k] = k * 10;
  auto nh = m.extract(7);
  if (nh.empty() || nh.key() != 7 || nh.mapped() != 70) return 2;
  std::size_t walked = 0;
  for (const auto& kv : m) walked += 1 + (kv.first == 7) * 100 + (kv.first == 0) * 100;
  if (walked != 19 || m.size() != 19 || m.contains(7)) {
    std::printf("FAIL: after extract the map walks %zu for size %zu\n", walked, m.size());
    return 1;
  }
  if (!m.insert(std::move(nh)).inserted || m.size() != 20 || m.at(7) != 70) return 3;
  return 0;
}
