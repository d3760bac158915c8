// The governance runtime (runtime/runtime.h) behind `redline eval --state`,
// the server and AuditTrail: records come from the bound request and the
// decision, never from the request text (an approvals key spelled with
// escapes is recorded); nothing recorded is parsed recursively past the
// limits (deep nesting is a request error, not a crash); replay decides the
// exact bytes that were decided (invalid UTF-8 included); one switch-name
// resolver refuses ambiguous names everywhere.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_support.h"
#include "audit/log.h"
#include "audit/record.h"
#include "audit/replay.h"
#include "audit/verify.h"
#include "eval/switch_names.h"
#include "redline/audit.h"
#include "redline/engine.h"
#include "runtime/runtime.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;

namespace {

const char* kPolicy =
    "purposes {\n  intel { bulk }\n  chat\n}\n"
    "context { actor.role: enum { analyst, cdao } }\n"
    "policy \"rt\" {\n  default allow\n"
    "  rule bulk_review: require approval intel.bulk by cdao within 1h because \"Bulk needs sign-off.\";\n"
    "}\n";

std::shared_ptr<const Program> program(const char* text = kPolicy) {
  CompileResult r = compile_source(text, "rt.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render());
  return r.program;
}

std::vector<json> records(const std::string& dir) {
  auto d = open_state(dir);
  std::vector<json> out;
  std::string error;
  audit::for_each_record(d, [&](std::uint64_t, std::string_view p) { return out.push_back(json::parse(p)), true; }, error);
  return out;
}

std::vector<json> of_type(const std::vector<json>& recs, const char* type) {
  std::vector<json> out;
  for (const auto& r : recs)
    if (r["type"] == type) out.push_back(r);
  return out;
}

int run(const std::string& cmd) { return WEXITSTATUS(std::system(cmd.c_str())); }

}  // namespace

TEST_CASE("runtime: approvals are recorded from the bound request, however their key is spelled") {
  TempDir tmp;
  auto p = program();
  std::string error;
  auto trail = AuditTrail::open(tmp / "state", {}, error);
  REQUIRE_MESSAGE(trail, error);
  REQUIRE(trail->load_policy(*p, error));
  auto board = p->make_switchboard();
  const char* approval = R"([{"rule":"rt/bulk_review","by":"c1","role":"cdao","verdict":"approve","at":"2026-11-23T10:01:00Z"}])";
  for (const char* key : {"approvals", "appr\\u006fvals", "\\u0061pprovals"}) {
    std::string req = std::string(R"({"purpose":"intel.bulk","actor":{"id":"u1","role":"analyst"},"request":{"time":"2026-11-23T10:00:00Z","now":"2026-11-23T10:05:00Z"},")") +
                      key + "\":" + approval + "}";
    INFO("request: ", req);
    CHECK(json::parse(trail->decide_json(*p, req, board.get()))["decision"] == "allow");
  }
  REQUIRE(trail->flush(error));
  auto recs = records(tmp / "state");
  auto approvals = of_type(recs, "approval");
  REQUIRE(approvals.size() == 3);
  for (const auto& a : approvals) {
    CHECK(a["rule"] == "rt/bulk_review");
    CHECK(a["by"] == "c1");
    CHECK(a["result"] == "accepted");
  }
  // The record() entry point (a decision made by the embedder) records them too.
  std::string req = R"({"purpose":"intel.bulk","actor":{"id":"u1","role":"analyst"},"request":{"time":"2026-11-23T10:00:00Z","now":"2026-11-23T10:05:00Z"},"appr\u006fvals":)" +
                    std::string(approval) + "}";
  Decision d = p->evaluate_json(req, {.switches = board.get()});
  REQUIRE(trail->record(*p, req, d, board.get(), error));
  REQUIRE(trail->flush(error));
  CHECK(of_type(records(tmp / "state"), "approval").size() == 4);
}

TEST_CASE("runtime: decision records keep their fields, and a request refused at the door is recorded as its text") {
  TempDir tmp;
  auto p = program();
  std::string error;
  auto trail = AuditTrail::open(tmp / "state", {.strict = false, .mask = {"/actor/id"}, .stdlib_root = ""}, error);
  REQUIRE_MESSAGE(trail, error);
  auto board = p->make_switchboard();
  std::string ok = R"({"purpose":"chat","actor":{"id":"secret","role":"analyst"}})";
  std::string answered = trail->decide_json(*p, ok, board.get());
  std::string deep = R"({"purpose":"chat","data":{"x":)" + std::string(60000, '[') + std::string(60000, ']') + "}}";
  json refused = json::parse(trail->decide_json(*p, deep, board.get()));
  CHECK(refused["error"]["code"] == "RL5008");
  REQUIRE(trail->flush(error));
  auto decisions = of_type(records(tmp / "state"), "decision");
  REQUIRE(decisions.size() == 2);
  const json& r = decisions[0];
  std::vector<std::string> keys;
  for (auto it = r.begin(); it != r.end(); ++it) keys.push_back(it.key());
  json a = json::parse(answered);
  CHECK(r["request"]["actor"]["role"] == "analyst");
  CHECK(r["request"]["actor"]["id"] != "secret");
  CHECK(r["masked"] == json::array({"/actor/id"}));
  for (const char* k : {"decision", "reasons", "obligations", "killed_by"}) CHECK(r[k] == a[k]);
  CHECK_FALSE(r.contains("error"));
  // Refused at the door: the text (masking configured: withheld), never parsed.
  CHECK(decisions[1]["request_is_text"] == true);
  CHECK(decisions[1]["error"]["code"] == "RL5008");
}

TEST_CASE("runtime: `eval --state` refuses deep nesting with RL5008 instead of crashing") {
  TempDir tmp;
  write_file(tmp / "rt.pol", kPolicy);
  std::string deep = R"({"purpose":"chat","actor":{"role":)" + std::string(60000, '[') + std::string(60000, ']') + "}}";
  write_file(tmp / "deep.jsonl", deep + "\n" + R"({"purpose":"chat"})" + "\n");
  std::string cli = REDLINE_CLI_PATH;
  int rc = run("cd " + tmp.path() + " && " + cli + " eval --state state rt.pol < deep.jsonl > out.jsonl 2> err.txt");
  CHECK(rc == 0);
  std::string out = read_file(tmp / "out.jsonl");
  auto nl = out.find('\n');
  REQUIRE(nl != std::string::npos);
  CHECK(json::parse(out.substr(0, nl))["error"]["code"] == "RL5008");
  CHECK(json::parse(out.substr(nl + 1))["decision"] == "allow");
  auto decisions = of_type(records(tmp / "state"), "decision");
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0]["request_is_text"] == true);
  // And `--request` (strict) the same.
  write_file(tmp / "deep.json", deep);
  CHECK(run("cd " + tmp.path() + " && " + cli + " eval --state state --request deep.json rt.pol > one.json 2> err.txt") == 0);
  CHECK(json::parse(read_file(tmp / "one.json"))["error"]["code"] == "RL5008");
}

TEST_CASE("runtime: replay decides the exact bytes that were decided, invalid UTF-8 included") {
  TempDir tmp;
  auto p = program();
  std::string error;
  {
    auto trail = AuditTrail::open(tmp / "state", {}, error);
    REQUIRE_MESSAGE(trail, error);
    REQUIRE(trail->load_policy(*p, error));
    auto board = p->make_switchboard();
    // Invalid UTF-8 in a string: not JSON (RL5001). With U+FFFD in its place it
    // would be valid JSON deciding `allow` — replay must not decide that.
    std::string bad = "{\"purpose\":\"chat\",\"actor\":{\"id\":\"\xff\xfe\"}}";
    CHECK(json::parse(trail->decide_json(*p, bad, board.get()))["error"]["code"] == "RL5001");
    std::string bad2 = "{\"purpose\":\"chat\"}\xc3";
    CHECK(json::parse(trail->decide_json(*p, bad2, board.get()))["error"]["code"] == "RL5001");
    trail->decide_json(*p, R"({"purpose":"chat"})", board.get());
    REQUIRE(trail->flush(error));
  }
  auto decisions = of_type(records(tmp / "state"), "decision");
  REQUIRE(decisions.size() == 3);
  CHECK(decisions[0].contains("request_base64"));
  CHECK_FALSE(decisions[2].contains("request_base64"));
  auto dir = open_state(tmp / "state");
  std::vector<std::string> lines;
  audit::ReplayReport r = audit::replay_log(dir, [&](const std::string& l) { lines.push_back(l); });
  CHECK_MESSAGE(r.ok, (lines.empty() ? r.error : lines[0]));
  CHECK(r.decisions == 3);
  CHECK(r.same == 3);
  CHECK(r.differ == 0);
}

TEST_CASE("runtime: replay refuses a record nested deeper than the engine ever writes") {
  // A forged record that is well framed and sealed, but nested far past any
  // request limit: replay used to print it in its diff line, recursing until
  // the stack ran out. Now it is unreplayable, and says why.
  TempDir tmp;
  auto p = program();
  std::string error;
  {
    auto trail = AuditTrail::open(tmp / "state", {}, error);
    REQUIRE_MESSAGE(trail, error);
    REQUIRE(trail->load_policy(*p, error));
    auto board = p->make_switchboard();
    trail->decide_json(*p, R"({"purpose":"chat"})", board.get());
    REQUIRE(trail->flush(error));
  }
  auto dir = open_state(tmp / "state");
  const std::size_t levels = 200000;
  std::string deep = std::string(levels, '[') + std::string(levels, ']');
  CHECK_FALSE(audit::record_depth_ok(deep));
  CHECK(audit::record_depth_ok(std::string(audit::kMaxRecordDepth, '[') + std::string(audit::kMaxRecordDepth, ']')));
  {
    auto log = audit::AuditLog::open(dir, {.background = false});
    REQUIRE(log.ok());
    REQUIRE((*log.value)
                ->append_durable("{\"type\":\"decision\",\"policy\":\"" + p->hash() + "\",\"request\":{\"purpose\":\"chat\"},\"decision\":" +
                                 deep + "}")
                .ok());
  }
  std::vector<std::string> lines;
  audit::ReplayReport r = audit::replay_log(dir, [&](const std::string& l) { lines.push_back(l); });
  CHECK_FALSE(r.ok);
  CHECK(r.decisions == 2);
  CHECK(r.same == 1);
  CHECK(r.unreplayable == 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("nested deeper than 96 levels") != std::string::npos);
}

TEST_CASE("runtime: one switch-name resolver; an ambiguous plain name is refused everywhere") {
  const char* two =
      "purposes { weapons chat }\n"
      "context { actor.role: enum { safety } }\n"
      "policy \"base\" {\n  default allow\n  kill_switch freeze covers weapons owner safety;\n}\n"
      "policy \"ops\" extends \"base\" {\n  default allow\n  kill_switch freeze covers chat owner safety;\n  kill_switch solo covers chat owner safety;\n}\n";
  auto p = program(two);
  REQUIRE(p->switch_names().size() == 3);
  std::string error;
  CHECK(eval::resolve_switch(p->switch_names(), "freeze", error) == eval::kAmbiguousSwitch);
  CHECK(error.find("more than one") != std::string::npos);
  CHECK(eval::resolve_switch(p->switch_names(), "base/freeze", error) >= 0);
  CHECK(eval::resolve_switch(p->switch_names(), "solo", error) >= 0);
  CHECK(eval::resolve_switch(p->switch_names(), "nope", error) == eval::kNoSuchSwitch);
  CHECK(eval::resolve_switch(p->switch_names(), "ops/nope/freeze", error) == eval::kNoSuchSwitch);
  // The SwitchBoard trips nothing for an ambiguous name.
  auto board = p->make_switchboard();
  CHECK_FALSE(board->trip("freeze"));
  CHECK_FALSE(board->tripped("base/freeze"));
  CHECK_FALSE(board->tripped("ops/freeze"));
  CHECK(board->trip("ops/freeze"));
  CHECK(board->trip("solo"));
  // `eval --tripped freeze` refuses (it used to trip base/freeze silently), like `switch trip freeze`.
  TempDir tmp;
  write_file(tmp / "two.pol", two);
  std::string cli = REDLINE_CLI_PATH;
  CHECK(run("cd " + tmp.path() + " && echo '{\"purpose\":\"weapons\"}' | " + cli + " eval --tripped freeze two.pol > out.txt 2> err.txt") == 2);
  CHECK(read_file(tmp / "err.txt").find("more than one kill switch is named `freeze`") != std::string::npos);
  CHECK(run("cd " + tmp.path() + " && echo '{\"purpose\":\"weapons\"}' | " + cli + " eval --tripped base/freeze two.pol > out.txt 2> err.txt") == 0);
  CHECK(read_file(tmp / "out.txt").find("\"killed_by\":\"base/freeze\"") != std::string::npos);
}

TEST_CASE("runtime: durability is chosen in one place") {
  Decision d;   // a default decision: deny, no obligations
  runtime::RuntimeOptions strict;
  strict.strict = true;
  CHECK(runtime::choose_durability(d, strict) == audit::Durability::durable);
  CHECK(runtime::choose_durability(d, {}) == audit::Durability::written);   // the log's default level
  runtime::RuntimeOptions buffered;
  buffered.log.level = audit::Durability::buffered;
  CHECK(runtime::choose_durability(d, buffered) == audit::Durability::buffered);
}
