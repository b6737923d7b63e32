// Small test types shared by check/'s lanes and by props/ (dependency-free, so
// props/ tests that do not link swiss::check include it too).
#pragma once

#include <cstddef>
#include <cstdint>

namespace swisscheck {

// Every user hash value the same: every key collides, probe sequences are as
// long as they get (the u64_const_hash lane; abseil's "bad hash" tests). The
// constant is part of the lane: the fuzz corpora replay with it.
struct ConstantHash {
  std::size_t operator()(std::uint64_t) const { return 0x5bd1e995u; }
};

// A zero-size type, all of its values equal: the empty_value lane's value,
// and key and value of props' zero-size-slot test.
struct Empty {
  bool operator==(const Empty&) const = default;
};

}  // namespace swisscheck
