// fuzz/audit.cc — the audit log's readers on arbitrary bytes: the files of a
// state folder (DIR/checkpoints, DIR/audit.log) and signed notes, raw or
// built from record payloads and damaged on purpose (audit_support.h). Runs
// the verifier, record iteration, the latest checkpoint, an inclusion proof,
// replay, the writer's open (torn-tail cutting, checks against the latest
// checkpoint) and the note, checkpoint and key parsers. Never a crash; and:
//  - what the verifier accepts, the writer opens and appends to, and the
//    verifier then accepts with one more record;
//  - a verified log's records, checkpoint and proofs are consistent;
//  - notes and checkpoints that parse format back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "audit/checkpoint.h"
#include "audit/log.h"
#include "audit/log_format.h"
#include "audit/policy_store.h"
#include "audit/record.h"
#include "audit/replay.h"
#include "crypto/signed_note.h"
#include "audit/verify.h"
#include "audit_support.h"
#include "fuzz_support.h"

using namespace redline;

namespace {

const state::StateDir& dir() {
  static const state::StateDir d = [] {
    state::StateDir s = fuzz::fixed_state_dir(fuzz::temp_dir("redline-fuzz-audit"));
    // The policy the seeds' decision records name, so replay recompiles it.
    std::string error;
    if (!audit::store_policy(s, *fuzz::audit_policy(), fuzz::stdlib_root(), error)) fuzz::fail("cannot store the fuzz policy: " + error);
    return s;
  }();
  return d;
}

void put(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) fuzz::fail("cannot write " + path);
}

// The note, checkpoint and key parsers on one piece of text.
void parsers(std::string_view text) {
  if (auto note = crypto::parse_signed_note(text))
    fuzz::check(crypto::format_signed_note(*note) == text, "a signed note that parses does not format back to itself", text);
  crypto::OpenedNote opened = crypto::open_note(text, std::span(&dir().verifier(), 1));
  fuzz::check(!opened.ok || crypto::parse_signed_note(text).has_value(), "a note opened that does not parse", text);
  audit::VerifiedCheckpoint v = audit::verify_checkpoint(text, dir().origin(), std::span(&dir().verifier(), 1));
  fuzz::check(v.ok == v.error.empty(), "a checkpoint verification is ok with an error, or failed without one", text);
  if (auto c = audit::parse_checkpoint(text)) {
    auto formatted = audit::format_checkpoint(*c);
    fuzz::check(formatted && *formatted == text, "a checkpoint that parses does not format back to itself", text);
  }
  (void)crypto::parse_verifier_key(text);
  (void)crypto::parse_signer_key(text);
  for (std::size_t off = 0;;) {
    audit::Frame f = audit::read_frame(text, off);
    if (f.status != audit::FrameStatus::ok) break;
    fuzz::check(f.size >= audit::kFrameHeader && off + f.size <= text.size(), "a frame reaches past its input");
    off += f.size;
  }
}

// The writer's round trip on a log the verifier accepted.
void writer_continues(const audit::VerifyReport& before) {
  audit::LogOptions options;
  options.background = false;
  {
    auto log = audit::AuditLog::open(dir(), options);
    if (!log.ok()) fuzz::fail("the writer refuses a log the verifier accepts: " + log.error);
    // A reset: the log's flips are the authority on switch state, and a trip
    // appended here without switches.json would rightly fail verification.
    audit::SwitchFlip flip{"ks/stop", "reset", "u1", "safety", "fuzz", "sha256:00", ""};
    auto seq = (*log.value)->append_durable(audit::switch_record(flip, "2026-03-05T14:00:00Z"), true);
    if (!seq.ok()) fuzz::fail("the writer cannot append to a log the verifier accepts: " + seq.error);
    fuzz::check(*seq.value == before.records, "the writer numbered its record wrongly");
  }
  audit::VerifyReport after = audit::verify_log(dir());
  if (!after.ok) fuzz::fail("the verifier refuses what the writer wrote: " + after.error);
  fuzz::check(after.records == before.records + 1 && after.covered == after.records, "the writer's record is not covered");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::AuditFiles files;
  if (data[0] % 2 == 0) {
    auto sections = fuzz::split(input.substr(1), fuzz::kSplit);
    files.checkpoints = std::string(sections[0]);
    if (sections.size() > 1) files.log = std::string(sections[1]);
    if (sections.size() > 2) parsers(sections[2]);
  } else {
    std::uint8_t control[fuzz::kControl] = {};
    for (std::size_t i = 0; i < fuzz::kControl && 1 + i < size; ++i) control[i] = data[1 + i];
    std::string_view rest = size > 1 + fuzz::kControl ? input.substr(1 + fuzz::kControl) : std::string_view();
    std::vector<std::string_view> payloads;
    if (!rest.empty()) payloads = fuzz::split(rest, std::string_view(&fuzz::kRecordSep, 1));
    files = fuzz::build_audit_files(dir(), control, payloads);
  }
  parsers(input);
  // The writer's own state (its seal of the records it appended, its stored
  // frontier) belongs to the log a previous input's writer wrote: each input
  // is a folder of its own, so it starts without them.
  for (const char* own : {"seal", "frontier", "audit.log.next"}) std::remove(dir().file(own).c_str());
  put(dir().file("checkpoints"), files.checkpoints);
  put(dir().file("audit.log"), files.log);

  audit::VerifyReport v = audit::verify_log(dir());
  fuzz::check(v.ok == v.error.empty(), "the verifier is ok with an error, or failed without one");
  std::uint64_t visited = 0;
  std::string error;
  bool read = audit::for_each_record(dir(), [&](std::uint64_t, std::string_view) { return ++visited, true; }, error);
  auto latest = audit::latest_checkpoint(dir());
  if (v.ok) {
    fuzz::check(read && visited == v.records, "record iteration disagrees with the verifier");
    fuzz::check(v.covered <= v.records, "the latest checkpoint covers more records than the log holds");
    fuzz::check(latest.ok(), "the latest checkpoint of a verified log cannot be read");
    fuzz::check(v.checkpoints == 0 || (latest.value->has_value() && (*latest.value)->size == v.covered),
                "the latest checkpoint disagrees with the verifier");
    if (v.covered > 0) {
      auto proof = audit::prove_inclusion(dir(), (size * 7919) % v.covered);
      if (!proof.ok()) fuzz::fail("no inclusion proof in a verified log: " + proof.error);
    }
  } else if (latest.ok() && latest.value->has_value()) {
    (void)audit::prove_inclusion(dir(), 0);
  }
  (void)audit::replay_log(dir(), [](const std::string&) {});
  if (v.ok) {
    writer_continues(v);
  } else {
    audit::LogOptions options;
    options.background = false;
    auto log = audit::AuditLog::open(dir(), options);   // may refuse; must not crash
    if (log.ok()) (void)(*log.value)->append_durable("{\"type\":\"fuzz\"}", true);
  }
  return 0;
}
