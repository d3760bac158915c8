#!/usr/bin/env python3
"""Python decide(str) / decide(dict) per call, against the same decision made
natively through the C API (decide_c.c) and against `redline serve` over HTTP
keep-alive from Python (http.client), all in one run on one policy/request.

Usage: bench/python/bench.py BUILD_DIR [N]
(imports the package from python/ with BUILD_DIR/libredline.so.0)
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build"))
N = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
os.environ.setdefault("REDLINE_LIBRARY", os.path.join(build, "libredline.so.0"))
sys.path.insert(0, os.path.join(root, "python"))
import redline  # noqa: E402

policy_path = os.path.join(root, "examples", "python-gateway", "gateway.pol")
request = {"purpose": "customer_support", "actor": {"role": "user", "id": "u-17"}, "data": {"tags": ["pii"]}}
request_text = json.dumps(request, separators=(",", ":"))


def per_call(fn, n):
    """ns per call: the best of 5 rounds of n/5 calls (the machine is shared)."""
    for _ in range(n // 10):
        fn()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n // 5):
            fn()
        best = min(best, (time.perf_counter() - t0) / (n // 5) * 1e9)
    return best


policy = redline.compile([policy_path])
assert policy.decide(request).allowed
results = {}
inproc = {   # timed interleaved (round-robin, best round each), so load spikes hit all alike
    "py_decide_str": lambda: policy.decide(request_text),
    "py_decide_dict": lambda: policy.decide(request),
    "py_decide_str_outcome": lambda: policy.decide(request_text).outcome,
}

with tempfile.TemporaryDirectory() as tmp:
    exe = os.path.join(tmp, "decide_c")
    subprocess.check_call(["cc", "-std=c99", "-O2", "-I", os.path.join(root, "engine", "include"),
                           os.path.join(root, "bench", "python", "decide_c.c"), "-o", exe,
                           "-L", build, "-lredline", "-Wl,-rpath," + build])
    out = subprocess.check_output([exe, policy_path, request_text, str(N * 5)], text=True)
    for line in out.splitlines():
        k, v = line.split()
        results[k] = float(v)

    # The binding layer alone: the same rl_decide through pybind11 (when its
    # headers are installed) and through a bare ctypes call.
    pyb_dir = "/usr/include/pybind11"
    if os.path.isdir(pyb_dir):
        import sysconfig
        ext = os.path.join(tmp, "pyb_decide" + sysconfig.get_config_var("EXT_SUFFIX"))
        subprocess.check_call(["c++", "-O2", "-std=c++20", "-shared", "-fPIC", "-I", sysconfig.get_paths()["include"],
                               "-I", os.path.join(root, "engine", "include"),
                               os.path.join(root, "bench", "python", "pyb_decide.cc"), "-o", ext,
                               "-L", build, "-lredline", "-Wl,-rpath," + build])
        sys.path.insert(0, tmp)
        import pyb_decide
        pp = pyb_decide.Policy(policy_path)
        assert pp.decide(request_text)[0] == policy.decide(request_text).to_json()
        inproc["pybind11_decide_str"] = lambda: pp.decide(request_text)
    import ctypes
    from redline import _native, _scratch
    buf, ln, oc = _scratch.buf, _scratch.len_ref, _scratch.outcome_ref
    data = request_text.encode()
    raw = _native.lib.rl_decide
    h = policy._h
    inproc["ctypes_raw_call"] = lambda: raw(h, None, None, data, len(data), buf, 4096, ln, oc)
    for fn in inproc.values():
        for _ in range(N // 20):
            fn()
    best = {k: float("inf") for k in inproc}
    for _ in range(5):
        for k, fn in inproc.items():
            t0 = time.perf_counter()
            for _ in range(N // 5):
                fn()
            best[k] = min(best[k], (time.perf_counter() - t0) / (N // 5) * 1e9)
    results.update(best)

    serve = subprocess.Popen([os.path.join(build, "redline"), "serve", policy_path, "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in serve.stdout:
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1].strip().strip('"}').split('"')[0])
                break
        conn = http.client.HTTPConnection("127.0.0.1", port)
        body = request_text.encode()
        headers = {"Content-Type": "application/json"}

        def http_decide():
            conn.request("POST", "/v1/decide", body, headers)
            r = conn.getresponse()
            data = r.read()
            assert r.status == 200, (r.status, data)
            return data

        first = json.loads(http_decide())
        assert first["decision"] == "allow", first
        results["http_keepalive"] = per_call(http_decide, max(N // 50, 2000))
    finally:
        serve.terminate()
        serve.wait()

print(f"redline {redline.__version__}, policy examples/python-gateway/gateway.pol, request {request_text}")
for k, v in results.items():
    print(f"{k:24s} {v:10.0f} ns/call")
print(f"decide(str) / native C rl_decide   = {results['py_decide_str'] / results['c_decide_json']:.1f}x")
if "pybind11_decide_str" in results:
    print(f"decide(str) ctypes / pybind11      = {results['py_decide_str'] / results['pybind11_decide_str']:.2f}x")
print(f"HTTP keep-alive / decide(str)      = {results['http_keepalive'] / results['py_decide_str']:.0f}x")
print(f"HTTP keep-alive / decide(dict)     = {results['http_keepalive'] / results['py_decide_dict']:.0f}x")
