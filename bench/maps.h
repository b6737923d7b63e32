// The maps under test, as families a benchmark template is instantiated with.
//
// A family names a container template and its own default hasher and key
// equality; a hash policy picks either those defaults or the shared CheapHash.
// MapFor<Family, Policy, K, V, Alloc> is the concrete map type, so every
// workload is written once and registered for every (family, policy).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>
#include <boost/unordered/unordered_flat_map.hpp>

#include "swiss/map.h"

#include "cheap_hash.h"

namespace bench {

template <class K, class V>
using PairAllocator = std::allocator<std::pair<const K, V>>;

struct SwissFamily {
  static constexpr const char* kName = "swiss";
  template <class K> using DefaultHash = swiss::Hash<K>;
  template <class K> using DefaultEq = std::equal_to<K>;
  template <class K, class V, class H, class Eq, class A>
  using Map = swiss::Map<K, V, H, Eq, A>;
};

struct AbslFamily {
  static constexpr const char* kName = "absl";
  template <class K> using DefaultHash = absl::container_internal::hash_default_hash<K>;
  template <class K> using DefaultEq = absl::container_internal::hash_default_eq<K>;
  template <class K, class V, class H, class Eq, class A>
  using Map = absl::flat_hash_map<K, V, H, Eq, A>;
};

struct BoostFamily {
  static constexpr const char* kName = "boost";
  template <class K> using DefaultHash = boost::hash<K>;
  template <class K> using DefaultEq = std::equal_to<K>;
  template <class K, class V, class H, class Eq, class A>
  using Map = boost::unordered_flat_map<K, V, H, Eq, A>;
};

struct StdFamily {
  static constexpr const char* kName = "std";
  template <class K> using DefaultHash = std::hash<K>;
  template <class K> using DefaultEq = std::equal_to<K>;
  template <class K, class V, class H, class Eq, class A>
  using Map = std::unordered_map<K, V, H, Eq, A>;
};

struct DefaultHashing {  // each map with the hasher it ships with
  static constexpr const char* kName = "default";
  template <class F, class K> using Hash = typename F::template DefaultHash<K>;
  template <class F, class K> using Eq = typename F::template DefaultEq<K>;
};

struct CheapHashing {  // every map with the same CheapHash
  static constexpr const char* kName = "cheap";
  template <class F, class K> using Hash = CheapHash<K>;
  template <class F, class K> using Eq = std::equal_to<K>;
};

template <class F, class P, class K, class V, class A = PairAllocator<K, V>>
using MapFor = typename F::template Map<K, V, typename P::template Hash<F, K>,
                                        typename P::template Eq<F, K>, A>;

}  // namespace bench
