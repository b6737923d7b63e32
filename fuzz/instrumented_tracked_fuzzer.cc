// libFuzzer target: the differential interpreter on the instrumented_tracked lane (fault injection, a value whose move may throw so growth copies, allocators propagating on move assignment but not swap) (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::InstrumentedTrackedLane)
