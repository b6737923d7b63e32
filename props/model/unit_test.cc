// The model's own parts: key classes agree with the lanes, the index set
// behaves as a set, counts stay canonical, fills reach their target.
#include <gtest/gtest.h>

#include <set>

#include "check/lanes.h"
#include "props/model/generators.h"
#include "props/model/index_set.h"
#include "props/model/key_class.h"
#include "props/model/model_state.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(ModelParts, DoubleKeyClassMatchesTheLane) {
  using KC = KeyClass<DoubleLane>;
  std::uint64_t nans = 0, specials = 0;
  for (std::uint32_t i = 0; i < 4096; ++i) {
    const double k = DoubleLane::make_key(i);
    ASSERT_EQ(KC::nan(i), k != k) << i;
    ASSERT_EQ(KC::zero(i), k == 0.0) << i;
    if (KC::nan(i)) ASSERT_EQ(std::bit_cast<std::uint64_t>(k), DoubleLane::kNaNBits[KC::nan_pattern(i)]);
    nans += KC::nan(i);
    specials += KC::nan(i) || KC::zero(i);
    ASSERT_EQ(KC::nans_in(0, i + 1), nans) << i;
    ASSERT_EQ(KC::specials_in(0, i + 1), specials) << i;
  }
  EXPECT_EQ(KC::specials_in(5, 40), 4u);  // 14, 15, 30, 31
  EXPECT_TRUE(KC::zero_in(3, 5));
  EXPECT_FALSE(KC::zero_in(5, 14));
}

TEST(ModelParts, IndexSetIsASet) {
  IndexSet s;
  std::set<std::uint32_t> ref;
  std::uint64_t x = 12345;
  for (int round = 0; round < 3000; ++round) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint32_t lo = (x >> 33) % 300, len = (x >> 20) % 20;
    if ((x >> 60) & 1) {
      s.insert(lo, lo + len);
      for (std::uint32_t i = lo; i < lo + len; ++i) ref.insert(i);
    } else {
      s.erase(lo, lo + len);
      for (std::uint32_t i = lo; i < lo + len; ++i) ref.erase(i);
    }
    ASSERT_EQ(s.count_in(0, 400), ref.size());
    for (std::uint32_t i = 0; i < 330; i += 7) ASSERT_EQ(s.contains(i), ref.count(i) == 1) << i;
    for (std::size_t r = 1; r < s.runs().size(); ++r) ASSERT_LT(s.runs()[r - 1].second, s.runs()[r].first);
    if (auto a = s.absent_run(5, 300, 400)) {
      for (std::uint32_t i = *a; i < *a + 5; ++i) ASSERT_FALSE(ref.count(i));
    }
  }
}

TEST(ModelParts, CountsAreCanonical) {
  for (std::uint64_t n = 0; n < 9000; ++n) {
    ASSERT_TRUE(is_canonical_count(canonical_floor(n))) << n;
    ASSERT_TRUE(is_canonical_count(canonical_ceil(n))) << n;
    ASSERT_LE(canonical_floor(n), n);
    if (n <= max_count()) ASSERT_GE(canonical_ceil(n), n);
  }
}

template <class L>
void fills_reach(std::uint8_t sel, std::uint64_t target) {
  ModelState<L> s(sel);
  s.apply(Op{Code::kInsertMany, 3, 0, 40});
  for (const Op& op : Gens<L>::fill_to(s, target)) {
    EXPECT_LT(op.key, s.space());
    EXPECT_TRUE(is_canonical_count(op.n));
    s.apply(op);
  }
  EXPECT_EQ(s.size(), target) << L::kName << " key space " << s.space();
}

TEST(ModelParts, FillsReachTheirTarget) {
  for (std::uint64_t t : {41, 49, 448, 449, 896, 897, 3700}) {
    fills_reach<U64Lane>(7, t);
    fills_reach<StringLane>(5, t);
    fills_reach<DoubleLane>(7, t);
  }
  fills_reach<ConstHashLane>(4, 700);
  fills_reach<FewHashLane>(3, 897);
}

}  // namespace
}  // namespace swissprops
