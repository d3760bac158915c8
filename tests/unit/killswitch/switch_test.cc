// Tests for killswitch/switch_state.h and killswitch/watcher.h: owner-only
// flips (refusals logged), persistence and enforcement (covered purposes
// denied with killed_by, others unaffected), fail-closed on an unreadable
// state, and a flip made by another process reaching a watching one within
// a bounded time (the latency is printed).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "../audit/audit_support.h"
#include "audit/log.h"
#include "audit/log_format.h"
#include "audit/replay.h"
#include "audit/verify.h"
#include "killswitch/switch_state.h"
#include "killswitch/watcher.h"
#include "redline/audit.h"

namespace {

using namespace redline;
using namespace redline::killswitch;
using redline::testing::TempDir;

std::shared_ptr<const Program> switch_program() {
  CompileResult c = compile_source(redline::testing::kSwitchPolicy, "ks.pol");
  REQUIRE(c.ok());
  return c.program;
}

std::unique_ptr<audit::AuditLog> open_log(const state::StateDir& dir) {
  auto r = audit::AuditLog::open(dir, {.background = false});
  REQUIRE_MESSAGE(r.ok(), r.error);
  return std::move(*r.value);
}

std::string outcome_of(const Program& p, const SwitchBoard& b, const std::string& purpose) {
  return to_string(p.evaluate_json(R"({"purpose":")" + purpose + R"(","actor":{"id":"x","role":"safety"}})", {.switches = &b}).outcome());
}

std::uint64_t monotonic_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace

TEST_CASE("only an owner role may flip a switch; refusals are logged and checkpointed") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = switch_program();
  auto log = open_log(dir);
  FlipResult no = flip_switch(dir, *log, *prog, {"weapons_stop", true, "u1", "analyst", "because"});
  CHECK(!no.applied);
  CHECK(no.refused);
  CHECK(no.message.find("`analyst` is not an owner") != std::string::npos);
  FlipResult ownerless = flip_switch(dir, *log, *prog, {"ownerless", true, "u1", "safety", ""});
  CHECK(ownerless.refused);
  FlipResult unknown = flip_switch(dir, *log, *prog, {"nope", true, "u1", "safety", ""});
  CHECK(!unknown.applied);
  CHECK(!unknown.refused);
  CHECK(unknown.message.find("no kill switch named `nope`") != std::string::npos);
  auto state_before = read_switch_state(dir);
  REQUIRE(state_before.ok());
  CHECK(state_before.value->switches.empty());

  FlipResult yes = flip_switch(dir, *log, *prog, {"ks/weapons_stop", true, "u2", "cdao", "incident 42"});
  REQUIRE_MESSAGE(yes.applied, yes.message);
  CHECK(yes.qualified == "ks/weapons_stop");
  // The flip is durable and checkpointed before it takes effect.
  auto head = audit::latest_checkpoint(dir);
  REQUIRE(head.ok());
  REQUIRE(head.value->has_value());
  CHECK((*head.value)->size == yes.seq + 1);
  auto st = read_switch_state(dir);
  REQUIRE(st.ok());
  CHECK(st.value->switches.at("ks/weapons_stop").tripped);
  CHECK(st.value->switches.at("ks/weapons_stop").by == "u2");

  std::vector<std::string> results;
  std::string error;
  audit::for_each_record(
      dir,
      [&](std::uint64_t, std::string_view p) {
        auto j = nlohmann::json::parse(p);
        results.push_back(j["result"].get<std::string>());
        return true;
      },
      error);
  CHECK(results == std::vector<std::string>{"refused", "refused", "applied"});
}

TEST_CASE("persisted switches are enforced on covered purposes only, and fail closed when unreadable") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = switch_program();
  {
    auto log = open_log(dir);
    REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", ""}).applied);
  }
  auto board = prog->make_switchboard();
  std::string error;
  REQUIRE(load_into(dir, *board, error));
  CHECK(board->tripped("ks/weapons_stop"));
  CHECK(!board->tripped("ks/ownerless"));
  Decision d = prog->evaluate_json(R"({"purpose":"weapons.targeting","actor":{"id":"x","role":"safety"}})", {.switches = board.get()});
  CHECK(d.outcome() == Outcome::deny);
  CHECK(d.killed_by() == std::optional<std::string>("ks/weapons_stop"));
  CHECK(outcome_of(*prog, *board, "intel.targeting_support") == "deny");
  CHECK(outcome_of(*prog, *board, "intel") == "deny");  // vaguer than a covered purpose: fails closed
  CHECK(outcome_of(*prog, *board, "chat") == "allow");
  CHECK(outcome_of(*prog, *board, "intel.bulk") == "allow");

  {
    auto log = open_log(dir);
    REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", false, "u3", "cdao", "resolved"}).applied);
  }
  REQUIRE(load_into(dir, *board, error));
  CHECK(outcome_of(*prog, *board, "weapons.targeting") == "allow");

  redline::testing::write_file(dir.file("switches.json"), "{ not json");
  CHECK(!load_into(dir, *board, error));
  CHECK(error.find("fail closed") != std::string::npos);
  CHECK(board->tripped("ks/weapons_stop"));
  CHECK(board->tripped("ks/ownerless"));
  CHECK(outcome_of(*prog, *board, "chat") == "deny");
}

TEST_CASE("a flip made by another process reaches a watching board quickly") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = switch_program();
  for (bool use_inotify : {true, false}) {
    auto board = prog->make_switchboard();
    std::string error;
    auto watcher = SwitchWatcher::start(dir, *board, {.inotify = use_inotify, .poll_interval = std::chrono::milliseconds(20)}, error);
    REQUIRE(error.empty());
    CHECK(watcher->using_inotify() == use_inotify);
    bool want = !board->tripped("ks/weapons_stop");
    std::uint64_t gen = board->generation();
    // A spinning reader stamps the moment the board changes (as the next decision would see it).
    std::atomic<std::uint64_t> seen_at{0};
    std::thread spinner([&] {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (board->tripped("ks/weapons_stop") != want && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      seen_at = monotonic_ns();
    });
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Another process: persist the flip (as `redline switch` does after logging it).
      auto st = read_switch_state(dir);
      if (!st.ok()) _exit(3);
      SwitchState s = *st.value;
      s.generation += 1;
      s.switches["ks/weapons_stop"].tripped = want;
      std::uint64_t t[2];
      t[0] = monotonic_ns();
      std::string e;
      if (!write_switch_state(dir, s, e)) _exit(4);
      t[1] = monotonic_ns();
      if (::write(fds[1], t, sizeof t) != sizeof t) _exit(5);
      _exit(0);
    }
    ::close(fds[1]);
    std::uint64_t t[2] = {0, 0};
    REQUIRE(::read(fds[0], t, sizeof t) == sizeof t);
    ::close(fds[0]);
    spinner.join();
    std::uint64_t t1 = seen_at.load();
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(board->tripped("ks/weapons_stop") == want);
    CHECK(board->generation() > gen);
    auto us = [](std::uint64_t a, std::uint64_t b) { return a > b ? static_cast<double>(a - b) / 1000.0 : -static_cast<double>(b - a) / 1000.0; };
    MESSAGE((use_inotify ? "inotify" : "polling"), ": cross-process flip seen ", us(t1, t[0]),
            " µs after the writer began persisting it (temp file + fsync + rename + folder fsync took ", us(t[1], t[0]),
            " µs); ", us(t1, t[1]), " µs after the write returned");
  }
}

TEST_CASE("AuditTrail: decisions are audited, switches honoured, and an unwritable log denies") {
  TempDir tmp;
  auto prog = switch_program();
  std::string error;
  auto trail = AuditTrail::open(tmp / "state", {.strict = true, .mask = {"/actor/id"}, .stdlib_root = ""}, error);
  REQUIRE_MESSAGE(trail, error);
  REQUIRE_MESSAGE(trail->load_policy(*prog, error), error);
  auto board = prog->make_switchboard();
  REQUIRE(trail->watch_switches(*board, error));
  std::string ok = trail->decide_json(*prog, R"({"purpose":"chat","actor":{"id":"secret-id","role":"safety"}})", board.get());
  CHECK(nlohmann::json::parse(ok)["decision"] == "allow");
  auto dir = redline::testing::open_state(tmp / "state");
  std::string all = redline::testing::read_file(dir.file("audit.log"));
  CHECK(all.find("secret-id") == std::string::npos);
  CHECK(all.find("policy_load") != std::string::npos);
  CHECK(std::filesystem::exists(dir.file("policies/" + prog->hash().substr(7) + ".json")));
  // Break the log underneath: the next decision fails closed.
  std::filesystem::resize_file(dir.file("audit.log"), 0);
  std::string denied = trail->decide_json(*prog, R"({"purpose":"chat","actor":{"id":"x","role":"safety"}})", board.get());
  auto j = nlohmann::json::parse(denied);
  CHECK(j["decision"] == "deny");
  CHECK(j["error"]["code"] == "RL5009");
}

TEST_CASE("replay re-decides every logged decision with the stored policy and the switches of the time") {
  TempDir tmp;
  auto prog = switch_program();
  std::string error;
  {
    auto trail = AuditTrail::open(tmp.path(), {}, error);
    REQUIRE_MESSAGE(trail, error);
    REQUIRE(trail->load_policy(*prog, error));
    auto board = prog->make_switchboard();
    for (const char* p : {"chat", "weapons.targeting", "weapons.engagement", "intel"})
      trail->decide_json(*prog, std::string(R"({"purpose":")") + p + R"(","actor":{"id":"x","role":"analyst"}})", board.get());
    board->trip("weapons_stop");
    trail->decide_json(*prog, R"({"purpose":"weapons.targeting","actor":{"id":"x","role":"safety"}})", board.get());
    trail->decide_json(*prog, "not json at all", board.get());
  }
  auto dir = redline::testing::open_state(tmp.path());
  std::vector<std::string> lines;
  audit::ReplayReport r = audit::replay_log(dir, [&](const std::string& l) { lines.push_back(l); });
  CHECK_MESSAGE(r.ok, (lines.empty() ? r.error : lines[0]));
  CHECK(r.decisions == 6);
  CHECK(r.same == 6);
  // Forge a logged outcome (keeping the frame valid): replay names the record.
  std::string data = redline::testing::read_file(dir.file("audit.log"));
  std::vector<std::string> payloads;
  audit::for_each_record(dir, [&](std::uint64_t, std::string_view p) { return payloads.emplace_back(p), true; }, error);
  std::size_t at = payloads[1].find("\"decision\":\"allow\"");
  REQUIRE(at != std::string::npos);
  payloads[1].replace(at, 18, "\"decision\":\"deny\" ");
  std::string out;
  for (std::size_t i = 0; i < payloads.size(); ++i) audit::append_frame(out, i, payloads[i]);
  redline::testing::write_file(dir.file("audit.log"), out);
  lines.clear();
  r = audit::replay_log(dir, [&](const std::string& l) { lines.push_back(l); });
  CHECK(!r.ok);
  CHECK(r.differ == 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("record 1: decision now \"allow\", logged \"deny\"", 0) == 0);
  CHECK(!audit::verify_log(dir).ok);  // and the signed roots catch the forgery too
}
