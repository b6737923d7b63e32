# One libFuzzer campaign on one target: -fork=N jobs from the corpus, a
# progress line every few seconds, then the numbers for the report.
# shellcheck shell=bash
# Needs ci/lib/common.sh and ci/lib/campaign.sh.

# measure_coverage BIN DIR...: the edges ("coverage edges") the inputs of the
# DIRs reach, counted by a crash-resistant -merge=1 into an empty scratch dir,
# so a crashing regression input does not stop the count; "?" on failure.
measure_coverage() {
  local bin=$1 d dirs=() scratch
  shift
  for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
  [ "$(count_files "${dirs[@]}")" -gt 0 ] || { echo 0; return 0; }
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/swiss-cov.XXXXXX")
  "$bin" -merge=1 -timeout=60 "$scratch" "${dirs[@]}" 2>&1 |
    awk '/^MERGE-OUTER: .* new coverage edges/ { c = $(NF - 3) }
         END { print (c == "" ? "?" : c) }'
  rm -rf "$scratch"
}

# libfuzzer_stats LOG: "RUNS COV CORPUS" from the last fork-mode status line
# ("#N: cov: C ft: F corp: K exec/s ...") or plain-mode line ("#N ... cov: C ...
# corp: K/Sb ..."); "0 ? ?" before the first one.
libfuzzer_stats() {
  awk '/^#[0-9]+[: \t]/ && / cov: / {
         runs = $1; gsub(/[#:]/, "", runs)
         for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i + 1); if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) } }
       }
       /^Done [0-9]+ runs in / { runs = $2 }
       END { print (runs == "" ? 0 : runs), (cov == "" ? "?" : cov), (corp == "" ? "?" : corp) }' "$1" 2>/dev/null
}

# run_libfuzzer TARGET BIN SECONDS JOBS WORK: fuzz TARGET for SECONDS with JOBS
# forked workers; new inputs land in WORK/new, crashes in WORK/artifacts.
# Writes WORK/stats (runs seconds) and returns when done or interrupted.
run_libfuzzer() {
  local target=$1 bin=$2 secs=$3 jobs=$4 work=$5 flags dirs start now runs cov corp
  mkdir -p "$work/new" "$work/artifacts"
  mapfile -t flags < <(libfuzzer_option_flags "$target")
  # OSS-Fuzz's per-input timeout unless the .options file sets one
  [[ " ${flags[*]} " == *" -timeout="* ]] || flags+=(-timeout=25)
  # new inputs go to the first directory (scratch); the corpus and the
  # regressions are only read
  dirs=("$work/new")
  local mode=(-fork="$jobs" -ignore_crashes=1) want=0
  if [ -n "${SWISS_SMOKE_RUNS:-}" ]; then
    # smoke (ci/fuzz --smoke): one process from the seeds in WORK/seeds; -runs
    # counts the seeds' own runs too, so WANT is the seeds plus N more
    want=$(( SWISS_SMOKE_RUNS + $(count_files "$work/seeds") ))
    mode=(-runs="$want")
    dirs+=("$work/seeds")
  else
    [ -d "$(corpus_dir "$target")" ] && dirs+=("$(corpus_dir "$target")")
    [ -d "$(regressions_dir "$target")" ] && dirs+=("$(regressions_dir "$target")")
  fi
  echo "  $ ${bin#"$SWISS_ROOT"/} ${flags[*]} ${mode[*]} -max_total_time=$secs" \
       "-artifact_prefix=${work#"$SWISS_ROOT"/}/artifacts/ ${dirs[*]#"$SWISS_ROOT"/}"
  start=$(date +%s)
  # own process group, so an interrupt stops the workers too
  UBSAN_OPTIONS=$SWISS_UBSAN_OPTIONS setsid "$bin" "${flags[@]}" "${mode[@]}" \
    -max_total_time="$secs" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "${dirs[@]}" >"$work/fuzz.log" 2>&1 &
  CAMPAIGN_GROUPS=($!)
  while campaign_running; do
    wait_a_little
    campaign_running || break
    now=$(( $(date +%s) - start ))
    read -r runs cov corp < <(libfuzzer_stats "$work/fuzz.log")
    progress_line "$target" "$now" "$secs" "$runs" "$cov" "$corp" "$(count_files "$work/artifacts")"
  done
  wait "${CAMPAIGN_GROUPS[@]}" 2>/dev/null || true
  CAMPAIGN_GROUPS=()
  read -r runs cov corp < <(libfuzzer_stats "$work/fuzz.log")
  local state=ok
  if ! grep -qE '^#[0-9]+' "$work/fuzz.log"; then
    state=failed
    say "$target: libFuzzer stopped before fuzzing; the end of ${work#"$SWISS_ROOT"/}/fuzz.log:"
    tail -5 "$work/fuzz.log" | sed 's/^/    /'
  elif [ "$want" -gt 0 ] && [ "$runs" -lt "$want" ] && [ "$(count_files "$work/artifacts")" -eq 0 ]; then
    # a smoke that neither crashed nor reached its run count in its time
    state=short
    say "$target: smoke ran $runs of $want inputs (seeds + ${SWISS_SMOKE_RUNS}) in ${secs}s"
  fi
  echo "$runs $(( $(date +%s) - start )) $state" >"$work/stats"
}
