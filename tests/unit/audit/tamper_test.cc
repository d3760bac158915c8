// The tamper suite for audit/verify.h (and the refusal of audit/log.h to
// append to a tampered log): flip a byte, flip a byte and fix the frame,
// drop a record, drop and renumber, reorder, truncate (at a frame and inside
// one), replace a checkpoint (altered, or signed by another key), alter the
// policy store. Every one must be caught, naming the first bad record.
#include <doctest/doctest.h>

#include <functional>

#include "crypto/policy_hash.h"
#include "audit/checkpoint.h"
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

// The frames of a framed file, as (seq, payload) pairs.
std::vector<std::pair<std::uint64_t, std::string>> frames_of(const std::string& data) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::size_t off = 0;
  for (Frame f; (f = read_frame(data, off)).status == FrameStatus::ok; off += f.size) out.emplace_back(f.seq, std::string(f.payload));
  return out;
}

std::string framed(const std::vector<std::pair<std::uint64_t, std::string>>& frames) {
  std::string out;
  for (const auto& [seq, payload] : frames) append_frame(out, seq, payload);
  return out;
}

// Builds a sealed log of 40 records (checkpointed every 8) in a fresh folder,
// applies `tamper` to the folder, and returns what verify says.
VerifyReport tampered(const std::function<void(const state::StateDir&)>& tamper, bool* writer_refuses = nullptr) {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  {
    auto log = AuditLog::open(dir, {.checkpoint_every = 8, .background = false});
    REQUIRE(log.ok());
    for (int i = 0; i < 40; ++i) REQUIRE((*log.value)->append_durable("{\"type\":\"test\",\"n\":" + std::to_string(i) + "}").ok());
  }
  REQUIRE(verify_log(dir).ok);
  tamper(dir);
  VerifyReport r = verify_log(dir);
  if (writer_refuses) *writer_refuses = !AuditLog::open(dir, {.background = false}).ok();
  return r;
}

void edit_log(const state::StateDir& dir, const std::function<void(std::vector<std::pair<std::uint64_t, std::string>>&)>& edit) {
  auto frames = frames_of(read_file(dir.file("audit.log")));
  edit(frames);
  write_file(dir.file("audit.log"), framed(frames));
}

}  // namespace

TEST_CASE("tamper: a flipped byte is caught at its record") {
  bool refused = false;
  VerifyReport r = tampered(
      [](const state::StateDir& dir) {
        std::string data = read_file(dir.file("audit.log"));
        std::size_t off = 0;
        for (int k = 0; k < 19; ++k) off += read_frame(data, off).size;
        off += kFrameHeader + 3;  // a byte of record 19's payload
        data[off] = static_cast<char>(data[off] ^ 0x01);
        write_file(dir.file("audit.log"), data);
      },
      &refused);
  CHECK(!r.ok);
  REQUIRE(r.bad_record.has_value());
  CHECK(*r.bad_record == 19);
  CHECK(r.error.find("record 19") != std::string::npos);
  CHECK(refused);
}

TEST_CASE("tamper: an altered record with a recomputed frame is caught by the signed root") {
  bool refused = false;
  VerifyReport r = tampered([](const state::StateDir& dir) { edit_log(dir, [](auto& f) { f[13].second = "{\"type\":\"test\",\"n\":1300}"; }); },
                            &refused);
  CHECK(!r.ok);
  CHECK(r.error.find("does not match the records") != std::string::npos);
  REQUIRE(r.bad_record.has_value());
  CHECK(*r.bad_record == 8);  // the first record not yet proven by an earlier checkpoint
  CHECK(refused);
}

TEST_CASE("tamper: a dropped record is caught at its position") {
  VerifyReport r = tampered([](const state::StateDir& dir) { edit_log(dir, [](auto& f) { f.erase(f.begin() + 5); }); });
  CHECK(!r.ok);
  CHECK(r.bad_record == std::optional<std::uint64_t>(5));
  CHECK(r.error.find("record 5 is numbered 6") != std::string::npos);
}

TEST_CASE("tamper: a dropped record with the rest renumbered is caught by the signed roots") {
  VerifyReport r = tampered([](const state::StateDir& dir) {
    edit_log(dir, [](auto& f) {
      f.erase(f.begin() + 30);
      for (std::size_t i = 0; i < f.size(); ++i) f[i].first = i;
    });
  });
  CHECK(!r.ok);
  CHECK(r.bad_record == std::optional<std::uint64_t>(24));
}

TEST_CASE("tamper: reordered records are caught") {
  VerifyReport r = tampered([](const state::StateDir& dir) { edit_log(dir, [](auto& f) { std::swap(f[2], f[3]); }); });
  CHECK(!r.ok);
  CHECK(r.bad_record == std::optional<std::uint64_t>(2));
  VerifyReport s = tampered([](const state::StateDir& dir) {
    edit_log(dir, [](auto& f) {
      std::swap(f[2].second, f[3].second);  // swap contents, keep numbering
    });
  });
  CHECK(!s.ok);
  CHECK(s.bad_record == std::optional<std::uint64_t>(0));
}

TEST_CASE("tamper: truncation is caught, at a frame boundary or inside a frame") {
  bool refused = false;
  VerifyReport r = tampered([](const state::StateDir& dir) { edit_log(dir, [](auto& f) { f.resize(33); }); }, &refused);
  CHECK(!r.ok);
  CHECK(r.error.find("records were removed") != std::string::npos);
  CHECK(r.bad_record == std::optional<std::uint64_t>(33));
  CHECK(refused);
  VerifyReport s = tampered([](const state::StateDir& dir) {
    std::string data = read_file(dir.file("audit.log"));
    write_file(dir.file("audit.log"), data.substr(0, data.size() - 5));
  });
  CHECK(!s.ok);
  CHECK(s.bad_record == std::optional<std::uint64_t>(39));
}

TEST_CASE("tamper: a replaced checkpoint is caught") {
  // Its root changed (the signature no longer matches).
  VerifyReport r = tampered([](const state::StateDir& dir) {
    auto frames = frames_of(read_file(dir.file("checkpoints")));
    std::string& note = frames[2].second;
    std::size_t root_at = note.find('\n', note.find('\n') + 1) + 1;
    note[root_at] = note[root_at] == 'A' ? 'B' : 'A';
    write_file(dir.file("checkpoints"), framed(frames));
  });
  CHECK(!r.ok);
  CHECK(r.error.find("checkpoint 2 does not verify") != std::string::npos);
  // Re-signed by another key over a forged root.
  VerifyReport s = tampered([](const state::StateDir& dir) {
    auto frames = frames_of(read_file(dir.file("checkpoints")));
    auto keys = crypto::ed25519_generate();
    REQUIRE(keys.has_value());
    crypto::NoteSigner other{dir.origin(), *keys};
    Checkpoint forged{dir.origin(), 16, leaf_hash("forged"), {}};
    frames[1].second = *sign_checkpoint(forged, std::span(&other, 1));
    write_file(dir.file("checkpoints"), framed(frames));
  });
  CHECK(!s.ok);
  CHECK(s.error.find("checkpoint 1 does not verify") != std::string::npos);
  // Re-signed with the folder's own key but a forged root: the records disagree.
  VerifyReport t = tampered([](const state::StateDir& dir) {
    auto frames = frames_of(read_file(dir.file("checkpoints")));
    Checkpoint forged{dir.origin(), 16, leaf_hash("forged"), {}};
    frames[1].second = *sign_checkpoint(forged, std::span(&*dir.signer(), 1));
    write_file(dir.file("checkpoints"), framed(frames));
  });
  CHECK(!t.ok);
  CHECK(t.error.find("checkpoint 1 (16 records) does not match") != std::string::npos);
}

TEST_CASE("tamper: an altered stored policy is caught") {
  TempDir tmp;
  auto dir = redline::testing::open_state(tmp.path());
  std::filesystem::create_directories(dir.file("policies"));
  std::string text = "policy \"p\" { default allow }\n";
  std::string hash = policy_hash({text});   // the Program hash of a one-file policy
  std::string body = "{\"files\":[{\"path\":\"p.pol\",\"text\":\"policy \\\"p\\\" { default allow }\\n\"}]}";
  write_file(dir.file("policies/" + hash.substr(7) + ".json"), body);
  CHECK(verify_log(dir).ok);
  write_file(dir.file("policies/" + hash.substr(7) + ".json"), body.replace(body.find("allow"), 5, "deny "));
  VerifyReport r = verify_log(dir);
  CHECK(!r.ok);
  CHECK(r.error.find("does not hash to its name") != std::string::npos);
}
