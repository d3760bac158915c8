// Tests of sema::check on .pol text (parsed by engine/parse; imports are not
// followed: every file given is part of the compilation): the spec's
// examples check clean, diagnostics land on the right line and column.
#include <doctest/doctest.h>

#include "parse/parse.h"
#include "sema/frontend.h"
#include "sema_builders.h"
#include "test_support.h"

using namespace redline;
using namespace redline::testing;

namespace {

// Parses and checks the given (name, text) files as one compilation.
CheckResult check_text(const std::vector<std::pair<std::string, std::string>>& files) {
  SourceManager sm;
  for (const auto& [name, text] : files) sm.add(name, name, text);
  CheckResult r;
  diag::Sink sink(sm, r.diags);
  std::vector<ast::Module> modules;
  for (std::uint32_t i = 0; i < sm.size(); ++i) modules.push_back(parse::parse_file(sm, i, sink));
  REQUIRE_MESSAGE(!r.diags.has_errors(), r.diags.render());
  r.model = sema::check(sm, modules, sink);
  return r;
}

CheckResult check_text(const std::string& text) { return check_text({{"t.pol", text}}); }

const char* kSection14 = R"(purposes { chat  biometrics { face_match  voice_match } }
context {
  actor.role: enum { clerk, officer, supervisor }
  data.tags:  tags { minors, consented }
  env.zone:   level { public < restricted < secret }
}
policy "demo" {
  default deny
  rule talk:    permit chat;
  rule bio_ok:  permit biometrics when data.tags has consented and env.zone >= restricted;
  rule kids:    prohibit biometrics.face_match when data.tags has minors;
  rule review:  require approval biometrics.voice_match by supervisor unless actor.role == supervisor;
}
)";

}  // namespace

TEST_CASE("the example of LANGUAGE.md §14 checks clean") {
  auto r = check_text(kSection14);
  REQUIRE_MESSAGE(r.model, r.text());
  CHECK(r.diags.items.empty());
  const auto& m = *r.model;
  CHECK(m.purposes.nodes.size() == 4);
  CHECK(m.rules.size() == 4);
  CHECK(m.rules[3].qualified == "demo/review");
  CHECK(m.rules[3].by == std::vector<std::uint32_t>{2});
  CHECK(m.rules[1].when->kind == sema::Cond::Kind::And);
  CHECK(m.rules[1].when->kids[1].values == std::vector<std::int64_t>{1});
  CHECK(m.rules[3].unless->kind == sema::Cond::Kind::Compare);
}

TEST_CASE("the example of LANGUAGE.md §1 checks clean (two layers)") {
  auto dir = source_dir() / "tests/golden/good";
  auto r = check_text({{"spec_example_vendor.pol", read_file(dir / "spec_example_vendor.pol")},
                       {"spec_example_customer.pol", read_file(dir / "spec_example_customer.pol")}});
  REQUIRE_MESSAGE(r.model, r.text());
  CHECK(r.diags.items.empty());
  const auto& m = *r.model;
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[1].parent == 0);
  CHECK(m.layers[0].default_outcome == ast::Outcome::Allow);
  CHECK(m.rules.size() == 5);
  CHECK(m.rules[1].quorum == 2);
  CHECK(m.rules[1].within == 600);
  CHECK(m.rules[2].escalation == 0);
  CHECK(m.rules[2].obligations[0].text == "log_full");
  CHECK(m.escalations[0].steps.size() == 3);
  CHECK(m.escalations[0].steps[2].within == 72 * 3600);
  CHECK(m.switches[0].qualified == "vendor-aup/weapons_support");
  CHECK(m.assertions.size() == 2);
  CHECK(m.tests.size() == 1);
  const auto& role = m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)];
  CHECK(role.values.size() == 7);
}

TEST_CASE("an unknown purpose is reported at its line and column with a suggestion") {
  auto r = check_text("purposes { surveillance { domestic_mass } }\npolicy \"p\" {\n  default deny\n  rule r: prohibit survelliance;\n}\n");
  REQUIRE(r.count("RL2003") == 1);
  const auto& d = r.first("RL2003");
  CHECK(d.line == 4);
  CHECK(d.column == 20);
  CHECK(d.end_column == 32);
  CHECK(d.help == "did you mean `surveillance`?");
}

TEST_CASE("two defaults in a policy: exactly one RL2016, at the second") {
  auto r = check_text("policy \"p\" {\n  default deny\n  /* default allow */ description \"default allow\"\n  default allow\n}\n");
  CHECK(r.codes() == std::vector<std::string>{"RL2016"});
  const auto& d = r.first("RL2016");
  CHECK(d.line == 4);
  CHECK(d.column == 3);
  CHECK(d.message == "policy `p` has a second `default`");
}

TEST_CASE("a default inside a nested block does not count") {
  auto r = check_text("policy \"p\" {\n  default deny\n  purposes { default deny }\n}\n");
  CHECK(r.diags.items.empty());
  CHECK(r.model);
}
