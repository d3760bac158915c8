// Durability, privacy and health of audit/log.h and state/state_dir.h:
// the state folder is private (0700, files 0600) and a folder others can
// reach is refused; a lock held by someone else turns into an error and an
// unhealthy log after the lock timeout, not a hang; the default level
// (written) has the record in the file when append returns; weighty allows
// (obligations) are durable even when the default is buffered; a full disk
// fails the append (the caller denies) and the log recovers once space is
// freed, without a restart; and the kill -9 loop against a real
// `redline eval --state` process loses no acknowledged decision.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "audit/log.h"
#include "runtime/runtime.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "audit_support.h"
#include "redline/audit.h"

namespace {

using namespace redline;
using namespace redline::audit;
using redline::testing::TempDir;

unsigned mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 07777);
}

std::string rec(int n) { return "{\"type\":\"test\",\"n\":" + std::to_string(n) + "}"; }

std::uint64_t records_in(const state::StateDir& dir) {
  std::uint64_t n = 0;
  std::string error;
  REQUIRE(for_each_record(dir, [&](std::uint64_t, std::string_view) { return ++n, true; }, error));
  return n;
}

// A small tmpfs at `path`, unmounted at scope exit; `ok` false when mounting is not possible here.
struct SmallDisk {
  std::string path;
  bool ok = false;
  SmallDisk(std::string p, const char* size) : path(std::move(p)) {
    std::filesystem::create_directories(path);
    std::string opts = std::string("size=") + size + ",mode=0700";
    ok = ::mount("tmpfs", path.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~SmallDisk() {
    if (ok) ::umount2(path.c_str(), MNT_DETACH);
  }
};

// Fills the disk at `dir` with a file until a write fails.
void fill(const std::string& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  std::string block(4096, 'x');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}

}  // namespace

TEST_CASE("the state folder is private: 0700, its files 0600; a folder others may reach is refused") {
  TempDir tmp;
  std::string path = tmp / "state";
  auto dir = redline::testing::open_state(path);
  {
    auto log = AuditLog::open(dir, {.background = false});
    REQUIRE(log.ok());
    REQUIRE((*log.value)->append_durable(rec(0), true).ok());
  }
  CHECK(mode_of(path) == 0700);
  for (const char* f : {"lock", "audit.log", "checkpoints", "key", "salt", "origin", "FORMAT", "key.pub"}) {
    INFO(f);
    CHECK(mode_of(dir.file(f)) == 0600);
  }
  // Files of an older folder are tightened when the log opens them.
  ::chmod(dir.file("audit.log").c_str(), 0644);
  { REQUIRE(AuditLog::open(dir, {.background = false}).ok()); }
  CHECK(mode_of(dir.file("audit.log")) == 0600);

  ::chmod(path.c_str(), 0755);
  auto refused = state::StateDir::open(path, true);
  REQUIRE(!refused.ok());
  CHECK(refused.error.find(path) != std::string::npos);
  CHECK(refused.error.find("0755") != std::string::npos);
  CHECK(refused.error.find("chmod 700") != std::string::npos);
  ::chmod(path.c_str(), 0770);
  CHECK(!state::StateDir::open(path, true).ok());
  ::chmod(path.c_str(), 0700);
  CHECK(state::StateDir::open(path, true).ok());
  // A reader (audit verify) may still read a folder it can reach.
  ::chmod(path.c_str(), 0750);
  CHECK(state::StateDir::open(path, false).ok());
}

TEST_CASE("a lock held by another process fails the append after the timeout and the log reports unhealthy, then recovers") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto opened = AuditLog::open(dir, {.background = false, .lock_timeout = std::chrono::milliseconds(100)});
  REQUIRE(opened.ok());
  auto& log = **opened.value;
  REQUIRE(log.append(rec(0), Durability::written, nullptr));
  CHECK(log.healthy());
  // Another open file description: flock conflicts as it would across processes.
  int holder = ::open(dir.file("lock").c_str(), O_RDONLY);
  REQUIRE(holder >= 0);
  REQUIRE(::flock(holder, LOCK_EX) == 0);
  std::string error;
  CHECK(!log.append(rec(1), Durability::written, &error));
  CHECK(error.find("held by another process") != std::string::npos);
  CHECK(!log.healthy());
  CHECK(log.failure().find("lock") != std::string::npos);
  CHECK(!log.append_durable(rec(2), true).ok());
  // Buffered records are refused while unhealthy: they would be acknowledged unwritten.
  CHECK(!log.append(rec(3), Durability::buffered, &error));
  ::close(holder);
  CHECK(log.append(rec(4), Durability::written, &error));
  CHECK(log.healthy());
  CHECK(records_in(dir) == 2);
}

TEST_CASE("written (the default) puts the record in the file before append returns; buffered does not") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto opened = AuditLog::open(dir, {.background = false});
  REQUIRE(opened.ok());
  auto& log = **opened.value;
  CHECK(log.level() == Durability::written);
  for (int i = 0; i < 10; ++i) REQUIRE(log.append(rec(i)));
  CHECK(records_in(dir) == 10);   // readable by another process now: survives kill -9
  CHECK(log.buffered() == 0);
  REQUIRE(log.append(rec(10), Durability::buffered, nullptr));
  CHECK(records_in(dir) == 10);
  CHECK(log.buffered() == 1);
  REQUIRE(log.append(rec(11), Durability::durable, nullptr));
  CHECK(records_in(dir) == 12);
}

TEST_CASE("buffered appends meet backpressure: past max_buffered the appender writes itself") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto opened = AuditLog::open(dir, {.background = false, .level = Durability::buffered, .max_buffered = 16});
  REQUIRE(opened.ok());
  auto& log = **opened.value;
  for (int i = 0; i < 100; ++i) REQUIRE(log.append(rec(i)));
  CHECK(log.buffered() < 16);
  CHECK(records_in(dir) >= 100 - 16);
}

TEST_CASE("an allow with obligations is recorded durable even when the default is buffered") {
  TempDir tmp;
  redline::runtime::RuntimeOptions ro;
  ro.log.background = false;
  ro.log.level = Durability::buffered;
  std::string error;
  auto rt = redline::runtime::Runtime::open(tmp / "state", ro, error);
  REQUIRE_MESSAGE(rt, error);
  const auto& dir = rt->state();
  auto& log = rt->log();
  CompileResult c = compile_source(
      "purposes { chat translation }\n"
      "policy \"p\" {\n  default deny\n  rule talk: permit chat;\n  rule watch: permit translation oblige log_full;\n}\n",
      "o.pol");
  REQUIRE_MESSAGE(c.ok(), c.diagnostics.render());
  redline::runtime::Judging judging;
  std::uint64_t before = records_in(dir);
  Decision plain = c.program->evaluate_json(R"({"purpose":"chat"})");
  REQUIRE(plain.outcome() == Outcome::allow);
  REQUIRE(plain.obligations().empty());
  REQUIRE(rt->record(*c.program, nullptr, judging, R"({"purpose":"chat"})", plain, error));
  CHECK(records_in(dir) == before);   // buffered
  Decision duty = c.program->evaluate_json(R"({"purpose":"translation"})");
  REQUIRE(duty.outcome() == Outcome::allow);
  REQUIRE(!duty.obligations().empty());
  REQUIRE(rt->record(*c.program, nullptr, judging, R"({"purpose":"translation"})", duty, error));
  CHECK(records_in(dir) == before + 2);   // durable, taking the buffered one with it
  CHECK(log.buffered() == 0);
}

TEST_CASE("a full disk fails the append (the decision denies RL5009) and the log recovers without a restart") {
  TempDir tmp;
  SmallDisk disk(tmp / "disk", "256k");
  if (!disk.ok) {
    MESSAGE("skipped: cannot mount a tmpfs here (needs root): " << std::strerror(errno));
    return;
  }
  std::string path = disk.path + "/state";
  auto dir = redline::testing::open_state(path);
  auto opened = AuditLog::open(dir, {.background = false});
  REQUIRE(opened.ok());
  auto& log = **opened.value;
  REQUIRE(log.append(rec(0)));
  fill(disk.path + "/filler");
  std::string error;
  int failed = 0;
  for (int i = 1; i < 200 && failed == 0; ++i)
    if (!log.append("{\"type\":\"test\",\"pad\":\"" + std::string(512, 'p') + "\"}", Durability::written, &error)) ++failed;
  REQUIRE(failed == 1);
  CHECK(error.find("cannot write the audit log") != std::string::npos);
  CHECK(!log.healthy());
  std::uint64_t kept = records_in(dir);
  // Nothing half-written: the log verifies, and holds exactly what was acknowledged.
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.warning.empty());
  std::filesystem::remove(disk.path + "/filler");
  CHECK(log.append(rec(1000), Durability::durable, &error));
  CHECK(log.healthy());
  CHECK(records_in(dir) == kept + 1);

  // Through the public API: a decision that cannot be recorded is a deny with RL5009,
  // and deciding works again once space is freed.
  CompileResult c = compile_source("purposes { chat }\npolicy \"p\" { default allow }\n", "a.pol");
  REQUIRE(c.ok());
  std::string trail_error;
  auto trail = AuditTrail::open(disk.path + "/state2", {}, trail_error);
  REQUIRE_MESSAGE(trail, trail_error);
  fill(disk.path + "/filler");
  bool denied = false;
  for (int i = 0; i < 400 && !denied; ++i) {
    auto out = nlohmann::json::parse(trail->decide_json(*c.program, R"({"purpose":"chat"})", nullptr));
    if (out["decision"] == "deny") {
      CHECK(out["error"]["code"] == "RL5009");
      denied = true;
    }
  }
  CHECK(denied);
  std::filesystem::remove(disk.path + "/filler");
  auto again = nlohmann::json::parse(trail->decide_json(*c.program, R"({"purpose":"chat"})", nullptr));
  CHECK(again["decision"] == "allow");
}

TEST_CASE("kill -9 loop: a real `redline eval --state` loses no acknowledged decision (default durability)") {
  ::signal(SIGPIPE, SIG_IGN);   // the feeder writes to a process that gets killed
  TempDir tmp;
  std::string state = tmp / "state", policy = tmp / "p.pol";
  redline::testing::write_file(policy, "purposes { chat translation }\npolicy \"p\" {\n  default allow\n}\n");
  std::mt19937 rng(7);
  std::uint64_t acked_total = 0;
  for (int round = 0; round < 10; ++round) {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
      ::execl(REDLINE_CLI_PATH, REDLINE_CLI_PATH, "eval", "--state", state.c_str(), policy.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    // Feed requests from a thread; count decision lines the process has given back.
    std::atomic<bool> stop{false};
    std::thread feeder([&] {
      std::string batch;
      for (int i = 0; i < 64; ++i) batch += R"({"purpose":"chat","actor":{"id":"a"}})" "\n";
      while (!stop.load())
        if (::write(in[1], batch.data(), batch.size()) <= 0) break;
    });
    std::uint64_t acked = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 400)(rng));
    char buf[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) acked += buf[i] == '\n';
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    stop.store(true);
    feeder.join();    // its write fails with EPIPE once the process is gone
    ::close(in[1]);
    // Lines already in the pipe were acknowledged too.
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
      for (ssize_t i = 0; i < n; ++i) acked += buf[i] == '\n';
    ::close(out[0]);
    CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "eval ended on its own, status ", status);
    acked_total += acked;
    auto dir = state::StateDir::open(state, false);
    REQUIRE(dir.ok());
    std::uint64_t decisions = 0;
    std::string error;
    REQUIRE(for_each_record(
        *dir.value,
        [&](std::uint64_t, std::string_view p) { return decisions += p.starts_with("{\"type\":\"decision\""), true; }, error));
    INFO("round " << round);
    CHECK(decisions >= acked_total);   // 0 lost: every acknowledged decision has its record
    acked_total = decisions;           // the next round counts on top of what is logged
    VerifyReport v = verify_log(*dir.value);
    CHECK_MESSAGE(v.ok, v.error);
  }
  MESSAGE("kill -9 loop: 10 rounds, " << acked_total << " decisions logged, 0 acknowledged lost");
}
