#!/usr/bin/env bash
# Builds the Python package's wheel (python/) into dist/: the ctypes wrapper,
# libredline.so.0 and the stdlib, tagged py3-none-<platform>. Builds the
# library first when build/ has none (ninja redline_c).
# Usage: scripts/build-wheel.sh [BUILD_DIR [OUT_DIR]]   (then: pip install dist/redline-*.whl)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export REDLINE_BUILD_DIR="$(cd "${1:-$root/build}" 2>/dev/null && pwd || echo "$root/build")"
python=/usr/bin/python3   # Debian's, with python3-setuptools and python3-wheel
[ -x "$python" ] || python=python3
out="${2:-$root/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/python/." "$work/"            # build out of tree: nothing is written into python/
REDLINE_REPO="$root" "$python" -m pip wheel --no-build-isolation --no-deps -w "$out" "$work" > "$work/pip.log" 2>&1 ||
  { cat "$work/pip.log" >&2; exit 1; }
ls -1 "$out"/redline-*.whl
