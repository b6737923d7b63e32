// Hashing: the default hasher, the per-map seed, and the mix that every
// hash (user hashers included) goes through before the table sees it.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>

namespace swiss {
namespace detail {

__extension__ typedef unsigned __int128 uint128;  // gcc and clang on 64-bit targets

inline std::uint64_t multiply_fold(std::uint64_t a, std::uint64_t b) {
  const uint128 p = static_cast<uint128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

inline constexpr std::uint64_t kMixMul = 0x9E3779B97F4A7C15ull;

// The user hash may be weak (identity for integers, a constant in tests), so
// both halves of the table's 64-bit hash (directory bits at the top, H1/H2 at
// the bottom) come from a full-width multiply of the seeded value.
inline std::uint64_t mix(std::uint64_t user_hash, std::uint64_t seed) {
  return multiply_fold(user_hash ^ seed, kMixMul);
}

// A fresh seed for a map: a thread-local splitmix64 stream started from the
// random device, the clock and the stream's own address, so two maps (and
// two runs) almost never share one.
inline std::uint64_t& seed_state() {
  thread_local std::uint64_t state = [] {
    std::uint64_t s = 0;
    try {
      std::random_device rd;
      s = (std::uint64_t{rd()} << 32) ^ rd();
    } catch (...) {
    }
    s ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    s ^= reinterpret_cast<std::uintptr_t>(&s);
    return s;
  }();
  return state;
}

inline std::uint64_t draw_seed() {
  std::uint64_t z = (seed_state() += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline std::uint64_t load_bytes(const char* p, std::size_t n) {  // n <= 8
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// Byte-string hash: 16 bytes a round through multiply_fold.
inline std::uint64_t hash_bytes(const char* p, std::size_t n) {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                          k2 = 0x8ebc6af09c88c6e3ull;
  std::uint64_t acc = k0 ^ n;
  while (n > 16) {
    acc = multiply_fold(load_bytes(p, 8) ^ k1, load_bytes(p + 8, 8) ^ acc);
    p += 16;
    n -= 16;
  }
  std::uint64_t a, b;
  if (n >= 8) {
    a = load_bytes(p, 8);
    b = load_bytes(p + n - 8, 8);
  } else if (n >= 4) {
    a = load_bytes(p, 4);
    b = load_bytes(p + n - 4, 4);
  } else {
    a = n ? load_bytes(p, n) : 0;
    b = 0;
  }
  return multiply_fold(a ^ k1, b ^ k2 ^ acc);
}

}  // namespace detail

// For fuzzers and reproducers: restart this thread's seed stream at `start`,
// so the maps built afterwards get the same seeds on every run (a crash that
// depends on where entries land then reproduces exactly). Not for production:
// predictable seeds let an adversary choose colliding keys.
inline void restart_seed_stream_for_testing(std::uint64_t start) { detail::seed_state() = start; }

// The default hasher. Integers, enums and pointers pass through (the map
// mixes); floating point folds -0.0 into +0.0; strings hash their bytes and
// are transparent, so a Map<std::string, V> can be searched by string_view.
template <class K, class = void>
struct Hash {
  std::size_t operator()(const K& k) const noexcept(noexcept(std::hash<K>{}(k))) { return std::hash<K>{}(k); }
};

template <class K>
struct Hash<K, std::enable_if_t<std::is_integral_v<K> || std::is_enum_v<K> || std::is_pointer_v<K>>> {
  std::size_t operator()(K k) const noexcept {
    if constexpr (std::is_pointer_v<K>)
      return reinterpret_cast<std::uintptr_t>(k);
    else
      return static_cast<std::size_t>(k);
  }
};

template <class K>
struct Hash<K, std::enable_if_t<std::is_floating_point_v<K>>> {
  std::size_t operator()(K k) const noexcept {
    if (k == K(0)) return 0;  // +0.0 and -0.0 are one key
    if constexpr (sizeof(K) == 8) {
      return std::bit_cast<std::uint64_t>(k);
    } else if constexpr (sizeof(K) == 4) {
      return std::bit_cast<std::uint32_t>(k);
    } else {
      return std::hash<K>{}(k);
    }
  }
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return detail::hash_bytes(s.data(), s.size()); }
  std::size_t operator()(const std::string& s) const noexcept { return detail::hash_bytes(s.data(), s.size()); }
  std::size_t operator()(const char* s) const noexcept { return (*this)(std::string_view(s)); }
};
template <> struct Hash<std::string> : StringHash {};
template <> struct Hash<std::string_view> : StringHash {};

}  // namespace swiss
