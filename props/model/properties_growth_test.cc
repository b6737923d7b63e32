// Iteration under forced growth and splits, and a throw at every point of a
// growth (props/model/properties.h).
#include "props/model/properties.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(IterationUnderGrowth, U64) { check_property(&iteration_under_growth<U64Lane>); }
TEST(IterationUnderGrowth, DoubleNaN) { check_property(&iteration_under_growth<DoubleLane>); }
TEST(IterationUnderGrowth, Indirect) { check_property(&iteration_under_growth<IndirectLane>); }
TEST(IterationUnderGrowth, String) { check_property(&iteration_under_growth<StringLane>); }
TEST(IterationUnderGrowth, U64FewHash) { check_property(&iteration_under_growth<FewHashLane>); }

TEST(ThrowAtEveryGrowthPoint, LosesNothing) { check_property(&throw_at_every_growth_point); }

}  // namespace
}  // namespace swissprops
