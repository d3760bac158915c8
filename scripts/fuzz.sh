#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ and runs each for SECONDS (default
# 60), failing on any crash, leak, timeout or out-of-memory. Usage:
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      # targets: policy request ... (default: all)
#   scripts/fuzz.sh ci [TARGET...]             # CI: a fixed seed and a fixed number of runs
#
# The time-bounded mode explores: every run differs (random seed, the corpus
# the last runs left). CI mode replays the same inputs every time: seed 1, the
# number of runs fuzz/ci-runs gives each target (about 30 s on this machine),
# from the seeds and regressions only (a fresh work corpus), so a CI run that
# passes here passes in CI, and one that fails fails again with the same input.
#
# The build is the sanitizer build of scripts/run-tests.sh (clang, ASan +
# UBSan, -fsanitize=fuzzer-no-link; build dir build-asan), configured here if
# needed. Seeds are generated from the repository into BUILD/fuzz-corpus/seeds;
# what the fuzzers find is kept in BUILD/fuzz-corpus/work, so running again
# (or longer) goes on from there. Findings land in BUILD/fuzz-artifacts/.
# See docs/fuzzing.md.
#
# Environment: REDLINE_BUILD_DIR (default build; the fuzz build is its
# "-asan" sibling), REDLINE_JOBS (ninja -j, default 2), REDLINE_FUZZ_PARALLEL
# (targets run at once, default 1), REDLINE_FUZZ_TIMEOUT (seconds one input
# may take, default 30: inputs take milliseconds, but a loaded machine has
# stalled one for over 10 s), REDLINE_FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-60}
if [ $# -gt 0 ]; then shift; fi
ci=0
if [ "$seconds" = ci ]; then ci=1; seconds=600; fi   # CI mode: runs decide; time is only a backstop
case $seconds in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS|ci] [TARGET...]" >&2; exit 2 ;; esac

build="${REDLINE_BUILD_DIR:-build}-asan"
if ! grep -qs '^REDLINE_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  scripts/configure-asan.sh "$build"
fi
ninja -C "$build" -j"${REDLINE_JOBS:-2}" fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build"/fuzz/fuzz_*; do [ -x "$bin" ] && targets+=("${bin##*/fuzz_}"); done
fi

corpus="$build/fuzz-corpus"
rm -rf "$corpus/seeds"
REDLINE_STDLIB="$root/stdlib" "$build/fuzz/redline_fuzz_seeds" "$corpus/seeds"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export REDLINE_STDLIB="$root/stdlib"

# Runs one target; its output goes to BUILD/fuzz-artifacts/TARGET/log.
run_one() {
  local t=$1
  local bin="$build/fuzz/fuzz_$t" art="$build/fuzz-artifacts/$t"
  if [ ! -x "$bin" ]; then echo "fuzz: no target \`$t\`" >&2; return 1; fi
  local work="$corpus/work/$t"
  if [ "$ci" = 1 ]; then work="$corpus/ci/$t"; rm -rf "$work"; fi
  mkdir -p "$work" "$corpus/seeds/$t" "$art"
  # -entropic=0: the entropic schedule's bookkeeping costs these large
  # targets half their speed; over short runs plain scheduling covers more.
  local args=(-max_total_time="$seconds" -timeout="${REDLINE_FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -entropic=0
              -artifact_prefix="$art/" -print_final_stats=1)
  if [ "$ci" = 1 ]; then
    local runs
    runs=$(awk -v t="$t" '$1 == t { print $2 }' fuzz/ci-runs)
    if [ -z "$runs" ]; then echo "fuzz: no CI run count for \`$t\` in fuzz/ci-runs" >&2; return 1; fi
    args+=(-seed=1 -runs="$runs")
  fi
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  local dirs=("$work" "$corpus/seeds/$t")
  for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do [ -d "$d" ] && dirs+=("$d"); done
  # shellcheck disable=SC2086
  if "$bin" "${args[@]}" ${REDLINE_FUZZ_ARGS:-} "${dirs[@]}" < /dev/null > "$art/log" 2>&1; then
    local execs rate cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$art/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$art/log")
    cov=$(grep -o 'cov: [0-9]*' "$art/log" | tail -1 || true)
    printf 'fuzz: %-15s ok   %8s runs  %6s/s  %s  corpus %s\n' "$t" "$execs" "$rate" "$cov" \
      "$(find "$work" -type f | wc -l)"
  else
    echo "fuzz: $t FAILED; the end of its log ($art/log):"
    tail -n 60 "$art/log"
    for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
      [ -f "$f" ] || continue
      echo "fuzz: finding $f — reproduce: $bin $f"
      echo "fuzz: keep it as a regression: cp $f fuzz/regressions/$t/"
    done
    return 1
  fi
}

if [ "$ci" = 1 ]; then echo "== fuzzing ${targets[*]}: seed 1, the runs of fuzz/ci-runs"
else echo "== fuzzing ${targets[*]} for ${seconds}s each"; fi
status=0
parallel=${REDLINE_FUZZ_PARALLEL:-1}
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
