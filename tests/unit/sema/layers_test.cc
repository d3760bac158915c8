// Tests for the layers pass (sema/layers.cc): RL2011–RL2015, chains.
#include <doctest/doctest.h>

#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;

TEST_CASE("policies become layers in declaration order with their parents") {
  Fixture f;
  auto& v = f.policy("vendor-aup", "allow");
  v.version = f.str("2026.03");
  v.owner = f.str("Vendor T&S");
  f.new_file("customer.pol");
  f.policy("agency", "deny", "vendor-aup");
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& m = *r.model;
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].default_outcome == ast::Outcome::Allow);
  CHECK(m.layers[0].version == "2026.03");
  CHECK(m.layers[0].owner == "Vendor T&S");
  CHECK(m.layers[1].parent == 0);
  CHECK(m.layers[1].file == 1);
  CHECK(m.layers[1].default_outcome == ast::Outcome::Deny);
  CHECK(m.chain(1) == std::vector<std::uint32_t>{0, 1});
  CHECK(m.leaves() == std::vector<std::uint32_t>{1});
  CHECK(m.find_layer("agency") == 1);
}

TEST_CASE("duplicate policy names RL2014; missing default RL2015") {
  Fixture f;
  f.policy("p");
  f.policy("p");
  f.policy("q", "");
  auto r = f.run();
  CHECK(r.codes() == std::vector<std::string>{"RL2014", "RL2015"});
  CHECK(r.first("RL2014").message == "policy `p` is already defined");
  CHECK(r.first("RL2015").message == "policy `q` has no `default`");
  CHECK(r.first("RL2015").help == "add `default deny` (or `default allow`) to the policy");
}

TEST_CASE("extends an unknown policy: RL2011 with did-you-mean") {
  Fixture f;
  f.policy("vendor-aup");
  f.policy("agency", "deny", "vendor-aupp");
  auto r = f.run();
  REQUIRE(r.count("RL2011") == 1);
  CHECK(r.first("RL2011").message == "policy `agency` extends unknown policy `vendor-aupp`");
  CHECK(r.first("RL2011").help == "did you mean `vendor-aup`?");
}

TEST_CASE("extension cycles are RL2012 naming the cycle, reported once") {
  Fixture f;
  f.policy("a", "deny", "c");
  f.policy("b", "deny", "a");
  f.policy("c", "deny", "b");
  f.policy("self", "deny", "self");
  auto r = f.run();
  REQUIRE(r.count("RL2012") == 2);
  CHECK(r.diags.items[0].message == "policies extend each other in a cycle: `a` → `c` → `b` → `a`");
  CHECK(r.diags.items[1].message == "policies extend each other in a cycle: `self` → `self`");
}

TEST_CASE("a policy extended by two others is RL2013") {
  Fixture f;
  f.policy("base");
  f.policy("x", "deny", "base");
  f.policy("y", "deny", "base");
  auto r = f.run();
  REQUIRE(r.count("RL2013") == 1);
  CHECK(r.first("RL2013").message == "policy `base` is extended by both `x` and `y`");
  CHECK(r.first("RL2013").help == "layers form one chain: let `y` extend `x` instead");
}
