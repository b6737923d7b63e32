// A 144-byte key with a small value: the entry lives behind a pointer (the
// key is over 128 bytes) and keeps its address through growth.
#include <array>
#include <cstdint>
#include <cstdio>

#include "swiss/map.h"

struct BigKey {
  std::array<std::uint64_t, 18> w{};  // 144 bytes
  bool operator==(const BigKey&) const = default;
  static BigKey of(std::uint64_t k) {
    BigKey b;
    b.w[0] = k;
    b.w[17] = ~k;
    return b;
  }
};
struct BigKeyHash {
  std::size_t operator()(const BigKey& b) const { return b.w[0] * 0x9E3779B97F4A7C15ull ^ b.w[17]; }
};

int main() {
  swiss::Map<BigKey, int, BigKeyHash> m;
  static_assert(decltype(m)::kIndirectKey && !decltype(m)::kIndirectElem);
  m[BigKey::of(1)] = 1;
  const auto* where = &*m.find(BigKey::of(1));
  for (std::uint64_t k = 2; k < 2000; ++k) m[BigKey::of(k)] = static_cast<int>(k);
  if (&*m.find(BigKey::of(1)) != where) {
    std::printf("FAIL: an entry with a 144-byte key moved during growth\n");
    return 1;
  }
  return 0;
}
