// libFuzzer target: the differential interpreter on the indirect lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::IndirectLane)
