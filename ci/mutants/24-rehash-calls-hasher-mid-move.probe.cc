// A hasher that throws at its k-th call: whichever call it is, a growing
// insert either succeeds or leaves the map exactly as it was.
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "swiss/map.h"

struct ArmedHash {
  static inline int calls_before_throw = -1;  // -1: never throw
  std::size_t operator()(std::uint64_t k) const {
    if (calls_before_throw >= 0 && calls_before_throw-- == 0) throw std::runtime_error("hasher failed");
    return k * 0x9E3779B97F4A7C15ull;
  }
};

std::string value_of(std::uint64_t k) { return "value " + std::to_string(k) + " long enough for the heap"; }

int main() {
  for (int k = 0; k < 40; ++k) {
    swiss::Map<std::uint64_t, std::string, ArmedHash> m;
    for (std::uint64_t i = 0; i < 14; ++i) m.try_emplace(i, value_of(i));  // 16 slots, full to 7/8
    ArmedHash::calls_before_throw = k;
    bool threw = false;
    try {
      m.try_emplace(99, value_of(99));  // grows: hashes every key
    } catch (const std::runtime_error&) {
      threw = true;
    }
    ArmedHash::calls_before_throw = -1;
    if (m.size() != (threw ? 14u : 15u)) {
      std::printf("FAIL: hasher throw at call %d: size %zu\n", k, m.size());
      return 1;
    }
    for (std::uint64_t i = 0; i < 14; ++i) {
      auto it = m.find(i);
      if (it == m.end() || it->second != value_of(i)) {
        std::printf("FAIL: hasher throw at call %d during growth lost entry %llu\n", k, (unsigned long long)i);
        return 1;
      }
    }
  }
  return 0;
}
