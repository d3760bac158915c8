#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds redline and runs every test:
# unit, golden and conformance tests (ctest), the policy tests of the stdlib
# and examples, and each example's expected decisions. Exits non-zero on any
# failure. REDLINE_SANITIZE=1 also runs the suite under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

build=${REDLINE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDLINE_WERROR=ON
ninja -C "$build" -j"${REDLINE_JOBS:-2}"
export REDLINE_STDLIB="$PWD/stdlib"

echo "== unit, golden and conformance tests"
(cd "$build" && ctest --output-on-failure)

echo "== policy tests of the stdlib and the examples"
"$build/redline" test stdlib examples

echo "== expected decisions of the examples"
scripts/check-examples.sh "$build/redline"

if [ "${REDLINE_SANITIZE:-0}" = 1 ]; then
  echo "== the unit suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B "$build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DREDLINE_SANITIZE=ON
  ninja -C "$build-asan" -j"${REDLINE_JOBS:-2}"
  (cd "$build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure)
fi
