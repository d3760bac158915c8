// fuzz/audit_support.cc — the fixed state folder and the structured audit
// input of fuzz/audit_support.h.
#include "audit_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "audit/checkpoint.h"
#include "audit/log_format.h"
#include "audit/merkle.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "fuzz_support.h"

namespace redline::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "redline.local/audit/f022f022f022f022";

// Never destroyed: the atexit handler below runs after static destructors.
std::vector<std::string>& dirs_to_remove() {
  static auto* dirs = new std::vector<std::string>;
  return *dirs;
}

void remove_dirs() {
  std::error_code ec;
  for (const auto& d : dirs_to_remove()) fs::remove_all(d, ec);
}

void write(const state::StateDir& dir, const char* name, const std::string& text, bool secret = false) {
  std::string error;
  if (!state::write_file_atomic(dir.file(name), text, error, secret)) fail("cannot write the fuzz state folder: " + error);
}

}  // namespace

std::shared_ptr<const Program> audit_policy() { return compile_conformance("approvals_require.json").program; }

std::vector<std::string> audit_requests() {
  std::ifstream in(fs::path(source_dir()) / "tests/conformance/approvals_require.json", std::ios::binary);
  auto doc = nlohmann::json::parse(in, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_discarded()) fail("cannot read tests/conformance/approvals_require.json");
  for (const auto& c : doc["cases"])
    out.push_back(c.contains("request_text") ? c["request_text"].get<std::string>() : c["request"].dump());
  return out;
}

std::string temp_dir(const char* prefix) {
  std::error_code ec;
  fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) fail("cannot create a temporary folder under " + base.string());
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(remove_dirs); });
  dirs_to_remove().push_back(tmpl);
  return tmpl;
}

state::StateDir fixed_state_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  crypto::Ed25519Seed seed;
  for (std::size_t i = 0; i < seed.bytes.size(); ++i) seed.bytes[i] = static_cast<std::uint8_t>(0xA5 ^ i);
  auto keys = crypto::ed25519_from_seed(seed);
  if (!keys) fail("cannot derive the fixed fuzz key");
  crypto::NoteSigner signer{kOrigin, *keys};
  auto secret = crypto::format_signer_key(signer);
  auto pub = crypto::format_verifier_key({signer.name, keys->public_key});
  if (!secret || !pub) fail("cannot format the fixed fuzz key");
  auto opened = state::StateDir::open(path, true);
  if (!opened.ok()) fail("cannot open the fuzz state folder: " + opened.error);
  const state::StateDir& dir = *opened.value;
  write(dir, "origin", std::string(kOrigin) + "\n");
  write(dir, "key.pub", *pub + "\n");
  write(dir, "key", *secret + "\n", true);
  write(dir, "salt", std::string(64, 'a') + "\n", true);
  auto again = state::StateDir::open(path, false);
  if (!again.ok() || !again.value->signer()) fail("cannot reopen the fuzz state folder: " + again.error);
  return *again.value;
}

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + sep.size());
  }
}

AuditFiles build_audit_files(const state::StateDir& dir, const std::uint8_t control[kControl],
                             const std::vector<std::string_view>& payloads) {
  AuditFiles files;
  // control[0]: a checkpoint every `every` records (0: only at the end); bit 7: no final checkpoint.
  std::size_t every = control[0] & 0x07;
  bool final_checkpoint = !(control[0] & 0x80);
  // control[1]: the damage; control[2..3]: where (a record or checkpoint index, or a byte offset).
  std::uint8_t damage = control[1] % 16;
  std::size_t where = static_cast<std::size_t>(control[2]) << 8 | control[3];
  // control[4..7]: more parameters of the damage.
  std::uint8_t extra = control[4];

  audit::CompactRange tree;
  std::uint64_t checkpoints = 0;
  std::vector<std::size_t> record_offsets;
  auto checkpoint = [&](std::uint64_t size, const audit::Hash& root) {
    audit::Checkpoint c{dir.origin(), size, root, {}};
    if (damage == 9 && checkpoints == where % 8) c.extensions.push_back("extra line " + std::to_string(extra));
    auto note = audit::sign_checkpoint(c, std::span(&*dir.signer(), 1));
    if (!note) fail("cannot sign a fuzz checkpoint");
    std::uint64_t seq = damage == 8 && checkpoints == where % 8 ? checkpoints + 1 + extra % 3 : checkpoints;
    audit::append_frame(files.checkpoints, seq, *note);
    ++checkpoints;
  };
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (damage == 1 && i == where % (payloads.size() + 1)) continue;   // a record dropped
    std::uint64_t seq = damage == 2 && i == where % payloads.size() ? i + 1 + extra % 4 : i;   // misnumbered
    record_offsets.push_back(files.log.size());
    audit::append_frame(files.log, seq, payloads[i]);
    if (damage == 3 && i == where % payloads.size()) audit::append_frame(files.log, seq, payloads[i]);   // duplicated
    tree.append(audit::leaf_hash(payloads[i]));
    if (every && (i + 1) % every == 0 && checkpoints < 8) {   // at most 8: signatures are what costs here
      audit::Hash root = tree.root();
      if (damage == 4 && checkpoints == where % 8) root[extra % root.size()] ^= 1;   // a wrong root
      std::uint64_t size = tree.size();
      if (damage == 5 && checkpoints == where % 8) size = extra % 3 == 0 ? size + 1 : extra % 3 == 1 ? size - 1 : size * 2;
      checkpoint(size, root);
    }
  }
  if (final_checkpoint && (!every || payloads.size() % every != 0 || payloads.empty() || checkpoints >= 8))
    checkpoint(tree.size(), tree.root());
  auto flip = [&](std::string& s) {
    if (!s.empty()) s[where % s.size()] = static_cast<char>(s[where % s.size()] ^ (extra | 1));
  };
  switch (damage) {
    case 10: flip(files.log); break;
    case 11: flip(files.checkpoints); break;
    case 12: files.log.resize(files.log.empty() ? 0 : where % files.log.size()); break;   // a torn tail
    case 13: files.log.append(extra % 40, '\0'); break;                                   // zeros after a crash
    case 14: files.checkpoints.resize(files.checkpoints.empty() ? 0 : where % files.checkpoints.size()); break;
    case 15:   // two records swapped
      if (record_offsets.size() >= 2) {
        std::size_t a = where % (record_offsets.size() - 1);
        std::size_t end = a + 2 < record_offsets.size() ? record_offsets[a + 2] : files.log.size();
        std::string first = files.log.substr(record_offsets[a], record_offsets[a + 1] - record_offsets[a]);
        std::string second = files.log.substr(record_offsets[a + 1], end - record_offsets[a + 1]);
        files.log.replace(record_offsets[a], end - record_offsets[a], second + first);
      }
      break;
    default: break;
  }
  return files;
}

}  // namespace redline::fuzz
