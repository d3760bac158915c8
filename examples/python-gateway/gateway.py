#!/usr/bin/env python3
"""A model gateway that checks every call with redline before the model sees it.

    POST /v1/generate   {"purpose": "...", "actor": {...}, "data": {...}, "prompt": "..."}
        200 {"completion": ..., "decision": {...}}         allowed: forwarded to the model
        403 {"error": "denied", "decision": {...}}         a red line, or not decidable
        202 {"error": "approval_required", "pending": [...], "decision": {...}}
    POST /admin/switches/<name>/trip | /reset              kill switches (security officer)
    GET  /healthz                                          policy hash and switch states

Every request decided is appended to the audit log (JSON lines) with its
decision; obligations are honoured (`redact_pii_in_logs` masks the prompt in
the log). The model is a stub (`stub_model`); replace it with the real client.
Standard library only, plus the redline package.

Usage: gateway.py [--port 8080] [--policy gateway.pol] [--audit audit.jsonl]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redline

HERE = os.path.dirname(os.path.abspath(__file__))


def stub_model(prompt: str) -> str:
    """Stands in for the model behind the gateway."""
    return f"[stub model] {len(prompt.split())} words received: {prompt[:60]}"


class Gateway:
    def __init__(self, policy_path: str, audit_path: str):
        self.policy = redline.compile([policy_path])
        self.audit_path = audit_path
        self.audit_lock = threading.Lock()

    def audit(self, call: dict, decision: redline.Decision) -> None:
        entry = {"purpose": call.get("purpose"), "actor": call.get("actor"), "decision": decision.to_dict()}
        prompt = call.get("prompt", "")
        entry["prompt"] = "<redacted>" if "redact_pii_in_logs" in decision.obligations else prompt
        with self.audit_lock, open(self.audit_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def generate(self, call: dict) -> tuple[int, dict]:
        request = {k: call[k] for k in ("purpose", "actor", "data", "env", "approvals") if k in call}
        decision = self.policy.decide(request)
        self.audit(call, decision)
        if decision.allowed:
            return 200, {"completion": stub_model(str(call.get("prompt", ""))), "decision": decision.to_dict()}
        if decision.outcome in ("require_approval", "escalate"):
            return 202, {"error": "approval_required", "pending": decision.pending, "decision": decision.to_dict()}
        return 403, {"error": "denied", "decision": decision.to_dict()}


def make_handler(gw: Gateway):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet; the audit log is the record
            pass

        def reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                sw = gw.policy.switches
                return self.reply(200, {"policy": gw.policy.hash, "redline": redline.__version__,
                                        "switches": {n: sw.tripped(n) for n in sw.names}})
            self.reply(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = self.path.strip("/").split("/")
            if self.path == "/v1/generate":
                try:
                    call = json.loads(body)
                    if not isinstance(call, dict):
                        raise ValueError("the body must be a JSON object")
                except ValueError as e:
                    return self.reply(400, {"error": "bad_request", "message": str(e)})
                return self.reply(*gw.generate(call))
            if len(parts) == 4 and parts[:2] == ["admin", "switches"] and parts[3] in ("trip", "reset"):
                try:
                    getattr(gw.policy.switches, parts[3])(parts[2])
                except KeyError:
                    return self.reply(404, {"error": "no_such_switch", "switch": parts[2]})
                return self.reply(200, {"switch": parts[2], "tripped": gw.policy.switches.tripped(parts[2])})
            self.reply(404, {"error": "not_found"})

    return Handler


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--policy", default=os.path.join(HERE, "gateway.pol"))
    ap.add_argument("--audit", default="audit.jsonl")
    args = ap.parse_args()
    try:
        gw = Gateway(args.policy, args.audit)
    except redline.PolicyError as e:
        print(e, file=sys.stderr)
        return 1
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(gw))
    print(f"gateway on http://127.0.0.1:{server.server_port} (policy {gw.policy.hash[:19]}…)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
