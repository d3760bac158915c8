// Tests for escalation paths (RL2007, RL2017), kill switches (RL2008),
// assertions and tests (RL2020) and the constant-condition lint (RL3014).
#include <doctest/doctest.h>

#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;
using K = ast::Type::Kind;
using ast::Effect;
using ast::Outcome;

namespace {
ast::Policy& base(Fixture& f, const std::string& name = "vendor") {
  f.purposes("weapons { target_engagement } analysis { targeting_support }");
  f.attr("actor.role", f.type(K::Enum, {"counsel", "board", "safety"}));
  return f.policy(name);
}
}  // namespace

TEST_CASE("escalation chains resolve; duplicates are RL2007; cycles RL2017 naming the cycle") {
  Fixture f;
  auto& p = base(f);
  auto& a = f.escalation(p, "a", {"counsel"});
  f.timeout_to(a, "b");
  f.escalation(p, "b", {"board"}).on_timeout = ast::Escalation::Timeout::Deny;
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  CHECK(r.model->escalations[0].next == 1);
  CHECK(r.model->escalations[1].on_timeout == ast::Escalation::Timeout::Deny);

  Fixture g;
  auto& q = base(g);
  auto& x = g.escalation(q, "x", {"counsel"});
  g.timeout_to(x, "y");
  auto& y = g.escalation(q, "y", {"counsel"});
  g.timeout_to(y, "z");
  auto& z = g.escalation(q, "z", {"counsel"});
  g.timeout_to(z, "x");
  g.escalation(q, "x", {"board"});
  auto& self = g.escalation(q, "self", {"board"});
  g.timeout_to(self, "self");
  auto& lost = g.escalation(q, "lost", {"board"});
  g.timeout_to(lost, "nowhere");
  auto r2 = g.run();
  CHECK(r2.count("RL2007") == 1);
  CHECK(r2.count("RL2009") == 1);
  REQUIRE(r2.count("RL2017") == 2);
  CHECK(r2.first("RL2017").message == "escalation paths chain in a cycle: `x` → `y` → `z` → `x`");
  CHECK(r2.first("RL2007").message == "escalation path `x` is already defined in policy `vendor`");
}

TEST_CASE("on_timeout may chain to a path of a layer below") {
  Fixture f;
  auto& p = base(f);
  f.escalation(p, "vendor_review", {"safety"});
  auto& c = f.policy("child", "deny", "vendor");
  auto& e = f.escalation(c, "local", {"counsel"});
  f.timeout_to(e, "vendor_review");
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  CHECK(r.model->escalations[1].next == 0);
  CHECK(r.model->layers[1].escalations == std::vector<std::uint32_t>{1});
}

TEST_CASE("kill switches resolve covers and owners; duplicates are RL2008") {
  Fixture f;
  auto& p = base(f);
  auto& k = f.kill_switch(p, "weapons_support", {"weapons", "targeting_support"}, {"safety", "board"});
  k.because = f.str("stop at once");
  f.kill_switch(p, "weapons_support", {"weapons"}, {"safety"});
  f.kill_switch(p, "bad_cover", {"weapon"}, {"safety"});
  auto r = f.run();
  CHECK(r.codes() == std::vector<std::string>{"RL2008", "RL2003"});
  CHECK(r.first("RL2008").message == "kill switch `weapons_support` is already defined in policy `vendor`");
  CHECK(r.first("RL2003").help == "did you mean `weapons`?");

  Fixture g;
  auto& q = base(g);
  g.kill_switch(q, "ks", {"weapons", "analysis.targeting_support"}, {"safety", "board"});
  auto r2 = g.run();
  REQUIRE_MESSAGE(r2.model, r2.text());
  const auto& s = r2.model->switches[0];
  CHECK(s.qualified == "vendor/ks");
  CHECK(s.covers.size() == 2);
  CHECK(s.owners == std::vector<std::uint32_t>{2, 1});
}

TEST_CASE("assertions and tests resolve; duplicate test names are RL2020") {
  Fixture f;
  auto& p = base(f);
  auto& a = f.assertion(p, {"weapons.target_engagement"}, Outcome::RequireApproval, true);
  a.when = f.cmp("actor.role", ast::CmpOp::Eq, f.vid("counsel"));
  f.assertion(p, {"weapons.*"}, Outcome::Deny);
  auto& t = f.test(p, "engagement needs approval", "{\"purpose\": \"weapons\"}", Outcome::Deny);
  t.has_obliging = true;
  t.obliging.push_back(f.obligation("log_full"));
  t.obliging.push_back(f.obligation("notify", {{"board", false}}));
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& m = *r.model;
  REQUIRE(m.assertions.size() == 2);
  CHECK(m.assertions[0].at_least);
  CHECK(m.assertions[0].outcome == Outcome::RequireApproval);
  CHECK(m.assertions[0].when.has_value());
  CHECK(m.assertions[1].targets[0].kind == sema::Target::Kind::Descendants);
  REQUIRE(m.tests.size() == 1);
  CHECK(m.tests[0].name == "engagement needs approval");
  CHECK(m.tests[0].given_json == "{\"purpose\": \"weapons\"}");
  CHECK(m.tests[0].obliging == std::vector<std::string>{"log_full", "notify(board)"});
  CHECK(m.layers[0].assertions == std::vector<std::uint32_t>{0, 1});

  Fixture g;
  auto& q = base(g);
  g.test(q, "same", "{}", Outcome::Deny);
  g.test(q, "same", "{}", Outcome::Allow);
  auto& bad = g.assertion(q, {"weapon"}, Outcome::Deny);
  bad.when = g.present("env.nothing");
  auto r2 = g.run();
  CHECK(r2.codes() == std::vector<std::string>{"RL2020", "RL2003", "RL2018"});
  CHECK(r2.first("RL2020").message == "test `same` is already defined in policy `vendor`");
}

TEST_CASE("constant conditions are RL3014 warnings (Kleene folding)") {
  Fixture f;
  auto& p = base(f);
  f.rule(p, "never", Effect::Permit, {"analysis"}).when = f.k(false);
  f.rule(p, "pointless", Effect::Prohibit, {"analysis"}).unless = f.not_(f.k(true));
  auto& r3 = f.rule(p, "or_true", Effect::Prohibit, {"analysis"});
  r3.when = f.or_(f.present("actor.role"), f.k(true));
  auto& r4 = f.rule(p, "fine", Effect::Prohibit, {"analysis"});
  r4.when = f.and_(f.present("actor.role"), f.k(true));
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());  // warnings only
  REQUIRE(r.count("RL3014") == 3);
  CHECK(r.diags.items[0].message == "condition is always false");
  CHECK(r.diags.items[0].help == "the rule never applies; remove it or fix the condition");
  CHECK(r.diags.items[0].severity == Severity::warning);
  CHECK(r.diags.items[1].help == "the `unless` clause has no effect; remove it");
  CHECK(r.diags.items[2].message == "condition is always true");
}
