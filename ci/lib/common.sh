# Shared by the scripts in ci/: say what runs, install what is missing.
# shellcheck shell=bash
SWISS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SWISS_ROOT

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# ensure_packages PKG...: apt-get install the Debian packages not yet installed.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
        { sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } ||
        die "could not install: ${missing[*]}"
      return 0
    fi
    die "missing Debian packages (${missing[*]}); run as root or: apt-get install ${missing[*]}"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } ||
    die "could not install: ${missing[*]}"
}

# Packages every build of the suite needs.
# libtsan2 (g++ -fsanitize=thread, the tsan preset) comes with g++ on amd64; named so it is checked.
SWISS_BUILD_PACKAGES=(g++ libtsan2 cmake ninja-build libgtest-dev libabsl-dev librapidcheck-dev libboost1.81-dev)
SWISS_CLANG_PACKAGES=(clang-14 llvm-14 libclang-rt-14-dev)

# Packages the libFuzzer build and the fuzz scripts need on top of the above
# (python3: crash triage, ci/lib/triage.py, and its test ctest ci.triage).
SWISS_FUZZ_PACKAGES=(zip unzip python3)
SWISS_AFL_PACKAGES=(afl++)

# ensure_configured PRESET [CMAKE_ARG...]: cmake --preset PRESET (with the
# extra arguments) unless build/PRESET/build.ninja exists. Like cmake --preset
# itself it works on the current directory, the source tree.
ensure_configured() {
  local preset=$1; shift
  [ -f "build/$preset/build.ninja" ] && return 0
  say "configure: cmake --preset $preset${*:+ $*}"
  cmake --preset "$preset" "$@" >/dev/null
}

# ---- fuzz targets ---------------------------------------------------------
# A target is fuzz/<lane>_fuzzer.cc; its name (<lane>_fuzzer) names the binary,
# corpus/<name>/, corpus/regressions/<name>/ and fuzz/<name>.{options,dict}.

# fuzz_targets [NAME...]: every target, or the named ones (checked to exist).
fuzz_targets() {
  local f t
  if [ $# -eq 0 ]; then
    for f in "$SWISS_ROOT"/fuzz/*_fuzzer.cc; do
      [ -e "$f" ] || continue
      t=$(basename "$f" .cc)
      echo "$t"
    done
    return 0
  fi
  for t in "$@"; do
    t=${t%.cc}
    [ -e "$SWISS_ROOT/fuzz/$t.cc" ] || die "no fuzz target '$t' (no fuzz/$t.cc); targets: $(fuzz_targets | tr '\n' ' ')"
    echo "$t"
  done
}

corpus_dir() { echo "$SWISS_ROOT/corpus/$1"; }
regressions_dir() { echo "$SWISS_ROOT/corpus/regressions/$1"; }

# libfuzzer_option_flags TARGET: fuzz/<t>.options ([libfuzzer] key = value, the
# ClusterFuzz format) as -key=value flags, since libFuzzer does not read it. A
# relative dict path is relative to fuzz/ (where .options lives); a dict that
# does not exist is left out, and fuzz/<t>.dict is used when no dict is named.
libfuzzer_option_flags() {
  local file="$SWISS_ROOT/fuzz/$1.options" flag dict="" out=()
  if [ -f "$file" ]; then
    while IFS= read -r flag; do
      case $flag in
        -dict=*) dict=${flag#-dict=}; [ "${dict#/}" != "$dict" ] || dict="$SWISS_ROOT/fuzz/$dict" ;;
        *) out+=("$flag") ;;
      esac
    done < <(awk '
      /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
      section == "libfuzzer" && /=/ {
        line = $0; sub(/[;#].*/, "", line)
        key = line; sub(/=.*/, "", key); gsub(/[[:space:]]/, "", key)
        val = line; sub(/^[^=]*=/, "", val); gsub(/^[[:space:]]+|[[:space:]]+$/, "", val)
        if (key != "") printf "-%s=%s\n", key, val
      }' "$file")
  fi
  [ -n "$dict" ] || dict="$SWISS_ROOT/fuzz/$1.dict"
  [ -f "$dict" ] && out+=("-dict=$dict")
  [ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

# count_files DIR...: regular files directly in the DIRs (missing dirs count 0).
count_files() {
  local n=0 d
  for d in "$@"; do
    [ -d "$d" ] && n=$(( n + $(find "$d" -maxdepth 1 -type f | wc -l) ))
  done
  echo "$n"
}

# cpu_count: cores available to us.
cpu_count() { nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1; }

# human N: 1234567 -> 1.2M (for tables).
human() {
  awk -v n="$1" 'BEGIN {
    if (n == "" || n == "?") { print "?"; exit }
    if (n >= 1e9) printf "%.1fG\n", n / 1e9
    else if (n >= 1e6) printf "%.1fM\n", n / 1e6
    else if (n >= 1e4) printf "%.0fk\n", n / 1e3
    else printf "%d\n", n }'
}

# Sanitizer settings for running targets: symbolized stacks (for crash
# signatures), UBSan stack traces, leaks on.
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)}
SWISS_UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
