// The audit log keeps writing when the process is out of file descriptors
// (what a connection flood against `redline serve` does): its files, the
// lock included, are opened once, at start, so a group commit needs no new
// descriptor. Before, each batch opened DIR/lock, failed with "too many open
// files", and the log stayed failed — every later decision denied RL5009.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include "audit/audit_support.h"
#include "audit/log.h"

using namespace redline;
using namespace redline::testing;

TEST_CASE("audit log: group commits and checkpoints need no new descriptor") {
  TempDir tmp;
  auto dir = open_state(tmp / "st");
  audit::LogOptions o;
  o.background = false;
  auto opened = audit::AuditLog::open(dir, o);
  REQUIRE_MESSAGE(opened.ok(), opened.error);
  auto& log = **opened.value;

  // Take every free descriptor, so that any open() fails with EMFILE.
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = 256;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<int> hog;
  int base = ::open("/dev/null", O_RDONLY);
  REQUIRE(base >= 0);
  hog.push_back(base);
  for (int fd; (fd = ::dup(base)) >= 0;) hog.push_back(fd);
  std::string error;
  bool appended = log.append(R"({"type":"decision","test":1})", &error);
  bool flushed = appended && log.flush(&error);
  bool checkpointed = flushed && log.checkpoint(&error);
  for (int fd : hog) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);

  CHECK(!hog.empty());
  CHECK_MESSAGE(appended, error);
  CHECK_MESSAGE(flushed, error);
  CHECK_MESSAGE(checkpointed, error);
  CHECK(log.failure().empty());
  CHECK(log.size() == 1);
}
