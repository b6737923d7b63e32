// The stateful model test, one per lane (check/lanes.h): RapidCheck command
// lists -> programs -> check/'s interpreter (props/model/model_property.h).
// The lanes are spread over three files only so they compile in parallel.
#include "props/model/model_property.h"

namespace swissprops {
namespace {

using namespace swisscheck;

TEST(Model, U64) { check_property(&model_property<U64Lane>); }
TEST(Model, U64ConstHash) { check_property(&model_property<ConstHashLane>); }
TEST(Model, U64FewHash) { check_property(&model_property<FewHashLane>); }

}  // namespace
}  // namespace swissprops
