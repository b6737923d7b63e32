// One hash shared by every map in the "cheap" runs, so the figures measure the
// containers and not their hashers: a 64x64->128 multiply folded to 64 bits
// (a few cycles; every output bit depends on every input bit, good enough for
// both the low bits absl/swiss take H2 from and the high bits swiss's
// directory indexes by).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace bench {

inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

template <class K> struct CheapHash;

template <>
struct CheapHash<std::uint64_t> {
  // Tells boost the output is already well mixed, so it does not mix again
  // (absl, swiss and std use the hash as given).
  using is_avalanching = void;
  std::size_t operator()(std::uint64_t x) const { return fold_multiply(x, 0x9E3779B97F4A7C15ULL); }
};

template <>
struct CheapHash<std::string> {
  using is_avalanching = void;
  std::size_t operator()(const std::string& s) const {
    std::uint64_t h = 0x243F6A8885A308D3ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = fold_multiply(h ^ w, 0x9E3779B97F4A7C15ULL);
    }
    if (i < s.size()) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + i, s.size() - i);
      h = fold_multiply(h ^ w, 0xD6E8FEB86659FD93ULL);
    }
    return h;
  }
};

}  // namespace bench
