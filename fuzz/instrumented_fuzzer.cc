// libFuzzer target: the differential interpreter on the instrumented lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::InstrumentedLane)
