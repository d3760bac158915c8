// audit/checkpoint.h — signed tree heads of the audit log in the C2SP
// "tlog-checkpoint" format: a signed note (crypto/signed_note.h) whose text is
// the origin line, the tree size in decimal, the base64 root hash, and
// optional non-empty extension lines. Offers format, parse, sign and verify.
//
// Nothing here throws; running out of memory ends the process.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.h"
#include "crypto/signed_note.h"

namespace redline::audit {

/// A tree head: which log, how many leaves, and the Merkle root at that size.
struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // opaque extra lines, each non-empty
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

/// What verifying a signed checkpoint found: the checkpoint or the reason not.
struct VerifiedCheckpoint {
  bool ok = false;
  std::string error;                     // when !ok: one lowercase line
  Checkpoint checkpoint;                 // when ok
  std::vector<std::string> verified_by;  // when ok: names of keys that verified
};

/// Returns the checkpoint's note text; nullopt if the origin is empty or an
/// origin or extension line holds a newline, control character or bad UTF-8.
std::optional<std::string> format_checkpoint(const Checkpoint& checkpoint) noexcept;

/// Parses checkpoint note text strictly (size without sign or leading zeros,
/// root of exactly 32 bytes, text ending in a newline); nullopt otherwise.
std::optional<Checkpoint> parse_checkpoint(std::string_view text) noexcept;

/// Formats the checkpoint and signs it with every signer, returning the
/// signed note; nullopt if the checkpoint or a signer is invalid.
std::optional<std::string> sign_checkpoint(const Checkpoint& checkpoint,
                                           std::span<const crypto::NoteSigner> signers) noexcept;

/// Opens a signed checkpoint with the known keys (signed-note rules) and
/// parses it; fails closed unless it verifies, parses, and its origin is
/// `expected_origin`.
VerifiedCheckpoint verify_checkpoint(std::string_view signed_note, std::string_view expected_origin,
                                     std::span<const crypto::NoteVerifier> verifiers) noexcept;

}  // namespace redline::audit
