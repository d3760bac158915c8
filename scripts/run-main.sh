#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: set up, build, then take the
# defense-deployment example through its paces — check the policies, run
# their tests, evaluate the sample requests against the expected decisions,
# and write the reviewer's summary to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build -j"${REDLINE_JOBS:-2}" redline
export REDLINE_STDLIB="$PWD/stdlib"
example=examples/defense-deployment
policies=$(cat "$example/entry" 2>/dev/null || ls "$example"/*.pol | tr '\n' ' ')
mkdir -p out

echo "== redline check $policies"
# shellcheck disable=SC2086
build/redline check $policies

echo "== redline test $example"
build/redline test "$example"

echo "== redline eval (requests.jsonl → out/decisions.jsonl, compared with expected.jsonl)"
# shellcheck disable=SC2086
build/redline eval --expect "$example/expected.jsonl" $policies < "$example/requests.jsonl" > out/decisions.jsonl
echo "decisions written to out/decisions.jsonl"

echo "== the decision graph (out/graph.txt, out/graph.dot)"
# shellcheck disable=SC2086
build/redline dump --stage=graph $policies > out/graph.txt
# shellcheck disable=SC2086
build/redline dump --stage=dot $policies > out/graph.dot

echo "== the reviewer report (out/report.html, out/report.md)"
# shellcheck disable=SC2086
build/redline report --format html -o out/report.html $policies
# shellcheck disable=SC2086
build/redline report --format md -o out/report.md $policies
echo "== human in the loop: an approval case opened, approved and long-polled (examples/defense-deployment/approvals.sh)"
"$example/approvals.sh" build/redline
echo "done: see out/"
