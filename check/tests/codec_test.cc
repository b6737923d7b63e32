// Decoder and encoder: decode never rejects, encode(decode(b)) round-trips.
#include <gtest/gtest.h>

#include <random>

#include "check/decode.h"
#include "check/encode.h"
#include "check/tests/random_bytes.h"

namespace swisscheck {
namespace {

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

// The 33 codes there were before the node-handle ops keep their opcode
// bytes; the new ones follow them, before the iteration-only codes.
TEST(Codec, OlderOpcodeBytesKeepTheirCodes) {
  EXPECT_EQ(kNumTopLevel, 37);
  EXPECT_EQ(static_cast<int>(Code::kCheck), 32);
  EXPECT_EQ(static_cast<int>(Code::kExtractKey), 33);
  EXPECT_EQ(static_cast<int>(Code::kExtractFound), 34);
  EXPECT_EQ(static_cast<int>(Code::kInsertNode), 35);
  EXPECT_EQ(static_cast<int>(Code::kMerge), 36);
  const char* older[33] = {"insert", "emplace", "try_emplace", "insert_or_assign", "index_assign", "index_bump",
                           "insert_hint", "find", "contains", "count", "at", "equal_range", "erase_key",
                           "erase_found", "erase_range", "erase_if", "clear", "reserve", "rehash", "insert_many",
                           "erase_many", "insert_range", "copy_construct", "copy_assign", "move_construct",
                           "move_assign", "swap", "select", "equal", "iterate", "iterate_mutate", "arm_fault",
                           "check"};
  for (std::uint8_t b = 0; b < 33; ++b) {
    const std::uint8_t bytes[] = {0, b};
    EXPECT_STREQ(name(decode(bytes, 2).ops.at(0).code), older[b]) << int(b);
  }
  // iterate_mutate's action codes are unchanged too (the node ops are top-level only).
  const auto& ic = iteration_codes();
  ASSERT_EQ(ic.size(), 15u);
  EXPECT_EQ(ic.front(), Code::kInsert);
  EXPECT_EQ(ic[13], Code::kEraseCurrent);
  EXPECT_EQ(ic[14], Code::kAssignCurrent);
}

TEST(Codec, NodeOpsRoundTrip) {
  Program p;
  p.key_space_sel = 5;  // 4096 keys: two bytes per key
  p.ops.push_back({Code::kExtractKey, 4000});
  p.ops.push_back({Code::kExtractFound, 17});
  for (std::uint32_t h = 0; h < 3; ++h) p.ops.push_back({Code::kInsertNode, 0, 0, h});
  for (std::uint32_t v = 0; v < 2 * kMapSlots; ++v) p.ops.push_back({Code::kMerge, 0, 0, v});
  const auto bytes = encode(p);
  EXPECT_EQ(bytes[1], 33);
  EXPECT_EQ(bytes[4], 34);
  EXPECT_EQ(bytes[7], 35);
  EXPECT_EQ(decode(bytes.data(), bytes.size()), p);
  // byte % 37: 33 + 37 is extract_key as well
  const std::uint8_t again[] = {0, 70, 1, 0};
  EXPECT_EQ(decode(again, sizeof again).ops.at(0).code, Code::kExtractKey);
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
