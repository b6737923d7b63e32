# Shared by the scripts in ci/: say what runs, install what is missing.
# shellcheck shell=bash
SWISS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
SWISS_BUILD_PACKAGES=(g++ cmake ninja-build libgtest-dev libabsl-dev librapidcheck-dev)
SWISS_CLANG_PACKAGES=(clang-14 llvm-14 libclang-rt-14-dev)
