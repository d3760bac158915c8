"""Every case of tests/conformance/*.json through the Python package gives
byte-for-byte the decision JSON of the C++ API (tests/capi/conformance_dump.cc,
run here) — from the request text and, for unsigned requests, from the dict.
A sample is also checked against the CLI (`redline eval`)."""
import collections
import glob
import json
import os
import subprocess

import pytest

import redline
from conftest import REPO, child_env

CONFORMANCE = os.path.join(REPO, "tests", "conformance")


def dump():
    exe = os.environ.get("REDLINE_CONFORMANCE_DUMP")
    if not exe:
        pytest.skip("REDLINE_CONFORMANCE_DUMP is not set (ctest sets it)")
    out = subprocess.run([exe, CONFORMANCE], capture_output=True, text=True, check=True, env=child_env()).stdout
    return [json.loads(line) for line in out.splitlines()]


def policy_sources(name, doc):
    """The policies a conformance file names, by name: they live in the
    folder beside it named after it (tests/conformance/README.md)."""
    folder = os.path.join(CONFORMANCE, name[: -len(".json")])
    sources = {}
    for fname in doc["files"]:
        with open(os.path.join(folder, fname), encoding="utf-8") as f:
            sources[fname] = f.read()
    return sources


def test_every_conformance_case_is_byte_identical():
    lines = dump()
    by_file = collections.defaultdict(list)
    for line in lines:
        by_file[line["file"]].append(line)
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(CONFORMANCE, "*.json")))
    assert sorted(by_file) == files
    expected_cases = 0
    compared = from_dict = 0
    mismatches = []
    for name in files:
        with open(os.path.join(CONFORMANCE, name)) as f:
            doc = json.load(f)
        expected_cases += len(doc["cases"])
        entry = doc.get("entry", list(doc["files"]))
        policy = redline.compile(entry, layer=doc.get("layer"), sources=policy_sources(name, doc))
        assert len(by_file[name]) == len(doc["cases"])
        for case, line in zip(doc["cases"], by_file[name]):
            assert case["name"] == line["case"]
            approvals = None
            if line["keys"] is not None or line["require_signed"]:
                approvals = redline.Approvals(line["keys"], require_signed=line["require_signed"])
            for t in line["tripped"]:
                policy.switches.trip(t)
            try:
                got = policy.decide(line["request_text"], approvals=approvals)
                compared += 1
                if got.to_json() != line["decision"]:
                    mismatches.append((name, case["name"], "text", got.to_json(), line["decision"]))
                assert got.outcome == case["expect"]["decision"], (name, case["name"])
                if "request" in case and "sign" not in case:
                    again = policy.decide(case["request"], approvals=approvals)
                    from_dict += 1
                    if again.to_json() != line["decision"]:
                        mismatches.append((name, case["name"], "dict", again.to_json(), line["decision"]))
            finally:
                for t in line["tripped"]:
                    policy.switches.reset(t)
    assert not mismatches, mismatches[:3]
    assert compared == expected_cases == len(lines)
    assert compared >= 500 and from_dict >= 400
    print(f"{compared} cases byte-identical from text, {from_dict} from dicts, {len(files)} files")


def test_cli_gives_the_same_decisions(tmp_path):
    """`redline eval` (one decision JSON per request line) agrees byte for byte
    with the Python package on the conformance files that need no switches,
    keys or layer choice."""
    cli = os.environ.get("REDLINE_CLI")
    if not cli:
        pytest.skip("REDLINE_CLI is not set (ctest sets it)")
    checked = 0
    for path in sorted(glob.glob(os.path.join(CONFORMANCE, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        if "approvers" in doc or "layer" in doc or "entry" in doc or len(doc["files"]) != 1:
            continue
        cases = [c for c in doc["cases"] if "tripped" not in c and "request" in c]
        if not cases:
            continue
        (fname, text), = policy_sources(os.path.basename(path), doc).items()
        d = tmp_path / os.path.basename(path)
        d.mkdir()
        (d / fname).write_text(text)
        requests = "".join(json.dumps(c["request"]) + "\n" for c in cases)
        out = subprocess.run([cli, "eval", fname], input=requests, capture_output=True, text=True, cwd=d, env=child_env())
        got = out.stdout.splitlines()
        assert len(got) == len(cases), (path, out.stderr)
        policy = redline.compile([str(d / fname)])
        for c, line in zip(cases, got):
            assert policy.decide(c["request"]).to_json() == line, (path, c["name"])
            checked += 1
    assert checked >= 200
