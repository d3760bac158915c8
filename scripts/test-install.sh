#!/usr/bin/env bash
# Installs a built redline into a temporary prefix, then builds and runs
# examples/embed against the installed CMake package (find_package(redline)).
# Usage: scripts/test-install.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: test-install.sh BUILD_DIR}
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > /dev/null
cmake -S "$root/examples/embed" -B "$tmp/embed" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" > /dev/null
ninja -C "$tmp/embed" > /dev/null
"$tmp/embed/embed"
echo "install test: examples/embed built against the installed package and ran"
