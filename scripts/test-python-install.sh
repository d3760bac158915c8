#!/usr/bin/env bash
# The Python package as a user gets it: installed with one command into a
# fresh venv (the README's), then used from outside the repository with no
# environment help — the package must carry libredline.so.0 and the stdlib;
# and the wheel of scripts/build-wheel.sh must hold both.
# Usage: scripts/test-python-install.sh BUILD_DIR [PYTHON]
# REDLINE_PY_PRELOAD (the sanitizer build's runtime) is preloaded into the
# Python that loads the library, and into nothing else.
set -euo pipefail
build="$(cd "${1:?usage: test-python-install.sh BUILD_DIR [PYTHON]}" && pwd)"
python=${2:-/usr/bin/python3}
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { if ! "$@" > "$tmp/step.log" 2>&1; then cat "$tmp/step.log" >&2; echo "python install test: failed: $*" >&2; exit 1; fi; }

cp -r "$root/python" "$tmp/src"   # pip builds in the tree it is given: keep the repository clean
step "$python" -m venv --system-site-packages "$tmp/venv"
REDLINE_REPO="$root" REDLINE_BUILD_DIR="$build" step "$tmp/venv/bin/python" -m pip install --no-build-isolation --no-deps "$tmp/src"
cd "$tmp"
env -u REDLINE_STDLIB -u REDLINE_LIBRARY -u PYTHONPATH ${REDLINE_PY_PRELOAD:+LD_PRELOAD="$REDLINE_PY_PRELOAD"} \
  "$tmp/venv/bin/python" - "$tmp/venv" <<'PY'
import os, sys, redline, redline._native as native
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(redline.__file__).startswith(venv), redline.__file__
assert os.path.realpath(native.library_path).startswith(venv), native.library_path
assert os.path.realpath(redline.default_stdlib()).startswith(venv), redline.default_stdlib()
p = redline.compile_source('import "stdlib/taxonomy/ai-uses.pol"\npolicy "p" { default deny rule t: permit translation; }\n', "p.pol")
assert p.decide({"purpose": "translation"}).allowed
assert p.decide({"purpose": "summarization"}).outcome == "deny"
print(f"python install test: redline {redline.__version__} installed in a venv, library and stdlib inside the package")
PY
step "$root/scripts/build-wheel.sh" "$build" "$tmp/dist"
"$python" - "$tmp"/dist/redline-*.whl <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("redline/__init__.py", "redline/__init__.pyi", "redline/py.typed", "redline/libredline.so.0",
             "redline/stdlib/taxonomy/ai-uses.pol"):
    assert want in names, (want, names[:20])
assert "-py3-none-linux_" in sys.argv[1], sys.argv[1]
print(f"python install test: wheel {sys.argv[1].rsplit('/', 1)[-1]} holds the package, libredline.so.0 and the stdlib")
PY
