# One AFL++ campaign on one target: the same fuzz/ sources built with
# afl-clang-fast++ (-fsanitize=fuzzer links AFL's libFuzzer-compatible driver),
# one -M and N-1 -S instances on the corpus, -V seconds.
# shellcheck shell=bash
# Needs ci/lib/common.sh and ci/lib/campaign.sh.

SWISS_AFL_BUILD="$SWISS_ROOT/build/afl"

# afl_env: the environment every afl-* command here runs with. ASan + UBSan
# like the libFuzzer build; no UI (we print our own progress), no CPU binding
# (the machine may be shared), no core_pattern or cpufreq demands.
SWISS_AFL_ENV=(AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_CRASH_README=1 AFL_FAST_CAL=1
  AFL_SKIP_CRASHES=1)  # a regression seed that still crashes must not stop the campaign
afl_env() { env "${SWISS_AFL_ENV[@]}" "$@"; }

# build_afl TARGET...: configure build/afl (afl-clang-fast++, the fuzz
# targets only) and build the TARGETs.
build_afl() {
  if [ ! -f "$SWISS_AFL_BUILD/build.ninja" ]; then
    say "configure: build/afl (afl-clang-fast++, AFL_USE_ASAN=1 AFL_USE_UBSAN=1, SWISS_FUZZING_ENGINE=-fsanitize=fuzzer)"
    afl_env cmake -S "$SWISS_ROOT" -B "$SWISS_AFL_BUILD" -G Ninja \
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=afl-clang-fast++ \
      -DCMAKE_CXX_FLAGS="-O1 -g -fno-omit-frame-pointer" \
      -DSWISS_BUILD_TESTS=OFF -DSWISS_BUILD_FUZZ=ON -DSWISS_FUZZING_ENGINE=-fsanitize=fuzzer >/dev/null
  fi
  say "build: build/afl (-j2): $*"
  afl_env cmake --build "$SWISS_AFL_BUILD" -j2 --target "$@"
}

# afl_stat FILE KEY: one value of a fuzzer_stats file.
afl_stat() { awk -v k="$2" '$1 == k { print $3 }' "$1" 2>/dev/null; }

# afl_totals OUT: "RUNS COV CORPUS CRASHES EXECS/S" over every instance of OUT. Queue
# and crashes are counted from the directories (live); execs and edges come
# from fuzzer_stats, which afl-fuzz rewrites only once a minute. Only figures
# afl-fuzz has reported are shown: "?" before its first fuzzer_stats, and an
# instance's exec/s only once its stats cover 10 s or more (the write at
# startup divides the calibration runs by a fraction of a second: "1.2M").
afl_totals() {
  local out=$1 f runs="?" rate="?" cov="?" v done secs
  for f in "$out"/*/fuzzer_stats; do
    [ -f "$f" ] || continue
    done=$(afl_stat "$f" execs_done)
    [[ $done =~ ^[0-9]+$ ]] && runs=$(( ${runs/\?/0} + done ))
    v=$(afl_stat "$f" execs_per_sec); v=${v%.*}   # may read "inf", or 0 before the first minute
    secs=$(afl_stat "$f" run_time)
    if [[ $v =~ ^[0-9]+$ && ${secs:-0} =~ ^[0-9]+$ && ${secs:-0} -ge 10 ]]; then
      rate=$(( ${rate/\?/0} + v ))
    fi
  done
  [ -f "$out/main/fuzzer_stats" ] && cov=$(afl_stat "$out/main/fuzzer_stats" edges_found)
  echo "$runs ${cov:-?} $(find "$out"/main/queue -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)" \
    "$(find "$out"/*/crashes -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)" "$rate"
}

# run_afl TARGET BIN SECONDS JOBS WORK: fuzz with JOBS afl-fuzz instances; new
# queue entries are copied to WORK/new, crashes to WORK/artifacts. Writes
# WORK/stats (runs seconds).
run_afl() {
  local target=$1 bin=$2 secs=$3 jobs=$4 work=$5 in="$5/afl-in" out="$5/afl-out" dict f i start now
  local runs cov corp crashes rate args=() role
  mkdir -p "$in" "$work/new" "$work/artifacts"
  # AFL takes one input directory: the corpus and the regressions, non-empty files
  for f in "$(corpus_dir "$target")"/* "$(regressions_dir "$target")"/*; do
    [ -f "$f" ] && [ -s "$f" ] && cp "$f" "$in/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  [ -n "$(ls -A "$in")" ] || printf 'seed' >"$in/seed"
  dict=$(libfuzzer_option_flags "$target" | sed -n 's/^-dict=//p')
  [ -n "$dict" ] && args+=(-x "$dict")
  echo "  $ afl-fuzz -i ${in#"$SWISS_ROOT"/} -o ${out#"$SWISS_ROOT"/} -M main -V $secs ${args[*]#"$SWISS_ROOT"/}" \
       "-- ${bin#"$SWISS_ROOT"/}   (+ $(( jobs - 1 )) x -S)"
  start=$(date +%s)
  # each instance in its own process group, so an interrupt stops it and its target
  CAMPAIGN_GROUPS=()
  for (( i = 0; i < jobs; i++ )); do
    if [ "$i" -eq 0 ]; then role=(-M main); else role=(-S "s$i"); fi
    mkdir -p "$work/tmp-${role[1]}"
    setsid env "${SWISS_AFL_ENV[@]}" AFL_TMPDIR="$work/tmp-${role[1]}" \
      afl-fuzz -i "$in" -o "$out" "${role[@]}" -V "$secs" "${args[@]}" -- "$bin" >"$work/afl-${role[1]}.log" 2>&1 &
    CAMPAIGN_GROUPS+=($!)
  done
  while campaign_running; do
    wait_a_little
    campaign_running || break
    now=$(( $(date +%s) - start ))
    read -r runs cov corp crashes rate < <(afl_totals "$out")
    progress_line "$target" "$now" "$secs" "$runs" "$cov" "$corp" "$crashes" "(runs, exec/s, cov: afl-fuzz updates them each minute)" "$rate"
  done
  wait "${CAMPAIGN_GROUPS[@]}" 2>/dev/null || true
  CAMPAIGN_GROUPS=()
  read -r runs cov corp crashes rate < <(afl_totals "$out")
  [[ $runs =~ ^[0-9]+$ ]] || runs=0   # no fuzzer_stats: afl-fuzz never started
  local state=ok
  [ -f "$out/main/fuzzer_stats" ] || state=failed
  echo "$runs $(( $(date +%s) - start )) $state" >"$work/stats"
  # what the instances found: queue entries that were not seeds, and crashes
  for f in "$out"/*/queue/id:*; do
    [ -f "$f" ] || continue
    case $f in *orig:*) continue ;; esac
    cp "$f" "$work/new/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" | cut -d, -f1 | tr ':' '_')"
  done
  # hangs (AFL's own short timeout) stay in afl-out; libFuzzer judges timeouts
  for f in "$out"/*/crashes/id:*; do
    [ -f "$f" ] || continue
    cp "$f" "$work/artifacts/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$(dirname "$f")")-$(basename "$f" | cut -d, -f1 | tr ':' '_')"
  done
  for f in "$work"/afl-*.log; do
    grep -q 'PROGRAM ABORT' "$f" &&
      say "$target: afl-fuzz $(basename "$f" .log) failed: $(sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[()][0-9A-Z]//g' "$f" | grep -A1 'PROGRAM ABORT' | tr -s ' \n' ' ')"
  done
  for f in "$out"/*/fuzzer_stats; do
    [ -f "$f" ] && echo "  afl $(basename "$(dirname "$f")"): $(afl_stat "$f" execs_done) execs," \
      "$(afl_stat "$f" execs_per_sec) exec/s, $(afl_stat "$f" corpus_count) queue," \
      "$(afl_stat "$f" edges_found)/$(afl_stat "$f" total_edges) edges, $(afl_stat "$f" saved_crashes) crashes"
  done
  return 0
}
