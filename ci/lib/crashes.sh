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

# crash_signature: reads a sanitizer report on stdin, prints one line
# "KIND FRAME FRAME FRAME": the error kind (heap-use-after-free, leak,
# ubsan-signed-integer-overflow, deadly-signal, timeout, ...) and the top three
# frames of the first stack that are in our code (impl/ check/ fuzz/) as
# path:line. A differential failure (the interpreter's abort) or a failed
# check_invariants() is named after its message: check-<first words>,
# invariant-<first words>. Prints nothing when the input did not crash.
crash_signature() {
  awk -v root="$SWISS_ROOT/" '
    function ours(loc,   rel) {
      sub(/:[0-9]+$/, "", loc)                      # drop the column
      if (index(loc, root) == 1) rel = substr(loc, length(root) + 1)
      else if (match(loc, /\/(impl|check|fuzz)\//)) rel = substr(loc, RSTART + 1)
      else return ""
      return rel ~ /^(impl|check|fuzz)\/.*:[0-9]+$/ ? rel : ""
    }
    function slug(s,   w, n, i, out) {
      gsub(/0x[0-9a-fA-F]+/, "", s); gsub(/\047[^\047]*\047/, "", s)
      gsub(/[0-9]+/, "", s); gsub(/[^A-Za-z]+/, " ", s)
      n = split(s, w, " "); out = ""
      for (i = 1; i <= n && i <= 3; i++) out = out (i > 1 ? "-" : "") tolower(w[i])
      return out
    }
    kind == "" && /ERROR: AddressSanitizer: / {
      s = $0; sub(/.*ERROR: AddressSanitizer: /, "", s); sub(/^attempting /, "", s)
      split(s, a, " "); kind = a[1]; next }
    kind == "" && /ERROR: LeakSanitizer: / { kind = "leak"; next }
    kind == "" && /runtime error: / {
      s = $0; loc = $0
      sub(/.*runtime error: /, "", s); kind = "ubsan-" slug(s)
      sub(/: runtime error: .*/, "", loc); f = ours(loc); if (f != "") frames[n++] = f
      next }
    # the interpreter prints "==== swisscheck: lane L, op #N (op): WHAT" and
    # aborts: name the kind after WHAT (check-find-returned-..., not just abort)
    check == "" && /^==== swisscheck: / { s = $0; sub(/^[^)]*\): /, "", s); check = "check-" slug(s); next }
    check == "" && /check_invariants failed: / { s = $0; sub(/.*check_invariants failed: /, "", s); check = "invariant-" slug(s); next }
    kind == "" && /ERROR: libFuzzer: deadly signal/ { kind = (check != "" ? check : "deadly-signal"); next }
    kind == "" && /ERROR: libFuzzer: timeout/ { kind = "timeout"; next }
    kind == "" && /ERROR: libFuzzer: out-of-memory/ { kind = "oom"; next }
    kind == "" && /ERROR: libFuzzer: / { s = $0; sub(/.*ERROR: libFuzzer: /, "", s); kind = slug(s); next }
    kind != "" && !done && /^ *#[0-9]+ 0x[0-9a-f]+ / {
      in_stack = 1; f = ours($NF)
      if (f != "" && (n == 0 || frames[n - 1] != f)) frames[n++] = f
      if (n >= 3) done = 1
      next }
    in_stack && !/^ *#[0-9]+ / { done = 1 }       # only the first stack counts
    END {
      if (kind == "") exit
      line = kind
      for (i = 0; i < n && i < 3; i++) line = line " " frames[i]
      print line }'
}

# signature_name SIGNATURE: the file name a crash is kept under, e.g.
# crash-heap-use-after-free-table_h-123-1a2b3c4d (kind, top frame's file and
# line, first 8 hex digits of the sha1 of the whole signature).
signature_name() {
  local sig=$1 kind frame file line hash
  kind=${sig%% *}
  frame=$(awk '{print $2}' <<<"$sig")
  hash=$(printf '%s' "$sig" | sha1sum | cut -c1-8)
  if [ -n "$frame" ]; then
    file=$(basename "${frame%:*}" | tr '.' '_')
    line=${frame##*:}
    echo "crash-$kind-$file-$line-$hash"
  else
    echo "crash-$kind-$hash"
  fi
}

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
# unique crashes to WORKDIR/unique_crashes.
keep_crashes() {
  local target=$1 bin=$2 work=$3; shift 3
  local regressions f sig key name min msig status trace_bin saved minimized=0
  regressions=$(regressions_dir "$target")
  mkdir -p "$work/min"
  : >"$work/crashes.tsv"
  declare -A best=() raw=() count=() file=() fullsig=()
  for f in "$@"; do
    [ -s "$f" ] || continue
    sig=$(crash_report "$bin" "$f" | crash_signature)
    key=$(awk '{ print $1, $2, $3 }' <<<"${sig:-unreproducible}")
    raw[$key]=$(( ${raw[$key]:-0} + 1 ))
    if [ -z "${best[$key]:-}" ] || [ "$(stat -c %s "$f")" -lt "$(stat -c %s "${best[$key]}")" ]; then
      best[$key]=$f
    fi
  done
  for key in "${!best[@]}"; do
    if [ "$key" = unreproducible ]; then
      name="unreproducible-$(sha1sum <"${best[$key]}" | cut -c1-8)"
      cp "${best[$key]}" "$work/min/$name"
      count[$name]=${raw[$key]} file[$name]="$work/min/$name" fullsig[$name]="no crash in $SWISS_REPRO_RUNS runs of the libFuzzer build"
      continue
    fi
    min="$work/min/$(basename "${best[$key]}").min"
    if [ "$minimized" -lt "$SWISS_MINIMIZE_GROUPS" ]; then
      say "$target: minimizing the ${key%% *} crash (${raw[$key]} raw input(s))"
      minimize_crash "$bin" "$target" "${best[$key]}" "$min"
      minimized=$(( minimized + 1 ))
    else
      cp "${best[$key]}" "$min"   # too many groups: keep the smallest raw input
    fi
    msig=$(crash_report "$bin" "$min" | crash_signature)
    if [ -z "$msig" ]; then cp "${best[$key]}" "$min"; msig=$(crash_report "$bin" "$min" | crash_signature); fi
    [ -n "$msig" ] || msig=$key
    name=$(signature_name "$msig")
    count[$name]=$(( ${count[$name]:-0} + ${raw[$key]} ))
    if [ -z "${file[$name]:-}" ] || [ "$(stat -c %s "$min")" -lt "$(stat -c %s "${file[$name]}")" ]; then
      file[$name]=$min fullsig[$name]=$msig
    fi
  done
  echo "${#count[@]}" >"$work/unique_crashes"
  for name in "${!count[@]}"; do
    if [[ $name == unreproducible-* ]]; then
      status="not reproduced; kept in ${work#"$SWISS_ROOT"/}/min only"
    elif [ -n "${SWISS_NO_KEEP:-}" ]; then
      cp "${file[$name]}" "$work/min/$name"; status="not saved (--no-keep): ${work#"$SWISS_ROOT"/}/min/$name"
    elif [ -e "$regressions/$name" ]; then
      status="known: corpus/regressions/$target/$name"
    else
      mkdir -p "$regressions"; cp "${file[$name]}" "$regressions/$name"; status="new: corpus/regressions/$target/$name"
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$status" "${count[$name]}" "${fullsig[$name]}" >>"$work/crashes.tsv"
  done
  # per unique crash: where it is, the one command that reproduces it, its ops
  while IFS=$'\t' read -r name status n sig; do
    case $status in
      new:*|known:*) saved="$SWISS_ROOT/corpus/regressions/$target/$name" ;;
      *) saved="$work/min/$name" ;;
    esac
    echo
    echo "  crash $name  ($n raw input(s); $status)"
    echo "    signature: $sig"
    echo "    reproduce: ${bin#"$SWISS_ROOT"/} -runs=$SWISS_REPRO_RUNS ${saved#"$SWISS_ROOT"/}"
    trace_bin=$(replay_binary "$target")
    if [ -n "$trace_bin" ]; then
      echo "    replay:    ${trace_bin#"$SWISS_ROOT"/} ${saved#"$SWISS_ROOT"/}"
      echo "    op trace (${trace_bin#"$SWISS_ROOT"/} --trace ${saved#"$SWISS_ROOT"/}):"
      "$trace_bin" --trace "$saved" 2>&1 | head -n "${SWISS_TRACE_LINES:-60}" | sed 's/^/      /' || true
    else
      echo "    op trace:  (no replay driver; build it: cmake --build --preset asan --target ${target}_replay)"
    fi
  done <"$work/crashes.tsv"
  echo
}
