// The error convention of the public API (redline/engine.h, top): bad input
// never throws. A request that cannot be decided gives a `deny` carrying an
// error, through every door (JSON text, a parsed Request, a Request built in
// C++, bind then evaluate, explain); policies that do not compile give a
// CompileResult without a Program and with diagnostics; keys files and keys
// that do not parse give null or false with an error. Also: EvalOptions
// carries approval options and kill switches to every call form alike.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "redline/approvers.h"
#include "redline/engine.h"

using namespace redline;

namespace {

const char* kPolicy = R"(
purposes { ops { deploy wipe } chat }
context {
  actor.id:    string
  actor.role:  enum { clerk, manager, director, legal }
  data.tags:   tags { pii, public }
  data.rows:   int
  data.window: duration
  env.zone:    level { open < restricted < secret }
}
policy "api" {
  default allow
  rule deploy: require approval ops.deploy by manager signed;
  rule wipe:   escalate ops.wipe to review;
  rule secret: prohibit chat when env.zone >= secret and data.tags has pii;
  rule big:    prohibit chat when data.rows > 1000 or data.window > 1d;
  escalation review { step legal within 4h step director within 1d on_timeout deny }
  kill_switch stop covers ops;
}
)";

std::shared_ptr<const Program> program() {
  CompileResult r = compile_source(kPolicy, "api.pol");
  INFO(r.diagnostics.render());
  REQUIRE(r.ok());
  return r.program;
}

// JSON requests that cannot be decided, each for its own reason.
std::vector<std::string> bad_json() {
  std::vector<std::string> v = {
      "",
      "not json",
      "{",
      "[]",
      "null",
      "42",
      R"("ops.deploy")",
      R"({"purpose":1})",
      R"({"purpose":"ops.nope"})",
      R"({"purpose":"ops.deploy","purpose":"chat"})",
      R"({"purpose":"chat","actor":{"id":"\ud800"}})",
      R"({"purpose":"chat","data":{"rows":1e400}})",
      R"({"purpose":"chat","data":{"rows":99999999999999999999999999}})",
      R"({"purpose":"chat","data":{"rows":-9223372036854775809}})",
      R"({"purpose":"chat","data":{"rows":"many"}})",
      R"({"purpose":"chat","data":{"window":"99999999999999999999999d"}})",
      R"({"purpose":"chat","data":{"window":-5}})",
      R"({"purpose":"chat","data":{"tags":"pii"}})",
      R"({"purpose":"chat","data":{"tags":["pii",3]}})",
      R"({"purpose":"chat","data":{"tags":["nope"]}})",
      R"({"purpose":"chat","env":{"zone":"top"}})",
      R"({"purpose":"chat","request":{"time":"99999-01-01T00:00:00Z"}})",
      R"({"purpose":"chat","request":{"time":"2026-13-45T99:99:99Z"}})",
      R"({"purpose":"ops.deploy","approvals":5})",
      R"({"purpose":"ops.deploy","approvals":[{}]})",
      R"({"purpose":"ops.deploy","approvals":[{"rule":"api/deploy","by":"m","role":"manager","verdict":"approve","at":"later"}]})",
      R"({"purpose":"ops.deploy","approvals":[{"rule":"api/deploy","by":"m","role":"manager","verdict":"approve","signature":"%%%"}]})",
      R"({"purpose":"ops.deploy","approvals":[{"rule":"api/deploy","by":"m","role":"manager","verdict":"approve","kind":"robot"}]})",
      R"({"purpose":"ops.wipe","approvals":[{"rule":"api/wipe","step":"clerk","by":"m","role":"legal","verdict":"approve"}]})",
      std::string(R"({"purpose":"chat","actor":{"id":"a)") + std::string(1, '\0') + R"("}})",
      "{\"purpose\":\"chat\",\"actor\":{\"id\":\"\xff\xfe\xc3\"}}",
      "{\"purpose\":\"\xc0\xaf\"}",
      R"({"purpose":"chat","data":{"x":)" + std::string(5000, '[') + std::string(5000, ']') + "}}",
  };
  return v;
}

// Requests built in C++ with values no JSON parser would let through.
std::vector<Request> bad_built() {
  std::vector<Request> v;
  v.push_back(Request{});                                                       // no purpose
  v.push_back(Request{}.purpose(""));                                           // empty purpose
  v.push_back(Request{}.purpose("\xff\xfe"));                                   // not UTF-8
  v.push_back(Request{}.purpose("chat").set("actor.id", "\xff\x80").set("env.zone", "\xc3"));
  v.push_back(Request{}.purpose("chat").set("data.rows", std::string("12")));   // a string for an int
  v.push_back(Request{}.purpose("chat").set("data.window", std::int64_t{-1}));
  v.push_back(Request{}.purpose("chat").set("data.tags", std::vector<std::string>{"pii", "\xff"}));
  v.push_back(Request{}.purpose("chat").set("request.time", "yesterday"));
  v.push_back(Request{}.purpose("chat").set("", true).set(".", 1).set("actor..id", "x"));
  Approval a;
  a.rule = "api/deploy";
  a.by = "\xff";
  a.role = "manager";
  a.verdict = "approve";
  a.at = "2026-03-05T14:00:00Z";
  a.signature = std::string(88, 'A');   // base64 of 64 zero bytes: well-formed, verifies for no key
  v.push_back(Request{}.purpose("ops.deploy").set("actor.role", "clerk").approve(a));
  Approval b = a;
  b.rule = "\xc3";
  b.step = "\xff";
  v.push_back(Request{}.purpose("ops.wipe").approve(b));
  return v;
}

// Every public read of a decision, none of which may throw.
void read_all(const Decision& d) {
  CHECK_NOTHROW((void)d.reasons());
  CHECK_NOTHROW((void)d.obligations());
  CHECK_NOTHROW((void)d.missing());
  CHECK_NOTHROW((void)d.pending());
  CHECK_NOTHROW((void)d.killed_by());
  CHECK_NOTHROW((void)d.not_in_force());
  CHECK_NOTHROW((void)d.to_json());
  CHECK_NOTHROW((void)d.to_json(2));
}

}  // namespace

TEST_CASE("api: a JSON request that cannot be decided is a deny with an error, through every door, never an exception") {
  auto prog = program();
  auto board = prog->make_switchboard();
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m", "wbT1E5RqhpnEsWKtDsxjae2eUHN4rOdq8vjXTXiSylk=", {"manager"}, ApproverKind::human}}, error);
  REQUIRE_MESSAGE(keys, error);
  ApprovalOptions judging{keys, true};
  for (const EvalOptions& opts : {EvalOptions{}, EvalOptions{.approvals = &judging, .switches = board.get()}}) {
    for (const std::string& text : bad_json()) {
      INFO("request: ", text.substr(0, 200));
      Decision d;
      REQUIRE_NOTHROW(d = prog->evaluate_json(text, opts));
      CHECK(d.outcome() == Outcome::deny);
      REQUIRE(d.error());
      CHECK(d.error()->code.rfind("RL5", 0) == 0);
      read_all(d);
      // The other doors agree: parse then evaluate, bind then evaluate, explain.
      Request r;
      REQUIRE_NOTHROW(r = Request::from_json(text));
      CHECK_NOTHROW((void)r.digest());
      Decision parsed;
      REQUIRE_NOTHROW(parsed = prog->evaluate(r, opts));
      CHECK(parsed.to_json() == d.to_json());
      BoundRequest b;
      REQUIRE_NOTHROW(b = prog->bind_json(text, opts));
      CHECK(!b.ok());
      CHECK(b.error()->code == d.error()->code);
      Decision bound;
      REQUIRE_NOTHROW(prog->evaluate(b, bound, opts));
      CHECK(bound.to_json() == d.to_json());
      std::string explained;
      REQUIRE_NOTHROW(explained = prog->explain(r, opts));
      CHECK(explained.find("decision: deny (fail closed)") != std::string::npos);
    }
  }
}

TEST_CASE("api: a Request built in C++ with bad values binds and decides without throwing") {
  auto prog = program();
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m", "wbT1E5RqhpnEsWKtDsxjae2eUHN4rOdq8vjXTXiSylk=", {"manager"}, ApproverKind::human}}, error);
  REQUIRE_MESSAGE(keys, error);
  ApprovalOptions judging{keys, true};
  int refused = 0;
  for (const Request& r : bad_built()) {
    for (const EvalOptions& opts : {EvalOptions{}, EvalOptions{.approvals = &judging}}) {
      Decision d;
      REQUIRE_NOTHROW(d = prog->evaluate(r, opts));
      CHECK_NOTHROW((void)r.digest());
      CHECK_NOTHROW((void)prog->explain(r, opts));
      read_all(d);
      if (d.error()) {
        ++refused;
        CHECK(d.outcome() == Outcome::deny);
      }
    }
  }
  // Some of these are decidable (a value no rule reads, an approval whose
  // signature merely fails); the clearly malformed ones are refused.
  CHECK(refused >= 12);
  Decision none = prog->evaluate(Request{});
  REQUIRE(none.error());
  CHECK(none.error()->code == "RL5002");
}

TEST_CASE("api: an unbound or default-constructed value is refused or empty, not undefined") {
  auto prog = program();
  Decision d;
  read_all(d);   // a Decision of no Program
  CHECK(d.outcome() == Outcome::deny);
  CHECK(d.reasons().empty());
  BoundRequest empty;
  REQUIRE_NOTHROW(prog->evaluate(empty, d));
  CHECK(d.outcome() == Outcome::deny);
  REQUIRE(d.error());
  CHECK(d.error()->code == "RL5009");
  // A BoundRequest is a value: copies decide like the original.
  BoundRequest b = prog->bind_json(R"({"purpose":"chat","env":{"zone":"secret"},"data":{"tags":["pii"]}})");
  BoundRequest copy = b;
  BoundRequest moved = std::move(copy);
  Decision x, y;
  prog->evaluate(b, x);
  prog->evaluate(moved, y);
  CHECK(x.outcome() == Outcome::deny);
  CHECK(x.to_json() == y.to_json());
}

TEST_CASE("api: policies and keys that do not parse report through their results") {
  for (std::string text : {std::string(""), std::string("\xff\xfe policy"), std::string("policy \"p\" {"), std::string(20000, '('),
                           std::string("purposes { a } policy \"p\" { default allow rule r: permit a when data.n > 99999999999999999999999; }")}) {
    CompileResult r;
    REQUIRE_NOTHROW(r = compile_source(text, "bad.pol"));
    CHECK(!r.ok());
    CHECK(r.diagnostics.has_errors());
    CHECK_NOTHROW((void)r.diagnostics.render());
    CHECK_NOTHROW((void)r.diagnostics.to_json());
  }
  CompileResult missing;
  REQUIRE_NOTHROW(missing = compile_files({"/nonexistent/redline/policy.pol"}));
  CHECK(!missing.ok());
  CHECK(missing.diagnostics.has_errors());

  std::string error;
  for (std::string text : {std::string(""), std::string("{"), std::string(R"({"approvers":[]})"),
                           std::string(R"({"approvers":{"m":{"public_key":"%%","roles":["x"],"kind":"human"}}})")}) {
    error.clear();
    std::shared_ptr<const ApproverKeys> keys;
    REQUIRE_NOTHROW(keys = ApproverKeys::parse(text, error));
    CHECK(!keys);
    CHECK(!error.empty());
  }
  error.clear();
  CHECK(!ApproverKeys::load("/nonexistent/redline/keys.json", error));
  CHECK(!error.empty());
  Approval a;
  error.clear();
  CHECK(!sign_approval(a, "not a key", "sha256:x", "sha256:y", error));
  CHECK(!error.empty());
  CHECK(!verify_approval(a, "\xff", "", ""));
  CHECK(!approver_public_key("\xff\xfe"));
}

TEST_CASE("api: EvalOptions carries approval options and kill switches to every call form alike") {
  auto prog = program();
  auto board = prog->make_switchboard();
  const std::string deploy = R"({"purpose":"ops.deploy","actor":{"id":"u","role":"clerk"},"request":{"time":"2026-03-05T14:00:00Z"}})";
  // Switches: read when evaluating, whichever form.
  REQUIRE(board->trip("stop"));
  const EvalOptions with_board{.switches = board.get()};
  CHECK(prog->evaluate_json(deploy, with_board).killed_by() == std::optional<std::string>("api/stop"));
  CHECK(prog->evaluate(Request::from_json(deploy), with_board).killed_by() == std::optional<std::string>("api/stop"));
  Decision hot;
  prog->evaluate(prog->bind_json(deploy), hot, with_board);
  CHECK(hot.killed_by() == std::optional<std::string>("api/stop"));
  CHECK(prog->explain(Request::from_json(deploy), with_board).find("api/stop") != std::string::npos);
  CHECK(!prog->evaluate_json(deploy).killed_by());
  REQUIRE(board->reset("stop"));
  // Approval options: read when binding, whichever form.
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m", "wbT1E5RqhpnEsWKtDsxjae2eUHN4rOdq8vjXTXiSylk=", {"manager"}, ApproverKind::human}}, error);
  REQUIRE_MESSAGE(keys, error);
  ApprovalOptions judging{keys, false};
  const EvalOptions with_keys{.approvals = &judging};
  auto blocked = [](const Decision& d) { return d.pending().at(0).blocked; };
  CHECK(!blocked(prog->evaluate_json(deploy)).empty());   // `signed`, and no keys configured: nothing can count
  CHECK(blocked(prog->evaluate_json(deploy, with_keys)).empty());
  CHECK(blocked(prog->evaluate(Request::from_json(deploy), with_keys)).empty());
  Decision bound;
  prog->evaluate(prog->bind_json(deploy, with_keys), bound);
  CHECK(blocked(bound).empty());
  prog->evaluate(prog->bind(Request::from_json(deploy), with_keys), bound);
  CHECK(blocked(bound).empty());
}
