// libFuzzer target: the differential interpreter on the empty_value lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::EmptyValueLane)
