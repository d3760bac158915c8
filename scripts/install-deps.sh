#!/usr/bin/env bash
# Installs redline's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  curl   # the approvals walkthrough (examples/defense-deployment/approvals.sh)
  nodejs   # the inbox page driven in headless Chromium (tests/inbox), the peer benchmarks
  default-jre-headless antlr4 libantlr4-runtime-dev
  libboost-graph-dev nlohmann-json3-dev doctest-dev
  libssl-dev libsimdjson-dev
  openssl   # the webhook tests make a throwaway CA and server certificates with the `openssl` command
  libsqlite3-dev   # the approval cases' embedded store (engine/cases)
  graphviz chromium weasyprint poppler-utils   # reports: the decision graph (dot), the reader test (headless Chromium), PDF output and its text check (pdftotext)
  python3-venv python3-pip python3-setuptools python3-wheel python3-pytest   # the Python package (python/): its pytest suite, a venv install, scripts/build-wheel.sh
  binutils   # the install test reads installed binaries with `strings` and `nm` (scripts/test-install.sh)
  clang libclang-rt-14-dev llvm  # the sanitizer build, libFuzzer, llvm-symbolizer (scripts/configure-asan.sh, scripts/fuzz.sh)
)
if [ "${REDLINE_WITH_BENCH:-0}" = 1 ]; then packages+=(libbenchmark-dev pybind11-dev); fi   # pybind11: bench/python/binding_overhead.sh (ctypes vs pybind11 call cost)
if [ -n "${REDLINE_EXTRA_PACKAGES:-}" ]; then read -r -a extra <<<"$REDLINE_EXTRA_PACKAGES"; packages+=("${extra[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
