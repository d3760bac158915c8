// redline/approvers.h — signed approvals (docs/approvals.md "Signed
// approvals"): who approvers are (a keys file: approver id → Ed25519 public
// key, roles, kind), how an approval is signed so that it cannot be forged or
// replayed (a signature over the request digest, the policy hash and the
// approval's fields), and the options that make the engine demand it.
//
//   std::string error;
//   auto keys = redline::ApproverKeys::load("approvers.json", error);
//   if (!keys) { std::cerr << error << '\n'; return 1; }
//   redline::ApprovalOptions opts{keys, /*require_signed=*/true};
//   redline::Decision d = program->evaluate(request, {.approvals = &opts});
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redline/request.h"

namespace redline {

/// Whether an approver is a person or an automated agent (docs/language.md
/// §15 "Human approvers"). `unknown`: nothing trustworthy said which.
enum class ApproverKind : std::uint8_t { unknown, human, agent };

/// The text of a kind ("unknown", "human", "agent").
const char* to_string(ApproverKind k);

/// One approver of a keys file.
struct ApproverKey {
  std::string id;                    ///< the approver id approvals carry in `by`
  std::string public_key;            ///< Ed25519 public key, standard base64 of 32 bytes
  std::vector<std::string> roles;    ///< the `actor.role` values this key may sign for
  ApproverKind kind = ApproverKind::human;   ///< never `unknown` once loaded
};

/// The approvers whose signed approvals can count: immutable once built, so
/// one object can be shared by every thread.
class ApproverKeys {
 public:
  /// Reads a keys file's JSON text (docs/approvals.md); null with `error` when malformed.
  static std::shared_ptr<const ApproverKeys> parse(std::string_view json, std::string& error);
  /// Reads a keys file from disk; null with `error` when unreadable or malformed.
  static std::shared_ptr<const ApproverKeys> load(const std::string& path, std::string& error);
  /// Builds the keys from entries; null with `error` when an entry is invalid
  /// (bad key, no roles, `unknown` kind, an id given twice).
  static std::shared_ptr<const ApproverKeys> from_entries(std::vector<ApproverKey> entries, std::string& error);

  /// The entry of approver `id`, or null.
  const ApproverKey* find(std::string_view id) const;
  /// Every entry, sorted by id.
  const std::vector<ApproverKey>& entries() const { return entries_; }
  /// True when `signature` (base64 of 64 bytes) is approver `id`'s valid
  /// Ed25519 signature of `message`; false for unknown ids and malformed input.
  bool verify(std::string_view id, std::string_view message, std::string_view signature) const;
  /// The keys file JSON text of these entries (parse() reads it back).
  std::string to_json() const;

 private:
  ApproverKeys() = default;
  std::vector<ApproverKey> entries_;
  std::vector<std::array<std::uint8_t, 32>> raw_;   ///< decoded public keys, by entry
};

/// How approvals are judged beyond what the policy says: the keys that
/// check signatures, and whether every approval rule demands signed
/// approvals. The default (no keys, nothing demanded) is the engine's
/// behaviour without this header. Passed to Program's bind and evaluate
/// through EvalOptions::approvals (redline/engine.h), borrowed for the call.
struct ApprovalOptions {
  std::shared_ptr<const ApproverKeys> keys;   ///< null: no keys configured
  bool require_signed = false;                ///< demand signed approvals for every rule, as `signed` does for one
};

/// The canonical message an approval's signature covers for the request with
/// digest `request_digest` (Request::digest()) under the policy with hash
/// `policy_hash` (Program::hash()): version tag, then request, policy, rule,
/// step, role, verdict, by and at, each length-prefixed (docs/approvals.md).
std::string approval_message(const Approval& a, std::string_view request_digest, std::string_view policy_hash);

/// Signs `a` (sets `a.signature`) with the private key `private_key` (base64
/// Ed25519 seed, as `redline keygen` writes it); false with `error` when the
/// key is malformed or signing fails.
bool sign_approval(Approval& a, std::string_view private_key, std::string_view request_digest, std::string_view policy_hash,
                   std::string& error);

/// True when `a.signature` is a valid signature by `public_key` (base64) of
/// approval_message(a, request_digest, policy_hash).
bool verify_approval(const Approval& a, std::string_view public_key, std::string_view request_digest, std::string_view policy_hash);

/// A fresh Ed25519 key pair as text (standard base64 of 32 bytes each).
struct ApproverKeyPair {
  std::string private_key;   ///< the seed: keep secret
  std::string public_key;
};

/// Generates a key pair from the operating system's randomness; nullopt when it cannot.
std::optional<ApproverKeyPair> generate_approver_key();

/// The public key of a private key (base64 seed); nullopt when malformed.
std::optional<std::string> approver_public_key(std::string_view private_key);

}  // namespace redline
