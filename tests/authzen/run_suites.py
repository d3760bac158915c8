#!/usr/bin/env python3
"""Plays the AuthZEN interop suites and the certification checks against the
real `redline serve`, over HTTP, with nothing but Python's standard library.

  run_suites.py REDLINE_BINARY

For each scenario it starts `redline serve` on a free loopback port with the
scenario's policy (tests/authzen/policies) and a config that answers bare
`{"decision": ...}` items (authzen.decision_context = false), then:

- the todo suites 1.0-01 and 1.0-02 and the gateway suite (upstream/, copied
  unmodified from openid/authzen): each case is compared exactly as the
  official runner.ts compares it — `data.decision || false` for
  /access/v1/evaluation and `data.evaluations || []` for
  /access/v1/evaluations, by JSON equality with `expected`;
- the certification scenario's Basic and Batch checks (certification.json),
  plus its header (X-Request-ID), idempotency and response-format checks.

Exit status 0 when every case passes; each failure is printed.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    def __init__(self, binary, policy, config):
        self.tmp = tempfile.TemporaryDirectory(prefix="redline-authzen-")
        cfg = os.path.join(self.tmp.name, "serve.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        self.err = open(os.path.join(self.tmp.name, "serve.err"), "w+")
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--threads", "1", "--config", cfg, policy],
                                     stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = ""
        deadline = time.monotonic() + 30
        while "listening on" not in line and time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                break
        if "listening on 127.0.0.1:" not in line:
            self.err.seek(0)
            why = self.err.read()
            self.stop()
            raise RuntimeError("redline serve did not start: " + line + why)
        self.base = "http://127.0.0.1:" + line.rsplit(":", 1)[1].strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.err.close()
        self.tmp.cleanup()

    def post(self, endpoint, data, content_type="application/json", headers=None):
        """(status, response headers, parsed body or None)."""
        req = urllib.request.Request(self.base + "/access/v1/" + endpoint, data=data, method="POST")
        if content_type is not None:
            req.add_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        return status, hdrs, body


def js(v):
    """JSON.stringify as runner.ts compares with it (key order kept)."""
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def load(path):
    with open(path) as f:
        return json.load(f)


def play_suite(server, path, name, failures):
    suite = load(path)
    passed = total = 0
    for endpoint in ("evaluation", "evaluations"):
        for case in suite.get(endpoint, []):
            total += 1
            status, _, data = server.post(endpoint, js(case["request"]).encode())
            data = data if isinstance(data, dict) else {}
            got = (data.get("decision") or False) if endpoint == "evaluation" else (data.get("evaluations") or [])
            if js(got) == js(case["expected"]):
                passed += 1
            else:
                failures.append("%s: %s %s: expected %s, got %s (HTTP %d)" % (name, endpoint, js(case["request"]), js(case["expected"]), js(got), status))
    print("%s: %d/%d" % (name, passed, total))
    return total


def check(cond, what, failures):
    if not cond:
        failures.append(what)
    return cond


def certification(server, failures):
    checks = load(os.path.join(HERE, "certification.json"))["checks"]
    for c in checks:
        data = c["raw"].encode() if "raw" in c else js(c["body"]).encode()
        status, hdrs, body = server.post(c["endpoint"], data, c.get("content_type", "application/json"))
        tag = "certification " + c["id"]
        check(status == c["status"], "%s: HTTP %d, expected %d (%s)" % (tag, status, c["status"], js(body)), failures)
        # Every answer, errors included, is a JSON object with a boolean decision.
        if not check(isinstance(body, dict) and isinstance(body.get("decision"), bool), tag + ": no boolean `decision` in " + js(body), failures):
            continue
        check("context" not in body or isinstance(body["context"], dict), tag + ": `context` is not an object", failures)
        if status == 200:
            check(hdrs.get("Content-Type", "").startswith("application/json"), tag + ": Content-Type " + str(hdrs.get("Content-Type")), failures)
        if status != 200:
            check(body["decision"] is False, tag + ": an error answered decision true", failures)
        if "decision" in c:
            check(body["decision"] is c["decision"] and "evaluations" not in body, "%s: decision %s, expected %s" % (tag, js(body), c["decision"]), failures)
        if "evaluations" in c:
            items = body.get("evaluations")
            if not check(isinstance(items, list), tag + ": no `evaluations` array", failures):
                continue
            want = c["count"] if c["evaluations"] is None else len(c["evaluations"])
            check(len(items) == want, "%s: %d evaluations, expected %d" % (tag, len(items), want), failures)
            for i, item in enumerate(items):
                check(isinstance(item, dict) and isinstance(item.get("decision"), bool), "%s: item %d has no boolean decision" % (tag, i), failures)
                check(not isinstance(item, dict) or "context" not in item or isinstance(item["context"], dict), "%s: item %d context" % (tag, i), failures)
            if c["evaluations"] is not None:
                check([i.get("decision") for i in items] == c["evaluations"], "%s: %s, expected %s" % (tag, js(items), c["evaluations"]), failures)
            for i in c.get("error_items", []):
                check(i < len(items) and isinstance(items[i].get("context"), dict), "%s: item %d carries no error context" % (tag, i), failures)
    fixture = js(checks[0]["body"]).encode()
    # c-2-5-1 / c-2-5-2: X-Request-ID echoed when sent; nothing fails without it.
    for endpoint in ("evaluation", "evaluations"):
        status, hdrs, _ = server.post(endpoint, fixture, headers={"X-Request-ID": "bfe9eb29-ab87-4ca3-be83-a1d5d8305716"})
        check(status == 200 and hdrs.get("X-Request-ID") == "bfe9eb29-ab87-4ca3-be83-a1d5d8305716", "c-2-5-1: X-Request-ID not echoed on " + endpoint, failures)
        status, hdrs, _ = server.post(endpoint, b"{", headers={"X-Request-ID": "req-on-an-error"})
        check(status == 400 and hdrs.get("X-Request-ID") == "req-on-an-error", "c-2-5-1: X-Request-ID not echoed on an error of " + endpoint, failures)
    status, _, body = server.post("evaluation", fixture)
    check(status == 200 and body == {"decision": True}, "c-2-5-2: without X-Request-ID: " + js(body), failures)
    # c-2-6: idempotency.
    answers = [server.post("evaluation", fixture)[2] for _ in range(5)]
    check(all(a == {"decision": True} for a in answers), "c-2-6: answers differ: " + js(answers), failures)
    print("certification (Basic + Batch): %d checks, X-Request-ID, idempotency" % len(checks))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    bare = {"authzen": {"decision_context": False}}
    failures = []
    policies = os.path.join(HERE, "policies")
    upstream = os.path.join(HERE, "upstream")
    counts = {}
    for scenario, policy, suites in [
        ("todo", "todo.pol", [("todo 1.0-01", "todo/decisions-authorization-api-1_0-01.json"),
                              ("todo 1.0-02", "todo/decisions-authorization-api-1_0-02.json")]),
        ("gateway", "gateway.pol", [("gateway", "gateway/decisions.json")]),
        ("certification", "certification.pol", []),
    ]:
        server = Server(binary, os.path.join(policies, policy), bare)
        try:
            for name, path in suites:
                counts[name] = play_suite(server, os.path.join(upstream, path), name, failures)
            if scenario == "certification":
                certification(server, failures)
        finally:
            server.stop()
    # The suites must be what they were when copied (40, 43 and 25 cases).
    check(counts == {"todo 1.0-01": 40, "todo 1.0-02": 43, "gateway": 25}, "unexpected suite sizes: " + js(counts), failures)
    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
