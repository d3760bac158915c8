#!/usr/bin/env bash
# scripts/bench-serve.sh — the decision service under load, side by side with
# the Cerbos PDP, in one command (issue 9's load test, issue 10's service
# comparison): installs wrk and the peers (as scripts/bench-peers.sh does),
# builds redline (Release) in $REDLINE_PEERS_BUILD (default build-peers), then
# for each N in $REDLINE_SERVE_NS (default 10,1000) generates the purpose-rules
# workload, cross-checks every decision of `redline serve` (plain and with
# --state, every decision audited) and of Cerbos against the reference, and
# runs wrk with 1, 16 and 64 connections for $REDLINE_WRK_SECONDS (default 10)
# seconds each. Writes the tables into bench/README.md (between the
# bench-serve markers) and prints them. About 5 minutes; not part of .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export REDLINE_PEERS_CACHE=${REDLINE_PEERS_CACHE:-$HOME/.cache/redline-peers}
build=${REDLINE_PEERS_BUILD:-$root/build-peers}
work=${REDLINE_PEERS_WORK:-${TMPDIR:-/tmp}/redline-serve-work}

REDLINE_EXTRA_PACKAGES="wrk" scripts/install-deps.sh
bench/peers/install-peers.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
ninja -C "$build" -j"${REDLINE_JOBS:-2}" redline
mkdir -p "$work"
status=0
node bench/peers/bench.mjs --workload peer --redline "$build/redline" --engines redline-serve,redline-serve-audited,cerbos \
  --ns "${REDLINE_SERVE_NS:-10,1000}" --wrk-seconds "${REDLINE_WRK_SECONDS:-10}" --budget "${REDLINE_PEERS_BUDGET:-60}" \
  --work "$work" --markdown "$work/serve.md" || status=$?
node - "$work/serve.md" bench/README.md <<'JS'
const fs = require('fs'), os = require('os');
const [tables, readme] = process.argv.slice(2);
const BEGIN = '<!-- bench-serve:begin (written by scripts/bench-serve.sh) -->', END = '<!-- bench-serve:end -->';
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [, 'unknown'])[1];
const body = fs.readFileSync(tables, 'utf8').replace(/\n\| peer time \/ redline time[\s\S]*?\n\n\\\* bounded[^\n]*\n/, '\n');
const section = `${BEGIN}\n## The decision service under load: redline serve vs the Cerbos PDP\n\nRun with \`scripts/bench-serve.sh\` on ${new Date().toISOString().slice(0, 10)}. ` +
  `Machine: ${os.cpus().length} cores, ${cpu}; wrk and the server share them (wrk: 2 threads, 1 at 1 connection). ` +
  `Both services get the same request bodies (bench/peers/wrk-bodies.lua) over keep-alive on 127.0.0.1; ` +
  `before wrk, every decision of each was cross-checked against the workload's reference.\n${body}\n${END}`;
let text = fs.readFileSync(readme, 'utf8');
const a = text.indexOf(BEGIN), b = text.indexOf(END);
text = a >= 0 && b > a ? text.slice(0, a) + section + text.slice(b + END.length) : text.trimEnd() + '\n\n' + section + '\n';
fs.writeFileSync(readme, text);
JS
exit $status
