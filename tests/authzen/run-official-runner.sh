#!/usr/bin/env bash
# Runs the official AuthZEN interop runners (upstream/*/runner.ts, unmodified)
# against the real `redline serve`, with Node.js:
#
#   tests/authzen/run-official-runner.sh build/redline
#
# Optional: it needs node (18+, for fetch) and npm, and installs the runners'
# dependencies (tsx, cli-color) from the npm registry into a scratch folder.
# Without node or npm it says so and exits 0. Exit 1 when a case fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
redline="$(cd "$(dirname "${1:?usage: $0 path/to/redline}")" && pwd)/$(basename "$1")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED: node and npm are needed to run the official runner.ts (tests/authzen/run_suites.py covers the same cases)"
  exit 0
fi
work="$(mktemp -d /tmp/redline-authzen-runner.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cp -r "$here/upstream/todo" "$here/upstream/gateway" "$work/"
echo '{"private": true}' > "$work/package.json"
(cd "$work" && npm install --silent --no-audit --no-fund tsx@4 cli-color@2 >/dev/null)
echo '{"authzen": {"decision_context": false}}' > "$work/serve.json"

serve() {   # serve POLICY → sets $url
  "$redline" serve --listen 127.0.0.1:0 --threads 1 --config "$work/serve.json" "$1" > "$work/serve.out" 2> "$work/serve.err" &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q "listening on" "$work/serve.out"; then break; fi
    sleep 0.1
  done
  url="http://$(grep -o '127.0.0.1:[0-9]*' "$work/serve.out" | head -1)"
  : > "$work/serve.out"
}

status=0
run() {   # run NAME EXPECTED DIR ARGS...
  local name="$1" expected="$2" dir="$3"; shift 3
  local out
  out="$(cd "$work/$dir" && NO_COLOR=1 "$work/node_modules/.bin/tsx" runner.ts "$@" console)"
  local pass fail
  pass="$(grep -c '^.*PASS' <<<"$out" || true)"
  fail="$(grep -c -E 'FAIL|ERROR' <<<"$out" || true)"
  echo "$name: $pass/$expected passed (official runner.ts)"
  if [[ "$pass" != "$expected" || "$fail" != 0 ]]; then
    grep -E 'FAIL|ERROR' <<<"$out" || true
    status=1
  fi
}

serve "$here/policies/todo.pol"
run "todo 1.0-01" 40 todo "$url" authorization-api-1_0-01
run "todo 1.0-02" 43 todo "$url" authorization-api-1_0-02
serve "$here/policies/gateway.pol"
run "gateway" 25 gateway "$url"
exit $status
