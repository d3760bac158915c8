// audit/verify.cc — verify_log, for_each_record, prove_inclusion and
// latest_checkpoint of audit/verify.h.
#include "audit/verify.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "audit/log_format.h"
#include "crypto/sha256.h"

namespace redline::audit {
namespace {

namespace fs = std::filesystem;

struct SignedHead {
  Checkpoint checkpoint;
  std::string note;
};

bool all_zero(std::string_view s) {
  for (char c : s)
    if (c != 0) return false;
  return true;
}

// Reads and verifies every checkpoint; false with `error` on the first bad one.
bool read_checkpoints(const state::StateDir& dir, std::vector<SignedHead>& out, std::string& error, std::string& warning) {
  std::string data = state::read_file(dir.file("checkpoints")).value_or("");
  std::size_t off = 0;
  for (std::uint64_t k = 0;; ++k) {
    Frame f = read_frame(data, off);
    if (f.status == FrameStatus::end) return true;
    if (f.status != FrameStatus::ok) {
      if (f.status == FrameStatus::truncated || all_zero(std::string_view(data).substr(off))) {
        warning = "an incomplete checkpoint tail of " + std::to_string(data.size() - off) + " bytes (a crash or a writer in progress)";
        return true;
      }
      return error = "checkpoint " + std::to_string(k) + " is damaged (" + to_string(f.status) + " at byte " + std::to_string(off) + ")", false;
    }
    if (f.seq != k) return error = "checkpoint " + std::to_string(k) + " is numbered " + std::to_string(f.seq) + " (moved or removed)", false;
    VerifiedCheckpoint v = verify_checkpoint(f.payload, dir.origin(), std::span(&dir.verifier(), 1));
    if (!v.ok) return error = "checkpoint " + std::to_string(k) + " does not verify: " + v.error, false;
    if (!out.empty() && v.checkpoint.size < out.back().checkpoint.size)
      return error = "checkpoint " + std::to_string(k) + " covers " + std::to_string(v.checkpoint.size) + " records, fewer than checkpoint " +
                     std::to_string(k - 1) + " (" + std::to_string(out.back().checkpoint.size) + ")",
             false;
    out.push_back({v.checkpoint, std::string(f.payload)});
    off += f.size;
  }
}

// Checks that each stored policy version still hashes to its name.
bool verify_policies(const state::StateDir& dir, std::uint64_t& count, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(dir.file("policies"), ec)) return true;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir.file("policies"), ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto j = nlohmann::json::parse(state::read_file(p.string()).value_or(""), nullptr, false);
    std::string all;
    bool ok = !j.is_discarded() && j.is_object() && j.contains("files") && j["files"].is_array();
    if (ok)
      for (const auto& f : j["files"]) {
        if (!f.is_object() || !f.contains("text") || !f["text"].is_string()) ok = false;
        else all += f["text"].get<std::string>() + '\0';
      }
    if (!ok || "sha256:" + p.stem().string() != crypto::sha256_tagged_hex(all))
      return error = "the stored policy `" + p.filename().string() + "` does not hash to its name (the store was altered)", false;
    ++count;
  }
  return true;
}

// Checks that each stored set of approver keys still hashes to its name.
bool verify_keys(const state::StateDir& dir, std::uint64_t& count, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(dir.file("keys"), ec)) return true;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir.file("keys"), ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto text = state::read_file(p.string());
    if (!text || "sha256:" + p.stem().string() != crypto::sha256_tagged_hex(*text))
      return error = "the stored approver keys `" + p.filename().string() + "` do not hash to their name (the store was altered)", false;
    ++count;
  }
  return true;
}

}  // namespace

VerifyReport verify_log(const state::StateDir& dir, const std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>& progress) {
  VerifyReport r;
  std::vector<SignedHead> heads;
  if (!read_checkpoints(dir, heads, r.error, r.warning)) return r;
  r.checkpoints = heads.size();
  std::uint64_t sealed = heads.empty() ? 0 : heads.back().checkpoint.size;
  std::string data;
  if (auto d = state::read_file(dir.file("audit.log"), &r.error)) data = std::move(*d);
  else if (heads.empty()) r.error.clear();
  else return r;

  CompactRange tree;
  std::size_t next_head = 0, off = 0;
  auto check_heads = [&]() {
    while (next_head < heads.size() && heads[next_head].checkpoint.size == tree.size()) {
      if (heads[next_head].checkpoint.root != tree.root()) {
        std::uint64_t from = next_head == 0 ? 0 : heads[next_head - 1].checkpoint.size;
        r.bad_record = from;
        r.error = "checkpoint " + std::to_string(next_head) + " (" + std::to_string(tree.size()) +
                  " records) does not match the records: a record in " + std::to_string(from) + ".." + std::to_string(tree.size() - 1) +
                  " was altered, moved or replaced";
        return false;
      }
      ++next_head;
    }
    return true;
  };
  if (!check_heads()) return r;
  for (std::uint64_t seq = 0;; ++seq) {
    Frame f = read_frame(data, off);
    if (f.status == FrameStatus::end) break;
    if (f.status != FrameStatus::ok) {
      bool torn = f.status == FrameStatus::truncated || all_zero(std::string_view(data).substr(off));
      if (torn && seq >= sealed) {
        r.warning += std::string(r.warning.empty() ? "" : "; ") + "an incomplete tail of " + std::to_string(data.size() - off) +
                     " bytes after record " + (seq ? std::to_string(seq - 1) : std::string("none")) +
                     " (a crash or a writer in progress; the next writer cuts it)";
        break;
      }
      r.bad_record = seq;
      r.error = "record " + std::to_string(seq) + " is damaged (" + to_string(f.status) + " at byte " + std::to_string(off) + ")";
      return r;
    }
    if (f.seq != seq) {
      r.bad_record = seq;
      r.error = "record " + std::to_string(seq) + " is numbered " + std::to_string(f.seq) + " (a record was dropped, duplicated or moved)";
      return r;
    }
    // Every record is a JSON object that opens with its type (audit/record.h); a
    // cheap shape check here, the signed roots prove the content.
    if (!f.payload.starts_with("{\"type\":\"") || !f.payload.ends_with("}")) {
      r.bad_record = seq;
      r.error = "record " + std::to_string(seq) + " is not a well-formed audit record";
      return r;
    }
    tree.append(leaf_hash(f.payload));
    off += f.size;
    if (!check_heads()) return r;
    if (progress && (seq & 0xFFFF) == 0) progress(seq + 1, off, data.size());
  }
  r.records = tree.size();
  if (next_head < heads.size()) {
    r.bad_record = tree.size();
    r.error = "the log ends after " + std::to_string(tree.size()) + " records but checkpoint " + std::to_string(next_head) + " covers " +
              std::to_string(heads[next_head].checkpoint.size) + " (records were removed; the first missing is record " +
              std::to_string(tree.size()) + ")";
    return r;
  }
  r.covered = sealed;
  if (progress) progress(r.records, off, data.size());
  if (!verify_policies(dir, r.policies, r.error)) return r;
  if (!verify_keys(dir, r.key_sets, r.error)) return r;
  r.ok = true;
  return r;
}

bool for_each_record(const state::StateDir& dir, const std::function<bool(std::uint64_t, std::string_view)>& visit, std::string& error) {
  auto data = state::read_file(dir.file("audit.log"), &error);
  if (!data) return false;
  std::size_t off = 0;
  for (std::uint64_t seq = 0;; ++seq) {
    Frame f = read_frame(*data, off);
    if (f.status != FrameStatus::ok || f.seq != seq) return true;
    if (!visit(seq, f.payload)) return true;
    off += f.size;
  }
}

state::Result<std::optional<Checkpoint>> latest_checkpoint(const state::StateDir& dir) {
  state::Result<std::optional<Checkpoint>> r;
  std::vector<SignedHead> heads;
  std::string warning;
  if (!read_checkpoints(dir, heads, r.error, warning)) return r;
  r.value = heads.empty() ? std::nullopt : std::optional<Checkpoint>(heads.back().checkpoint);
  return r;
}

state::Result<InclusionProof> prove_inclusion(const state::StateDir& dir, std::uint64_t seq) {
  state::Result<InclusionProof> r;
  std::vector<SignedHead> heads;
  std::string warning;
  if (!read_checkpoints(dir, heads, r.error, warning)) return r;
  if (heads.empty()) return r.error = "the log has no checkpoint yet", r;
  const SignedHead& head = heads.back();
  if (seq >= head.checkpoint.size)
    return r.error = "record " + std::to_string(seq) + " is not covered by the latest checkpoint (it covers " +
                     std::to_string(head.checkpoint.size) + " records)",
           r;
  std::vector<Hash> leaves;
  leaves.reserve(static_cast<std::size_t>(head.checkpoint.size));
  InclusionProof p;
  if (!for_each_record(
          dir,
          [&](std::uint64_t s, std::string_view payload) {
            leaves.push_back(leaf_hash(payload));
            if (s == seq) p.record = std::string(payload);
            return leaves.size() < head.checkpoint.size;
          },
          r.error))
    return r;
  if (leaves.size() < head.checkpoint.size) return r.error = "the log holds fewer records than its latest checkpoint; run `redline audit verify`", r;
  MerkleTree tree(leaves);
  if (tree.root() != head.checkpoint.root) return r.error = "the log does not match its latest checkpoint; run `redline audit verify`", r;
  auto path = tree.inclusion_proof(seq, head.checkpoint.size);
  if (!path) return r.error = "cannot build the proof", r;
  p.seq = seq;
  p.tree_size = head.checkpoint.size;
  p.leaf = leaves[static_cast<std::size_t>(seq)];
  p.root = head.checkpoint.root;
  p.path = std::move(*path);
  p.checkpoint = head.note;
  if (!verify_inclusion(seq, p.tree_size, p.leaf, p.path, p.root)) return r.error = "the proof does not verify (internal error)", r;
  r.value = std::move(p);
  return r;
}

state::Result<std::optional<std::string>> latest_checkpoint_note(const state::StateDir& dir) {
  state::Result<std::optional<std::string>> r;
  std::vector<SignedHead> heads;
  std::string warning;
  if (!read_checkpoints(dir, heads, r.error, warning)) return r;
  r.value = heads.empty() ? std::nullopt : std::optional<std::string>(heads.back().note);
  return r;
}

std::string proof_json(const state::StateDir& dir, const InclusionProof& p, int indent) {
  nlohmann::ordered_json j;
  j["seq"] = p.seq;
  j["tree_size"] = p.tree_size;
  j["leaf_hash"] = crypto::base64_encode(p.leaf);
  j["root"] = crypto::base64_encode(p.root);
  nlohmann::ordered_json path = nlohmann::ordered_json::array();
  for (const auto& h : p.path) path.push_back(crypto::base64_encode(h));
  j["proof"] = path;
  j["record"] = p.record;
  j["checkpoint"] = p.checkpoint;
  j["verifier_key"] = format_verifier_key(dir.verifier()).value_or("");
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline::audit
