// Errors outside the golden files: choosing the deciding layer (RL4030,
// RL4031), requests over the limits (RL5008), a request bound to another
// Program (RL5009), and a refused request decided into a reused Decision.
// Each is a clear error; evaluation fails closed.
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

TEST_CASE("a refused request decided into a reused Decision keeps nothing of the previous one") {
  // Found by fuzz/request.cc: evaluating a request with an error into a
  // Decision that last held an approved request returned early and left that
  // request's accepted approvals (and pending list) in the refused decision.
  CompileResult r = compile_source(
      "purposes { ops { deploy } }\n"
      "context { actor.role: enum { clerk, manager } }\n"
      "policy \"appr\" { default allow rule rev: require approval ops.deploy by manager; }\n",
      "appr.pol");
  REQUIRE(r.ok());
  const Program& prog = *r.program;
  Decision d;
  prog.evaluate(prog.bind_json(R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},)"
                               R"("approvals":[{"rule":"appr/rev","by":"m1","role":"manager","verdict":"approve",)"
                               R"("at":"2026-03-05T14:30:00Z"}]})"),
                d);
  REQUIRE(d.outcome() == Outcome::allow);
  REQUIRE(d.approvals().size() == 1);
  prog.evaluate(prog.bind_json(R"({"purpose":"ops.nope"})"), d);
  CHECK(d.outcome() == Outcome::deny);
  CHECK(d.approvals().empty());
  CHECK(d.pending().empty());
  CHECK(d.to_json() == prog.evaluate_json(R"({"purpose":"ops.nope"})").to_json());
  // The same with a pending rule judged from approvals first.
  prog.evaluate(prog.bind_json(R"({"purpose":"ops.deploy","actor":{"id":"u1"},)"
                               R"("approvals":[{"rule":"appr/rev","by":"u1","role":"manager","verdict":"approve",)"
                               R"("at":"2026-03-05T14:30:00Z"}]})"),
                d);
  REQUIRE(d.outcome() == Outcome::require_approval);
  REQUIRE(d.pending().size() == 1);
  prog.evaluate(prog.bind_json("not json"), d);
  CHECK(d.pending().empty());
  CHECK(d.to_json() == prog.evaluate_json("not json").to_json());
}
