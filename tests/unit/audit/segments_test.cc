// Log segments (audit/segments.h): a writer seals the active segment once it
// is large enough, the next one opens with a segment record that proves it
// continues the log, and every reader — verify, record iteration, proofs, a
// writer starting again, another writer of the same folder — sees one log.
// Sealed segments can be archived (moved away) and still verified from the
// signed checkpoint at the oldest one at hand; a segment removed from the
// middle, an altered sealed segment or an emptied active segment is refused.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "audit/log.h"
#include "audit/log_format.h"
#include "audit/segments.h"
#include "audit/verify.h"
#include "audit_support.h"

namespace {

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::audit;
using redline::testing::TempDir;

LogOptions small_segments() {
  LogOptions o;
  o.checkpoint_every = 8;
  o.background = false;
  o.segment_bytes = 600;   // about a dozen records per segment
  return o;
}

std::string test_record(int n) { return "{\"type\":\"test\",\"n\":" + std::to_string(n) + ",\"pad\":\"xxxxxxxxxx\"}"; }

void append_range(AuditLog& log, int from, int to) {
  for (int i = from; i < to; ++i) REQUIRE(log.append_durable(test_record(i)).ok());
}

void fill(const state::StateDir& dir, int n) {
  auto log = AuditLog::open(dir, small_segments());
  REQUIRE_MESSAGE(log.ok(), log.error);
  append_range(**log.value, 0, n);
}

std::vector<SegmentFile> segments_of(const state::StateDir& dir) {
  std::vector<SegmentFile> files;
  std::string error;
  REQUIRE_MESSAGE(list_segments(dir, {}, files, error), error);
  return files;
}

// The `n` of every test record, in log order, and the sequence numbers seen.
std::vector<int> test_numbers(const state::StateDir& dir, std::vector<std::uint64_t>* seqs = nullptr) {
  std::vector<int> out;
  std::string error;
  REQUIRE(for_each_record(
      dir,
      [&](std::uint64_t seq, std::string_view p) {
        if (seqs) seqs->push_back(seq);
        if (p.starts_with("{\"type\":\"test\",\"n\":")) out.push_back(std::stoi(std::string(p.substr(19))));
        return true;
      },
      error));
  return out;
}

std::vector<int> iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

// Flips one byte inside the payload of the first test record of a segment file
// and fixes its CRC, so that only the Merkle roots can tell.
void alter_inside(const std::string& path) {
  std::string data = redline::testing::read_file(path), out;
  std::size_t off = 0;
  bool done = false;
  for (Frame f; (f = read_frame(data, off)).status == FrameStatus::ok; off += f.size) {
    std::string p(f.payload);
    if (!done && p.starts_with("{\"type\":\"test\"")) {
      p[p.size() - 3] = 'y';
      done = true;
    }
    append_frame(out, f.seq, p);
  }
  REQUIRE(done);
  redline::testing::write_file(path, out);
}

}  // namespace

TEST_CASE("segments: a sealed log reads, verifies and proves as one log") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir, 60);
  auto files = segments_of(dir);
  REQUIRE(files.size() >= 4);
  CHECK(files.front().first == 0);
  CHECK(files.back().active);
  for (std::size_t i = 0; i + 1 < files.size(); ++i) {
    CHECK(files[i].first < files[i + 1].first);
    CHECK(fs::exists(dir.file(segment_file_name(files[i].first))));
  }
  // Each later segment opens with its segment record, numbered globally.
  std::string active = redline::testing::read_file(dir.file("audit.log"));
  Frame first = read_frame(active, 0);
  REQUIRE(first.status == FrameStatus::ok);
  CHECK(first.seq == files.back().first);
  auto start = parse_segment_record(first.payload);
  REQUIRE(start);
  CHECK(start->first == first.seq);

  std::vector<std::uint64_t> seqs;
  CHECK(test_numbers(dir, &seqs) == iota(60));
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i);
  VerifyReport r = verify_log(dir);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.records == seqs.size());
  CHECK(r.segments == files.size());
  CHECK(r.archived == 0);
  // A record of the first segment is proved against the latest checkpoint.
  auto proof = prove_inclusion(dir, 2);
  REQUIRE_MESSAGE(proof.ok(), proof.error);
  CHECK(verify_inclusion(proof.value->seq, proof.value->tree_size, proof.value->leaf, proof.value->path, proof.value->root));
}

TEST_CASE("segments: a writer starts from the active segment and still checks the sealed ones") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir, 60);
  fs::remove(dir.file("frontier"));
  std::uint64_t active_first = segments_of(dir).back().first;
  {
    auto log = AuditLog::open(dir, small_segments());
    REQUIRE_MESSAGE(log.ok(), log.error);
    CHECK((*log.value)->resumed_from() == active_first);
    append_range(**log.value, 60, 70);
  }
  CHECK(test_numbers(dir) == iota(70));
  VerifyReport ok = verify_log(dir);
  CHECK_MESSAGE(ok.ok, ok.error);

  // One byte of the oldest segment altered: the writer's check and verify both see it.
  alter_inside(dir.file(segment_file_name(0)));
  fs::remove(dir.file("frontier"));
  auto refused = AuditLog::open(dir, small_segments());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error.find("does not match the signed checkpoint") != std::string::npos);
  VerifyReport bad = verify_log(dir);
  CHECK_FALSE(bad.ok);
  REQUIRE(bad.bad_record);
  CHECK(*bad.bad_record < segments_of(dir)[1].first);
}

TEST_CASE("segments: archived leading segments are verified from the signed checkpoint at the first one present") {
  TempDir tmp, archive;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir, 60);
  auto files = segments_of(dir);
  std::uint64_t kept_from = files[1].first;
  fs::rename(files[0].path, archive / fs::path(files[0].path).filename().string());

  VerifyReport strict = verify_log(dir);
  CHECK_FALSE(strict.ok);
  CHECK(strict.error.find("archived") != std::string::npos);
  VerifyExpect allow;
  allow.allow_archived = true;
  VerifyReport from_checkpoint = verify_log(dir, {}, allow);
  REQUIRE_MESSAGE(from_checkpoint.ok, from_checkpoint.error);
  CHECK(from_checkpoint.archived == kept_from);
  CHECK(from_checkpoint.warning.find("archived") != std::string::npos);
  VerifyExpect with_archive;
  with_archive.segment_dirs = {archive.path()};
  VerifyReport whole = verify_log(dir, {}, with_archive);
  REQUIRE_MESSAGE(whole.ok, whole.error);
  CHECK(whole.archived == 0);

  // Reading skips what is archived; a proof needs it.
  std::vector<std::uint64_t> seqs;
  test_numbers(dir, &seqs);
  REQUIRE_FALSE(seqs.empty());
  CHECK(seqs.front() == kept_from);
  CHECK_FALSE(prove_inclusion(dir, kept_from + 1).ok());

  // Writers go on without the archived segments.
  fs::remove(dir.file("frontier"));
  {
    auto log = AuditLog::open(dir, small_segments());
    REQUIRE_MESSAGE(log.ok(), log.error);
    append_range(**log.value, 60, 65);
  }
  VerifyReport after = verify_log(dir, {}, allow);
  CHECK_MESSAGE(after.ok, after.error);
}

TEST_CASE("segments: a segment removed from the middle, or an emptied active segment, is refused") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir, 60);
  auto files = segments_of(dir);
  REQUIRE(files.size() >= 4);
  SUBCASE("the middle") {
    fs::remove(files[1].path);
    VerifyExpect allow;
    allow.allow_archived = true;
    VerifyReport r = verify_log(dir, {}, allow);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("missing") != std::string::npos);
    fs::remove(dir.file("frontier"));
    auto log = AuditLog::open(dir, small_segments());
    REQUIRE_FALSE(log.ok());
    CHECK(log.error.find("missing") != std::string::npos);
  }
  SUBCASE("the active one emptied") {
    redline::testing::write_file(dir.file("audit.log"), "");
    CHECK_FALSE(verify_log(dir).ok);
    CHECK_FALSE(AuditLog::open(dir, small_segments()).ok());
  }
}

TEST_CASE("segments: two writers of one folder follow each other's rotations") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  auto a = AuditLog::open(dir, small_segments());
  auto b = AuditLog::open(dir, small_segments());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  for (int i = 0; i < 80; ++i) REQUIRE((i % 3 == 0 ? **b.value : **a.value).append_durable(test_record(i)).ok());
  a.value->reset();
  b.value->reset();
  CHECK(segments_of(dir).size() >= 4);
  CHECK(test_numbers(dir) == iota(80));
  VerifyReport r = verify_log(dir);
  CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("segments: a rotation cut short by a crash leaves a log that opens and verifies") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  fill(dir, 40);
  std::uint64_t active_first = segments_of(dir).back().first;
  // Linked but not yet replaced, and a new segment written but not renamed.
  std::string link = dir.file(segment_file_name(active_first));
  REQUIRE(::link(dir.file("audit.log").c_str(), link.c_str()) == 0);
  redline::testing::write_file(dir.file("audit.log.next"), "partial");
  CHECK(segments_of(dir).back().first == active_first);   // the link is not a sealed segment
  {
    auto log = AuditLog::open(dir, small_segments());
    REQUIRE_MESSAGE(log.ok(), log.error);
    CHECK_FALSE(fs::exists(link));
    CHECK_FALSE(fs::exists(dir.file("audit.log.next")));
    append_range(**log.value, 40, 50);
  }
  CHECK(test_numbers(dir) == iota(50));
  VerifyReport r = verify_log(dir);
  CHECK_MESSAGE(r.ok, r.error);
}

TEST_CASE("segments: switch flips before an archived segment are carried by the segment records") {
  TempDir tmp, archive;
  auto dir = redline::testing::open_state(tmp.path());
  {
    auto log = AuditLog::open(dir, small_segments());
    REQUIRE(log.ok());
    append_range(**log.value, 0, 2);
    REQUIRE((*log.value)
                ->append_durable("{\"type\":\"switch\",\"switch\":\"p/stop\",\"action\":\"trip\",\"result\":\"applied\",\"by\":\"ops\","
                                 "\"role\":\"safety\",\"because\":\"drill\",\"time\":\"2026-12-05T00:00:00Z\"}")
                .ok());
    append_range(**log.value, 2, 50);
  }
  auto files = segments_of(dir);
  REQUIRE(files.size() >= 3);
  fs::rename(files[0].path, archive / fs::path(files[0].path).filename().string());
  fs::remove(dir.file("frontier"));
  auto log = AuditLog::open(dir, small_segments());
  REQUIRE_MESSAGE(log.ok(), log.error);
  auto flips = (*log.value)->switch_flips(false);
  REQUIRE(flips.count("p/stop"));
  CHECK(flips["p/stop"].tripped);
  CHECK(flips["p/stop"].seq == 2);
  CHECK(flips["p/stop"].by == "ops");
}

TEST_CASE("segments: segment records round-trip and refuse what does not fit") {
  CompactRange tree;
  for (int i = 0; i < 11; ++i) tree.append(leaf_hash(test_record(i)));
  SegmentStart s{11, std::vector<Hash>(tree.hashes().begin(), tree.hashes().end()), {{"a/b", LoggedFlip{true, 3, "u", "r", "why", "t"}}}};
  std::string payload = segment_record(s, "2026-12-05T00:00:00Z");
  CHECK(is_segment_record(payload));
  auto back = parse_segment_record(payload);
  REQUIRE(back);
  CHECK(back->first == 11);
  REQUIRE(tree_before(*back));
  CHECK(tree_before(*back)->root() == tree.root());
  CHECK(back->flips.at("a/b").because == "why");
  // Hashes that do not fit the count are no tree.
  SegmentStart wrong = s;
  wrong.first = 12;
  CHECK_FALSE(tree_before(wrong));
  CHECK_FALSE(parse_segment_record("{\"type\":\"segment\",\"first\":\"x\"}"));
  CHECK(segment_file_name(42) == "segments/00000000000000000042.log");
}
