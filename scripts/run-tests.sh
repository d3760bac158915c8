#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds redline and runs every test:
# unit, golden and conformance tests (ctest), the policy tests of the stdlib
# and examples, and each example's expected decisions. Exits non-zero on any
# failure. REDLINE_SANITIZE=1 also runs the suite under ASan + UBSan, in the
# clang build the fuzz targets share (scripts/configure-asan.sh), where ctest
# also replays the fuzzers' seeds and regression inputs (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
lap_start=$SECONDS
lap() {   # prints how long the phase that just ended took (docs/fuzzing.md keeps the figures)
  echo "-- $1: $((SECONDS - lap_start)) s"
  lap_start=$SECONDS
}
scripts/install-deps.sh
lap "dependencies"

build=${REDLINE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDLINE_WERROR=ON
ninja -C "$build" -j"${REDLINE_JOBS:-2}"
lap "build (gcc)"
export REDLINE_STDLIB="$PWD/stdlib"

echo "== unit, golden and conformance tests"
(cd "$build" && ctest --output-on-failure)

echo "== policy tests of the stdlib and the examples"
"$build/redline" test stdlib examples

echo "== expected decisions of the examples"
scripts/check-examples.sh "$build/redline"
lap "tests (gcc build)"

if [ "${REDLINE_SANITIZE:-0}" = 1 ]; then
  echo "== the unit suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang, with the fuzz targets)"
  scripts/configure-asan.sh "$build-asan"
  ninja -C "$build-asan" -j"${REDLINE_JOBS:-2}"
  lap "build (clang, sanitizers, fuzz targets)"
  (cd "$build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure)
  lap "tests (sanitizer build)"
fi
