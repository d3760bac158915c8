// tests/unit/parse/parse_test.cc — the parser on every construct of
// LANGUAGE.md: items, policy members, purposes, context types, rules with
// every effect and clause, escalation paths, kill switches, assertions,
// tests, keyword-named identifiers, spans and line:col.
#include <doctest/doctest.h>

#include "parse_helpers.h"

using namespace redline;
using redline::testing::in_policy;
using redline::testing::parse_text;

TEST_CASE("parse: imports, purposes and context at the top level") {
  auto p = parse_text(R"(import "stdlib/x.pol"
purposes { chat "Talking"  biometrics { face_match  voice_match "Voice" } empty {} }
context {
  actor.role: enum { clerk, officer }
  data.tags: tags { minors, consented }
  env.zone: level { public < restricted < secret }
  actor.trusted: bool
  request.count: int
  actor.name: string
  env.age: duration
}
)");
  REQUIRE(p->diags.items.empty());
  const auto& m = p->module;
  REQUIRE(m.imports.size() == 1);
  CHECK(m.imports[0].path.value == "stdlib/x.pol");
  REQUIRE(m.purposes.size() == 1);
  const auto& roots = m.purposes[0].roots;
  REQUIRE(roots.size() == 3);
  CHECK(roots[0].name.text == "chat");
  CHECK(roots[0].description->value == "Talking");
  CHECK_FALSE(roots[0].has_block);
  CHECK(roots[1].children.size() == 2);
  CHECK(roots[1].children[1].description->value == "Voice");
  CHECK(roots[2].has_block);
  CHECK(roots[2].children.empty());
  const auto& attrs = m.contexts[0].attributes;
  REQUIRE(attrs.size() == 7);
  CHECK(attrs[0].path.dotted() == "actor.role");
  CHECK(attrs[0].type.kind == ast::Type::Kind::Enum);
  CHECK(attrs[1].type.kind == ast::Type::Kind::Tags);
  CHECK(attrs[2].type.kind == ast::Type::Kind::Level);
  CHECK(attrs[2].type.values[2].text == "secret");
  CHECK(attrs[3].type.kind == ast::Type::Kind::Bool);
  CHECK(attrs[4].type.kind == ast::Type::Kind::Int);
  CHECK(attrs[5].type.kind == ast::Type::Kind::String);
  CHECK(attrs[6].type.kind == ast::Type::Kind::Duration);
  REQUIRE(m.order.size() == 3);
  CHECK(m.order[0].first == ast::Module::ItemKind::Import);
  CHECK(m.order[2].first == ast::Module::ItemKind::Context);
}

TEST_CASE("parse: policy header and members") {
  auto p = parse_text(R"(policy "a" version "1" extends "base" {
  owner "T&S"
  description "d"
  effective "2026-01-01"
  default allow
  purposes { x }
  context { actor.role: enum { r } }
})");
  REQUIRE(p->diags.items.empty());
  const auto& pol = p->module.policies.at(0);
  CHECK(pol.name.value == "a");
  CHECK(pol.version->value == "1");
  CHECK(pol.extends->value == "base");
  CHECK(pol.owner->value == "T&S");
  CHECK(pol.description->value == "d");
  CHECK(pol.effective->value == "2026-01-01");
  CHECK(pol.default_effect == ast::Effect::Permit);
  CHECK(pol.purposes.size() == 1);
  CHECK(pol.contexts.size() == 1);
  CHECK(pol.order.size() == 6);
}

TEST_CASE("parse: every effect and every clause") {
  auto p = parse_text(in_policy(R"(
  rule a: permit x.y, z.*, * when actor.role == clerk unless env.zone < secret;
  rule b: prohibit x because "b" cite "c" owner "o";
  rule c: require approval x by officer, supervisor quorum 2 within 10m oblige log, notify(legal, "team a") oblige audit;
  rule d: escalate x to review;
)"));
  REQUIRE(p->diags.items.empty());
  const auto& rules = p->module.policies[0].rules;
  REQUIRE(rules.size() == 4);
  CHECK(rules[0].effect == ast::Effect::Permit);
  REQUIRE(rules[0].targets.size() == 3);
  CHECK(rules[0].targets[0].kind == ast::Pattern::Kind::Path);
  CHECK(rules[0].targets[1].kind == ast::Pattern::Kind::Descendants);
  CHECK(rules[0].targets[1].path.dotted() == "z");
  CHECK(rules[0].targets[2].kind == ast::Pattern::Kind::All);
  CHECK(rules[0].when->kind == ast::Expr::Kind::Compare);
  CHECK(rules[0].unless->op == ast::CmpOp::Lt);
  CHECK(rules[1].effect == ast::Effect::Prohibit);
  CHECK(rules[1].because->value == "b");
  CHECK(rules[1].cite->value == "c");
  CHECK(rules[1].owner->value == "o");
  CHECK(rules[2].effect == ast::Effect::RequireApproval);
  CHECK(rules[2].by.size() == 2);
  CHECK(*rules[2].quorum == 2);
  CHECK(*rules[2].within == 600);
  REQUIRE(rules[2].obligations.size() == 3);
  CHECK(rules[2].obligations[1].args.size() == 2);
  CHECK(rules[2].obligations[1].args[1].quoted);
  CHECK(rules[2].obligations[1].args[1].text == "team a");
  CHECK(rules[3].effect == ast::Effect::Escalate);
  CHECK(rules[3].to->text == "review");
}

TEST_CASE("parse: conditions, precedence and flattening") {
  auto p = parse_text(in_policy(R"(
  rule a: permit x when not a.b == 1 and a.c != "s" or a.d in [p, q] or a.e has t;
  rule b: permit x when (a.b has any [x, y] or a.b has all [z]) and a.f is present and a.g is missing and true;
  rule c: permit x when a.b >= 10m and a.c <= -5 and a.d > 3 and a.e == false;
)"));
  REQUIRE(p->diags.items.empty());
  const auto& r = p->module.policies[0].rules;
  const ast::Expr& a = *r[0].when;
  REQUIRE(a.kind == ast::Expr::Kind::Or);
  REQUIRE(a.kids.size() == 3);
  CHECK(a.kids[0]->kind == ast::Expr::Kind::And);
  CHECK(a.kids[0]->kids[0]->kind == ast::Expr::Kind::Not);
  CHECK(a.kids[1]->kind == ast::Expr::Kind::In);
  CHECK(a.kids[1]->values.size() == 2);
  CHECK(a.kids[2]->kind == ast::Expr::Kind::Has);
  const ast::Expr& b = *r[1].when;
  REQUIRE(b.kind == ast::Expr::Kind::And);
  REQUIRE(b.kids.size() == 4);
  CHECK(b.kids[0]->parenthesized);
  CHECK(b.kids[0]->kids[0]->kind == ast::Expr::Kind::HasAny);
  CHECK(b.kids[0]->kids[1]->kind == ast::Expr::Kind::HasAll);
  CHECK(b.kids[1]->kind == ast::Expr::Kind::Present);
  CHECK(b.kids[2]->kind == ast::Expr::Kind::Missing);
  CHECK(b.kids[3]->kind == ast::Expr::Kind::Const);
  CHECK(b.kids[3]->constant);
  const ast::Expr& c = *r[2].when;
  CHECK(c.kids[0]->values[0].kind == ast::Value::Kind::Duration);
  CHECK(c.kids[0]->values[0].number == 600);
  CHECK(c.kids[1]->values[0].number == -5);
  CHECK(c.kids[3]->values[0].kind == ast::Value::Kind::Bool);
}

TEST_CASE("parse: escalation paths, kill switches, assertions, tests") {
  auto p = parse_text(in_policy(R"(
  escalation review "Review" {
    step legal within 4h
    step board quorum 2 within 72h
    on_timeout escalate to higher
  }
  escalation higher { step ceo on_timeout deny }
  kill_switch k covers weapons, a.b owner safety, cdao because "stop";
  kill_switch k2 covers *;
  assert x is deny;
  assert x, y.* when a.b == c is at least require_approval;
  test "t" {
    given { "purpose": "x", "n": [1, -2.5, 3e4, true, false, null, {"a": {}}, []] }
    expect allow
    obliging log, notify(x)
  }
)"));
  REQUIRE(p->diags.items.empty());
  const auto& pol = p->module.policies[0];
  REQUIRE(pol.escalations.size() == 2);
  CHECK(pol.escalations[0].title->value == "Review");
  CHECK(pol.escalations[0].steps.size() == 2);
  CHECK(*pol.escalations[0].steps[1].quorum == 2);
  CHECK(*pol.escalations[0].steps[1].within == 72 * 3600);
  CHECK(pol.escalations[0].on_timeout == ast::Escalation::Timeout::EscalateTo);
  CHECK(pol.escalations[0].timeout_target->text == "higher");
  CHECK(pol.escalations[1].on_timeout == ast::Escalation::Timeout::Deny);
  REQUIRE(pol.kill_switches.size() == 2);
  CHECK(pol.kill_switches[0].covers.size() == 2);
  CHECK(pol.kill_switches[0].owners.size() == 2);
  CHECK(pol.kill_switches[0].because->value == "stop");
  CHECK(pol.kill_switches[1].covers[0].kind == ast::Pattern::Kind::All);
  REQUIRE(pol.assertions.size() == 2);
  CHECK_FALSE(pol.assertions[0].at_least);
  CHECK(pol.assertions[0].outcome == ast::Outcome::Deny);
  CHECK(pol.assertions[1].at_least);
  CHECK(pol.assertions[1].when != nullptr);
  CHECK(pol.assertions[1].outcome == ast::Outcome::RequireApproval);
  REQUIRE(pol.tests.size() == 1);
  const auto& t = pol.tests[0];
  CHECK(t.name.value == "t");
  CHECK(t.given_json.front() == '{');
  CHECK(t.given_json.find("3e4") != std::string::npos);
  CHECK(t.expect == ast::Outcome::Allow);
  CHECK(t.has_obliging);
  CHECK(t.obliging.size() == 2);
}

TEST_CASE("parse: keywords name purposes, tags and roles") {
  auto p = parse_text(R"(purposes { test all owner { rule policy } }
context { data.tags: tags { all, any, when } actor.role: enum { owner, default } }
policy "p" {
  default deny
  rule rule: permit test, owner.rule when data.tags has all and data.tags has any [all] by owner, default;
  rule x: require approval all by owner quorum 1;
})");
  REQUIRE_MESSAGE(p->diags.items.empty(), p->rendered());
  const auto& r = p->module.policies[0].rules;
  CHECK(r[0].name.text == "rule");
  CHECK(r[0].targets[0].path.dotted() == "test");
  CHECK(r[0].targets[1].path.dotted() == "owner.rule");
  const ast::Expr& w = *r[0].when;
  REQUIRE(w.kind == ast::Expr::Kind::And);
  CHECK(w.kids[0]->kind == ast::Expr::Kind::Has);
  CHECK(w.kids[0]->values[0].text == "all");
  CHECK(w.kids[1]->kind == ast::Expr::Kind::HasAny);
  CHECK(r[0].by[1].text == "default");
  CHECK(r[1].targets[0].path.dotted() == "all");
}

TEST_CASE("parse: strings decode escapes") {
  auto p = parse_text(in_policy(R"(  rule a: permit x because "q\" b\\ n\n t\t \u00e9 \ud83d\ude00 é";)"));
  REQUIRE(p->diags.items.empty());
  CHECK(p->module.policies[0].rules[0].because->value == "q\" b\\ n\n t\t \xC3\xA9 \xF0\x9F\x98\x80 \xC3\xA9");
}

TEST_CASE("parse: spans are byte offsets, line:col counts code points") {
  std::string text = "// héllo wörld\npolicy \"é\" {\n  default deny\n  rule u: permit x.y because \"ü\";\n}\n";
  auto p = parse_text(text);
  REQUIRE_MESSAGE(p->diags.items.empty(), p->rendered());
  const auto& pol = p->module.policies[0];
  CHECK(text.substr(pol.span.begin, 6) == "policy");
  CHECK(text.substr(pol.name.span.begin, pol.name.span.end - pol.name.span.begin) == "\"é\"");
  CHECK(text[pol.span.end - 1] == '}');
  const auto& comment = p->module.comments.at(0);
  CHECK(comment.text == "// héllo wörld");
  CHECK(comment.span.end == 16);  // two 2-byte characters
}

TEST_CASE("parse: non-ASCII identifiers are rejected with a located error") {
  auto p = parse_text("policy \"é\" {\n  default deny\n  rule ü: permit x.y;\n}\n");
  REQUIRE(p->diags.items.size() == 1);
  const auto& d = p->diags.items[0];
  CHECK(d.code == "RL1005");
  CHECK(d.line == 3);
  CHECK(d.column == 8);
}

TEST_CASE("parse: spans of rule parts") {
  std::string text = in_policy("  rule r: require approval a.b by x quorum 3 within 2h;");
  auto p = parse_text(text);
  REQUIRE(p->diags.items.empty());
  const auto& r = p->module.policies[0].rules[0];
  auto at = [&](Span s) { return text.substr(s.begin, s.end - s.begin); };
  CHECK(at(r.span) == "rule r: require approval a.b by x quorum 3 within 2h;");
  CHECK(at(r.name.span) == "r");
  CHECK(at(r.effect_span) == "require approval");
  CHECK(at(r.targets[0].span) == "a.b");
  CHECK(at(*r.by_span) == "by x");
  CHECK(at(r.quorum_span) == "3");
  CHECK(at(r.within_span) == "2h");
  const auto& lc = p->sources.file(0).line_col(r.within_span.begin);
  CHECK(lc.line == 3);
  CHECK(lc.column == 53);
}

TEST_CASE("parse: comments of both kinds are kept in order") {
  auto p = parse_text("/* a */ policy \"p\" { // b\n default deny /* c\n d */ }\n// e");
  REQUIRE(p->diags.items.empty());
  REQUIRE(p->module.comments.size() == 4);
  CHECK(p->module.comments[0].text == "/* a */");
  CHECK(p->module.comments[2].text == "/* c\n d */");
  CHECK(p->module.comments[3].text == "// e");
}

TEST_CASE("parse: comments inside a given object are blanked from given_json") {
  auto p = parse_text(in_policy("  test \"t\" { given { \"a\": 1 /* x */ } expect deny }"));
  REQUIRE(p->diags.items.empty());
  CHECK(p->module.policies[0].tests[0].given_json == "{ \"a\": 1         }");
}
