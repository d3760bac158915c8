#!/usr/bin/env bash
# scripts/bench-peers-smoke.sh [REDLINE_BIN] — the CI smoke version of
# scripts/bench-peers.sh: N = 10 rules, 1,000 requests, the embedded peers
# only (Cedar wasm, node-casbin, the plain-JS floor), every decision checked
# against the plain reference; then the same on the tree workload (N = 100;
# peers checked on allow vs not-allow, redline on the full outcome). With REDLINE_BIN (or build/redline when it
# exists) `redline eval` is checked on the same requests too, and with
# redline_workload_gen next to it, the JS generator is checked against it
# byte for byte. Installs the peers itself (npm registry → cache outside the
# repository); every step is bounded by `timeout`. Exits non-zero on any
# decision mismatch or failure. Timings are printed, not judged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export REDLINE_PEERS_CACHE=${REDLINE_PEERS_CACHE:-$HOME/.cache/redline-peers}
redline=${1:-}
if [ -z "$redline" ] && [ -x build/redline ]; then redline=build/redline; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/redline-peers-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

command -v node > /dev/null || { echo "bench-peers-smoke: Node 20+ and npm are needed" >&2; exit 1; }
timeout 600 bench/peers/install-peers.sh

gen=""
if [ -n "$redline" ]; then gen=$(find "$(dirname "$redline")" -maxdepth 3 -name redline_workload_gen -type f -perm -u+x 2> /dev/null | head -1); fi
if [ -n "$gen" ]; then
  echo "== generator: JS vs $gen"
  timeout 120 node bench/peers/verify-generator.mjs "$gen" 1000
fi

# The purpose-rules workload at N = 10, and the tree workload at N = 100
# (at N = 10 it allows almost nothing, too weak a check).
for spec in "peer 10" "tree 100"; do
  read -r workload n <<< "$spec"
  dir="$work/$workload"
  timeout 60 node bench/peers/gen.mjs "$n" 1000 "$dir" "$workload"
  for engine in cedar casbin js-index; do
    echo "== $workload N=$n: $engine"
    timeout 120 node bench/peers/run-embedded.mjs "$engine" "$n" "$dir" --workload "$workload"
  done
  if [ -n "$redline" ]; then
    echo "== $workload N=$n: redline eval ($redline)"
    timeout 120 "$redline" eval "$dir/policy.pol" < "$dir/requests.jsonl" > "$dir/redline.jsonl" 2> "$dir/redline.err" ||
      { cat "$dir/redline.err" >&2; exit 1; }
    node -e '
      const fs = require("fs");
      const got = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).decision);
      const want = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
      const bad = want.filter((w, i) => got[i] !== w).length + Math.max(0, got.length - want.length);
      console.log(JSON.stringify({ engine: "redline eval", requests: got.length, mismatches: bad }));
      if (bad) process.exit(1);' "$dir/redline.jsonl" "$dir/expected.txt"
  fi
done
echo "bench-peers-smoke: every decision matched the reference"
