// Decoder and encoder: decode never rejects, encode(decode(b)) round-trips.
#include <gtest/gtest.h>

#include <random>

#include "check/decode.h"
#include "check/encode.h"

namespace swisscheck {
namespace {

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

TEST(Codec, EmptyInputIsAnEmptyProgram) {
  const Program p = decode(nullptr, 0);
  EXPECT_TRUE(p.ops.empty());
  EXPECT_EQ(p.key_space(), kKeySpaces[0]);
}

TEST(Codec, TruncatedArgumentsReadAsZero) {
  const std::uint8_t bytes[] = {1, static_cast<std::uint8_t>(Code::kInsertOrAssign)};
  const Program p = decode(bytes, sizeof bytes);
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].code, Code::kInsertOrAssign);
  EXPECT_EQ(p.ops[0].key, 0u);
  EXPECT_EQ(p.ops[0].value, 0u);
}

TEST(Codec, KeysStayInsideTheChosenKeySpace) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    auto b = random_bytes(rng, 300);
    const Program p = decode(b.data(), b.size());
    for (const Op& op : p.ops) {
      EXPECT_LT(op.key, p.key_space());
      for (const Op& a : op.actions) EXPECT_LT(a.key, p.key_space());
    }
  }
}

TEST(Codec, RandomBytesRoundTrip) {
  std::mt19937_64 rng(42);
  std::size_t ops = 0, actions = 0;
  for (int round = 0; round < 2000; ++round) {
    auto b = random_bytes(rng, rng() % 400);
    const Program p = decode(b.data(), b.size());
    const auto bytes = encode(p);
    const Program q = decode(bytes.data(), bytes.size());
    ASSERT_EQ(p, q) << "round " << round;
    ASSERT_EQ(encode(q), bytes) << "round " << round;  // a fixed point
    ops += p.ops.size();
    for (const Op& op : p.ops) actions += op.actions.size();
  }
  EXPECT_GT(ops, 10000u);
  EXPECT_GT(actions, 1000u);  // iterate_mutate actions were exercised
}

TEST(Codec, HandWrittenProgramRoundTrips) {
  Program p;
  p.key_space_sel = 7;  // 65536 keys: two bytes per key
  p.ops.push_back({Code::kInsert, 40000, 3});
  p.ops.push_back({Code::kInsertMany, 5, 0, 33 * kCountStep});
  p.ops.push_back({Code::kReserve, 0, 0, kAbsurdSize});
  p.ops.push_back({Code::kArmFault, 0, 17, 2});
  p.ops.push_back({Code::kSwap, 0, 0, 4});
  Op it{Code::kIterMutate};
  it.actions.push_back({Code::kInsertMany, 100, 0, 8 * kCountStep, 0});
  it.actions.push_back({Code::kEraseCurrent, 0, 0, 0, 0});
  it.actions.push_back({Code::kAssignCurrent, 0, 9, 0, 7});
  it.actions.push_back({Code::kClear, 0, 0, 0, 13});
  p.ops.push_back(it);
  p.ops.push_back({Code::kCheck});
  const auto bytes = encode(p);
  EXPECT_EQ(decode(bytes.data(), bytes.size()), p);
}

TEST(Codec, CountsAreExactForCanonicalValues) {
  for (int b = 0; b < 256; ++b) {
    const std::uint32_t n = count_from_byte(static_cast<std::uint8_t>(b));
    EXPECT_EQ(byte_for_count(n), b);
    EXPECT_TRUE(is_canonical_count(n));
  }
  EXPECT_FALSE(is_canonical_count(500));
  EXPECT_TRUE(is_canonical_count(223));
}

TEST(Codec, OpsAreCappedPerInput) {
  std::vector<std::uint8_t> b(1 + 3 * kMaxOps, static_cast<std::uint8_t>(Code::kCheck));
  b[0] = 0;
  EXPECT_EQ(decode(b.data(), b.size()).ops.size(), kMaxOps);
}

}  // namespace
}  // namespace swisscheck
