#!/usr/bin/env bash
# ci/tests/afl_totals_test.sh: the afl progress line shows only figures afl-fuzz
# has reported (ctest ci.afl_totals). Fake fuzzer_stats files, one state each.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/campaign.sh"
source "$here/lib/afl.sh"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
mkdir -p "$out/main/queue" "$out/main/crashes" "$out/s1"
fails=0
expect() {  # expect WHAT WANT: afl_totals OUT must print WANT
  local got; got=$(afl_totals "$out")
  if [ "$got" = "$2" ]; then echo "ok: $1: $got"; else echo "FAIL: $1: got '$got', want '$2'"; fails=$((fails + 1)); fi
}
stats() { printf 'run_time          : %s\nexecs_done        : %s\nexecs_per_sec     : %s\nedges_found       : %s\n' "$2" "$3" "$4" "$5" >"$out/$1/fuzzer_stats"; }

expect "before any fuzzer_stats" "? ? 0 0 ?"
stats main 0 1200 1200000.00 300
expect "the startup write (calibration over a fraction of a second)" "1200 300 0 0 ?"
stats main 61 61000 1000.00 400; stats s1 1 50 inf 0
expect "main after a minute, s1 just started" "61050 400 0 0 1000"
stats s1 60 30000 500.00 0; touch "$out/main/queue/id:000001"
mkdir -p "$out/s1/crashes"; touch "$out/s1/crashes/id:000000"
expect "both after a minute, one queue entry, one crash" "91000 400 1 1 1500"
line=$(progress_line t 3 60 "?" "?" 0 0 note "?")
case $line in *"runs       ?  exec/s      ?"*) echo "ok: progress line before stats: $line" ;;
  *) echo "FAIL: progress line before stats: $line"; fails=$((fails + 1)) ;; esac
[ "$fails" -eq 0 ] && echo "afl_totals_test: all passed" || { echo "afl_totals_test: $fails failed"; exit 1; }
