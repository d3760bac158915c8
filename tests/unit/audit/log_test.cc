// Tests for audit/log_format.h and audit/log.h: CRC-32C and frames, group
// commit (threads and two writers sharing a folder), sequence numbers,
// checkpoints (every N records, on demand, on close), torn-tail handling,
// and records with masking (audit/record.h).
#include "audit/log.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "audit/log_format.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "audit_support.h"
#include "redline/engine.h"

namespace {

using namespace redline;
using namespace redline::audit;
using redline::testing::TempDir;

std::string rec(int n) { return "{\"type\":\"test\",\"n\":" + std::to_string(n) + "}"; }

std::unique_ptr<AuditLog> open_log(const state::StateDir& dir, LogOptions o = {}) {
  auto r = AuditLog::open(dir, o);
  REQUIRE_MESSAGE(r.ok(), r.error);
  return std::move(*r.value);
}

}  // namespace

TEST_CASE("crc32c matches the standard check value") {
  CHECK(crc32c(redline::crypto::bytes_of("123456789")) == 0xE3069283u);
  CHECK(crc32c(redline::crypto::bytes_of("")) == 0u);
}

TEST_CASE("frames round-trip and a cut or flipped frame is detected") {
  std::string buf;
  append_frame(buf, 0, "hello");
  append_frame(buf, 1, "");
  append_frame(buf, 2, std::string(1000, 'x'));
  Frame f = read_frame(buf, 0);
  REQUIRE(f.status == FrameStatus::ok);
  CHECK(f.payload == "hello");
  CHECK(f.seq == 0);
  Frame g = read_frame(buf, f.size);
  REQUIRE(g.status == FrameStatus::ok);
  CHECK(g.payload.empty());
  CHECK(g.seq == 1);
  Frame h = read_frame(buf, f.size + g.size);
  REQUIRE(h.status == FrameStatus::ok);
  CHECK(h.payload.size() == 1000);
  CHECK(read_frame(buf, buf.size()).status == FrameStatus::end);
  for (std::size_t cut = 1; cut < f.size; ++cut) CHECK(read_frame(std::string_view(buf).substr(0, cut), 0).status == FrameStatus::truncated);
  for (std::size_t i = 0; i < f.size; ++i) {
    std::string bad = buf;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    CHECK(read_frame(bad, 0).status != FrameStatus::ok);
  }
}

TEST_CASE("an audit log numbers records, checkpoints them and survives reopening") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  {
    auto log = open_log(dir, {.checkpoint_every = 100});
    for (int i = 0; i < 250; ++i) REQUIRE(log->append(rec(i)));
    auto s = log->append_durable(rec(250));
    REQUIRE(s.ok());
    CHECK(*s.value == 250);
    CHECK(log->size() == 251);
    auto c = latest_checkpoint(dir);
    REQUIRE(c.ok());
    REQUIRE(c.value->has_value());
    CHECK((*c.value)->size >= 200);  // every 100 records at least
    auto d = log->append_durable(rec(251), true);
    REQUIRE(d.ok());
    c = latest_checkpoint(dir);
    CHECK((*c.value)->size == 252);  // checkpoint_after covers the record at once
    for (int i = 252; i < 300; ++i) REQUIRE(log->append(rec(i)));
  }  // closing flushes and writes a final checkpoint
  VerifyReport v = verify_log(dir);
  REQUIRE_MESSAGE(v.ok, v.error);
  CHECK(v.records == 300);
  CHECK(v.covered == 300);
  CHECK(v.warning.empty());
  auto log = open_log(dir);
  CHECK(log->size() == 300);
  CHECK(log->open_report().empty());
  auto s = log->append_durable(rec(300));
  REQUIRE(s.ok());
  CHECK(*s.value == 300);
  std::vector<int> seen;
  std::string error;
  REQUIRE(for_each_record(
      dir, [&](std::uint64_t, std::string_view p) { return seen.push_back(nlohmann::json::parse(p)["n"].get<int>()), true; }, error));
  REQUIRE(seen.size() == 301);
  for (int i = 0; i <= 300; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("group commit: concurrent durable appends get distinct sequence numbers") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto log = open_log(dir);
  std::vector<std::vector<std::uint64_t>> seqs(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto s = log->append_durable(rec(t * 1000 + i));
        if (s.ok()) seqs[static_cast<std::size_t>(t)].push_back(*s.value);
      }
    });
  for (auto& th : threads) th.join();
  std::set<std::uint64_t> all;
  for (const auto& v : seqs) all.insert(v.begin(), v.end());
  CHECK(all.size() == 800);
  CHECK(*all.rbegin() == 799);
  log.reset();
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.records == 800);
}

TEST_CASE("two writers sharing a state folder interleave safely") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto a = open_log(dir, {.background = false});
  auto b = open_log(dir, {.background = false});
  std::set<std::uint64_t> seqs;
  for (int i = 0; i < 50; ++i) {
    auto x = a->append_durable(rec(i), i % 7 == 0);
    auto y = b->append_durable(rec(1000 + i), i % 5 == 0);
    REQUIRE_MESSAGE(x.ok(), x.error);
    REQUIRE_MESSAGE(y.ok(), y.error);
    seqs.insert(*x.value);
    seqs.insert(*y.value);
  }
  CHECK(seqs.size() == 100);
  a.reset();
  b.reset();
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.records == 100);
  CHECK(v.covered == 100);
}

TEST_CASE("a torn tail is reported by verify and cut (and reported) by the next writer") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  { auto log = open_log(dir); for (int i = 0; i < 10; ++i) REQUIRE(log->append(rec(i))); }
  std::string torn;
  append_frame(torn, 10, rec(10));
  std::string data = redline::testing::read_file(dir.file("audit.log"));
  redline::testing::write_file(dir.file("audit.log"), data + torn.substr(0, torn.size() / 2));
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.warning.find("incomplete tail") != std::string::npos);
  auto log = open_log(dir);
  CHECK(log->open_report().find("torn tail") != std::string::npos);
  CHECK(log->size() == 10);
  auto s = log->append_durable(rec(10));
  REQUIRE(s.ok());
  CHECK(*s.value == 10);
  log.reset();
  v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.warning.empty());
  CHECK(v.records == 11);
}

TEST_CASE("a future state-folder format is refused; a new folder is created with its secrets") {
  TempDir tmp;
  auto d = state::StateDir::open(tmp / "new", true);
  REQUIRE_MESSAGE(d.ok(), d.error);
  CHECK(redline::testing::read_file(tmp / "new/FORMAT") == "redline-state 1\n");
  CHECK(d.value->signer().has_value());
  CHECK(d.value->salt().size() == 32);
  CHECK(!state::StateDir::open(tmp / "missing", false).ok());
  redline::testing::write_file(tmp / "future/FORMAT", "redline-state 7\n");
  auto f = state::StateDir::open(tmp / "future", true);
  REQUIRE(!f.ok());
  CHECK(f.error.find("format version 7") != std::string::npos);
  CHECK(!std::filesystem::exists(tmp / "future/key"));  // untouched
  redline::testing::write_file(tmp / "new/mask.json", "{\"fields\": [\"actor/id\"]}");
  CHECK(!state::StateDir::open(tmp / "new", false).ok());
  redline::testing::write_file(tmp / "new/mask.json", "{\"fields\": [\"/actor/id\"]}");
  auto m = state::StateDir::open(tmp / "new", false);
  REQUIRE(m.ok());
  CHECK(m.value->mask() == std::vector<std::string>{"/actor/id"});
}

TEST_CASE("decision records mask named fields with a salted hash and stay verifiable") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  CompileResult c = compile_source(redline::testing::kSwitchPolicy, "ks.pol");
  REQUIRE(c.ok());
  std::string request = R"({"purpose":"weapons.engagement","actor":{"id":"agent-7","role":"analyst"}})";
  Decision d = c.program->evaluate_json(request);
  std::vector<std::string> fields = {"/actor/id", "/not/there"};
  std::string payload = decision_record(*c.program, request, d, nullptr, Masking{dir.salt(), fields}, "2026-01-01T00:00:00Z");
  auto j = nlohmann::json::parse(payload);
  CHECK(j["type"] == "decision");
  CHECK(j["decision"] == "deny");
  CHECK(j["policy"] == c.program->hash());
  CHECK(j["layer"] == "ks");
  CHECK(j["request"]["actor"]["role"] == "analyst");
  CHECK(j["request"]["actor"]["id"] == masked_value(dir.salt(), "\"agent-7\""));
  CHECK(j["masked"] == nlohmann::json::array({"/actor/id"}));
  CHECK(j["request_digest"] == redline::crypto::sha256_tagged_hex(request));
  CHECK(payload.find("agent-7") == std::string::npos);
  {
    auto log = open_log(dir);
    REQUIRE(log->append_durable(payload).ok());
  }
  VerifyReport v = verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  auto p = prove_inclusion(dir, 0);
  REQUIRE_MESSAGE(p.ok(), p.error);
  CHECK(p.value->record == payload);
  CHECK(verify_inclusion(0, p.value->tree_size, leaf_hash(payload), p.value->path, p.value->root));
}

TEST_CASE("group commit: records appended together are one run under one checkpoint; concurrent checkpoints are shared") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  constexpr int kThreads = 8, kRounds = 20;
  std::vector<std::vector<std::uint64_t>> firsts(kThreads);
  {
    auto log = open_log(dir);
    REQUIRE(log->append(rec(-1)));
    auto run = log->append_durable(std::vector<std::string>{rec(1000), rec(1001), rec(1002)}, true);
    REQUIRE(run.ok());
    CHECK(*run.value == 1);   // the first of the three
    auto c = latest_checkpoint(dir);
    REQUIRE(c.ok());
    REQUIRE(c.value->has_value());
    CHECK((*c.value)->size == 4);   // covers all three at once

    // Many threads, each appending a run of three with a checkpoint: every
    // run stays contiguous, and each returns covered by a checkpoint.
    std::vector<std::thread> threads;
    std::atomic<int> uncovered{0};
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int k = 0; k < kRounds; ++k) {
          int base = 10000 * (t + 1) + 10 * k;
          auto r = log->append_durable(std::vector<std::string>{rec(base), rec(base + 1), rec(base + 2)}, true);
          REQUIRE(r.ok());
          firsts[static_cast<std::size_t>(t)].push_back(*r.value);
          auto latest = latest_checkpoint(dir);
          if (!latest.ok() || !latest.value->has_value() || (*latest.value)->size < *r.value + 3) ++uncovered;
        }
      });
    for (auto& t : threads) t.join();
    CHECK(uncovered == 0);
  }
  std::map<std::uint64_t, int> by_seq;
  std::string error;
  REQUIRE(for_each_record(
      dir, [&](std::uint64_t seq, std::string_view p) { return by_seq[seq] = nlohmann::json::parse(p)["n"].get<int>(), true; }, error));
  CHECK(by_seq.size() == 4 + kThreads * kRounds * 3);
  for (int t = 0; t < kThreads; ++t)
    for (int k = 0; k < kRounds; ++k) {
      std::uint64_t first = firsts[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)];
      int base = 10000 * (t + 1) + 10 * k;
      CHECK(by_seq[first] == base);
      CHECK(by_seq[first + 1] == base + 1);
      CHECK(by_seq[first + 2] == base + 2);
    }
  VerifyReport v = verify_log(dir);
  REQUIRE_MESSAGE(v.ok, v.error);
  // Shared: fewer checkpoints than requests for one (plus the first, the run's and the close's).
  CHECK(v.checkpoints <= static_cast<std::uint64_t>(kThreads * kRounds) + 3);
  MESSAGE("checkpoints for " << kThreads * kRounds << " concurrent requests: " << v.checkpoints);
}
