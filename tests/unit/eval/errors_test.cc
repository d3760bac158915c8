// Errors outside the golden files: choosing the deciding layer (RL4030,
// RL4031), requests over the limits (RL5008), and a request bound to another
// Program (RL5009). Each is a clear error; evaluation fails closed.
#include <doctest/doctest.h>

#include <string>

#include "redline/engine.h"

using namespace redline;

namespace {
const char* kTwoChains =
    "purposes { chat }\n"
    "policy \"a\" { default allow }\n"
    "policy \"b\" { default deny rule r: permit chat; }\n";
}

TEST_CASE("two most-derived layers and no choice is RL4030; a named layer decides") {
  CompileResult r = compile_source(kTwoChains, "two.pol");
  REQUIRE(!r.ok());
  REQUIRE(r.diagnostics.items.size() == 1);
  CHECK(r.diagnostics.items[0].code == "RL4030");
  CHECK(r.diagnostics.render() ==
        "two.pol: error[RL4030]: more than one most-derived policy (`a`, `b`)\n"
        "help: choose the layer that decides with `--layer NAME`\n");
  CompileOptions o;
  o.layer = "b";
  CompileResult b = compile_source(kTwoChains, "two.pol", o);
  REQUIRE(b.ok());
  CHECK(b.program->evaluate_json(R"({"purpose":"chat"})").outcome() == Outcome::allow);
}

TEST_CASE("choosing a layer that does not exist is RL4031") {
  CompileOptions o;
  o.layer = "c";
  CompileResult r = compile_source(kTwoChains, "two.pol", o);
  REQUIRE(!r.ok());
  CHECK(r.diagnostics.items.at(0).code == "RL4031");
  CHECK(r.diagnostics.items.at(0).message == "no policy named `c` to decide with");
}

TEST_CASE("requests over the limits are denied with RL5008") {
  CompileResult r = compile_source("purposes { chat }\npolicy \"p\" { default allow }\n", "p.pol");
  REQUIRE(r.ok());
  std::string deep = R"({"purpose":"chat","data":{"x":)" + std::string(100, '[') + std::string(100, ']') + "}}";
  Decision d = r.program->evaluate_json(deep);
  CHECK(d.outcome() == Outcome::deny);
  REQUIRE(d.error());
  CHECK(d.error()->code == "RL5008");
  std::string big = R"({"purpose":"chat","data":{"x":")" + std::string(2u << 20, 'a') + "\"}}";
  Decision e = r.program->evaluate_json(big);
  CHECK(e.outcome() == Outcome::deny);
  REQUIRE(e.error());
  CHECK(e.error()->code == "RL5008");
}

TEST_CASE("a request bound to another Program is denied with RL5009") {
  CompileResult one = compile_source("purposes { chat }\npolicy \"p\" { default allow }\n", "p.pol");
  CompileResult two = compile_source("purposes { chat }\npolicy \"q\" { default allow }\n", "q.pol");
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  BoundRequest b = one.program->bind_json(R"({"purpose":"chat"})");
  Decision d;
  two.program->evaluate(b, d);
  CHECK(d.outcome() == Outcome::deny);
  REQUIRE(d.error());
  CHECK(d.error()->code == "RL5009");
}
