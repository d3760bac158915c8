#!/usr/bin/env bash
# A walkthrough of human-in-the-loop approvals with `redline serve`
# (docs/approvals.md "Approval cases in redline serve"), on this example's
# policies:
#
#   1. the service starts with a state folder (audit log + case store) and
#      bearer tokens for an application, a mission legal advisor and a commander;
#   2. the application asks for a bulk analysis of data that may hold U.S.
#      persons: `escalate`, and an approval case opens;
#   3. the legal advisor lists the cases awaiting their role and approves it
#      (one sign-off clears both the agency's and the vendor's review step);
#   4. the application's long-poll returns the final decision: `allow`;
#   5. a decision-support request waits for a commander, who approves it;
#   6. the audit log shows each case's events and verifies.
#
# usage: examples/defense-deployment/approvals.sh [path/to/redline]
# Needs curl and python3 (both installed by scripts/install-deps.sh). Exits
# non-zero when any step does not go as described.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
redline=$(realpath "${1:-$here/../../build/redline}")
export REDLINE_STDLIB=${REDLINE_STDLIB:-$here/../../stdlib}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
expect() {   # expect WHAT ACTUAL WANTED
  if [ "$2" != "$3" ]; then echo "walkthrough: $1 is \`$2\`, expected \`$3\`" >&2; exit 1; fi
  echo "   $1: $2"
}

app=app-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
lawyer=lawyer-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
commander=commander-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
cat > "$work/config.json" <<EOF
{
  "decisions": "token",
  "tokens": [
    {"token": "$app", "actor": "gateway", "roles": []},
    {"token": "$lawyer", "actor": "l1", "roles": ["mission_legal_advisor"]},
    {"token": "$commander", "actor": "c1", "roles": ["commander"]}
  ]
}
EOF

say "1. redline serve --state (audit log and case store), tokens for the app, a legal advisor and a commander"
"$redline" serve --listen 127.0.0.1:0 --state "$work/state" --config "$work/config.json" \
  "$here/vendor.pol" "$here/agency.pol" > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.out")
[ -n "$port" ] || { echo "walkthrough: serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
base=http://127.0.0.1:$port
echo "   listening on $base"
call() {   # call TOKEN METHOD PATH [BODY]
  curl -sS -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' ${4:+--data "$4"} "$base$3"
}
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

say "2. the application asks for a bulk analysis of data that may hold U.S. persons"
bulk='{"purpose": "intelligence_analysis.bulk_data_analysis",
       "actor": {"id": "a1", "role": "analyst", "kind": "human", "clearance": "top_secret"},
       "data": {"tags": ["us_persons", "bulk_acquired", "classified"]}, "env": {"impact_level": "il6"},
       "request": {"id": "walk-bulk-1", "time": "'$now'"}}'
answer=$(call "$app" POST /v1/decide "$bulk")
expect decision "$(json "d['decision']" <<< "$answer")" escalate
case_id=$(json "d['case']['id']" <<< "$answer")
echo "   case: $case_id"

say "3. the legal advisor's inbox, and their approval"
inbox=$(call "$lawyer" GET "/v1/cases?role=mission_legal_advisor")
expect "cases awaiting the legal advisor" "$(json "[c['id'] for c in d['cases']]" <<< "$inbox")" "['$case_id']"
# The application long-polls meanwhile: it is answered when the case changes.
call "$app" GET "/v1/cases/$case_id?wait=30s" > "$work/poll.json" &
poll=$!
sleep 0.3
acted=$(call "$lawyer" POST "/v1/cases/$case_id/approve" '{"comment": "lawful under the mission order; minimisation applies"}')
expect "case state after the approval" "$(json "d['state']" <<< "$acted")" decided

say "4. the application's long-poll returns the final decision"
wait "$poll"
expect "final decision" "$(json "d['decision']['decision']" < "$work/poll.json")" allow
expect "obligations" "$(json "d['decision'].get('obligations')" < "$work/poll.json")" "['log_full', 'minimize(us_persons)']"

say "5. decision support waits for a commander"
support='{"purpose": "decision_support",
          "actor": {"id": "p1", "role": "planner", "kind": "human", "clearance": "secret"},
          "data": {"tags": ["classified"]}, "env": {"impact_level": "il6"},
          "request": {"id": "walk-support-1", "time": "'$now'"}}'
answer=$(call "$app" POST /v1/decide "$support")
expect decision "$(json "d['decision']" <<< "$answer")" require_approval
support_case=$(json "d['case']['id']" <<< "$answer")
# The legal advisor is not who this case awaits.
refused=$(call "$lawyer" POST "/v1/cases/$support_case/approve" '{}')
expect "the legal advisor's attempt" "$(json "d['error']['code']" <<< "$refused")" RL5016
acted=$(call "$commander" POST "/v1/cases/$support_case/approve" '{"comment": "approved for planning"}')
expect "decision after the commander's approval" "$(json "d['decision']['decision']" <<< "$acted")" allow
# Asking again with the same request gets the decided case.
again=$(call "$app" POST /v1/decide "$support")
expect "the same request again" "$(json "d['decision'] + ' ' + d['case']['state']" <<< "$again")" "allow decided"

say "6. the audit log: each case's events, and verification"
kill -TERM "$pid"
wait "$pid" || true
pid=
"$redline" audit show --state "$work/state" --case "$case_id" > "$work/events.jsonl"
expect "events of the bulk case" "$(python3 -c "import json,sys; print([json.loads(l)['event'] for l in sys.stdin])" < "$work/events.jsonl")" \
  "['opened', 'approved', 'decided']"
"$redline" audit verify --state "$work/state"
echo
echo "walkthrough: ok"
