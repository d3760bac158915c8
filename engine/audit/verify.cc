// audit/verify.cc — verify_log, for_each_record, prove_inclusion and
// latest_checkpoint of audit/verify.h.
#include "audit/verify.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crypto/policy_hash.h"
#include "audit/log_format.h"
#include "audit/segments.h"
#include "audit/witness.h"
#include <map>
#include <set>
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
    for (const std::string& e : v.checkpoint.extensions)
      if (e.starts_with("unsealed "))
        warning += std::string(warning.empty() ? "" : "; ") + "checkpoint " + std::to_string(k) + " signs records " + e.substr(9) +
                   " (from, to exclusive) that the writer which appended them never sealed: a crash right after writing, or records "
                   "appended by someone else";
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
    std::vector<std::string> texts;
    bool ok = !j.is_discarded() && j.is_object() && j.contains("files") && j["files"].is_array();
    if (ok)
      for (const auto& f : j["files"]) {
        if (!f.is_object() || !f.contains("text") || !f["text"].is_string()) ok = false;
        else texts.push_back(f["text"].get<std::string>());
      }
    if (!ok || "sha256:" + p.stem().string() != policy_hash(std::vector<std::string_view>(texts.begin(), texts.end())))
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

VerifyReport verify_log(const state::StateDir& dir, const std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>& progress,
                        const VerifyExpect& expect) {
  VerifyReport r;
  std::vector<SignedHead> heads;
  if (!read_checkpoints(dir, heads, r.error, r.warning)) return r;
  // Outside knowledge: tree heads the log must still reach, each with its root.
  std::map<std::uint64_t, std::pair<Hash, std::string>> outside;
  if (expect.size) {
    if (expect.root) outside[*expect.size] = {*expect.root, "--expect-root"};
    else outside[*expect.size] = {Hash{}, ""};
  }
  if (!expect.witness.empty()) {
    auto w = open_witness(expect.witness);
    auto entries = w->read();
    if (!entries.ok()) return r.error = entries.error, r;
    if (entries.value->empty()) return r.error = w->where() + " holds no checkpoint", r;
    auto key = crypto::format_verifier_key(dir.verifier());
    const std::string& pinned = entries.value->front().key;
    if (!key || pinned != *key)
      return r.error = "the folder's checkpoint key is not the one " + w->where() + " pins (" + pinned +
                       "): the log was re-signed with a new key",
             r;
    for (std::size_t i = 0; i < entries.value->size(); ++i) {
      const WitnessEntry& e = (*entries.value)[i];
      if (e.key != pinned) return r.error = w->where() + " entry " + std::to_string(i) + " is signed by another key", r;
      VerifiedCheckpoint v = verify_checkpoint(e.note, dir.origin(), std::span(&dir.verifier(), 1));
      if (!v.ok) return r.error = w->where() + " entry " + std::to_string(i) + " does not verify: " + v.error, r;
      outside[v.checkpoint.size] = {v.checkpoint.root, w->where() + " entry " + std::to_string(i)};
    }
  }
  r.checkpoints = heads.size();
  std::uint64_t sealed = heads.empty() ? 0 : heads.back().checkpoint.size;
  std::vector<SegmentFile> files;
  if (!list_segments(dir, expect.segment_dirs, files, r.error)) return r;
  std::uint64_t total = 0, done = 0;   // bytes, for progress
  for (const SegmentFile& file : files) {
    struct stat st{};
    if (::stat(file.path.c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_size);
  }

  CompactRange tree;
  std::size_t next_head = 0;
  std::uint64_t off = 0;
  std::set<std::string> loaded;   // policies named by policy_load records
  std::map<std::string, bool> flips;   // switch -> tripped, by the last applied flip
  auto check_outside = [&]() {
    auto it = outside.find(tree.size());
    if (it == outside.end() || it->second.second.empty() || it->second.first == tree.root()) return true;
    r.bad_record = tree.size() ? tree.size() - 1 : 0;
    r.error = "the log's first " + std::to_string(tree.size()) + " records do not match " + it->second.second +
              " (the log was rewritten, cut back and regrown, or re-signed)";
    return false;
  };
  auto check_heads = [&]() {
    if (!check_outside()) return false;
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
  for (std::size_t i = 0; i < files.size(); ++i) {
    const SegmentFile& file = files[i];
    const bool active = file.active;
    int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && active && errno == ENOENT && heads.empty() && files.size() == 1) break;   // a folder with no log yet
    if (fd < 0) return r.error = "cannot read `" + file.path + "`: " + std::strerror(errno), r;
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st{};
    std::uint64_t size = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    ++r.segments;
    if (active && size == 0) {
      if (i == 0) break;   // an empty log
      r.bad_record = tree.size();
      r.error = "the active segment `audit.log` is empty but sealed segments exist (it was deleted or emptied; records from " +
                std::to_string(tree.size()) + " on are missing)";
      return r;
    }
    if (file.first != tree.size()) {
      if (i == 0 && tree.size() == 0 && file.first > 0) {
        // The oldest segments are not at hand: start from the segment record
        // of the first one present, checked against the signed checkpoint there.
        FrameStream head(fd, 0, size);
        Frame f;
        if (!head.next(f, r.error)) return r;
        auto start = f.status == FrameStatus::ok && f.seq == file.first ? parse_segment_record(f.payload) : std::nullopt;
        auto before = start && start->first == file.first ? tree_before(*start) : std::nullopt;
        if (!before) {
          r.bad_record = file.first;
          r.error = "`" + file.path + "` does not open with its segment record (record " + std::to_string(file.first) + ")";
          return r;
        }
        if (!expect.allow_archived) {
          r.error = "records 0.." + std::to_string(file.first - 1) +
                    " are not in the folder (archived segments): name the folder that holds them with --segments, or verify from the "
                    "signed checkpoint of " + std::to_string(file.first) + " records with --allow-archived";
          return r;
        }
        while (next_head < heads.size() && heads[next_head].checkpoint.size < file.first) ++next_head;
        if (next_head == heads.size() || heads[next_head].checkpoint.size != file.first || heads[next_head].checkpoint.root != before->root()) {
          r.bad_record = file.first;
          r.error = "the segment record of `" + file.path + "` does not match the signed checkpoint of " + std::to_string(file.first) +
                    " records (the segment does not continue the log)";
          return r;
        }
        tree = *before;
        for (const auto& [name, flip] : start->flips) flips[name] = flip.tripped;
        r.archived = file.first;
        r.warning += std::string(r.warning.empty() ? "" : "; ") + "records 0.." + std::to_string(file.first - 1) +
                     " are archived (not at hand): verified from the signed checkpoint of " + std::to_string(file.first) + " records";
        std::size_t skipped = 0;
        for (const auto& [wsize, entry] : outside)
          if (wsize < file.first && !entry.second.empty()) ++skipped;
        if (skipped)
          r.warning += "; " + std::to_string(skipped) + " outside checkpoint(s) below " + std::to_string(file.first) + " records not checked";
        if (!check_heads()) return r;
      } else {
        r.bad_record = tree.size();
        r.error = file.first > tree.size() ? "records " + std::to_string(tree.size()) + ".." + std::to_string(file.first - 1) +
                                                 " are missing (a segment before `" + file.path + "` is not in the folder)"
                                           : "`" + file.path + "` begins at record " + std::to_string(file.first) + ", inside the segment before it";
        return r;
      }
    }
    FrameStream in(fd, 0, size);
    for (std::uint64_t seq = tree.size();; seq = tree.size()) {
      Frame f;
      if (!in.next(f, r.error)) return r;
      off = done + in.offset();
      if (f.status == FrameStatus::end) break;
      if (f.status != FrameStatus::ok) {
        bool torn = f.status == FrameStatus::truncated || in.rest_is_zero(r.error);
        if (!r.error.empty()) return r;
        if (torn && active && seq >= sealed) {
          r.warning += std::string(r.warning.empty() ? "" : "; ") + "an incomplete tail of " + std::to_string(size - in.offset()) +
                       " bytes after record " + (seq ? std::to_string(seq - 1) : std::string("none")) +
                       " (a crash or a writer in progress; the next writer cuts it)";
          break;
        }
        r.bad_record = seq;
        r.error = "record " + std::to_string(seq) + " is damaged (" + to_string(f.status) + " at byte " + std::to_string(in.offset()) +
                  (files.size() > 1 ? " of `" + file.path + "`" : std::string()) + ")";
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
      // A segment record opens every segment after the first, and its tree
      // is the tree of every record before it: the continuity proof.
      bool opens = in.offset() == 0 && seq == file.first && seq > 0;
      if (opens || is_segment_record(f.payload)) {
        auto start = parse_segment_record(f.payload);
        auto before = start ? tree_before(*start) : std::nullopt;
        if (!opens || !before || start->first != seq || before->root() != tree.root()) {
          r.bad_record = seq;
          r.error = opens ? "record " + std::to_string(seq) + " should be the segment record of `" + file.path +
                                "` and does not continue the records before it"
                          : "record " + std::to_string(seq) + " is a segment record inside a segment";
          return r;
        }
      }
      if (f.payload.starts_with("{\"type\":\"policy_load\"") || f.payload.starts_with("{\"type\":\"switch\"")) {
        auto j = nlohmann::json::parse(f.payload, nullptr, false);
        if (j.is_object() && j.value("type", "") == "policy_load" && j.contains("policy") && j["policy"].is_string())
          loaded.insert(j["policy"].get<std::string>());
        if (j.is_object() && j.value("type", "") == "switch" && j.value("result", "") == "applied")
          flips[j.value("switch", "")] = j.value("action", "") == "trip";
      }
      tree.append(leaf_hash(f.payload));
      in.advance(f);
      off = done + in.offset();
      if (!check_heads()) return r;
      if (progress && (seq & 0xFFFF) == 0) progress(seq + 1, off, total);
    }
    done += size;
    if (!active && !check_heads()) return r;
  }
  r.records = tree.size();
  if (next_head < heads.size()) {
    r.bad_record = tree.size();
    r.error = "the log ends after " + std::to_string(tree.size()) + " records but checkpoint " + std::to_string(next_head) + " covers " +
              std::to_string(heads[next_head].checkpoint.size) + " (records were removed; the first missing is record " +
              std::to_string(tree.size()) + ")";
    return r;
  }
  if (!outside.empty() && outside.rbegin()->first > tree.size()) {
    r.bad_record = tree.size();
    r.error = "the log ends after " + std::to_string(tree.size()) + " records but " +
              (outside.rbegin()->second.second.empty() ? std::string("--expect-size says") : outside.rbegin()->second.second + " covers") + " " +
              std::to_string(outside.rbegin()->first) + " (records were removed)";
    return r;
  }
  if (r.records > 0 && heads.empty()) {
    r.error = "the log holds " + std::to_string(r.records) +
              " records but no signed checkpoint (the checkpoints file was deleted or emptied)";
    return r;
  }
  r.covered = sealed;
  if (progress) progress(r.records, off, total);
  for (const std::string& hash : loaded) {
    std::string hex = hash.rfind("sha256:", 0) == 0 ? hash.substr(7) : hash;
    std::error_code ec;
    if (!fs::exists(fs::path(dir.file("policies")) / (hex + ".json"), ec)) {
      r.error = "the policy `" + hash + "` that a policy_load record names is missing from the store (deleted)";
      return r;
    }
  }
  {
    // switches.json is a cache of the log's flips: it must agree.
    std::map<std::string, bool> cached;
    std::error_code ec;
    if (fs::exists(dir.file("switches.json"), ec)) {
      auto j = nlohmann::json::parse(state::read_file(dir.file("switches.json")).value_or(""), nullptr, false);
      if (!j.is_object() || !j.contains("switches") || !j["switches"].is_object()) {
        r.error = "the kill-switch state `switches.json` is unreadable";
        return r;
      }
      for (const auto& [name, e] : j["switches"].items())
        cached[name] = e.is_object() && e.contains("tripped") && e["tripped"].is_boolean() && e["tripped"].get<bool>();
    }
    for (const auto& [name, tripped] : flips) {
      bool c = cached.count(name) && cached[name];
      if (c != tripped) {
        r.error = "switches.json says `" + name + "` is " + (c ? "tripped" : "not tripped") + " but its last logged flip is a " +
                  (tripped ? "trip" : "reset") + " (the kill-switch state was deleted or edited)";
        return r;
      }
    }
    for (const auto& [name, c] : cached)
      if (c && !flips.count(name)) {
        r.error = "switches.json says `" + name + "` is tripped but the log has no flip of it (the kill-switch state was edited)";
        return r;
      }
  }
  if (!verify_policies(dir, r.policies, r.error)) return r;
  if (!verify_keys(dir, r.key_sets, r.error)) return r;
  r.ok = true;
  return r;
}

bool for_each_record(const state::StateDir& dir, const std::function<bool(std::uint64_t, std::string_view)>& visit, std::string& error) {
  std::vector<SegmentFile> files;
  if (!list_segments(dir, {}, files, error)) return false;
  std::optional<std::uint64_t> next;
  for (const SegmentFile& file : files) {
    int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error = "cannot read `" + file.path + "`: " + std::strerror(errno), false;
    struct stat st{};
    std::uint64_t size = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    if (size == 0) {
      ::close(fd);
      continue;
    }
    if (next && *next != file.first) {
      ::close(fd);
      return error = "records " + std::to_string(*next) + ".." + std::to_string(file.first - 1) + " are missing (a segment is not in the folder)",
             false;
    }
    FrameStream in(fd, 0, size);
    std::uint64_t seq = file.first;
    bool ok = true, stop = false;
    for (;; ++seq) {
      Frame f;
      if (!in.next(f, error)) {
        ok = false;
        break;
      }
      if (f.status == FrameStatus::end) break;
      if (f.status != FrameStatus::ok || f.seq != seq || !visit(seq, f.payload)) {
        stop = true;
        break;
      }
      in.advance(f);
    }
    ::close(fd);
    if (!ok) return false;
    if (stop) return true;
    next = seq;
  }
  return true;
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
  bool archived = false;
  if (!for_each_record(
          dir,
          [&](std::uint64_t s, std::string_view payload) {
            if (s != leaves.size()) return archived = true, false;
            leaves.push_back(leaf_hash(payload));
            if (s == seq) p.record = std::string(payload);
            return leaves.size() < head.checkpoint.size;
          },
          r.error))
    return r;
  if (archived)
    return r.error = "the oldest segments of the log are archived (not in the folder); a proof needs every record up to the checkpoint", r;
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
  j["verifier_key"] = crypto::format_verifier_key(dir.verifier()).value_or("");
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline::audit
