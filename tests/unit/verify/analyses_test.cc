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
  // esc2 ⊂ esc1; twin2 = twin1 (only the later one); oky ⊂ okx ⊂ broad (permits);
  // `under` is always accompanied by the base prohibit `wall`.
  CHECK(got == std::vector<std::string>{"base/esc2", "base/okx", "base/oky", "base/twin2", "top/under"});
  // Negative: `lesser` is not shadowed by the less severe `broad`; `again` is
  // not shadowed by the base permit (removing it would let `top` deny).
  auto shadowed = [&](const std::string& s) { return std::find(got.begin(), got.end(), s) != got.end(); };
  CHECK(!shadowed("base/lesser"));
  CHECK(!shadowed("top/again"));
  CHECK(!shadowed("base/esc1"));
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

TEST_CASE("conflicting intent: overlapping permit and prohibit of one policy") {
  std::string body = R"(
policy "base" {
  default allow
  rule ban:     prohibit x when data.tags has minors;
}
policy "p" extends "base" {
  default deny
  rule ok:      permit x when actor.role == r;
  rule kids:    prohibit x.y when data.tags has minors;
  rule split:   permit a when actor.role == s;
  rule other:   prohibit a when actor.role == r;
  rule far:     permit c;
  rule away:    prohibit leaf;
}
)";
  auto all = analyze(body);
  auto found = with_code(all, diag::Code::ConflictingIntent);
  REQUIRE(found.size() == 1);   // ok/kids only: not split/other (disjoint), far/away (no purpose), base/ban (other policy)
  CHECK(found[0].subject == "p/kids");
  CHECK(found[0].message.find("`ok`") != std::string::npos);
  auto prog = compile_for(std::string(kHeader) + body, "p");
  Decision d = evaluate(*prog, found[0].request);
  CHECK(has_reason(d, "p/ok"));
  CHECK(has_reason(d, "p/kids"));
  CHECK(d.outcome() == Outcome::deny);
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
  rule ok:    permit x when actor.role == r;
  rule kids:  prohibit x when data.tags has minors;
  assert x is deny;
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
