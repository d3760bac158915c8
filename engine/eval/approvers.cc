// eval/approvers.cc — redline/approvers.h: the keys file, the canonical
// approval message, signing, verifying and key generation (Ed25519 through
// crypto/ed25519.h).
#include "redline/approvers.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ast/literals.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace redline {
namespace {

constexpr std::size_t kMaxKeysFile = 4u << 20;

std::span<const std::uint8_t> bytes(std::string_view s) { return crypto::bytes_of(s); }

// `name <byte length>:<value>\n`: a field no value can forge the end of.
void field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ' ';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

std::optional<crypto::Ed25519Signature> parse_signature(std::string_view text) {
  auto raw = crypto::base64_decode(text);
  if (!raw || raw->size() != 64) return std::nullopt;
  crypto::Ed25519Signature sig;
  std::copy(raw->begin(), raw->end(), sig.begin());
  return sig;
}

bool kind_from(std::string_view s, ApproverKind& out) {
  if (s == "human") out = ApproverKind::human;
  else if (s == "agent") out = ApproverKind::agent;
  else return false;
  return true;
}

std::shared_ptr<const ApproverKeys> fail(std::string& error, std::string message) {
  error = std::move(message);
  return nullptr;
}

}  // namespace

const char* to_string(ApproverKind k) {
  switch (k) {
    case ApproverKind::human: return "human";
    case ApproverKind::agent: return "agent";
    case ApproverKind::unknown: break;
  }
  return "unknown";
}

std::shared_ptr<const ApproverKeys> ApproverKeys::from_entries(std::vector<ApproverKey> entries, std::string& error) {
  std::shared_ptr<ApproverKeys> keys(new ApproverKeys);
  std::sort(entries.begin(), entries.end(), [](const ApproverKey& a, const ApproverKey& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ApproverKey& e = entries[i];
    std::string who = "approver `" + e.id + "`";
    if (e.id.empty()) return fail(error, "an approver id is empty");
    if (i > 0 && entries[i - 1].id == e.id) return fail(error, who + " is listed twice");
    auto key = crypto::parse_ed25519_public_key(e.public_key);
    if (!key) return fail(error, who + ": `public_key` is not base64 of a 32-byte Ed25519 public key");
    if (e.roles.empty()) return fail(error, who + ": `roles` lists no role");
    for (const auto& r : e.roles)
      if (r.empty()) return fail(error, who + ": a role is empty");
    if (e.kind == ApproverKind::unknown) return fail(error, who + ": `kind` must be `human` or `agent`");
    keys->raw_.push_back(key->bytes);
  }
  keys->entries_ = std::move(entries);
  return keys;
}

std::shared_ptr<const ApproverKeys> ApproverKeys::parse(std::string_view json, std::string& error) {
  if (json.size() > kMaxKeysFile) return fail(error, "the keys file is larger than 4 MiB");
  // A key given twice in one object would silently keep the last: refuse it.
  std::vector<std::vector<std::string>> seen;
  std::string twice;
  auto no_duplicates = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) seen.emplace_back();
    else if (event == E::object_end && !seen.empty()) seen.pop_back();
    else if (event == E::key && !seen.empty() && parsed.is_string()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (std::find(seen.back().begin(), seen.back().end(), k) != seen.back().end() && twice.empty()) twice = k;
      seen.back().push_back(k);
    }
    return true;
  };
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), no_duplicates, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(error, "the keys file is not valid JSON");
  if (!twice.empty()) return fail(error, "`" + twice + "` is given twice in one object of the keys file");
  if (!doc.is_object()) return fail(error, "the keys file must be a JSON object with `approvers`");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "approvers") return fail(error, "unknown field `" + it.key() + "` in the keys file (it has `approvers`)");
  auto approvers = doc.find("approvers");
  if (approvers == doc.end() || !approvers->is_object()) return fail(error, "the keys file needs an `approvers` object (approver id → entry)");
  std::vector<ApproverKey> entries;
  for (auto it = approvers->begin(); it != approvers->end(); ++it) {
    std::string who = "approver `" + it.key() + "`";
    const nlohmann::json& e = it.value();
    if (!e.is_object()) return fail(error, who + ": the entry must be an object with `public_key`, `roles` and `kind`");
    for (auto f = e.begin(); f != e.end(); ++f)
      if (f.key() != "public_key" && f.key() != "roles" && f.key() != "kind")
        return fail(error, who + ": unknown field `" + f.key() + "` (an entry has `public_key`, `roles` and `kind`)");
    ApproverKey k;
    k.id = it.key();
    auto pk = e.find("public_key");
    if (pk == e.end() || !pk->is_string()) return fail(error, who + ": `public_key` must be a string");
    k.public_key = pk->get<std::string>();
    auto roles = e.find("roles");
    if (roles == e.end() || !roles->is_array()) return fail(error, who + ": `roles` must be an array of role names");
    for (const auto& r : *roles) {
      if (!r.is_string()) return fail(error, who + ": `roles` must be an array of role names");
      k.roles.push_back(r.get<std::string>());
    }
    auto kind = e.find("kind");
    if (kind == e.end() || !kind->is_string() || !kind_from(kind->get<std::string>(), k.kind))
      return fail(error, who + ": `kind` must be `human` or `agent`");
    entries.push_back(std::move(k));
  }
  return from_entries(std::move(entries), error);
}

std::shared_ptr<const ApproverKeys> ApproverKeys::load(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(error, "cannot read the keys file `" + path + "`");
  std::ostringstream ss;
  ss << in.rdbuf();
  auto keys = parse(ss.str(), error);
  if (!keys) error = path + ": " + error;
  return keys;
}

const ApproverKey* ApproverKeys::find(std::string_view id) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id, [](const ApproverKey& e, std::string_view x) { return e.id < x; });
  return it != entries_.end() && it->id == id ? &*it : nullptr;
}

bool ApproverKeys::verify(std::string_view id, std::string_view message, std::string_view signature) const {
  const ApproverKey* e = find(id);
  auto sig = parse_signature(signature);
  if (!e || !sig) return false;
  crypto::Ed25519PublicKey key;
  key.bytes = raw_[static_cast<std::size_t>(e - entries_.data())];
  return crypto::ed25519_verify(key, bytes(message), *sig);
}

std::string ApproverKeys::to_json() const {
  nlohmann::ordered_json approvers = nlohmann::ordered_json::object();
  for (const ApproverKey& e : entries_)
    approvers[e.id] = {{"public_key", e.public_key}, {"roles", e.roles}, {"kind", to_string(e.kind)}};
  return nlohmann::ordered_json{{"approvers", std::move(approvers)}}.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string approval_message(const Approval& a, std::string_view request_digest, std::string_view policy_hash) {
  // `at` is signed as the instant it names (UTC, whole seconds), so an
  // equivalent spelling of the same time verifies; an unreadable one as written.
  auto at = parse_rfc3339(a.at);
  std::string out = "redline-approval-v1\n";
  field(out, "request", request_digest);
  field(out, "policy", policy_hash);
  field(out, "rule", a.rule);
  field(out, "step", a.step);
  field(out, "role", a.role);
  field(out, "verdict", a.verdict);
  field(out, "by", a.by);
  field(out, "at", at ? format_rfc3339(*at) : a.at);
  return out;
}

bool sign_approval(Approval& a, std::string_view private_key, std::string_view request_digest, std::string_view policy_hash,
                   std::string& error) {
  auto seed = crypto::parse_ed25519_seed(private_key);
  if (!seed) {
    error = "the private key is not base64 of a 32-byte Ed25519 seed";
    return false;
  }
  auto sig = crypto::ed25519_sign(*seed, bytes(approval_message(a, request_digest, policy_hash)));
  if (!sig) {
    error = "signing failed";
    return false;
  }
  a.signature = crypto::base64_encode(*sig);
  return true;
}

bool verify_approval(const Approval& a, std::string_view public_key, std::string_view request_digest, std::string_view policy_hash) {
  auto key = crypto::parse_ed25519_public_key(public_key);
  auto sig = parse_signature(a.signature);
  if (!key || !sig) return false;
  return crypto::ed25519_verify(*key, bytes(approval_message(a, request_digest, policy_hash)), *sig);
}

std::optional<ApproverKeyPair> generate_approver_key() {
  auto pair = crypto::ed25519_generate();
  if (!pair) return std::nullopt;
  return ApproverKeyPair{crypto::to_text(pair->seed), crypto::to_text(pair->public_key)};
}

std::optional<std::string> approver_public_key(std::string_view private_key) {
  auto seed = crypto::parse_ed25519_seed(private_key);
  if (!seed) return std::nullopt;
  auto pair = crypto::ed25519_from_seed(*seed);
  if (!pair) return std::nullopt;
  return crypto::to_text(pair->public_key);
}

}  // namespace redline
