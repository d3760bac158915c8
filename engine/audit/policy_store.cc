// audit/policy_store.cc — store_policy and load_policy of audit/policy_store.h.
#include "audit/policy_store.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "crypto/sha256.h"
#include "flat/program_impl.h"

namespace redline::audit {
namespace {

namespace fs = std::filesystem;

std::string path_of(const state::StateDir& dir, const std::string& hash, const char* folder = "policies") {
  std::string hex = hash.rfind("sha256:", 0) == 0 ? hash.substr(7) : hash;
  return (fs::path(dir.file(folder)) / (hex + ".json")).string();
}

bool is_hex_hash(const std::string& hash) {
  if (hash.size() != 71 || hash.rfind("sha256:", 0) != 0) return false;
  for (char c : hash.substr(7))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

bool store_policy(const state::StateDir& dir, const Program& program, const std::string& stdlib_root, std::string& error) {
  std::string path = path_of(dir, program.hash());
  std::error_code ec;
  if (fs::exists(path, ec)) return true;  // content-addressed: the same name is the same content
  fs::create_directories(dir.file("policies"), ec);
  if (ec) return error = "cannot create `" + dir.file("policies") + "`: " + ec.message(), false;
  const SourceManager& sm = ProgramAccess::impl(program).frontend->sources;
  nlohmann::ordered_json j;
  j["hash"] = program.hash();
  j["stdlib_root"] = stdlib_root;
  j["layer"] = program.layers().empty() ? "" : program.layers().back();
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (std::uint32_t i = 0; i < sm.size(); ++i) files.push_back({{"path", sm.file(i).path()}, {"text", sm.file(i).text()}});
  j["files"] = std::move(files);
  return state::write_file_atomic(path, j.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n", error);
}

CompileResult load_policy(const state::StateDir& dir, const std::string& hash, std::string& error) {
  CompileResult none;
  if (!is_hex_hash(hash)) return error = "`" + hash + "` is not a policy hash", none;
  auto text = state::read_file(path_of(dir, hash), &error);
  if (!text) return error = "policy version " + hash + " is not in the store (" + error + ")", none;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_array())
    return error = "the stored policy " + hash + " is unreadable", none;
  CompileOptions opts;
  opts.stdlib_root = j.value("stdlib_root", "");
  opts.layer = j.value("layer", "");
  std::vector<std::string> roots;
  for (const auto& f : j["files"]) {
    if (!f.is_object() || !f.contains("path") || !f.contains("text") || !f["path"].is_string() || !f["text"].is_string())
      return error = "the stored policy " + hash + " is unreadable", none;
    // Loading every file as a root, in the stored (load) order, reproduces the
    // original depth-first load order, hence the same hash.
    roots.push_back(f["path"].get<std::string>());
    opts.files[roots.back()] = f["text"].get<std::string>();
  }
  CompileResult r = compile_files(roots, opts);
  if (!r.ok()) return error = "the stored policy " + hash + " no longer compiles", r;
  if (r.program->hash() != hash) {
    error = "the stored policy " + hash + " hashes to " + r.program->hash() + " (the store was altered)";
    return none;
  }
  return r;
}

std::optional<std::string> store_keys(const state::StateDir& dir, const ApproverKeys& keys, std::string& error) {
  std::string text = keys.to_json() + "\n";
  std::string hash = crypto::sha256_tagged_hex(text);
  std::string path = path_of(dir, hash, "keys");
  std::error_code ec;
  if (fs::exists(path, ec)) return hash;
  fs::create_directories(dir.file("keys"), ec);
  if (ec) return error = "cannot create `" + dir.file("keys") + "`: " + ec.message(), std::nullopt;
  if (!state::write_file_atomic(path, text, error)) return std::nullopt;
  return hash;
}

std::shared_ptr<const ApproverKeys> load_keys(const state::StateDir& dir, const std::string& hash, std::string& error) {
  if (!is_hex_hash(hash)) return error = "`" + hash + "` is not a keys hash", nullptr;
  auto text = state::read_file(path_of(dir, hash, "keys"), &error);
  if (!text) return error = "approver keys " + hash + " are not in the store (" + error + ")", nullptr;
  if (crypto::sha256_tagged_hex(*text) != hash) return error = "the stored approver keys " + hash + " no longer hash to their name", nullptr;
  auto keys = ApproverKeys::parse(*text, error);
  if (!keys) error = "the stored approver keys " + hash + " are unreadable: " + error;
  return keys;
}

}  // namespace redline::audit
