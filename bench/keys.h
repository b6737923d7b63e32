// Keys and values for the benchmarks: pseudo-random, reproducible, disjoint.
//
// Every key is key_from<K>(mix(stream_base + i)). mix is SplitMix64's
// finalizer, a bijection on 64-bit words, so distinct indices give distinct
// keys; the three streams (inserted, missed, churned-in) start 2^62 apart and
// so never meet. Lookups walk a shuffled copy of the inserted keys, so a hit
// benchmark does not replay the insertion order (which would flatter maps that
// place consecutive inserts near each other).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace bench {

inline constexpr std::uint64_t kSeed = 0x5157155eedULL;  // fixed: runs compare
inline constexpr std::uint64_t kInsertedStream = 0;
inline constexpr std::uint64_t kMissStream = 1ULL << 62;
inline constexpr std::uint64_t kChurnStream = 2ULL << 62;

constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A 256-byte value: large enough that swiss::Map stores the entry indirectly
// (kMaxInlineElemBytes is 128) while absl/boost/std store it as they always do.
struct Blob256 {
  std::array<std::uint64_t, 32> words{};
  bool operator==(const Blob256&) const = default;
};

template <class K> K key_from(std::uint64_t bits);
template <> inline std::uint64_t key_from<std::uint64_t>(std::uint64_t bits) { return bits; }
// "key-" and 16 hex digits: 20 bytes, past libstdc++'s 15-byte inline buffer,
// like a typical short identifier. Injective in bits.
template <> inline std::string key_from<std::string>(std::uint64_t bits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "key-0000000000000000";
  for (int i = 0; i < 16; ++i) s[4 + i] = kHex[(bits >> (4 * i)) & 15];
  return s;
}

template <class V> V value_from(std::uint64_t bits);
template <> inline std::uint64_t value_from<std::uint64_t>(std::uint64_t bits) { return bits; }
template <> inline Blob256 value_from<Blob256>(std::uint64_t bits) {
  Blob256 b;
  b.words[0] = bits;
  b.words[31] = ~bits;
  return b;
}

// A word that depends on the whole key/value the benchmark touched, folded into
// a checksum so the compiler cannot drop the work and the run can verify it.
inline std::uint64_t digest(std::uint64_t x) { return x; }
inline std::uint64_t digest(const std::string& s) { return s.size() + static_cast<unsigned char>(s.back()); }
inline std::uint64_t digest(const Blob256& b) { return b.words[0] ^ b.words[31]; }

template <class K>
struct KeySet {
  std::vector<K> inserted;  // insertion order
  std::vector<K> hits;      // the same keys, shuffled
  std::vector<K> misses;    // never inserted, as many as inserted
  // The independent-lookup workloads' keys: the inserted keys and the missed
  // ones, each in a shuffled order of its own (lookup_hits[i] is
  // inserted[lookup_hit_index[i]]).
  std::vector<K> lookup_hits, lookup_misses;
  std::vector<std::size_t> lookup_hit_index;
};

template <class K>
std::unique_ptr<KeySet<K>> make_key_set(std::size_t n) {
  auto ks = std::make_unique<KeySet<K>>();
  ks->inserted.reserve(n);
  ks->misses.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ks->inserted.push_back(key_from<K>(mix(kSeed + kInsertedStream + i)));
    ks->misses.push_back(key_from<K>(mix(kSeed + kMissStream + i)));
  }
  // Copy in shuffled order rather than shuffle a copy: a string's heap buffer
  // is then allocated in the order the lookups walk it, so reading the probe
  // key costs what reading a key from a request would, not an extra cache miss.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(kSeed ^ n);
  std::shuffle(order.begin(), order.end(), rng);
  ks->hits.reserve(n);
  for (std::size_t i : order) ks->hits.push_back(ks->inserted[i]);
  std::shuffle(order.begin(), order.end(), rng);
  ks->lookup_hits.reserve(n);
  for (std::size_t i : order) ks->lookup_hits.push_back(ks->inserted[i]);
  ks->lookup_hit_index = order;
  std::shuffle(order.begin(), order.end(), rng);
  ks->lookup_misses.reserve(n);
  for (std::size_t i : order) ks->lookup_misses.push_back(ks->misses[i]);
  return ks;
}

// The key set for n, kept until a different n of the same key type is asked
// for: benchmarks of one size run together, and a 10M set is worth reusing.
template <class K>
const KeySet<K>& key_set(std::size_t n) {
  static std::unique_ptr<KeySet<K>> cached;
  static std::size_t cached_n = 0;
  if (!cached || cached_n != n) {
    cached.reset();  // free the old set before building the new one
    cached = make_key_set<K>(n);
    cached_n = n;
  }
  return *cached;
}

// The value stored with the i-th inserted key, and the sum of their digests.
template <class V> V value_for(std::size_t i) { return value_from<V>(mix(kSeed + i) | 1); }

}  // namespace bench
