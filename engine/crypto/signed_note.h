// crypto/signed_note.h — the C2SP "signed-note" format with Ed25519 keys
// (signature type 0x01): text, a blank line, then lines
// "— <key name> <base64(key ID || signature)>". Offers key IDs, the
// "<name>+<hex id>+<base64>" verifier / signer key strings used by Go's
// sumdb/note, signing, and opening (parse + verify, failing closed).
//
// Nothing here throws; running out of memory ends the process.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"

namespace redline::crypto {

/// A key that may sign notes: its name and Ed25519 key pair.
struct NoteSigner {
  std::string name;
  crypto::Ed25519KeyPair keys;
};

/// A key that notes are checked against: its name and Ed25519 public key.
struct NoteVerifier {
  std::string name;
  crypto::Ed25519PublicKey public_key;
};

/// One signature line of a note, as written (not yet verified).
struct NoteSignature {
  std::string key_name;
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> signature;  // the bytes after the 4-byte key ID
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

/// A note split into its text (ending in a newline) and its signature lines.
struct SignedNote {
  std::string text;
  std::vector<NoteSignature> signatures;
  friend bool operator==(const SignedNote&, const SignedNote&) = default;
};

/// What opening a note found: either the verified text or the reason not.
struct OpenedNote {
  bool ok = false;
  std::string error;                     // when !ok: one lowercase line
  std::string text;                      // when ok: the note text
  std::vector<std::string> verified_by;  // when ok: names of keys that verified
};

// INVARIANT: a note that does not parse, that carries a failing signature
// from a known key, or that no known key verifies is never opened.

/// The most signature lines a note may carry (the spec requires at least 16).
inline constexpr std::size_t kMaxNoteSignatures = 100;

/// Returns the Ed25519 key ID: SHA-256(name || 0x0A || 0x01 || key)[:4],
/// read big-endian.
std::uint32_t note_key_id(std::string_view name, const crypto::Ed25519PublicKey& key) noexcept;

/// Returns true iff the name is a valid key name: non-empty UTF-8 without
/// Unicode spaces, '+' or control characters.
bool is_valid_key_name(std::string_view name) noexcept;

/// Returns true iff the text may be signed: non-empty UTF-8 ending in a
/// newline, with no control characters other than newline.
bool is_valid_note_text(std::string_view text) noexcept;

/// Returns the verifier key string "<name>+<8 hex id>+<base64(0x01 || key)>";
/// nullopt if the name is invalid.
std::optional<std::string> format_verifier_key(const NoteVerifier& verifier) noexcept;

/// Parses a verifier key string, checking its key ID; nullopt on any defect.
std::optional<NoteVerifier> parse_verifier_key(std::string_view text) noexcept;

/// Returns the signer key string "PRIVATE+KEY+<name>+<8 hex id>+<base64(0x01 ||
/// seed)>"; nullopt if the name is invalid. The result is a secret.
std::optional<std::string> format_signer_key(const NoteSigner& signer) noexcept;

/// Parses a signer key string, checking its key ID; nullopt on any defect.
std::optional<NoteSigner> parse_signer_key(std::string_view text) noexcept;

/// Splits a note into text and signature lines, checking syntax only (valid
/// UTF-8, no control characters, well-formed signature lines, at least one
/// and at most kMaxNoteSignatures); nullopt if malformed.
std::optional<SignedNote> parse_signed_note(std::string_view note) noexcept;

/// Writes a parsed note back out; format(parse(n)) == n for every valid n.
std::string format_signed_note(const SignedNote& note) noexcept;

/// Signs the text with every signer and returns the whole note; nullopt if
/// the text or a key name is invalid, or signing fails.
std::optional<std::string> sign_note(std::string_view text, std::span<const NoteSigner> signers) noexcept;

/// Parses the note and verifies it against the known keys, as the spec says:
/// signatures from unknown keys (name and ID) are ignored, any failing
/// signature from a known key rejects the note, and at least one known key
/// must verify.
OpenedNote open_note(std::string_view note, std::span<const NoteVerifier> verifiers) noexcept;

}  // namespace redline::crypto
