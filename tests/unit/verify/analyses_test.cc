// The rule analyses, each with positive and negative cases: dead rules
// (RL4001), shadowed rules (RL4002), permits that never decide (RL4003),
// conflicting intent (RL4004) and gaps (RL4005). Example requests are
// evaluated with the compiled Program.
#include <doctest/doctest.h>

#include <algorithm>

#include "verify_support.h"

using namespace redline;
using namespace redline::testing;

namespace {

const char* kHeader = R"(
purposes { x { y z }  leaf  a { b }  c { d } }
context {
  actor.role: enum { r, s, t }
  data.tags: tags { minors, consented }
}
)";

std::vector<std::string> subjects(const std::vector<verify::Finding>& all, diag::Code code) {
  std::vector<std::string> out;
  for (const auto& f : with_code(all, code)) out.push_back(f.subject);
  return out;
}

std::vector<verify::Finding> analyze(const std::string& body) {
  Loaded l = load(std::string(kHeader) + body);
  return verify::analyze(l.model());
}

bool has_reason(const Decision& d, const std::string& rule) {
  auto rs = d.reasons();
  return std::any_of(rs.begin(), rs.end(), [&](const Reason& r) { return r.rule == rule; });
}

}  // namespace

TEST_CASE("dead rules: contradictions, no purpose, and fail-closed restrictions") {
  auto all = analyze(R"(
policy "p" {
  default deny
  rule never:   permit x when actor.role == r and actor.role == s;
  rule empty:   permit leaf.*;
  rule closed:  prohibit x when actor.role == r and actor.role == s;
  rule shut:    prohibit x when actor.role is present and actor.role == r and actor.role == s;
  rule live:    permit x when actor.role == r;
}
)");
  CHECK(subjects(all, diag::Code::DeadRule) == std::vector<std::string>{"p/never", "p/empty", "p/shut"});
  for (const auto& f : with_code(all, diag::Code::DeadRule)) CHECK(f.request.empty());
  CHECK(with_code(all, diag::Code::DeadRule)[1].message.find("cover no purpose") != std::string::npos);
}

TEST_CASE("shadowed rules: same policy and severity, more severe, prohibits below, twins reported once") {
  std::string body = R"(
policy "base" {
  default allow
  escalation e { step r }
  rule wall:    prohibit a;
  rule esc1:    escalate x when actor.role == r to e;
  rule esc2:    escalate x.y when actor.role == r to e;
  rule twin1:   escalate z to e;
  rule twin2:   escalate z to e;
  rule okx:     permit x when actor.role == s;
  rule oky:     permit x.y when actor.role == s and data.tags has consented;
  rule lesser:  prohibit x when actor.role == t;
  rule broad:   permit x;
}
policy "top" extends "base" {
  default deny
  escalation f { step r }
  rule under:   escalate a.b when actor.role == s to f;
  rule again:   permit x;
}
)";
  auto all = analyze(body);
  auto got = subjects(all, diag::Code::ShadowedRule);
  std::sort(got.begin(), got.end());
  // oky ⊂ okx ⊂ broad (permits); `under` is always accompanied by the base
  // prohibit `wall`. Not esc2 ⊂ esc1 nor twin2 = twin1: approvals name their
  // rule, so a request resolving one escalation leaves the other pending.
  CHECK(got == std::vector<std::string>{"base/okx", "base/oky", "top/under"});
  // Negative: `lesser` is not shadowed by the less severe `broad`; `again` is
  // not shadowed by the base permit (removing it would let `top` deny).
  auto shadowed = [&](const std::string& s) { return std::find(got.begin(), got.end(), s) != got.end(); };
  CHECK(!shadowed("base/lesser"));
  CHECK(!shadowed("top/again"));
  CHECK(!shadowed("base/esc1"));
  CHECK(!shadowed("base/esc2"));
  CHECK(!shadowed("base/twin2"));
  // The example request makes the shadowed rule and its shadow apply.
  auto prog = compile_for(std::string(kHeader) + body, "base");
  for (const auto& f : with_code(all, diag::Code::ShadowedRule)) {
    if (f.layer != "base") continue;
    Decision d = evaluate(*prog, f.request);
    CHECK(has_reason(d, f.subject));
  }
}

TEST_CASE("overridden permits: a restriction always applies with them") {
  std::string body = R"(
policy "base" {
  default allow
  escalation e { step r }
  rule review:  escalate c to e;
}
policy "p" extends "base" {
  default deny
  rule ok:      permit x.y when actor.role == r;
  rule no:      prohibit x.y;
  rule fine:    permit x.z when actor.role == r;
  rule some:    prohibit x.z when actor.role == s;
  rule vague:   permit a;
  rule inner:   prohibit a.b when actor.role is missing or actor.role != t;
  rule below:   permit c.d;
}
)";
  auto all = analyze(body);
  auto got = subjects(all, diag::Code::UnreachablePermit);
  std::sort(got.begin(), got.end());
  // `vague` covers `a` and `a.b`; `inner` reaches both (on `a` through
  // vagueness) but its condition is false for role t, so `vague` decides then.
  CHECK(std::find(got.begin(), got.end(), "p/ok") != got.end());
  CHECK(std::find(got.begin(), got.end(), "p/below") != got.end());   // the base escalation always applies
  CHECK(std::find(got.begin(), got.end(), "p/fine") == got.end());
  CHECK(std::find(got.begin(), got.end(), "p/vague") == got.end());   // role t: no restriction applies
  auto prog = compile_for(std::string(kHeader) + body, "p");
  for (const auto& f : with_code(all, diag::Code::UnreachablePermit)) {
    Decision d = evaluate(*prog, f.request);
    CHECK(has_reason(d, f.subject));
    CHECK(d.outcome() != Outcome::allow);
    REQUIRE(!f.notes.empty());
  }
}

TEST_CASE("conflicting intent: a permit its own policy's prohibit always overrides on a purpose it names") {
  std::string body = R"(
policy "base" {
  default allow
  rule ban:     prohibit leaf when data.tags has minors;
}
policy "p" extends "base" {
  default deny
  rule ok:      permit x, leaf when actor.role == r;
  rule kids:    prohibit x when actor.role == r or data.tags has minors;
  rule split:   permit c when actor.role == s;
  rule other:   prohibit c when actor.role == r;
}
)";
  auto all = analyze(body);
  auto found = with_code(all, diag::Code::ConflictingIntent);
  // ok/kids only: on `x` ok never decides; not split/other (disjoint), not
  // base/ban (another policy's: layering, RL4003's business if total).
  REQUIRE(found.size() == 1);
  CHECK(found[0].subject == "p/ok");
  CHECK(found[0].message.find("`ok` can never decide `x`") != std::string::npos);
  CHECK(found[0].message.find("`kids`") != std::string::npos);
  auto prog = compile_for(std::string(kHeader) + body, "p");
  Decision d = evaluate(*prog, found[0].request);
  CHECK(has_reason(d, "p/ok"));
  CHECK(has_reason(d, "p/kids"));
  CHECK(d.outcome() == Outcome::deny);
}

TEST_CASE("conflicting intent: guards, carve-outs and obligation-only permits are not conflicts") {
  // The shapes of real policies: a guard prohibit over every purpose that the
  // permits win against on some requests, a prohibit carving a narrower
  // purpose out of a broader permit, and a `permit *` that adds obligations.
  auto all = analyze(R"(
policy "p" {
  default deny
  rule guard:   prohibit * unless actor.role == r or actor.role == s;
  rule log_all: permit * oblige log;
  rule ok:      permit x when actor.role == r;
  rule wide:    permit a, c when actor.role == s;
  rule carve:   prohibit a.b;
  rule kids:    prohibit c.d when data.tags has minors;
  rule adults:  prohibit x when data.tags has minors;
  rule no_leaf: prohibit leaf;
  rule under_x: permit x.* when actor.role == s;
  rule no_y:    prohibit x.y;
}
)");
  // `log_all` against `no_leaf` (a root `*` covers) and `under_x` against
  // `no_y` (one child of `x.*`) are carve-outs: the prohibit is narrower.
  CHECK(with_code(all, diag::Code::ConflictingIntent).empty());
}

TEST_CASE("acknowledged warnings: kept as findings, not reported; stale ones warn") {
  std::string text = std::string(kHeader) + R"(
policy "p" {
  default deny
  rule ok:      permit x, leaf when actor.role == r acknowledge RL4004;
  rule kids:    prohibit x when actor.role == r;
  rule far:     permit c acknowledge RL4002, RL4004;
}
)";
  Loaded l = load(text);
  auto all = verify::analyze(l.model());
  auto conflicts = with_code(all, diag::Code::ConflictingIntent);
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].acknowledged);
  auto stale = with_code(all, diag::Code::StaleAcknowledgement);
  REQUIRE(stale.size() == 2);
  CHECK(stale[0].subject == "p/far");
  CHECK(stale[0].message.find("`RL4002`") != std::string::npos);
  Diagnostics diags;
  diag::Sink sink(l.fe->sources, diags);
  verify::report(all, sink);
  for (const auto& d : diags.items) CHECK(d.code != "RL4004");
  CHECK(std::count_if(diags.items.begin(), diags.items.end(), [](const Diagnostic& d) { return d.code == "RL4006"; }) == 2);
  CHECK(verify::to_json(all, l.fe->sources).find("\"acknowledged\": true") != std::string::npos);
}

TEST_CASE("acknowledged warnings: only rule warnings can be acknowledged") {
  sema::LoadOptions o;
  o.virtual_files["t.pol"] = std::string(kHeader) + R"(
policy "p" {
  default deny
  rule ok: permit x acknowledge RL4044, RL5003;
}
)";
  Diagnostics diags;
  sema::load_and_check({"t.pol"}, o, diags);
  std::vector<std::string> codes;
  for (const auto& d : diags.items) codes.push_back(d.code);
  CHECK(codes == std::vector<std::string>{"RL3015", "RL3015"});
  REQUIRE(!diags.items.empty());
  CHECK(diags.items[0].help.find("RL4004") != std::string::npos);
}

TEST_CASE("gaps: purposes no rule can apply to, grouped by subtree") {
  auto all = analyze(R"(
policy "p" {
  default deny
  rule inner:  permit a.b;
  rule dead:   permit c when actor.role == r and actor.role == s;
  rule warn:   escalate x.y to e;
  escalation e { step r }
}
)");
  auto gaps = with_code(all, diag::Code::Gap);
  std::vector<std::string> got;
  for (const auto& f : gaps) got.push_back(f.subject);
  // `a` itself (the permit covers only a.b), `c` and its child (only a dead rule),
  // `leaf`; not `x` (vaguer than x.y) nor `x.y`; `x.z` is a gap of its own.
  CHECK(got == std::vector<std::string>{"x.z", "leaf", "a", "c"});
  CHECK(gaps[3].message.find("and its 1 descendant are") != std::string::npos);
  CHECK(gaps[2].message.find("`a` is decided only by the default `deny`") == 0);
  CHECK(gaps[1].request == R"({"purpose":"leaf"})");
}

TEST_CASE("findings render as diagnostics and as JSON with the request object") {
  std::string text = std::string(kHeader) + R"(
policy "p" {
  default deny
  rule never: permit x when actor.role == r and actor.role == s;
  rule ok:    permit x, leaf when actor.role == r;
  rule kids:  prohibit x when data.tags has minors or actor.role == r;
  assert leaf is deny;
}
)";
  Loaded l = load(text);
  std::vector<verify::Finding> all = verify::check_assertions(l.model());
  auto more = verify::analyze(l.model());
  all.insert(all.end(), more.begin(), more.end());
  Diagnostics diags;
  diag::Sink sink(l.fe->sources, diags);
  verify::report(all, sink);
  std::size_t errors = 0;
  for (const auto& d : diags.items) {
    errors += d.severity == Severity::error;
    CHECK(d.message.find('\n') == std::string::npos);
    CHECK(d.line > 0);
  }
  CHECK(errors == 1);
  std::string json = verify::to_json(all, l.fe->sources);
  CHECK(json.find("\"code\": \"RL4010\"") != std::string::npos);
  CHECK(json.find("\"code\": \"RL4004\"") != std::string::npos);
  CHECK(json.find("\"request\": null") != std::string::npos);   // the dead rule has no example
  CHECK(json.find("\"purpose\": \"x\"") != std::string::npos);
}

TEST_CASE("an independent second sign-off is not shadowed: approvals are part of the request space") {
  auto all = analyze(R"(
policy "p" {
  default deny
  escalation e1 { step r }
  escalation e2 { step s }
  rule cmd_sign:   require approval x by r within 30m;
  rule legal_sign: require approval x by s within 30m;
  rule path_one:   escalate a to e1;
  rule path_two:   escalate a to e2;
  rule wall:       prohibit c;
  rule under_wall: require approval c.d by r;
}
)");
  auto got = subjects(all, diag::Code::ShadowedRule);
  // A commander's approval leaves the lawyer's sign-off pending, and one
  // resolved path leaves the other: removing either would change a decision.
  CHECK(got == std::vector<std::string>{"p/under_wall"});
}
