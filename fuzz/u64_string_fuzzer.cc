// libFuzzer target: the differential interpreter on the u64_string lane (trivial key, owning value) (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::U64StringLane)
