"""The Python API: compiling, errors, decisions, switches, explain, guard."""
import asyncio
import json
import os
import subprocess

import pytest

import redline
from conftest import DEMO, REPO, child_env


@pytest.fixture()
def policy():
    return redline.compile_source(DEMO, "demo.pol")


def test_version_is_the_library_version():
    out = subprocess.run([os.environ.get("REDLINE_CLI", os.path.join(REPO, "build", "redline")), "--version"],
                         capture_output=True, text=True, check=True, env=child_env()).stdout
    assert out.strip() == "redline " + redline.__version__


def test_hash_layers_switches(policy):
    assert policy.hash.startswith("sha256:") and len(policy.hash) == 7 + 64
    assert policy.layers == ("demo",)
    assert policy.switches.names == ("demo/chat_stop",)
    assert "chat_stop" in policy.switches and "nope" not in policy.switches
    # the same sources give the same hash; other sources another
    assert redline.compile_source(DEMO, "demo.pol").hash == policy.hash
    assert redline.compile_source(DEMO + "\n// changed\n", "demo.pol").hash != policy.hash


def test_decide_dict_str_bytes(policy):
    d = policy.decide({"purpose": "chat"})
    assert d.outcome == "allow" and d.allowed and bool(d)
    assert d.obligations == ["log_chat"]
    assert d.error is None
    s = policy.decide('{"purpose": "chat"}')
    b = policy.decide(b'{"purpose": "chat"}')
    assert d.to_json() == s.to_json() == b.to_json()
    assert json.loads(d.to_json()) == d.to_dict()
    assert d.to_dict()["decision"] == "allow"


def test_deny_reasons_and_pending(policy):
    d = policy.decide({"purpose": "weapons.engagement"})
    assert d.outcome == "deny" and not d.allowed
    assert [r["rule"] for r in d.reasons] == ["demo/no_engage"]
    assert d.reasons[0]["because"] == "Never."
    p = policy.decide({"purpose": "weapons.targeting"})
    assert p.outcome == "require_approval"
    assert [x["rule"] for x in p.pending["rules"]] == ["demo/aim"]
    assert p.pending["rules"][0]["roles"] == ["safety"]
    assert d.pending is None


def test_bad_requests_are_denied_with_an_error(policy):
    for bad in ['{"purpose": ', '{"purpose": "no.such.purpose"}', '{"purpose": "chat", "actor": {"role": "king"}}', "", "[]"]:
        d = policy.decide(bad)
        assert d.outcome == "deny", bad
        assert d.error is not None and d.error["code"].startswith("RL5"), bad
    with pytest.raises(TypeError):
        policy.decide(42)  # type: ignore[arg-type]


def test_big_decision_grows_the_buffer():
    purposes = " ".join(f"p{i}" for i in range(300))
    rules = "\n".join(f"  rule r{i}: permit all.p{i} oblige {'o' * 40}_{i};" for i in range(300))
    every = ", ".join(f"obligation_number_{i}" for i in range(400))
    src = f'purposes {{ all {{ {purposes} }} }}\npolicy "big" {{\n  default deny\n  rule every: permit all oblige {every};\n{rules}\n}}\n'
    policy = redline.compile_source(src, "big.pol")
    d = policy.decide({"purpose": "all.p7"})
    assert d.allowed
    assert len(d.to_json()) > 4096          # over the first per-thread buffer
    assert len(d.obligations) == 401
    assert d.to_json() == policy.decide('{"purpose": "all.p7"}').to_json()


def test_compile_errors_carry_diagnostics():
    with pytest.raises(redline.PolicyError) as e:
        redline.compile_source('purposes { chat }\npolicy "p" {\n  default deny\n  rule r: permit chta;\n}\n', "typo.pol")
    err = e.value
    assert err.errors, err.diagnostics
    d = err.errors[0]
    assert (d.file, d.line, d.column) == ("typo.pol", 4, 18)
    assert d.column > 1
    assert d.code.startswith("RL2")
    assert "chta" in d.message
    assert "chat" in d.help          # the suggestion
    assert "typo.pol:4:18: error[RL2003]" in str(err)


def test_compile_missing_file_and_syntax_error(tmp_path):
    with pytest.raises(redline.PolicyError) as e:
        redline.compile([str(tmp_path / "missing.pol")])
    assert e.value.errors and "missing.pol" in str(e.value)
    bad = tmp_path / "bad.pol"
    bad.write_text("policy {{{ \n")
    with pytest.raises(redline.PolicyError) as e:
        redline.compile(str(bad))
    assert e.value.errors[0].code.startswith("RL1")
    with pytest.raises(ValueError):
        redline.compile([])


def test_compile_files_layer_and_sources(tmp_path):
    base = tmp_path / "base.pol"
    base.write_text('purposes { chat mail }\npolicy "base" { default allow }\n')
    top = tmp_path / "top.pol"
    top.write_text('import "base.pol"\npolicy "top" extends "base" { default allow rule no_mail: prohibit mail; }\n')
    p = redline.compile([str(top)])
    assert p.layers == ("base", "top")
    assert p.decide({"purpose": "mail"}).outcome == "deny"
    assert redline.compile(top).hash == p.hash            # a pathlib.Path, alone
    assert redline.compile([os.fsencode(top)]).hash == p.hash
    b = redline.compile([str(top)], layer="base")
    assert b.layers == ("base",)
    assert b.decide({"purpose": "mail"}).outcome == "allow"
    with pytest.raises(redline.PolicyError):
        redline.compile([str(top)], layer="nope")
    mem = redline.compile(["m.pol"], sources={"m.pol": 'purposes { chat }\npolicy "m" { default allow }\n'})
    assert mem.decide({"purpose": "chat"}).allowed


def test_stdlib_is_found(tmp_path):
    assert os.path.isdir(redline.default_stdlib())
    f = tmp_path / "uses.pol"
    f.write_text('import "stdlib/taxonomy/ai-uses.pol"\npolicy "p" { default allow }\n')
    assert redline.compile([str(f)]).layers == ("p",)


def test_switches(policy):
    sw = policy.switches
    assert not sw.tripped("chat_stop")
    sw.trip("chat_stop")
    assert sw.tripped("demo/chat_stop")
    d = policy.decide({"purpose": "chat"})
    assert d.outcome == "deny" and d.killed_by == "demo/chat_stop"
    g = sw.generation
    sw.reset("chat_stop")
    assert sw.generation == g + 1
    assert policy.decide({"purpose": "chat"}).allowed
    with pytest.raises(KeyError):
        sw.trip("no_such_switch")
    with pytest.raises(KeyError):
        sw.tripped("no_such_switch")


def test_explain(policy):
    text = policy.explain({"purpose": "weapons.engagement"})
    assert "no_engage" in text
    assert policy.explain("not json")  # an account of the failure, not an exception


def test_decide_many(policy):
    ds = policy.decide_many([{"purpose": "chat"}, '{"purpose": "weapons.engagement"}', b"{}"])
    assert [d.outcome for d in ds] == ["allow", "deny", "deny"]


def test_approvals_bad_keys():
    with pytest.raises(ValueError):
        redline.Approvals("{not keys")


def test_guard(policy):
    calls = []

    @policy.guard(purpose="summarization", context={"data": {"tags": ["public"]}})
    def summarize(text):
        calls.append(text)
        return text[:3]

    assert summarize("hello") == "hel"
    assert summarize.__name__ == "summarize"

    @policy.guard(purpose="summarization", request=lambda text, tags: {"data": {"tags": tags}})
    def summarize_tagged(text, tags):
        calls.append(text)
        return "ok"

    assert summarize_tagged("a", ["public"]) == "ok"
    with pytest.raises(redline.Denied) as e:
        summarize_tagged("b", ["pii"])
    assert e.value.decision.outcome == "deny"

    @policy.guard(purpose="weapons.targeting")
    def aim():
        calls.append("aim")

    with pytest.raises(redline.ApprovalRequired) as e:
        aim()
    assert e.value.pending["rules"][0]["rule"] == "demo/aim"
    assert isinstance(e.value, redline.NotAllowed) and not isinstance(e.value, redline.Denied)
    assert calls == ["hello", "a"]          # the refused calls never ran

    @policy.guard(purpose="chat")
    async def talk():
        return "hi"

    assert asyncio.run(talk()) == "hi"
    policy.switches.trip("chat_stop")
    with pytest.raises(redline.Denied) as e:
        asyncio.run(talk())
    assert e.value.decision.killed_by == "demo/chat_stop"
