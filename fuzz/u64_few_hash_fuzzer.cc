// libFuzzer target: the differential interpreter on the u64_few_hash lane (check/lanes.h).
#include "check/fuzz_target.h"

SWISSCHECK_FUZZ_TARGET(swisscheck::FewHashLane)
