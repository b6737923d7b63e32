# Crashes found by a campaign (either engine): signature, minimize, dedupe,
# keep in corpus/regressions/<target>/, and say how to reproduce each.
# shellcheck shell=bash
# Needs ci/lib/common.sh.

# crash_report BIN FILE: the sanitizer report of running FILE through the
# libFuzzer binary BIN (stdout+stderr), up to SWISS_REPRO_RUNS times in one
# process until it crashes: the map draws a random seed per map, so a crash
# that depends on slot placement may need a few tries.
SWISS_REPRO_RUNS=${SWISS_REPRO_RUNS:-20}
crash_report() {
  UBSAN_OPTIONS=$SWISS_UBSAN_OPTIONS timeout -s KILL 300 "$1" -timeout=60 -runs="$SWISS_REPRO_RUNS" "$2" 2>&1 || true
}

# What a crash is, its name, which inputs are one crash and the report text
# live in ci/lib/triage.py (tested by ci/tests/triage_test.py); this file runs
# the binaries.
SWISS_TRIAGE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/triage.py
triage() { python3 "$SWISS_TRIAGE" "$@"; }

# crash_signature: a sanitizer report on stdin -> "KIND FRAME FRAME FRAME"
# (triage.py signature), nothing when the input did not crash.
crash_signature() { triage signature --root "$SWISS_ROOT"; }

# signature_name SIGNATURE: the file name a crash is kept under, e.g.
# crash-heap-use-after-free-table_h-123-1a2b3c4d (triage.py name).
signature_name() { triage name "$1"; }

# minimize_crash BIN TARGET IN OUT: libFuzzer -minimize_crash into OUT; OUT is a
# copy of IN when minimizing does not get anywhere.
SWISS_MINIMIZE_RUNS=${SWISS_MINIMIZE_RUNS:-10000}
SWISS_MINIMIZE_SECONDS=${SWISS_MINIMIZE_SECONDS:-10}
SWISS_MINIMIZE_GROUPS=${SWISS_MINIMIZE_GROUPS:-12}   # at most this many groups minimized per target
minimize_crash() {
  local bin=$1 target=$2 in=$3 out=$4 flags
  mapfile -t flags < <(libfuzzer_option_flags "$target")
  rm -f "$out"
  UBSAN_OPTIONS=$SWISS_UBSAN_OPTIONS "$bin" "${flags[@]}" -minimize_crash=1 -runs="$SWISS_MINIMIZE_RUNS" \
    -max_total_time="$SWISS_MINIMIZE_SECONDS" -timeout=60 -exact_artifact_path="$out" "$in" \
    >"$out.log" 2>&1 || true
  [ -s "$out" ] || cp "$in" "$out"
}

# replay_binary TARGET: the gcc replay driver for --trace, built on demand
# (asan preset) the first time a crash needs it. Prints its path or nothing.
replay_binary() {
  local t=$1 bin="$SWISS_ROOT/build/asan/fuzz/${1}_replay"
  if [ ! -x "$bin" ] && [ -z "${SWISS_NO_REPLAY_BUILD:-}" ]; then
    say "building $t's replay driver (asan preset) for the op trace"
    (cd "$SWISS_ROOT" && ensure_configured asan) &&
      cmake --build --preset asan --target "${t}_replay" >/dev/null 2>&1 ||
      say "could not build build/asan/fuzz/${t}_replay; no op trace"
  fi
  [ -x "$bin" ] && echo "$bin"
  return 0
}

# keep_crashes TARGET BIN WORKDIR FILE...: group the crashing FILEs by kind +
# top two frames, minimize one per group (the smallest), name it by the
# minimized input's signature, merge groups that end up with the same name,
# save each into corpus/regressions/TARGET/ (unless SWISS_NO_KEEP), and print
# per unique crash how to reproduce it and its op trace. Writes
# WORKDIR/crashes.tsv (name, status, raw count, signature) and the number of
# unique crashes to WORKDIR/unique_crashes; the steps between in
# WORKDIR/signatures.tsv, groups.tsv, minimized.tsv, saved.tsv and traces/.
keep_crashes() {
  local target=$1 bin=$2 work=$3; shift 3
  local f line action raw best key min msig trace_bin name saved groups=() keep_flags=()
  mkdir -p "$work/min"
  for f in "$@"; do
    [ -s "$f" ] || continue
    printf '%s\t%s\n' "$f" "$(crash_report "$bin" "$f" | crash_signature)"
  done >"$work/signatures.tsv"
  triage group --minimize-groups "$SWISS_MINIMIZE_GROUPS" <"$work/signatures.tsv" >"$work/groups.tsv"
  mapfile -t groups <"$work/groups.tsv"
  for line in ${groups[@]+"${groups[@]}"}; do
    IFS=$'\t' read -r action raw best key <<<"$line"
    min="$work/min/$(basename "$best").min" msig=""
    case $action in
      unreproducible) printf '%s\t\t\n' "$line"; continue ;;
      minimize)
        say "$target: minimizing the ${key%% *} crash ($raw raw input(s))"
        minimize_crash "$bin" "$target" "$best" "$min" ;;
      *) cp "$best" "$min" ;;   # too many groups: keep the smallest raw input
    esac
    msig=$(crash_report "$bin" "$min" | crash_signature)
    if [ -z "$msig" ]; then cp "$best" "$min"; msig=$(crash_report "$bin" "$min" | crash_signature); fi
    printf '%s\t%s\t%s\n' "$line" "$min" "$msig"
  done >"$work/minimized.tsv"
  [ -z "${SWISS_NO_KEEP:-}" ] || keep_flags+=(--no-keep)
  triage keep --target "$target" --work "$work" --regressions "$(regressions_dir "$target")" --root "$SWISS_ROOT" \
    --repro-runs "$SWISS_REPRO_RUNS" ${keep_flags[@]+"${keep_flags[@]}"} <"$work/minimized.tsv" >"$work/saved.tsv"
  # per unique crash: where it is, the one command that reproduces it, its ops
  trace_bin=""
  [ -s "$work/saved.tsv" ] && trace_bin=$(replay_binary "$target")
  if [ -n "$trace_bin" ]; then
    mkdir -p "$work/traces"
    while IFS=$'\t' read -r name saved; do
      "$trace_bin" --trace "$saved" 2>&1 </dev/null | head -n "${SWISS_TRACE_LINES:-60}" >"$work/traces/$name" || true
    done <"$work/saved.tsv"
  fi
  triage report --target "$target" --bin "$bin" --work "$work" --root "$SWISS_ROOT" \
    --repro-runs "$SWISS_REPRO_RUNS" --replay "$trace_bin"
}
