#!/usr/bin/env bash
# Runs the gateway end to end, as its README shows: starts gateway.py on a free
# port, sends calls with curl and checks each answer, trips the kill switch,
# and checks the audit log. Exits non-zero at the first unexpected answer.
# Usage: examples/python-gateway/demo.sh [PYTHON]
# (the redline package must be importable: installed, or PYTHONPATH=python
# with REDLINE_LIBRARY=build/libredline.so.0; REDLINE_PY_PRELOAD, set by the
# sanitizer build, is preloaded into Python alone, not into curl)
set -euo pipefail
python=${1:-python3}
here="$(cd "$(dirname "$0")" && pwd)"
tmp=$(mktemp -d)
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT

env ${REDLINE_PY_PRELOAD:+LD_PRELOAD="$REDLINE_PY_PRELOAD"} "$python" "$here/gateway.py" --port 0 --audit "$tmp/audit.jsonl" > "$tmp/out.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "gateway on" "$tmp/out.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/out.log" || true)
[ -n "$url" ] || { cat "$tmp/out.log" >&2; echo "demo: the gateway did not start" >&2; exit 1; }
echo "demo: $(head -n 1 "$tmp/out.log")"

call() {   # call EXPECTED_STATUS JSON: POST /v1/generate, check the status, print the body
  local want=$1 body=$2 got
  got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$url/v1/generate")
  echo "  $got $(head -c 160 "$tmp/body")"
  if [ "$got" != "$want" ]; then echo "demo: expected HTTP $want, got $got for $body" >&2; exit 1; fi
}

echo "an everyday use is forwarded to the model:"
call 200 '{"purpose": "summarization", "actor": {"role": "analyst"}, "data": {"tags": ["public"]}, "prompt": "Summarize the quarterly report"}'
grep -q '"completion": "\[stub model\]' "$tmp/body"
echo "customer support with personal data is allowed, with an obligation (the prompt is redacted in the audit log):"
call 200 '{"purpose": "customer_support", "actor": {"role": "user"}, "data": {"tags": ["pii"]}, "prompt": "My card 4111 was charged twice"}'
grep -q 'redact_pii_in_logs' "$tmp/body"
echo "a red line is refused:"
call 403 '{"purpose": "surveillance.domestic_mass", "actor": {"role": "operator"}, "prompt": "Track everyone"}'
grep -q 'no_mass_surveillance' "$tmp/body"
echo "health records are not summarized here:"
call 403 '{"purpose": "summarization", "actor": {"role": "analyst"}, "data": {"tags": ["health"]}, "prompt": "Summarize the chart"}'
echo "screening candidates waits for a compliance officer:"
call 202 '{"purpose": "employment_decisions.recruitment_screening", "actor": {"role": "user"}, "prompt": "Rank these CVs"}'
grep -q '"pending": {"escalation"' "$tmp/body" && grep -q 'compliance_officer' "$tmp/body"
echo "an unknown purpose cannot be decided, so it is refused (fail closed):"
call 403 '{"purpose": "astrology", "prompt": "?"}'
grep -q '"code": "RL5' "$tmp/body"
echo "a body that is not JSON is a bad request:"
call 400 'not json'

echo "the security officer trips the kill switch; every call stops:"
curl -s -X POST "$url/admin/switches/model_stop/trip" | grep -q '"tripped": true'
call 403 '{"purpose": "translation", "actor": {"role": "user"}, "prompt": "Bonjour"}'
grep -q '"killed_by": "gateway/model_stop"' "$tmp/body"
curl -s "$url/healthz" | grep -q '"gateway/model_stop": true'
curl -s -X POST "$url/admin/switches/model_stop/reset" | grep -q '"tripped": false'
call 200 '{"purpose": "translation", "actor": {"role": "user"}, "prompt": "Bonjour"}'

lines=$(wc -l < "$tmp/audit.jsonl")
[ "$lines" = 8 ] || { echo "demo: expected 8 audit lines, got $lines" >&2; exit 1; }
grep -q '"prompt": "<redacted>"' "$tmp/audit.jsonl"
if grep -q '4111' "$tmp/audit.jsonl"; then echo "demo: the card number reached the audit log" >&2; exit 1; fi
echo "demo: every answer as expected; $lines calls in the audit log, personal data redacted"
