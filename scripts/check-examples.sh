#!/usr/bin/env bash
# For every examples/*/ folder with requests.jsonl and expected.jsonl: checks
# the folder's policies, evaluates its requests and compares every decision
# with the expected line. Usage: scripts/check-examples.sh PATH/TO/redline
set -euo pipefail
redline=${1:?usage: check-examples.sh PATH/TO/redline}
cd "$(dirname "$0")/.."
status=0
found=0
for dir in examples/*/; do
  [ -f "$dir/requests.jsonl" ] && [ -f "$dir/expected.jsonl" ] || continue
  found=$((found + 1))
  policies=$(cat "$dir/entry" 2>/dev/null || ls "$dir"*.pol | tr '\n' ' ')
  echo "-- $dir ($policies)"
  # shellcheck disable=SC2086
  if ! "$redline" eval --expect "$dir/expected.jsonl" $policies < "$dir/requests.jsonl" > /dev/null; then
    status=1
  fi
done
if [ "$found" = 0 ]; then
  echo "check-examples: no example has requests.jsonl and expected.jsonl" >&2
  exit 1
fi
exit $status
