#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of every fuzz/*_fuzzer.cc target.
# Uses only $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT $SRC $WORK;
# links with $CXX (CMake's CXX compiler). Puts into $OUT per target: the
# binary, <target>_seed_corpus.zip (corpus/<target>/ + corpus/regressions/
# <target>/), <target>.options and the dictionary it names (or <target>.dict).
root=$SRC/swissfuzz
jobs=$(nproc)

# Abseil (the differential oracle) from source when the image provides it, so
# it shares the sanitizer and -stdlib flags; otherwise the system's (the local
# ci/oss-fuzz-check on Debian, where libabsl-dev matches libstdc++).
prefix_args=()
if [ -d "$SRC/abseil-cpp" ]; then
  echo "build.sh: building Abseil from $SRC/abseil-cpp"
  cmake -S "$SRC/abseil-cpp" -B "$WORK/abseil-build" -G Ninja \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_TESTING=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$WORK/abseil"
  cmake --build "$WORK/abseil-build" -j "$jobs" --target install
  prefix_args=(-DCMAKE_PREFIX_PATH="$WORK/abseil")
fi

targets=()
for src in "$root"/fuzz/*_fuzzer.cc; do
  targets+=("$(basename "$src" .cc)")
done
echo "build.sh: targets: ${targets[*]}"

# No CMAKE_BUILD_TYPE: the optimization and debug flags are OSS-Fuzz's own.
cmake -S "$root" -B "$WORK/swissfuzz-build" -G Ninja \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DSWISS_BUILD_TESTS=OFF -DSWISS_BUILD_FUZZ=ON -DSWISS_BUILD_BENCH=OFF \
  -DSWISS_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" "${prefix_args[@]}"
cmake --build "$WORK/swissfuzz-build" -j "$jobs" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$WORK/swissfuzz-build/fuzz/$t" "$OUT/$t"
  options="$root/fuzz/$t.options"
  dict="$root/fuzz/$t.dict"
  if [ -f "$options" ]; then
    cp "$options" "$OUT/$t.options"
    named=$(sed -n 's/^[[:space:]]*dict[[:space:]]*=[[:space:]]*//p' "$options" | tr -d '[:space:]')
    [ -z "$named" ] || dict="$root/fuzz/$named"
  fi
  if [ -f "$dict" ]; then
    cp "$dict" "$OUT/$(basename "$dict")"
    [ "$(basename "$dict")" = "$t.dict" ] || cp "$dict" "$OUT/$t.dict"
  fi
  seeds=()
  for d in "$root/corpus/$t" "$root/corpus/regressions/$t"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ ${#seeds[@]} -gt 0 ] && [ -n "$(find "${seeds[@]}" -maxdepth 1 -type f -print -quit)" ]; then
    find "${seeds[@]}" -maxdepth 1 -type f -print | zip -q -j "$OUT/${t}_seed_corpus.zip" -@
  fi
  echo "build.sh: $t -> $OUT/$t"
done
