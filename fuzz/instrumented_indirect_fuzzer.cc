// libFuzzer target: the differential interpreter on the instrumented_indirect lane (fault injection, entries behind pointers) (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::InstrumentedIndirectLane)
