// What a key index means to the model, per lane. For every lane but one, key
// index i (mod the lane's index limit) is its own key: distinct indices are
// distinct keys. The double lane is the exception (check/lanes.h, DoubleLane):
// i % 16 == 15 is a NaN (every insert adds an entry, never found), and every
// index whose key is 0.0 — i % 16 == 14 (+0.0 or -0.0) and i == 4
// (4 * 0.75 - 3) — is one key. A unit test checks this against make_key.
#pragma once

#include <cstdint>
#include <type_traits>

#include "check/lanes.h"

namespace swissprops {

template <class L>
struct KeyClass {
  static constexpr bool kSpecial = false;
  static bool nan(std::uint32_t) { return false; }
  static bool zero(std::uint32_t) { return false; }
  static std::uint64_t specials_in(std::uint32_t, std::uint32_t) { return 0; }
  static std::uint64_t nans_in(std::uint32_t, std::uint32_t) { return 0; }
  static bool zero_in(std::uint32_t, std::uint32_t) { return false; }
};

template <>
struct KeyClass<swisscheck::DoubleLane> {
  static constexpr bool kSpecial = true;
  static constexpr std::uint32_t kZeroIndex = 4;  // the representative of the 0.0 key
  static bool nan(std::uint32_t i) { return i % 16 == 15; }
  static bool zero(std::uint32_t i) { return i % 16 == 14 || i == kZeroIndex; }
  // Indices in [0, x) with i % 16 == r.
  static std::uint64_t residue_below(std::uint32_t x, std::uint32_t r) { return x / 16 + (x % 16 > r ? 1 : 0); }
  static std::uint64_t nans_in(std::uint32_t lo, std::uint32_t hi) {
    return lo >= hi ? 0 : residue_below(hi, 15) - residue_below(lo, 15);
  }
  static bool zero_in(std::uint32_t lo, std::uint32_t hi) {
    return lo < hi && (residue_below(hi, 14) > residue_below(lo, 14) || (lo <= kZeroIndex && kZeroIndex < hi));
  }
  // NaN and zero indices of [lo, hi): not ordinary keys.
  static std::uint64_t specials_in(std::uint32_t lo, std::uint32_t hi) {
    if (lo >= hi) return 0;
    std::uint64_t n = nans_in(lo, hi) + residue_below(hi, 14) - residue_below(lo, 14);
    if (lo <= kZeroIndex && kZeroIndex < hi) ++n;
    return n;
  }
  // Which of the lane's four NaN bit patterns index i is.
  static unsigned nan_pattern(std::uint32_t i) { return (i / 16) % 4; }
};

}  // namespace swissprops
