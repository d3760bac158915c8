// The request door (eval/request_text.h): ambiguous JSON — a key repeated in
// any object, however it is escaped, and any byte after the JSON value but
// whitespace (a NUL included) — is a request error on the full path, and
// the fast path never binds it (so both paths refuse it alike); the limits
// are one set, and deep input is refused by a loop before any parser sees it.
#include <doctest/doctest.h>

#include <string>

#include "eval/bind_fast.h"
#include "eval/bound.h"
#include "eval/request_text.h"
#include "redline/engine.h"

using namespace redline;
using namespace std::string_literals;

namespace {

const char* kPolicy =
    "purposes {\n  weapons { autonomous_engagement }\n  translation\n}\n"
    "context {\n  actor.role: enum { analyst, safety }\n  data.tags: tags { pii, il5 }\n}\n"
    "policy \"door\" {\n  default allow\n"
    "  rule no_weapons: prohibit weapons.autonomous_engagement because \"No.\";\n"
    "  rule no_il5: prohibit translation when data.tags has il5 because \"No IL5.\";\n"
    "}\n";

std::shared_ptr<const Program> program() {
  CompileResult r = compile_source(kPolicy, "door.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render());
  return r.program;
}

// Decides `text` both ways (bind_json: fast path first; bind(Request): the full
// path) and checks both refuse it with `code`, and the fast path does not bind it.
void refused_both_ways(const Program& p, const std::string& text, const char* code) {
  INFO("request: ", text);
  Decision a = p.evaluate_json(text);
  CHECK(a.outcome() == Outcome::deny);
  REQUIRE(a.error().has_value());
  CHECK(a.error()->code == code);
  Decision b = p.evaluate(Request::from_json(text));
  REQUIRE(b.error().has_value());
  CHECK(b.error()->code == code);
  BoundRequest fast;
  CHECK_FALSE(eval::fast_bind(ProgramAccess::impl(p), text, fast));
}

}  // namespace

TEST_CASE("door: a repeated key is a request error, not last-wins, on both paths") {
  auto p = program();
  // The unambiguous requests decide as expected...
  CHECK(p->evaluate_json(R"({"purpose":"translation","data":{"tags":[]}})").outcome() == Outcome::allow);
  CHECK(p->evaluate_json(R"({"purpose":"weapons.autonomous_engagement"})").outcome() == Outcome::deny);
  // ...and each ambiguous one is refused, wherever the key repeats.
  refused_both_ways(*p, R"({"purpose":"weapons.autonomous_engagement","purpose":"translation"})", "RL5001");
  refused_both_ways(*p, R"({"purpose":"translation","data":{"tags":["il5"],"tags":[]}})", "RL5001");
  refused_both_ways(*p, R"({"purpose":"translation","data":{"tags":["il5"]},"data":{"tags":[]}})", "RL5001");
  refused_both_ways(*p, R"({"purpose":"translation","data":{"x":[{"a":1,"a":2}]}})", "RL5001");   // undeclared, nested
  refused_both_ways(*p, R"({"purpose":"translation","env":{"y":1,"y":1}})", "RL5001");             // even the same value
  // Escapes do not make a key different.
  refused_both_ways(*p, R"({"purpose":"weapons.autonomous_engagement","purp\u006fse":"translation"})", "RL5001");
  refused_both_ways(*p, R"({"purpose":"translation","approvals":[],"appr\u006fvals":[]})", "RL5001");
  Decision d = p->evaluate_json(R"({"purpose":"translation","purpose":"translation"})");
  REQUIRE(d.error());
  CHECK(d.error()->message.find("`purpose`") != std::string::npos);
  // A key may repeat across objects.
  CHECK(p->evaluate_json(R"({"purpose":"translation","actor":{"id":"a"},"data":{"id":"a","tags":[]}})").outcome() == Outcome::allow);
}

TEST_CASE("door: nothing but whitespace may follow the JSON value, and a NUL byte is never ignored") {
  auto p = program();
  std::string allow = R"({"purpose":"translation","data":{"tags":[]}})", deny = R"({"purpose":"weapons.autonomous_engagement"})";
  refused_both_ways(*p, deny + "xyz", "RL5001");
  refused_both_ways(*p, allow + "\0"s + deny, "RL5001");
  refused_both_ways(*p, deny + "\0"s, "RL5001");
  refused_both_ways(*p, "\0"s + allow, "RL5001");
  refused_both_ways(*p, allow + " " + allow, "RL5001");
  CHECK(p->evaluate_json(allow + " \n\t\r").outcome() == Outcome::allow);
}

TEST_CASE("door: one set of limits, checked before any parser recurses") {
  auto p = program();
  std::string deep = R"({"purpose":"translation","data":{"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}}";
  refused_both_ways(*p, deep, "RL5008");
  eval::ParsedRequest parsed = eval::parse_request(deep);
  CHECK_FALSE(parsed.json);   // refused at the door: never parsed
  CHECK(eval::json_depth(deep) == 100002);
  std::string at_limit = R"({"purpose":"translation","data":{"x":)" + std::string(eval::kMaxRequestDepth - 2, '[') +
                         std::string(eval::kMaxRequestDepth - 2, ']') + "}}";
  CHECK_FALSE(p->evaluate_json(at_limit).error());
  std::string big = R"({"purpose":"translation","data":{"x":")" + std::string(eval::kMaxRequestBytes, 'a') + "\"}}";
  refused_both_ways(*p, big, "RL5008");
  // Other bodies mapped into requests (AuthZEN) pass the same structural checks.
  CHECK(eval::check_json_text(R"({"subject":{"id":"a","id":"b"}})")->code == "RL5001");
  CHECK(eval::check_json_text("[" + std::string(200, '[') + std::string(201, ']'))->code == "RL5008");
  CHECK_FALSE(eval::check_json_text(R"({"subject":{"id":"a"}})").has_value());
}

TEST_CASE("door: request errors carry codes from the codes table") {
  CHECK(eval::request_error(diag::Code::RequestTooLarge, "m").code == "RL5008");
  CHECK(eval::code_text(diag::Code::RequestInvalidJson) == "RL5001");
}
