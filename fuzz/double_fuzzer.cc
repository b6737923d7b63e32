// libFuzzer target: the differential interpreter on the double lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::DoubleLane)
