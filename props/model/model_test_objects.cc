// The stateful model test for the lanes of non-trivial and large objects
// (see model_test.cc), and of a stateful allocator that does not propagate.
#include "props/model/model_property.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(Model, String) { check_property(&model_property<StringLane>); }
TEST(Model, Indirect) { check_property(&model_property<IndirectLane>); }
TEST(Model, StatefulAlloc) { check_property(&model_property<StatefulAllocLane>); }

}  // namespace
}  // namespace swissprops
