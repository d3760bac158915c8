// tests/unit/parse/errors_test.cc — syntax errors: codes, human messages,
// positions, help lines, duplicates, and no cascades.
#include <doctest/doctest.h>

#include "parse_helpers.h"

using redline::testing::in_policy;
using redline::testing::parse_text;

namespace {
const redline::Diagnostic& only(const redline::testing::Parsed& p) {
  REQUIRE_MESSAGE(p.diags.items.size() == 1, p.rendered());
  return p.diags.items[0];
}
}  // namespace

TEST_CASE("errors: a missing `;` names the rule, at the offending token") {
  auto p = parse_text(in_policy("  rule no_mass_surveillance: prohibit a.b because \"x\"\n  rule y: permit c;"));
  const auto& d = only(*p);
  CHECK(d.code == "RL1002");
  CHECK(d.message == "expected `;` after the rule `no_mass_surveillance`");
  CHECK(d.line == 4);
  CHECK(d.column == 3);
  CHECK_FALSE(d.help.empty());
}

TEST_CASE("errors: unknown effect") {
  auto p = parse_text(in_policy("  rule x: forbid a.b;"));
  const auto& d = only(*p);
  CHECK(d.code == "RL1001");
  CHECK(d.message == "unknown effect `forbid`; expected `permit`, `prohibit`, `require approval` or `escalate`");
  CHECK(d.help == "a rule that denies is written `prohibit`");
}

TEST_CASE("errors: expected a purpose") {
  auto p = parse_text(in_policy("  rule x: permit a, }"));
  const auto& d = only(*p);
  CHECK(d.message == "expected a purpose, found `}`");
}

TEST_CASE("errors: misspelled clause and member get suggestions") {
  CHECK(only(*parse_text(in_policy("  rule x: permit a becuase \"x\";"))).help == "did you mean `because`?");
  CHECK(only(*parse_text(in_policy("  rul x: permit a;"))).help == "did you mean `rule`?");
}

TEST_CASE("errors: a rule outside a policy") {
  auto p = parse_text("rule x: permit a;");
  const auto& d = only(*p);
  CHECK(d.message == "expected `import`, `policy`, `purposes` or `context`, found `rule`");
  CHECK(d.help.find("inside a `policy") != std::string::npos);
}

TEST_CASE("errors: a duration without a unit") {
  auto p = parse_text(in_policy("  rule x: require approval a by b within 10;"));
  const auto& d = only(*p);
  CHECK(d.code == "RL1002");
  CHECK(d.help.find("unit") != std::string::npos);
}

TEST_CASE("errors: unclosed policy at the end of the file") {
  auto p = parse_text("policy \"p\" {\n  default deny\n");
  const auto& d = only(*p);
  CHECK(d.message.find("found the end of the file") != std::string::npos);
  CHECK(d.line == 2);
}

TEST_CASE("errors: clauses given twice (RL1012)") {
  CHECK(parse_text(in_policy("  rule x: permit a when a.b == 1 when a.c == 2;"))->codes() == "RL1012");
  CHECK(parse_text(in_policy("  rule x: permit a because \"a\" because \"b\";"))->codes() == "RL1012");
  CHECK(parse_text(in_policy("  rule x: require approval a by r quorum 1 quorum 2;"))->codes() == "RL1012");
  CHECK(parse_text(in_policy("  escalation e { step r within 1h within 2h }"))->codes() == "RL1012");
  CHECK(parse_text(in_policy("  kill_switch k covers a because \"a\" because \"b\";"))->codes() == "RL1012");
  CHECK(parse_text("policy \"p\" version \"1\" version \"2\" { default deny }")->codes() == "RL1012");
  CHECK(parse_text("policy \"p\" { owner \"a\" owner \"b\" default deny }")->codes() == "RL1012");
  // `oblige` may be repeated: obligations accumulate.
  auto p = parse_text(in_policy("  rule x: permit a oblige l1 oblige l2;"));
  CHECK(p->diags.items.empty());
  CHECK(p->module.policies[0].rules[0].obligations.size() == 2);
}

TEST_CASE("errors: an escalation path without steps") {
  CHECK(parse_text(in_policy("  escalation e { on_timeout deny }"))->codes() == "RL1002");
}

TEST_CASE("errors: a cascade is reported once, and at most 10 errors per file") {
  auto p = parse_text(in_policy("  rule x: permit a when ( ( a.b == ;\n  rule y: permit b;"));
  CHECK(p->diags.items.size() == 1);
  std::string many;
  for (int i = 0; i < 50; ++i) many += "  rule r" + std::to_string(i) + ": forbid a;\n";
  auto q = parse_text(in_policy(many));
  CHECK(q->diags.items.size() == 10);
}

TEST_CASE("errors: import takes no semicolon") {
  auto p = parse_text("import \"x.pol\";\n");
  const auto& d = only(*p);
  CHECK(d.help == "`import` takes no `;`");
}

TEST_CASE("errors: JSON in a test (RL1011)") {
  CHECK(parse_text(in_policy("  test \"t\" { given { \"a\": 1, } expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given { a: 1 } expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given { \"a\": 01 } expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given { \"a\": \"\\x\" } expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given { \"a\": 5m } expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given [1] expect deny }"))->codes() == "RL1011");
  CHECK(parse_text(in_policy("  test \"t\" { given { \"a\": \"\\/\\b\\f\\r\" } expect deny }"))->codes().empty());
}

TEST_CASE("errors: stray characters (RL1005)") {
  auto p = parse_text(in_policy("  rule x: permit a when a.b = 1;"));
  const auto& d = only(*p);
  CHECK(d.code == "RL1005");
  CHECK(d.help == "compare with `==`");
}

TEST_CASE("errors: conditions and members get messages that name the real problem") {
  {
    auto p = parse_text(in_policy("  rule x: permit a when actor.id == data.owner;"));
    REQUIRE_FALSE(p->diags.items.empty());
    INFO(p->rendered());
    CHECK(p->diags.items[0].message == "a condition compares an attribute with a literal value, not with another attribute");
  }
  {
    auto p = parse_text(in_policy("  rule x: permit a when actor.age > 10,000;"));
    REQUIRE_FALSE(p->diags.items.empty());
    INFO(p->rendered());
    CHECK(p->diags.items[0].message == "numbers are written without thousands separators");
  }
  {
    auto p = parse_text(in_policy("  rule x: permit a when data.tags not has r;"));
    REQUIRE_FALSE(p->diags.items.empty());
    INFO(p->rendered());
    CHECK(p->diags.items[0].message == "`not` goes before a condition, not after an attribute");
    CHECK(p->diags.items[0].help.find("not (tags has ...)") != std::string::npos);
  }
  {
    auto p = parse_text(in_policy("  rule x: permit a when actor.role not in [r];"));   // `not in` is a condition of its own
    INFO(p->rendered());
    CHECK(p->diags.items.empty());
  }
  {
    auto p = parse_text(in_policy("  version \"2\"\n  rule x: permit a;"));
    REQUIRE_FALSE(p->diags.items.empty());
    INFO(p->rendered());
    CHECK(p->diags.items[0].help.find("move it to the policy header") != std::string::npos);
  }
}
