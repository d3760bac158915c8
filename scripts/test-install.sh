#!/usr/bin/env bash
# Installs a built redline into a temporary prefix, then builds and runs
# examples/embed against the installed CMake package (find_package(redline)).
# Usage: scripts/test-install.sh BUILD_DIR [EXTRA_CXX_FLAGS [CXX_COMPILER]]
# EXTRA_CXX_FLAGS are the build's own instrumentation flags (e.g. the
# sanitizers), which an application linking the installed library needs too;
# CXX_COMPILER is the build's compiler (sanitizer runtimes are per compiler).
set -euo pipefail
build=${1:?usage: test-install.sh BUILD_DIR [EXTRA_CXX_FLAGS [CXX_COMPILER]]}
flags=${2:-}
compiler=()
if [ -n "${3:-}" ]; then compiler=(-DCMAKE_CXX_COMPILER="$3"); fi
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() {   # runs a step quietly; on failure shows what it printed
  if ! "$@" > "$tmp/step.log" 2>&1; then
    cat "$tmp/step.log" >&2
    echo "install test: failed: $*" >&2
    exit 1
  fi
}
step cmake --install "$build" --prefix "$tmp/prefix"
step cmake -S "$root/examples/embed" -B "$tmp/embed" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" "${compiler[@]}" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
step ninja -C "$tmp/embed"
"$tmp/embed/embed"
echo "install test: examples/embed built against the installed package and ran"
