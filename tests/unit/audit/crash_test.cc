// The crash loop for audit/log.h: a forked writer appends in strict mode
// (plus some buffered records) and reports every acknowledged sequence
// number through a pipe; it is killed with SIGKILL at a random moment; then
// the log must verify (a torn tail is only a warning), reopen without a
// tampering report, and hold every acknowledged record. Bounded: 20 rounds.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "audit/log.h"
#include "audit/verify.h"
#include "audit_support.h"

namespace {

using namespace redline;
using namespace redline::audit;

struct Ack {
  std::uint64_t seq;
  std::uint64_t n;
};

// The child: appends forever, acknowledging each durable record.
[[noreturn]] void writer(const state::StateDir& dir, int ack_fd, std::uint64_t start) {
  auto log = AuditLog::open(dir, {.flush_interval = std::chrono::milliseconds(1), .checkpoint_every = 64});
  if (!log.ok()) _exit(3);
  for (std::uint64_t n = start;; ++n) {
    std::string payload = "{\"type\":\"test\",\"n\":" + std::to_string(n) + ",\"pad\":\"" + std::string(n % 200, 'p') + "\"}";
    if (n % 3 == 0) {
      if (!(*log.value)->append(payload)) _exit(4);  // buffered: not acknowledged
      continue;
    }
    auto s = (*log.value)->append_durable(payload, n % 50 == 0);
    if (!s.ok()) _exit(5);
    Ack a{*s.value, n};
    if (::write(ack_fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(6);
  }
}

}  // namespace

TEST_CASE("crash loop: kill -9 a strict writer repeatedly; no acknowledged record is lost") {
  redline::testing::TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  std::mt19937 rng(12345);
  std::map<std::uint64_t, std::uint64_t> acked;  // seq -> n
  std::uint64_t next_n = 0;
  int torn_seen = 0;
  for (int round = 0; round < 20; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer(dir, fds[1], next_n);
    }
    ::close(fds[1]);
    // Kill only after a first acknowledgement, so every round has something to
    // lose however slow the machine is (no timing assumption); then at a random moment.
    Ack first{};
    if (::read(fds[0], &first, sizeof first) == static_cast<ssize_t>(sizeof first)) {
      acked[first.seq] = first.n;
      next_n = std::max(next_n, first.n + 1);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(2000, 60000)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "the writer exited on its own, status ", status);
    Ack a{};
    for (ssize_t got; (got = ::read(fds[0], &a, sizeof a)) == static_cast<ssize_t>(sizeof a);) {
      acked[a.seq] = a.n;
      next_n = std::max(next_n, a.n + 1);
    }
    ::close(fds[0]);
    next_n += 1000;  // fresh numbers for the next writer

    VerifyReport v = verify_log(dir);
    REQUIRE_MESSAGE(v.ok, "round ", round, ": ", v.error);
    if (!v.warning.empty()) ++torn_seen;
    {
      auto log = AuditLog::open(dir, {.background = false});
      REQUIRE_MESSAGE(log.ok(), "round ", round, ": ", log.error);
    }
    std::map<std::uint64_t, std::uint64_t> present;
    std::string error;
    REQUIRE(for_each_record(
        dir,
        [&](std::uint64_t seq, std::string_view p) {
          auto j = nlohmann::json::parse(p, nullptr, false);
          if (!j.is_discarded() && j.contains("n")) present[seq] = j["n"].get<std::uint64_t>();
          return true;
        },
        error));
    for (const auto& entry : acked) {   // not a structured binding: clang 14 cannot capture one in doctest's lambdas
      const std::uint64_t seq = entry.first;
      auto it = present.find(seq);
      REQUIRE_MESSAGE(it != present.end(), "round ", round, ": acknowledged record ", seq, " is missing");
      CHECK(it->second == entry.second);
    }
  }
  CHECK(acked.size() >= 20);   // at least one acknowledged record per round
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  MESSAGE("crash loop: ", acked.size(), " acknowledged records over 20 kills; ", v.records, " records; torn tails seen ", torn_seen);
}
