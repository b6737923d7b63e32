# What every campaign does around the engine: progress lines, Ctrl-C, keeping
# what was learnt (merge, crashes), and the end-of-run table.
# shellcheck shell=bash
# Needs ci/lib/common.sh and ci/lib/crashes.sh.

SWISS_PROGRESS_SECONDS=${SWISS_PROGRESS_SECONDS:-5}
CAMPAIGN_GROUPS=()      # process groups of the running engine
INTERRUPTED=

# campaign_running: some engine process is still alive.
campaign_running() {
  local g
  for g in "${CAMPAIGN_GROUPS[@]}"; do kill -0 "$g" 2>/dev/null && return 0; done
  return 1
}

# wait_a_little: up to SWISS_PROGRESS_SECONDS, less if the engine is done.
wait_a_little() {
  local i
  for (( i = 0; i < SWISS_PROGRESS_SECONDS; i++ )); do
    campaign_running || return 0
    sleep 1 || true
  done
}

# on_interrupt: first Ctrl-C stops the engine (it exits as after its time
# budget, and the caller goes on to merge and report); no new target starts.
on_interrupt() {
  local g
  if [ -z "$INTERRUPTED" ]; then
    printf '\n' >&2
    say "interrupted: stopping the fuzzer, then merging and reporting what was found (Ctrl-C again to abort)"
  else
    say "interrupted again: aborting"
    for g in "${CAMPAIGN_GROUPS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
    exit 130
  fi
  INTERRUPTED=1
  # TERM, not INT: with -ignore_crashes libFuzzer takes a worker killed by INT
  # for a crash and goes on; TERM stops libFuzzer and afl-fuzz as at the end
  for g in "${CAMPAIGN_GROUPS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
}

# stop_engines: on any exit of the script, no fuzzer is left running.
stop_engines() {
  local g
  for g in "${CAMPAIGN_GROUPS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
}

# progress_line TARGET ELAPSED BUDGET RUNS COV CORPUS CRASHES [NOTE [RATE]]
# (RATE: the engine's own exec/s; by default RUNS / ELAPSED)
progress_line() {
  local rate=${9:-0}
  [ -n "${9:-}" ] || [ "$2" -le 0 ] || rate=$(( $4 / $2 ))
  printf '  %-22s %9s  runs %7s  exec/s %6s  cov %6s  corpus %6s  crashes %s %s\n' \
    "$1" "$2s/$3s" "$(human "$4")" "$(human "$rate")" "$5" "$6" "$7" "${8:-}"
}

# finish_target TARGET ENGINE BIN WORK COV_BEFORE: merge WORK/new into the
# corpus (libFuzzer -merge=1; the regressions are never touched), measure
# coverage again, keep the crashes of WORK/artifacts, and write WORK/result.
finish_target() {
  local target=$1 engine=$2 bin=$3 work=$4 cov_before=$5 corpus into before after cov_after runs secs state
  local crashes=() f raw unique new_saved
  corpus=$(corpus_dir "$target")
  if [ -n "${SWISS_SMOKE_RUNS:-}" ]; then
    # smoke: nothing is merged; what it found beyond the seeds is WORK/new
    before=0 after=$(count_files "$work/new")
    cov_after=$(measure_coverage "$bin" "$work/seeds" "$work/new")
  else
    into=$corpus
    if [ -n "${SWISS_NO_KEEP:-}" ]; then
      # --no-keep: merge into a scratch copy, to count what would have been kept
      into="$work/corpus-copy"; mkdir -p "$into"
      [ -d "$corpus" ] && find "$corpus" -maxdepth 1 -type f -exec cp {} "$into/" \;
    fi
    mkdir -p "$into"
    before=$(count_files "$into")
    if [ "$(count_files "$work/new")" -gt 0 ]; then
      say "$target: merging $(count_files "$work/new") candidate input(s) into ${into#"$SWISS_ROOT"/} (-merge=1)"
      "$bin" -merge=1 -timeout=60 -artifact_prefix="$work/artifacts/" "$into" "$work/new" >"$work/merge.log" 2>&1 ||
        say "$target: merge failed, see ${work#"$SWISS_ROOT"/}/merge.log"
    fi
    after=$(count_files "$into")
    cov_after=$(measure_coverage "$bin" "$into" "$(regressions_dir "$target")")
  fi
  read -r runs secs state <"$work/stats"
  for f in "$work"/artifacts/*; do [ -f "$f" ] && crashes+=("$f"); done
  raw=${#crashes[@]}
  unique=0 new_saved=0
  if [ "$raw" -gt 0 ]; then
    say "$target: $raw crashing input(s); deduplicating, minimizing, saving"
    keep_crashes "$target" "$bin" "$work" "${crashes[@]}"
    unique=$(cat "$work/unique_crashes")
    new_saved=$(grep -c $'\tnew: ' "$work/crashes.tsv" || true)
  fi
  printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$target" "$engine" "$secs" "$runs" "$cov_before" "$cov_after" \
    "$(( after - before ))" "$raw" "$unique" "$new_saved" "$state" >"$work/result"
}

# print_report CAMPAIGN_DIR TARGET...: the end-of-run table, one row per
# target (or "not run" when interrupted first); sets REPORT_CRASHES.
print_report() {
  local dir=$1 t target engine secs runs cb ca new raw unique saved state rate crashes
  shift
  REPORT_CRASHES=0 REPORT_RUNS=0 REPORT_NEW=0 REPORT_SAVED=0 REPORT_DONE=0 REPORT_FAILED=0
  echo
  printf '%-22s %-9s %6s %8s %8s  %-17s %5s  %s\n' target engine time runs exec/s "coverage" new crashes
  for t in "$@"; do
    if [ ! -f "$dir/$t/result" ]; then
      printf '%-22s %s\n' "$t" "not run (interrupted)"
      continue
    fi
    read -r target engine secs runs cb ca new raw unique saved state <"$dir/$t/result"
    rate=0; [ "$secs" -gt 0 ] && rate=$(( runs / secs ))
    crashes=$unique
    [ "$raw" -gt 0 ] && crashes="$unique unique ($raw inputs, $saved newly saved)"
    if [ "$state" = short ]; then
      crashes+="; FAILED: fewer than ${SWISS_SMOKE_RUNS:-?} runs beyond the seeds (log in ${dir#"$SWISS_ROOT"/}/$t/)"
      REPORT_FAILED=$(( REPORT_FAILED + 1 ))
    elif [ "$state" != ok ]; then
      crashes+="; $engine FAILED to run (log in ${dir#"$SWISS_ROOT"/}/$t/)"
      REPORT_FAILED=$(( REPORT_FAILED + 1 ))
    fi
    printf '%-22s %-9s %5ss %8s %8s  %-17s %5s  %s\n' "$target" "$engine" "$secs" "$(human "$runs")" \
      "$(human "$rate")" "$cb -> $ca" "$new" "$crashes"
    REPORT_CRASHES=$(( REPORT_CRASHES + unique )) REPORT_RUNS=$(( REPORT_RUNS + runs ))
    REPORT_NEW=$(( REPORT_NEW + new )) REPORT_SAVED=$(( REPORT_SAVED + saved )) REPORT_DONE=$(( REPORT_DONE + 1 ))
  done
  echo
}
