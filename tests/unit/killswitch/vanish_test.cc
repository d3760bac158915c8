// A tripped kill switch must not vanish: the audit log's flip records are the
// authority, so deleting or editing switches.json leaves the switch tripped
// (and is reported), `audit verify` flags the disagreement, a policy that
// drops a tripped switch is named by reload_drops_tripped (the server
// refuses the reload), and a trip that cannot be logged (a full disk) still
// holds in the process that made it.
#include <doctest/doctest.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../audit/audit_support.h"
#include "audit/log.h"
#include "audit/verify.h"
#include "killswitch/switch_state.h"
#include "killswitch/watcher.h"

namespace {

using namespace redline;
using namespace redline::killswitch;
using redline::testing::TempDir;

std::shared_ptr<const Program> program_of(const char* text) {
  CompileResult c = compile_source(text, "ks.pol");
  REQUIRE_MESSAGE(c.ok(), c.diagnostics.render());
  return c.program;
}

std::unique_ptr<audit::AuditLog> open_log(const state::StateDir& dir, audit::LogOptions o = {.background = false}) {
  auto r = audit::AuditLog::open(dir, o);
  REQUIRE_MESSAGE(r.ok(), r.error);
  return std::move(*r.value);
}

}  // namespace

TEST_CASE("deleting or editing switches.json does not un-trip a switch; the mismatch is reported and verify fails") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = program_of(redline::testing::kSwitchPolicy);
  auto log = open_log(dir);
  REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", "incident"}).applied);
  REQUIRE(audit::verify_log(dir).ok);

  for (int variant = 0; variant < 2; ++variant) {
    INFO("variant " << variant);
    if (variant == 0) std::filesystem::remove(dir.file("switches.json"));
    else redline::testing::write_file(dir.file("switches.json"), R"({"format":1,"generation":9,"switches":{"ks/weapons_stop":{"tripped":false}}})");
    auto board = prog->make_switchboard();
    std::string error;
    CHECK(!load_into(dir, *log, *board, error));
    CHECK(error.find("disagrees with the audit log") != std::string::npos);
    CHECK(board->tripped("ks/weapons_stop"));
    CHECK(prog->evaluate_json(R"({"purpose":"weapons.targeting","actor":{"id":"x","role":"safety"}})", {.switches = board.get()}).outcome() ==
          Outcome::deny);
    audit::VerifyReport v = audit::verify_log(dir);
    CHECK(!v.ok);
    CHECK(v.error.find("weapons_stop") != std::string::npos);
  }
  // A forged trip in switches.json is honoured (fail closed) but reported too.
  redline::testing::write_file(dir.file("switches.json"),
                               R"({"format":1,"generation":9,"switches":{"ks/weapons_stop":{"tripped":true},"ks/ownerless":{"tripped":true}}})");
  auto board = prog->make_switchboard();
  std::string error;
  CHECK(!load_into(dir, *log, *board, error));
  CHECK(board->tripped("ks/ownerless"));
  CHECK(!audit::verify_log(dir).ok);
}

TEST_CASE("a watching board keeps a tripped switch when switches.json is deleted, and tells why") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = program_of(redline::testing::kSwitchPolicy);
  auto log = open_log(dir);
  REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", ""}).applied);
  auto board = prog->make_switchboard();
  std::string error;
  std::atomic<int> errors{0};
  WatchOptions wo;
  wo.log = log.get();
  wo.on_error = [&](const std::string&) { errors.fetch_add(1); };
  auto w = SwitchWatcher::start(dir, *board, wo, error);
  CHECK(error.empty());
  REQUIRE(board->tripped("ks/weapons_stop"));
  std::uint64_t reloads = w->reloads();
  std::filesystem::remove(dir.file("switches.json"));
  for (int i = 0; i < 500 && w->reloads() == reloads; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(w->reloads() > reloads);
  CHECK(board->tripped("ks/weapons_stop"));
  CHECK(errors.load() >= 1);
}

TEST_CASE("a policy that drops a tripped switch is named by reload_drops_tripped") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = program_of(redline::testing::kSwitchPolicy);
  auto log = open_log(dir);
  auto without = program_of(
      "purposes {\n  weapons { targeting engagement }\n  intel { targeting_support bulk }\n  chat\n}\n"
      "context { actor.role: enum { analyst, safety, cdao } }\n"
      "policy \"ks\" {\n  default allow\n  kill_switch ownerless covers chat;\n}\n");
  CHECK(reload_drops_tripped(*log, *without).empty());   // nothing tripped yet
  REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", ""}).applied);
  CHECK(tripped_switches(*log) == std::vector<std::string>{"ks/weapons_stop"});
  CHECK(reload_drops_tripped(*log, *without) == std::vector<std::string>{"ks/weapons_stop"});
  CHECK(reload_drops_tripped(*log, *prog).empty());
  REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", false, "u2", "safety", "resolved"}).applied);
  CHECK(reload_drops_tripped(*log, *without).empty());
  // Another process's flips count: a second log of the folder sees them after a refresh.
  auto other = open_log(dir);
  REQUIRE(flip_switch(dir, *other, *prog, {"weapons_stop", true, "u3", "cdao", ""}).applied);
  CHECK(reload_drops_tripped(*log, *without) == std::vector<std::string>{"ks/weapons_stop"});
}

TEST_CASE("a trip the log cannot record still holds in the process (fail closed), and is logged once the log recovers") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto prog = program_of(redline::testing::kSwitchPolicy);
  auto log = open_log(dir, {.background = false, .lock_timeout = std::chrono::milliseconds(50)});
  // The log cannot write: its lock is held (a full disk behaves the same: the append fails).
  int holder = ::open(dir.file("lock").c_str(), O_RDONLY);
  REQUIRE(holder >= 0);
  REQUIRE(::flock(holder, LOCK_EX) == 0);
  FlipResult r = flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", ""});
  CHECK(!r.applied);
  CHECK(r.unlogged);
  CHECK(r.message.find("holds in this process") != std::string::npos);
  auto board = prog->make_switchboard();
  std::string error;
  (void)load_into(dir, *log, *board, error);
  CHECK(board->tripped("ks/weapons_stop"));
  // A reset that cannot be logged is not applied.
  FlipResult reset = flip_switch(dir, *log, *prog, {"weapons_stop", false, "u2", "safety", ""});
  CHECK(!reset.applied);
  CHECK(!reset.unlogged);
  ::close(holder);
  // Once the log can write again, the trip is logged and the folder agrees.
  REQUIRE(flip_switch(dir, *log, *prog, {"weapons_stop", true, "u2", "safety", "again"}).applied);
  CHECK(load_into(dir, *log, *board, error));
  CHECK(board->tripped("ks/weapons_stop"));
  CHECK(unlogged_trips(dir).empty());
}
