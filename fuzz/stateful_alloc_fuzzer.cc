// libFuzzer target: the differential interpreter on the stateful_alloc lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::StatefulAllocLane)
