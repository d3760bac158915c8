// Tests for the rules pass (sema/resolve_rules.cc) and roles (sema/roles.cc):
// RL2006, RL3007, RL3008, RL2009, RL3009, RL3010, RL2010, RL2021, obligations.
#include <doctest/doctest.h>

#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;
using K = ast::Type::Kind;
using ast::Effect;

namespace {
ast::Policy& base(Fixture& f, bool roles = true) {
  f.purposes("weapons { target_engagement } analysis");
  if (roles) f.attr("actor.role", f.type(K::Enum, {"commander", "counsel", "board"}));
  return f.policy("vendor");
}
}  // namespace

TEST_CASE("a complete rule set resolves: approval, escalation, obligations, texts") {
  Fixture f;
  auto& p = base(f);
  auto& e = f.escalation(p, "review", {"counsel", "board"});
  e.steps[1].quorum = 2;
  e.steps[1].within = 72 * 3600;
  auto& a = f.rule(p, "engage", Effect::RequireApproval, {"weapons.target_engagement"});
  a.by = {f.id("commander"), f.id("board")};
  a.by_span = a.by[0].span;
  a.quorum = 2;
  a.within = 600;
  a.because = f.str("a human decides");
  a.cite = f.str("DoDD 3000.09");
  auto& b = f.rule(p, "bulk", Effect::Escalate, {"analysis"});
  b.to = f.id("review");
  b.obligations.push_back(f.obligation("log_full"));
  b.obligations.push_back(f.obligation("notify", {{"counsel", false}, {"within 4h", true}}));
  b.owner = f.str("trust & safety");
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& m = *r.model;
  REQUIRE(m.rules.size() == 2);
  CHECK(m.rules[0].qualified == "vendor/engage");
  CHECK(m.rules[0].by == std::vector<std::uint32_t>{0, 2});
  CHECK(m.rules[0].quorum == 2);
  CHECK(m.rules[0].within == 600);
  CHECK(m.rules[0].because == "a human decides");
  CHECK(m.rules[0].cite == "DoDD 3000.09");
  CHECK(m.rules[1].escalation == 0);
  CHECK(m.rules[1].quorum == 1);
  CHECK(m.rules[1].owner == "trust & safety");
  REQUIRE(m.rules[1].obligations.size() == 2);
  CHECK(m.rules[1].obligations[0].text == "log_full");
  CHECK(m.rules[1].obligations[1].text == "notify(counsel, within 4h)");
  CHECK(m.rules[1].obligations[1].args == std::vector<std::string>{"counsel", "within 4h"});
  CHECK(m.layers[0].rules == std::vector<std::uint32_t>{0, 1});
  REQUIRE(m.escalations.size() == 1);
  CHECK(m.escalations[0].steps[1].role == 2);
  CHECK(m.escalations[0].steps[1].quorum == 2);
  CHECK(m.escalations[0].steps[1].within == 72 * 3600);
}

TEST_CASE("duplicate rule names in a policy are RL2006; in two policies they are fine") {
  Fixture f;
  auto& p = base(f);
  f.rule(p, "r", Effect::Permit, {"analysis"});
  f.rule(p, "r", Effect::Prohibit, {"analysis"});
  auto& q = f.policy("other");
  f.rule(q, "r", Effect::Permit, {"analysis"});
  auto r = f.run();
  REQUIRE(r.count("RL2006") == 1);
  CHECK(r.first("RL2006").message == "rule `r` is already defined in policy `vendor`");
  CHECK(r.first("RL2006").notes.size() == 1);
}

TEST_CASE("require approval needs by (RL3007); escalate needs to (RL3008); unknown path RL2009") {
  Fixture f;
  auto& p = base(f);
  f.escalation(p, "bulk_review", {"counsel"});
  f.rule(p, "a", Effect::RequireApproval, {"analysis"});
  f.rule(p, "b", Effect::Escalate, {"analysis"});
  auto& c = f.rule(p, "c", Effect::Escalate, {"analysis"});
  c.to = f.id("bulk_reveiw");
  auto r = f.run();
  CHECK(r.codes() == std::vector<std::string>{"RL3007", "RL3008", "RL2009"});
  CHECK(r.first("RL3007").message == "`require approval` needs `by` naming who may approve");
  CHECK(r.first("RL2009").message == "unknown escalation path `bulk_reveiw`");
  CHECK(r.first("RL2009").help == "did you mean `bulk_review`?");
}

TEST_CASE("a rule may name an escalation path of a layer it extends, not of one extending it") {
  Fixture f;
  auto& base_p = base(f);
  f.escalation(base_p, "base_review", {"counsel"});
  auto& b = f.rule(base_p, "needs_child", Effect::Escalate, {"analysis"});
  b.to = f.id("child_review");
  auto& child = f.policy("child", "deny", "vendor");
  f.escalation(child, "child_review", {"counsel"});
  auto& c = f.rule(child, "ok", Effect::Escalate, {"analysis"});
  c.to = f.id("base_review");
  auto r = f.run();
  REQUIRE(r.count("RL2009") == 1);
  CHECK(r.first("RL2009").message == "unknown escalation path `child_review`");
  CHECK(r.first("RL2009").help == "declare `escalation child_review { step ROLE }` in policy `vendor` or in a policy it extends");
}

TEST_CASE("clauses that do not fit the effect are RL3009; a quorum below 1 is RL3010") {
  Fixture f;
  auto& p = base(f);
  f.escalation(p, "x", {"counsel"});
  auto& a = f.rule(p, "a", Effect::Permit, {"analysis"});
  a.by = {f.id("counsel")};
  a.by_span = a.by[0].span;
  a.quorum = 2;
  a.quorum_span = f.tok("quorum 2");
  a.within = 60;
  a.within_span = f.tok("within 1m");
  a.to = f.id("x");
  auto& b = f.rule(p, "b", Effect::RequireApproval, {"analysis"});
  b.by = {f.id("counsel")};
  b.by_span = b.by[0].span;
  b.quorum = 0;
  b.quorum_span = f.tok("quorum 0");
  auto& e = f.escalation(p, "y", {"counsel"});
  e.steps[0].quorum = -1;
  e.steps[0].quorum_span = f.tok("quorum -1");
  auto r = f.run();
  CHECK(r.count("RL3009") == 4);
  CHECK(r.count("RL3010") == 2);
  CHECK(r.first("RL3009").message == "`by` does not apply to a `permit` rule");
  CHECK(r.first("RL3010").message == "quorum must be at least 1");
}

TEST_CASE("roles must be values of actor.role (RL2010); without an actor.role enum RL2021 once") {
  Fixture f;
  auto& p = base(f);
  auto& a = f.rule(p, "a", Effect::RequireApproval, {"analysis"});
  a.by = {f.id("comander")};
  a.by_span = a.by[0].span;
  f.escalation(p, "x", {"nobody_at_all"});
  f.kill_switch(p, "k", {"weapons"}, {"board", "ceo"});
  auto r = f.run();
  REQUIRE(r.count("RL2010") == 3);
  CHECK(r.diags.items[0].message == "unknown role `comander`: it is not a value of `actor.role`");
  CHECK(r.diags.items[0].help == "did you mean `commander`?");
  CHECK(r.diags.items[1].help == "add it to the roles: `context { actor.role: enum { nobody_at_all } }`");

  Fixture g;
  auto& q = base(g, false);
  g.attr("actor.role", g.type(K::String));
  auto& b = g.rule(q, "a", Effect::RequireApproval, {"analysis"});
  b.by = {g.id("commander"), g.id("board")};
  b.by_span = b.by[0].span;
  g.kill_switch(q, "k", {"weapons"}, {"board"});
  auto r2 = g.run();
  CHECK(r2.codes() == std::vector<std::string>{"RL2021"});
  CHECK(r2.first("RL2021").message == "role `commander` is named, but `actor.role` is declared as `string`, not as an enum");
}
