// Tests for the schema pass (sema/schema.cc): built-ins, merging enum/tags
// values, levels (RL3002), conflicting types (RL3001), empty types (RL3013),
// bad roots (RL2019), repeated values (RL2022), the role attribute.
#include <doctest/doctest.h>

#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;
using K = ast::Type::Kind;

TEST_CASE("built-in request attributes exist without declaration") {
  Fixture f;
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& s = r.model->schema;
  REQUIRE(s.find("request.id") >= 0);
  CHECK(s.attrs[static_cast<std::size_t>(s.find("request.id"))].kind == sema::TypeKind::String);
  CHECK(s.attrs[static_cast<std::size_t>(s.find("request.time"))].kind == sema::TypeKind::Timestamp);
  CHECK(s.attrs[static_cast<std::size_t>(s.find("request.now"))].builtin);
  CHECK(s.role_attr == -1);
}

TEST_CASE("enum and tags declarations merge their values; actor.role becomes the role attribute") {
  Fixture f;
  f.attr("actor.role", f.type(K::Enum, {"analyst", "commander"}));
  f.attr("data.tags", f.type(K::Tags, {"minors"}));
  f.new_file("deployment.pol");
  auto& p = f.policy("p");
  f.attr("actor.role", f.type(K::Enum, {"commander", "legal"}), &p);
  f.attr("data.tags", f.type(K::Tags, {"consented"}));
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& s = r.model->schema;
  const auto& role = s.attrs[static_cast<std::size_t>(s.find("actor.role"))];
  CHECK(role.values == std::vector<std::string>{"analyst", "commander", "legal"});
  CHECK(role.value_index.at("legal") == 2);
  CHECK(s.role_attr == s.find("actor.role"));
  CHECK(s.attrs[static_cast<std::size_t>(s.find("data.tags"))].values == std::vector<std::string>{"minors", "consented"});
}

TEST_CASE("an attribute redeclared with another type is RL3001 (built-ins included)") {
  Fixture f;
  f.attr("env.zone", f.type(K::Enum, {"a"}));
  f.attr("env.zone", f.type(K::Tags, {"a"}));
  f.attr("request.time", f.type(K::String));
  f.attr("request.id", f.type(K::String));  // same type as the built-in: accepted
  auto r = f.run();
  REQUIRE(r.count("RL3001") == 2);
  CHECK(r.diags.items[0].message == "attribute `env.zone` is redeclared as `tags`, but it was declared as `enum`");
  CHECK(r.diags.items[1].message == "attribute `request.time` is redeclared as `string`, but it is built in as `timestamp`");
}

TEST_CASE("levels: restating, extending with every value, and RL3002") {
  Fixture f;
  f.attr("env.zone", f.type(K::Level, {"public", "restricted", "secret"}));
  f.attr("env.zone", f.type(K::Level, {"public", "secret"}));                               // a restatement of part: fine
  f.attr("env.zone", f.type(K::Level, {"public", "internal", "restricted", "secret", "top"}));  // adds, lists all: fine
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& a = r.model->schema.attrs[static_cast<std::size_t>(r.model->schema.find("env.zone"))];
  CHECK(a.values == std::vector<std::string>{"public", "internal", "restricted", "secret", "top"});
  CHECK(a.value_index.at("restricted") == 2);

  Fixture g;
  g.attr("env.zone", g.type(K::Level, {"public", "restricted", "secret"}));
  g.attr("env.zone", g.type(K::Level, {"secret", "public"}));
  g.attr("env.zone", g.type(K::Level, {"public", "internal"}));
  auto r2 = g.run();
  REQUIRE(r2.count("RL3002") == 2);
  CHECK(r2.diags.items[0].message ==
        "level `env.zone` is redeclared with another order: `secret` comes before `public` here but after it in the first declaration");
  CHECK(r2.diags.items[0].help == "a redeclared level must keep the order `public < restricted < secret` and list every value when it adds one");
  CHECK(r2.diags.items[1].message ==
        "level `env.zone` is redeclared with `internal` but without `restricted` and `secret`, so the order is ambiguous");
}

TEST_CASE("empty enum is RL3013; a path with a bad root is RL2019; a repeated value is RL2022") {
  Fixture f;
  f.attr("env.kind", f.type(K::Enum, {}));
  f.attr("user.role", f.type(K::Enum, {"a"}));
  f.attr("actor", f.type(K::Int));
  f.attr("data.tags", f.type(K::Tags, {"x", "x"}));
  auto r = f.run();
  CHECK(r.codes() == std::vector<std::string>{"RL3013", "RL2019", "RL2019", "RL2022"});
  CHECK(r.first("RL3013").message == "`enum` type of `env.kind` has no values");
  CHECK(r.diags.items[1].message == "attribute path `user.role` must start with `actor`, `data`, `env`, `request` or `output`");
  CHECK(r.diags.items[2].message == "attribute path `actor` names only a root");
  CHECK(r.first("RL2022").severity == Severity::warning);
}

TEST_CASE("a warning alone still yields a model") {
  Fixture f;
  f.attr("data.tags", f.type(K::Tags, {"x", "x"}));
  auto r = f.run();
  CHECK(r.count("RL2022") == 1);
  CHECK(r.model);
}

TEST_CASE("actor.role declared as a string is not a role attribute") {
  Fixture f;
  f.attr("actor.role", f.type(K::String));
  auto r = f.run();
  REQUIRE(r.model);
  CHECK(r.model->schema.role_attr == -1);
}

TEST_CASE("an attribute below another attribute is RL2025") {
  Fixture f;
  f.attr("actor.role", f.type(K::Enum, {"a"}));
  f.attr("actor.role.rank", f.type(K::Int));
  f.attr("request.id.part", f.type(K::Int));
  f.attr("actor.team.name", f.type(K::String));  // `actor.team` is not an attribute: fine
  auto r = f.run();
  REQUIRE(r.count("RL2025") == 2);
  CHECK(r.diags.items[0].message == "attribute `actor.role.rank` is below `actor.role`, which is itself an attribute");
  CHECK(r.diags.items[0].help == "a request cannot hold both; rename one, e.g. `actor.role_rank`");
}
