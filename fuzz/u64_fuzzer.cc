// libFuzzer target: the differential interpreter on the u64 lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::U64Lane)
