// The stateful model test for NaN keys, zero-size values and the fault lane
// (see model_test.cc).
#include "props/model/model_property.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(Model, DoubleNaN) { check_property(&model_property<DoubleLane>); }
TEST(Model, EmptyValue) { check_property(&model_property<EmptyValueLane>); }
TEST(Model, InstrumentedFaults) { check_property(&model_property<InstrumentedLane>); }

}  // namespace
}  // namespace swissprops
