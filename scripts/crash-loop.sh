#!/usr/bin/env bash
# scripts/crash-loop.sh — the audit crash loop end to end, through the CLI:
# run `redline eval --state DIR --strict` on an endless request stream, kill -9
# it at a random moment, then check that `redline audit verify` passes and
# that the log holds at least as many decisions as were printed (a decision
# is printed only once its record is durable). The doctest
# "crash loop: kill -9 a strict writer ..." does the same in-process, per record.
#
#   scripts/crash-loop.sh [ROUNDS]      (REDLINE=path/to/redline, default build/redline)
set -euo pipefail
cd "$(dirname "$0")/.."
R=${REDLINE:-build/redline}
ROUNDS=${1:-10}
export REDLINE_STDLIB=${REDLINE_STDLIB:-$PWD/stdlib}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
policy=examples/spec-example/customer.pol
request='{"purpose":"translation","actor":{"id":"a1","role":"analyst"},"env":{"impact_level":"il5"}}'
printed=0
for round in $(seq "$ROUNDS"); do
  "$R" eval --state "$work/state" --strict "$policy" < <(yes "$request") > "$work/out" 2> "$work/err" &
  pid=$!
  sleep "0.$((RANDOM % 40 + 10))"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  printed=$((printed + $(grep -c '"decision"' "$work/out" || true)))
  if ! "$R" audit verify --state "$work/state" > "$work/verify" 2>&1; then
    echo "round $round: audit verify failed:"; cat "$work/verify"; exit 1
  fi
  logged=$("$R" audit show --state "$work/state" --type decision | wc -l)
  if [ "$logged" -lt "$printed" ]; then
    echo "round $round: $printed decisions printed but only $logged logged"; exit 1
  fi
done
echo "crash loop: $ROUNDS rounds, $printed decisions printed, $logged logged; $(tail -1 "$work/verify")"
