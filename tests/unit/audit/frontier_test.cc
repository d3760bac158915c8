// The stored frontier of audit/log.h: a reopened log starts from the tree
// state at a signed checkpoint and reads only the records after it (switch
// flips included), yet an altered record before the frontier is still found —
// before open returns without a background thread, by a thread of its own
// with one (the log then stops: appends fail). A damaged or forged frontier
// is not used: the whole log is read, as before.
#include <doctest/doctest.h>

#include "audit/log.h"
#include "audit/log_format.h"
#include "audit/verify.h"
#include "audit_support.h"

namespace {

using namespace redline;
using namespace redline::audit;
using redline::testing::read_file;
using redline::testing::TempDir;
using redline::testing::write_file;

std::string switch_record(const std::string& name, const std::string& action) {
  return "{\"type\":\"switch\",\"switch\":\"" + name + "\",\"action\":\"" + action +
         "\",\"result\":\"applied\",\"by\":\"ops\",\"role\":\"safety\",\"because\":\"drill\",\"time\":\"2026-12-05T00:00:00Z\"}";
}

// Writes 40 records (a trip of `s` at 5, of `t` at 30 and its reset at 31), checkpointed every 8.
void fill(const state::StateDir& dir) {
  auto log = AuditLog::open(dir, {.checkpoint_every = 8, .background = false, .frontier_every = 16});
  REQUIRE(log.ok());
  for (int i = 0; i < 40; ++i) {
    std::string payload = "{\"type\":\"test\",\"n\":" + std::to_string(10 + i) + "}";
    if (i == 5) payload = switch_record("s", "trip");
    if (i == 30) payload = switch_record("t", "trip");
    if (i == 31) payload = switch_record("t", "reset");
    REQUIRE((*log.value)->append_durable(payload).ok());
  }
}

LogOptions resuming(bool background) {
  LogOptions o;
  o.checkpoint_every = 8;
  o.background = background;
  o.resume_from_frontier = true;
  return o;
}

// Rewrites record `seq` in place with a payload of the same length (frame offsets unchanged).
void alter(const state::StateDir& dir, std::uint64_t seq, const std::string& payload) {
  std::string data = read_file(dir.file("audit.log")), out;
  std::size_t off = 0;
  for (Frame f; (f = read_frame(data, off)).status == FrameStatus::ok; off += f.size) {
    std::string p(f.payload);
    if (f.seq == seq) {
      REQUIRE(payload.size() == p.size());
      p = payload;
    }
    append_frame(out, f.seq, p);
  }
  REQUIRE(out.size() == data.size());
  write_file(dir.file("audit.log"), out);
}

}  // namespace

TEST_CASE("frontier: a reopened log starts after the last checkpoint, with the switch flips before it") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  CHECK(std::filesystem::exists(dir.file("frontier")));
  auto log = AuditLog::open(dir, resuming(false));
  REQUIRE_MESSAGE(log.ok(), log.error);
  CHECK((*log.value)->resumed_from() == 40);
  CHECK((*log.value)->size() == 40);
  auto flips = (*log.value)->switch_flips(false);
  REQUIRE(flips.count("s"));
  CHECK(flips["s"].tripped);
  CHECK(flips["s"].seq == 5);
  CHECK(flips["s"].by == "ops");
  REQUIRE(flips.count("t"));
  CHECK_FALSE(flips["t"].tripped);
  CHECK(flips["t"].seq == 31);
  // It goes on from there: the next record is 40, and the whole log verifies.
  auto seq = (*log.value)->append_durable("{\"type\":\"test\",\"n\":99}", true);
  REQUIRE(seq.ok());
  CHECK(*seq.value == 40);
  log.value.reset();
  write_file(dir.file("switches.json"), "{\"switches\":{\"s\":{\"tripped\":true}}}");   // the cache a real flip writes
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  // Without the option the whole log is read, to the same state.
  auto full = AuditLog::open(dir, {.background = false});
  REQUIRE(full.ok());
  CHECK((*full.value)->resumed_from() == 0);
  CHECK((*full.value)->size() == 41);
  CHECK((*full.value)->switch_flips(false)["s"].tripped);
}

TEST_CASE("frontier: records after it are read, and a frontier older than the last checkpoint still serves") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  std::string stored = read_file(dir.file("frontier"));
  {
    auto log = AuditLog::open(dir, {.checkpoint_every = 8, .background = false, .frontier_every = 1000});
    REQUIRE(log.ok());
    for (int i = 0; i < 3; ++i) REQUIRE((*log.value)->append_durable(switch_record("u", "trip")).ok());
  }
  write_file(dir.file("frontier"), stored);   // back to the frontier at 40
  auto log = AuditLog::open(dir, resuming(false));
  REQUIRE_MESSAGE(log.ok(), log.error);
  CHECK((*log.value)->resumed_from() == 40);
  CHECK((*log.value)->size() == 43);
  auto flips = (*log.value)->switch_flips(false);
  CHECK(flips["u"].tripped);
  CHECK(flips["u"].seq == 42);
  CHECK(flips["s"].tripped);
}

TEST_CASE("frontier: a record altered before the frontier is caught before open returns (no background thread)") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  alter(dir, 13, "{\"type\":\"test\",\"n\":99}");
  auto log = AuditLog::open(dir, resuming(false));
  CHECK_FALSE(log.ok());
  CHECK(log.error.find("does not match its signed checkpoint of 40 records") != std::string::npos);
}

TEST_CASE("frontier: a record altered before the frontier stops the log once the background check finds it") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  alter(dir, 13, "{\"type\":\"test\",\"n\":99}");
  auto log = AuditLog::open(dir, resuming(true));
  REQUIRE_MESSAGE(log.ok(), log.error);   // it starts at once, from the frontier...
  CHECK((*log.value)->resumed_from() == 40);
  CHECK_FALSE((*log.value)->wait_prefix_check());   // ...and the check of the older records fails
  CHECK((*log.value)->failure().find("does not match its signed checkpoint") != std::string::npos);
  std::string error;
  CHECK_FALSE((*log.value)->append("{\"type\":\"test\",\"n\":1}", Durability::written, &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("frontier: an untouched log passes the background check") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  auto log = AuditLog::open(dir, resuming(true));
  REQUIRE(log.ok());
  CHECK((*log.value)->wait_prefix_check());
  CHECK((*log.value)->healthy());
  CHECK((*log.value)->append("{\"type\":\"test\",\"n\":1}", Durability::durable, nullptr));
}

TEST_CASE("frontier: a damaged, forged or mismatched frontier is not used; the whole log is read") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir);
  std::string stored = read_file(dir.file("frontier"));
  std::size_t nl = stored.find('\n');
  REQUIRE(nl != std::string::npos);
  std::string body = stored.substr(0, nl);
  SUBCASE("garbage") { write_file(dir.file("frontier"), "not a frontier"); }
  SUBCASE("a changed body under the old MAC (a forged offset)") {
    std::string forged = body;
    auto at = forged.find("\"offset\":");
    REQUIRE(at != std::string::npos);
    forged.insert(at + 9, "1");
    write_file(dir.file("frontier"), forged + stored.substr(nl));
  }
  SUBCASE("a MAC of another key") {
    std::string mac = stored.substr(nl + 1);
    mac[0] = mac[0] == '0' ? '1' : '0';
    write_file(dir.file("frontier"), body + "\n" + mac);
  }
  auto log = AuditLog::open(dir, resuming(false));
  REQUIRE_MESSAGE(log.ok(), log.error);
  CHECK((*log.value)->resumed_from() == 0);
  CHECK((*log.value)->size() == 40);
  CHECK((*log.value)->open_report().find("the stored frontier was not used") != std::string::npos);
  CHECK((*log.value)->switch_flips(false)["s"].tripped);
}
