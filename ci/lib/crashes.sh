# Crashes found by a campaign (either engine): signature, minimize, dedupe,
# keep in corpus/regressions/<target>/, and say how to reproduce each.
# shellcheck shell=bash
# Needs ci/lib.sh.

# crash_report BIN FILE: the sanitizer report of running FILE through the
# libFuzzer binary BIN once (stdout+stderr).
crash_report() {
  UBSAN_OPTIONS=$SWISS_UBSAN_OPTIONS timeout -s KILL 300 "$1" -timeout=60 "$2" 2>&1 || true
}

# crash_signature: reads a sanitizer report on stdin, prints one line
# "KIND FRAME FRAME FRAME": the error kind (heap-use-after-free, leak,
# ubsan-signed-integer-overflow, deadly-signal, timeout, ...) and the top three
# frames of the first stack that are in our code (impl/ check/ fuzz/) as
# path:line. Prints nothing when the input did not crash.
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
    kind == "" && /ERROR: libFuzzer: deadly signal/ { kind = "deadly-signal"; next }
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
SWISS_MINIMIZE_SECONDS=${SWISS_MINIMIZE_SECONDS:-60}
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
    { [ -f "$SWISS_ROOT/build/asan/build.ninja" ] || cmake --preset asan >/dev/null; } &&
      cmake --build --preset asan --target "${t}_replay" >/dev/null 2>&1 ||
      say "could not build build/asan/fuzz/${t}_replay; no op trace"
  fi
  [ -x "$bin" ] && echo "$bin"
  return 0
}

# keep_crashes TARGET BIN WORKDIR FILE...: group the crashing FILEs by
# signature, minimize one per group (the smallest), save it into
# corpus/regressions/TARGET/ under its signature name (unless --no-keep), and
# print per unique crash how to reproduce it and its op trace. Writes
# WORKDIR/crashes.tsv (name, status, raw count, signature) and returns the
# number of unique crashes in WORKDIR/unique_crashes.
keep_crashes() {
  local target=$1 bin=$2 work=$3; shift 3
  local regressions f sig name min count status trace_bin
  regressions=$(regressions_dir "$target")
  mkdir -p "$work/min"
  : >"$work/crashes.tsv"
  declare -A best=() raw=()
  for f in "$@"; do
    [ -s "$f" ] || continue
    sig=$(crash_report "$bin" "$f" | crash_signature)
    [ -n "$sig" ] || sig="unreproducible"
    raw[$sig]=$(( ${raw[$sig]:-0} + 1 ))
    if [ -z "${best[$sig]:-}" ] || [ "$(stat -c %s "$f")" -lt "$(stat -c %s "${best[$sig]}")" ]; then
      best[$sig]=$f
    fi
  done
  echo "${#best[@]}" >"$work/unique_crashes"
  [ ${#best[@]} -gt 0 ] || return 0
  for sig in "${!best[@]}"; do
    if [ "$sig" = unreproducible ]; then
      name="unreproducible-$(sha1sum <"${best[$sig]}" | cut -c1-8)"
      cp "${best[$sig]}" "$work/min/$name"
      printf '%s\t%s\t%s\t%s\n' "$name" "not reproducible (kept in $work/min only)" "${raw[$sig]}" "$sig" >>"$work/crashes.tsv"
      continue
    fi
    say "$target: minimizing a ${sig%% *} crash (${raw[$sig]} raw input(s))"
    min="$work/min/$(basename "${best[$sig]}").min"
    minimize_crash "$bin" "$target" "${best[$sig]}" "$min"
    # name by the minimized input's signature: what the saved file shows
    local msig; msig=$(crash_report "$bin" "$min" | crash_signature)
    if [ -z "$msig" ]; then cp "${best[$sig]}" "$min"; msig=$sig; fi
    name=$(signature_name "$msig")
    if [ -n "${SWISS_NO_KEEP:-}" ]; then
      cp "$min" "$work/min/$name"; status="not saved (--no-keep): $work/min/$name"
    elif [ -e "$regressions/$name" ]; then
      status="known: corpus/regressions/$target/$name"
    else
      mkdir -p "$regressions"; cp "$min" "$regressions/$name"; status="new: corpus/regressions/$target/$name"
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$status" "${raw[$sig]}" "$msig" >>"$work/crashes.tsv"
  done
  # per unique crash: where it is, the one command that reproduces it, its ops
  local saved
  while IFS=$'\t' read -r name status count sig; do
    case $status in
      new:*|known:*) saved="$SWISS_ROOT/corpus/regressions/$target/$name" ;;
      *) saved="$work/min/$name" ;;
    esac
    echo
    echo "  crash $name  ($count raw input(s); $status)"
    echo "    signature: $sig"
    echo "    reproduce: ${bin#"$SWISS_ROOT"/} ${saved#"$SWISS_ROOT"/}"
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
