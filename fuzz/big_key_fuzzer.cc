// libFuzzer target: the differential interpreter on the big_key lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::BigKeyLane)
