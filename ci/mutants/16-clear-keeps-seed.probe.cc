// clear() draws a new seed: the same keys inserted in the same order after
// each clear come out in a new order. With the seed kept, every refill of
// the (same, kept) table is laid out and walked identically.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "swiss/map.h"

int main() {
  swiss::Map<std::uint64_t, std::uint64_t> m;
  std::vector<std::vector<std::uint64_t>> orders;
  for (int round = 0; round < 8; ++round) {
    m.clear();
    for (std::uint64_t k = 0; k < 50; ++k) m[k * 977] = k;
    std::vector<std::uint64_t> order;
    for (const auto& kv : m) order.push_back(kv.first);
    orders.push_back(order);
  }
  int same = 0;
  for (std::size_t i = 2; i < orders.size(); ++i) same += orders[i] == orders[i - 1];
  if (same == static_cast<int>(orders.size()) - 2) {
    std::printf("FAIL: clear() kept the seed: %d refills in a row iterate identically\n", same + 1);
    return 1;
  }
  return 0;
}
