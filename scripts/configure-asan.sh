#!/usr/bin/env bash
# Configures the sanitizer build: clang, ASan + UBSan, and libFuzzer coverage
# instrumentation (REDLINE_FUZZ=ON), so the sanitized test suite and the fuzz
# targets of fuzz/ share one build. -O1: a sanitized -O0 build runs (and
# fuzzes) several times slower, for little gain in compile time.
# Usage: scripts/configure-asan.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: configure-asan.sh BUILD_DIR}
# A folder configured before with gcc (the sanitizer build used to be gcc's)
# starts afresh: CMake cannot switch compilers in place.
# (The C compiler too: the C API's tests are C, and must link clang's sanitizer runtime.)
if [ -f "$build/CMakeCache.txt" ] && { ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$build/CMakeCache.txt" ||
     { grep -q '^CMAKE_C_COMPILER:' "$build/CMakeCache.txt" && ! grep -q '^CMAKE_C_COMPILER:.*clang' "$build/CMakeCache.txt"; }; }; then
  echo "configure-asan: $build was configured with another compiler; configuring it afresh"
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DREDLINE_FUZZ=ON -DREDLINE_WERROR=ON
