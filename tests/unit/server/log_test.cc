// The operator's log of `redline serve`: repeated identical lines are counted,
// not written, so a flood (of failed accepts, of bad requests from one
// address) cannot flood stderr.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "audit/audit_support.h"
#include "server/log.h"

using namespace redline::server;
using namespace redline::testing;

namespace {

/// Runs `f` with stderr sent to a file; returns what it wrote.
template <class F>
std::string capture_stderr(F f) {
  TempDir tmp;
  std::string path = tmp / "err";
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  return read_file(path);
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("server log: identical lines within the window are counted, and the count is written with the next one") {
  std::string first = capture_stderr([] {
    for (int i = 0; i < 1000; ++i) log_event("warning", "accept_paused", {{"reason", "too many open files (test)"}});
    // The same event from other ports of one address is the same line.
    for (int i = 0; i < 100; ++i) {
      std::string peer = "10.9.8.7:" + std::to_string(40000 + i);
      log_event("warning", "bad_http_test", {{"peer", peer}, {"reason", "x"}});
    }
    log_event("warning", "bad_http_test", {{"peer", "10.9.8.6:1"}, {"reason", "x"}});   // another address: its own line
  });
  CHECK(lines(first) == 3);
  CHECK(first.find("\"event\":\"accept_paused\"") != std::string::npos);
  CHECK(first.find("\"repeated\"") == std::string::npos);
  std::this_thread::sleep_for(kLogRepeatWindow + std::chrono::milliseconds(50));
  std::string later = capture_stderr([] { log_event("warning", "accept_paused", {{"reason", "too many open files (test)"}}); });
  CHECK(lines(later) == 1);
  CHECK(later.find("\"repeated\":\"999\"") != std::string::npos);
}
