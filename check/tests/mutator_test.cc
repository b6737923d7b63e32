// The structure-aware mutator (check/mutator.h): what it writes decodes to the
// edited program, stays canonical and inside max_size, is a function of the
// seed, and every kind of edit happens.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "check/decode.h"
#include "check/encode.h"
#include "check/mutator.h"
#include "check/tests/random_bytes.h"

namespace swisscheck {
namespace {

// A program with a bit of everything: bulk ops, an iterate_mutate with actions,
// reserve, a fault, single-key ops.
Program sample_program() {
  Program p;
  p.key_space_sel = 2;
  p.ops.push_back({Code::kInsert, 3, 7});
  p.ops.push_back({Code::kInsertMany, 10, 0, 100});
  p.ops.push_back({Code::kReserve, 0, 0, 16});
  Op it{Code::kIterMutate};
  it.actions.push_back({Code::kInsert, 5, 1, 0, 0});
  it.actions.push_back({Code::kEraseCurrent, 0, 0, 0, 2});
  it.actions.push_back({Code::kClear, 0, 0, 0, 4});
  p.ops.push_back(it);
  p.ops.push_back({Code::kFind, 5});
  p.ops.push_back({Code::kEraseKey, 6});
  p.ops.push_back({Code::kCheck});
  return p;
}

// Inputs of every shape: random bytes (non-canonical, truncated), the sample,
// and programs the mutator itself grew.
std::vector<std::vector<std::uint8_t>> inputs() {
  std::mt19937_64 rng(11);
  std::vector<std::vector<std::uint8_t>> in;
  in.push_back({});
  in.push_back(encode(sample_program()));
  for (int i = 0; i < 150; ++i) in.push_back(random_bytes(rng, rng() % 300));
  Program grown = sample_program();
  for (unsigned s = 0; s < 100; ++s) {
    grown = mutated(grown, s);
    in.push_back(encode(grown));
  }
  return in;
}

std::vector<std::uint8_t> mutate_bytes(const std::vector<std::uint8_t>& in, std::size_t max_size, unsigned seed) {
  std::vector<std::uint8_t> buf(std::max(in.size(), max_size));
  std::copy(in.begin(), in.end(), buf.begin());
  const std::size_t n = mutate_program(buf.data(), in.size(), max_size, seed);
  EXPECT_LE(n, max_size);
  buf.resize(std::min(n, buf.size()));
  return buf;
}

TEST(Mutator, EditedProgramsAreCanonical) {
  for (const auto& b : inputs()) {
    const Program p = decode(b.data(), b.size());
    for (unsigned seed = 0; seed < 40; ++seed) {
      const Program q = mutated(p, seed);
      const auto bytes = encode(q);
      ASSERT_EQ(decode(bytes.data(), bytes.size()), q) << "seed " << seed;
      for (const Op& op : q.ops) {
        ASSERT_LT(op.key, q.key_space());
        ASSERT_LE(op.actions.size(), kMaxActions);
        for (const Op& a : op.actions) ASSERT_LT(a.key, q.key_space());
      }
    }
  }
}

TEST(Mutator, OutputDecodesToTheEditedProgramAndRoundTrips) {
  std::size_t compared = 0;
  for (const auto& b : inputs()) {
    const Program p = decode(b.data(), b.size());
    for (unsigned seed = 0; seed < 20; ++seed) {
      const auto out = mutate_bytes(b, 4096, seed);
      const Program q = decode(out.data(), out.size());
      ASSERT_EQ(encode(q), out) << "seed " << seed;  // canonical: a fixed point
      ASSERT_EQ(q, mutated(p, seed)) << "seed " << seed;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000u);
}

TEST(Mutator, RespectsMaxSizeByDroppingOpsFromTheEnd) {
  std::size_t truncated = 0;
  for (const auto& b : inputs()) {
    const Program p = decode(b.data(), b.size());
    for (std::size_t max_size : {1u, 2u, 5u, 16u, 64u, 200u}) {
      for (unsigned seed = 0; seed < 8; ++seed) {
        const auto out = mutate_bytes(b, max_size, seed);
        ASSERT_LE(out.size(), max_size);
        const Program q = decode(out.data(), out.size());
        ASSERT_EQ(encode(q), out);
        const Program full = mutated(p, seed);
        ASSERT_EQ(q.key_space_sel, full.key_space_sel);
        ASSERT_LE(q.ops.size(), full.ops.size());
        ASSERT_TRUE(std::equal(q.ops.begin(), q.ops.end(), full.ops.begin())) << "not a prefix";
        if (q.ops.size() < full.ops.size()) {
          ++truncated;
          // the next op would not have fit
          std::vector<std::uint8_t> next;
          encode_op(next, full.ops[q.ops.size()], q.key_space());
          EXPECT_GT(out.size() + next.size(), max_size);
        }
      }
    }
  }
  EXPECT_GT(truncated, 100u);
  std::uint8_t byte = 5;
  EXPECT_EQ(mutate_program(&byte, 1, 0, 1), 0u);
}

TEST(Mutator, IsAFunctionOfTheSeed) {
  std::size_t differ = 0, total = 0;
  for (const auto& b : inputs()) {
    for (unsigned seed = 0; seed < 10; ++seed) {
      const auto a = mutate_bytes(b, 1024, seed);
      ASSERT_EQ(a, mutate_bytes(b, 1024, seed));
      differ += a != mutate_bytes(b, 1024, seed + 1000);
      ++total;
    }
  }
  EXPECT_GT(differ, total * 9 / 10);
}

TEST(Mutator, ChangesTheProgram) {
  std::size_t same = 0, total = 0;
  for (const auto& b : inputs()) {
    const Program p = decode(b.data(), b.size());
    for (unsigned seed = 0; seed < 20; ++seed, ++total) same += mutated(p, seed) == p;
  }
  EXPECT_LT(same, total / 100);
}

bool has_boundary_count(const Program& p, std::uint32_t n) {
  for (const Op& op : p.ops)
    for (Arg a : info(op.code).args)
      if ((a == Arg::kCount || a == Arg::kSize) && op.n == n) return true;
  return false;
}
std::size_t count_code(const Program& p, Code c) {
  return std::count_if(p.ops.begin(), p.ops.end(), [c](const Op& op) { return op.code == c; });
}

TEST(Mutator, EveryKindOfEditHappens) {
  const Program p = sample_program();
  std::size_t grew = 0, shrank = 0, same_length = 0, actions_added = 0, actions_removed = 0,
              yields_moved = 0, header = 0, fault = 0, absurd = 0, fill_896 = 0, count_0 = 0, count_8 = 0,
              new_iteration = 0, moved = 0;
  const Op& it0 = p.ops[3];
  for (unsigned seed = 0; seed < 3000; ++seed) {
    const Program q = mutated(p, seed);
    grew += q.ops.size() > p.ops.size();
    shrank += q.ops.size() < p.ops.size();
    header += q.key_space_sel != p.key_space_sel;
    fault += count_code(q, Code::kArmFault) > 0;
    absurd += has_boundary_count(q, kAbsurdSize);
    // 896 is not a count a byte decodes to: the counts around it
    fill_896 += has_boundary_count(q, 744) || has_boundary_count(q, 992);
    count_0 += has_boundary_count(q, 0);
    count_8 += has_boundary_count(q, 8);
    if (q.ops.size() == p.ops.size()) {
      ++same_length;
      std::vector<Code> a, b;
      for (const Op& op : p.ops) a.push_back(op.code);
      for (const Op& op : q.ops) b.push_back(op.code);
      moved += a != b && std::is_permutation(a.begin(), a.end(), b.begin());
      const Op& it = q.ops[3];
      if (it.code == Code::kIterMutate) {
        actions_added += it.actions.size() > it0.actions.size();
        actions_removed += it.actions.size() < it0.actions.size();
        if (it.actions.size() == it0.actions.size()) {
          bool same_codes = true, other_yield = false;
          for (std::size_t i = 0; i < it.actions.size(); ++i) {
            same_codes &= it.actions[i].code == it0.actions[i].code;
            other_yield |= it.actions[i].at != it0.actions[i].at;
          }
          yields_moved += same_codes && other_yield;
        }
      }
    }
  }
  // from a program without an iterate_mutate, the actions edit makes one
  Program plain;
  plain.ops.push_back({Code::kInsert, 1, 1});
  for (unsigned seed = 0; seed < 500; ++seed) new_iteration += count_code(mutated(plain, seed), Code::kIterMutate) > 0;

  EXPECT_GT(grew, 300u);
  EXPECT_GT(shrank, 150u);
  EXPECT_GT(same_length, 300u);
  EXPECT_GT(moved, 20u);
  EXPECT_GT(actions_added, 20u);
  EXPECT_GT(actions_removed, 20u);
  EXPECT_GT(yields_moved, 20u);
  EXPECT_GT(header, 100u);
  EXPECT_GT(fault, 100u);
  EXPECT_GT(absurd, 10u);
  EXPECT_GT(fill_896, 20u);
  EXPECT_GT(count_0, 20u);
  EXPECT_GT(count_8, 20u);
  EXPECT_GT(new_iteration, 30u);
}

TEST(Mutator, KeySpaceChangeKeepsKeysInside) {
  Program p;
  p.key_space_sel = 7;  // 65536
  p.ops.push_back({Code::kInsert, 60000, 1});
  Op it{Code::kIterMutate};
  it.actions.push_back({Code::kEraseKey, 40000, 0, 0, 1});
  p.ops.push_back(it);
  std::size_t changed = 0;
  for (unsigned seed = 0; seed < 2000; ++seed) {
    const Program q = mutated(p, seed);
    if (q.key_space_sel == p.key_space_sel) continue;
    ++changed;
    for (const Op& op : q.ops) {
      ASSERT_LT(op.key, q.key_space());
      for (const Op& a : op.actions) ASSERT_LT(a.key, q.key_space());
    }
  }
  EXPECT_GT(changed, 50u);
}

TEST(Mutator, CrossOverJoinsTwoPrograms) {
  Program p1 = sample_program();
  Program p2;
  p2.key_space_sel = 7;  // keys beyond p1's space of 64: they must be reduced
  for (std::uint32_t i = 0; i < 10; ++i) p2.ops.push_back({Code::kEmplace, 1000 + i, i});
  const auto b1 = encode(p1), b2 = encode(p2);
  std::size_t prefix_suffix = 0, spliced = 0;
  for (unsigned seed = 0; seed < 500; ++seed) {
    std::vector<std::uint8_t> out(1024);
    const std::size_t n = cross_over(b1.data(), b1.size(), b2.data(), b2.size(), out.data(), out.size(), seed);
    out.resize(n);
    std::vector<std::uint8_t> again(1024);
    again.resize(cross_over(b1.data(), b1.size(), b2.data(), b2.size(), again.data(), again.size(), seed));
    ASSERT_EQ(out, again);
    const Program q = decode(out.data(), out.size());
    ASSERT_EQ(encode(q), out);
    ASSERT_EQ(q.key_space_sel, p1.key_space_sel);
    // p1's ops (an unbroken run of them in order), then p2's emplaces, maybe then the rest of p1
    std::size_t i = 0;
    while (i < q.ops.size() && i < p1.ops.size() && q.ops[i] == p1.ops[i]) ++i;
    const std::size_t p1_prefix = i;
    std::uint32_t next_value = 0;
    bool first = true;
    while (i < q.ops.size() && q.ops[i].code == Code::kEmplace) {
      ASSERT_EQ(q.ops[i].key, (1000 + q.ops[i].value) % p1.key_space());
      if (!first) ASSERT_EQ(q.ops[i].value, next_value);  // a run of p2, in order
      next_value = q.ops[i].value + 1;
      first = false;
      ++i;
    }
    const bool p2_to_end = first || next_value == 10;
    ASSERT_TRUE(std::equal(q.ops.begin() + i, q.ops.end(), p1.ops.begin() + p1_prefix,
                           p1.ops.begin() + std::min(p1.ops.size(), p1_prefix + (q.ops.size() - i))))
        << "seed " << seed;
    if (i == q.ops.size() && p2_to_end && p1_prefix < p1.ops.size()) ++prefix_suffix;
    if (!first && i < q.ops.size() && q.ops.size() - i == p1.ops.size() - p1_prefix) ++spliced;
  }
  EXPECT_GT(prefix_suffix, 100u);
  EXPECT_GT(spliced, 50u);
  // max_out is respected
  std::vector<std::uint8_t> small(8);
  EXPECT_LE(cross_over(b1.data(), b1.size(), b2.data(), b2.size(), small.data(), small.size(), 3), 8u);
  EXPECT_EQ(cross_over(b1.data(), b1.size(), b2.data(), b2.size(), small.data(), 0, 3), 0u);
}

}  // namespace
}  // namespace swisscheck
