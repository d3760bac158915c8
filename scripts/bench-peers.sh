#!/usr/bin/env bash
# scripts/bench-peers.sh — the side-by-side benchmark against Cedar (wasm),
# Cerbos and node-casbin (bench/peers/README.md), in one command:
#   1. installs the peers from the npm registry into $REDLINE_PEERS_CACHE
#      (default $HOME/.cache/redline-peers, outside the repository) and wrk;
#   2. builds redline (Release, with benchmarks) in $REDLINE_PEERS_BUILD
#      (default build-peers) with $REDLINE_JOBS jobs (default 1), installs it
#      into the cache and builds bench/peers/redline_driver against it;
#   3. checks the JS generator against redline_workload_gen, byte for byte;
#   4. runs bench/peers/bench.mjs on the purpose-rules workload, then on the
#      redline-shaped tree workload (REDLINE_PEERS_TREE=0 skips it): N = 10,
#      100, 1,000, 10,000; 100,000 requests; each peer's timed pass bounded to
#      $REDLINE_PEERS_BUDGET seconds per N (default 60; tree:
#      $REDLINE_PEERS_TREE_BUDGET, default 30); then writes the
#      results section of bench/README.md.
# Extra arguments go to bench.mjs (e.g. --ns 10,100 --requests 20000).
# Exits non-zero when any decision differs from the reference.
# Takes about 25–45 minutes on 2 cores; not part of .ci/run (the smoke is).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export REDLINE_PEERS_CACHE=${REDLINE_PEERS_CACHE:-$HOME/.cache/redline-peers}
build=${REDLINE_PEERS_BUILD:-$root/build-peers}
work=${REDLINE_PEERS_WORK:-${TMPDIR:-/tmp}/redline-peers-work}
jobs=${REDLINE_JOBS:-1}

echo "== 1. peers and tools"
REDLINE_WITH_BENCH=1 REDLINE_EXTRA_PACKAGES="wrk time util-linux" scripts/install-deps.sh
bench/peers/install-peers.sh

echo "== 2. redline (Release) and the embedded driver"
cmake -S . -B "$build" -G Ninja -DREDLINE_BENCH=ON -DCMAKE_BUILD_TYPE=Release > /dev/null
ninja -C "$build" -j"$jobs" redline redline_workload_gen
prefix="$REDLINE_PEERS_CACHE/redline-prefix"
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" > /dev/null
cmake -S bench/peers/redline_driver -B "$build/peers-driver" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
ninja -C "$build/peers-driver" -j"$jobs"

echo "== 3. one workload for every engine: JS generator vs redline_workload_gen"
gen=$(find "$build" -name redline_workload_gen -type f -perm -u+x | head -1)
node bench/peers/verify-generator.mjs "$gen" 100000

echo "== 4. the benchmark: purpose rules, then the redline-shaped tree workload"
mkdir -p "$work"
rm -f "$work/peer.md" "$work/tree.md"
status=0
for workload in peer tree; do
  if [ "$workload" = tree ] && [ "${REDLINE_PEERS_TREE:-1}" = 0 ]; then continue; fi
  node bench/peers/bench.mjs --workload "$workload" --redline "$build/redline" \
    --driver "$build/peers-driver/redline_peers_driver" --work "$work" --markdown "$work/$workload.md" \
    --budget "$([ "$workload" = tree ] && echo "${REDLINE_PEERS_TREE_BUDGET:-30}" || echo "${REDLINE_PEERS_BUDGET:-60}")" \
    --pin 1 "$@" || status=$?
done
if [ -s "$work/peer.md" ]; then
  if [ -s "$work/tree.md" ]; then node bench/peers/update-readme.mjs "$work/peer.md" "$work/tree.md" bench/README.md
  else node bench/peers/update-readme.mjs "$work/peer.md" bench/README.md; fi
fi
echo "raw results: $work/results-peer.json, $work/results-tree.json"
exit $status
