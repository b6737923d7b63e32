// Random inputs for the codec and mutator tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace swisscheck {

inline std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

}  // namespace swisscheck
