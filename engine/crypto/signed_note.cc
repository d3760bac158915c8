// crypto/signed_note.cc — C2SP signed notes with Ed25519: syntax checks
// (UTF-8, control characters, key names), key strings, signing, opening.
#include "crypto/signed_note.h"

#include <algorithm>
#include <array>
#include <utility>

#include "crypto/sha256.h"

namespace redline::crypto {
namespace {

using crypto::Bytes;

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr std::string_view kSignerPrefix = "PRIVATE+KEY+";
constexpr std::uint8_t kEd25519Type = 0x01;

// Returns how many bytes a UTF-8 sequence with this lead byte has (0 if the
// byte cannot lead), and the payload bits of the lead byte.
std::pair<std::size_t, char32_t> utf8_lead(unsigned char lead) noexcept {
  if (lead < 0x80) return {1, lead};
  if ((lead & 0xE0) == 0xC0) return {2, lead & 0x1Fu};
  if ((lead & 0xF0) == 0xE0) return {3, lead & 0x0Fu};
  if ((lead & 0xF8) == 0xF0) return {4, lead & 0x07u};
  return {0, 0};
}

// Decodes the UTF-8 code point at text[i] and advances i past it; nullopt
// for invalid UTF-8 (bad bytes, truncation, overlongs, surrogates, > U+10FFFF).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) noexcept {
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  auto [length, cp] = utf8_lead(static_cast<unsigned char>(text[i]));
  if (length == 0 || text.size() - i < length) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    cp = cp << 6 | (next & 0x3Fu);
  }
  if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += length;
  return cp;
}

// Unicode White_Space characters (what Go's unicode.IsSpace accepts).
bool is_unicode_space(char32_t c) noexcept {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Returns true iff text is valid UTF-8 whose only control character (below
// U+0020) is newline, and only where newlines are allowed.
bool is_clean_utf8(std::string_view text, bool allow_newline) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::optional<char32_t> cp = next_code_point(text, i);
    if (!cp || (*cp < 0x20 && !(allow_newline && *cp == '\n'))) return false;
  }
  return true;
}

std::array<std::uint8_t, 4> be32(std::uint32_t v) noexcept {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

std::uint32_t read_be32(std::span<const std::uint8_t> b) noexcept {
  return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

// Returns "<name>+<hex id>+<base64(0x01 || key)>".
std::string key_string(std::string_view name, std::uint32_t id, const std::array<std::uint8_t, 32>& key) noexcept {
  Bytes typed{kEd25519Type};
  typed.insert(typed.end(), key.begin(), key.end());
  return std::string(name) + "+" + crypto::to_hex(be32(id)) + "+" + crypto::base64_encode(typed);
}

// The parts of "<name>+<hex id>+<base64(0x01 || 32 bytes)>".
struct KeyString {
  std::string name;
  std::uint32_t id = 0;
  std::array<std::uint8_t, 32> key{};
};

std::optional<KeyString> parse_key_string(std::string_view text) noexcept {
  const std::size_t plus1 = text.find('+');
  if (plus1 == std::string_view::npos || text.size() < plus1 + 10 || text[plus1 + 9] != '+') return std::nullopt;
  KeyString out{std::string(text.substr(0, plus1)), 0, {}};
  const auto id = crypto::from_hex(text.substr(plus1 + 1, 8));
  const auto typed = crypto::base64_decode(text.substr(plus1 + 10));
  if (!is_valid_key_name(out.name) || !id || !typed || typed->size() != 33 || (*typed)[0] != kEd25519Type) {
    return std::nullopt;
  }
  out.id = read_be32(*id);
  std::copy(typed->begin() + 1, typed->end(), out.key.begin());
  return out;
}

// Parses "— <name> <base64(key ID || signature)>" (without its newline).
std::optional<NoteSignature> parse_signature_line(std::string_view line) noexcept {
  if (!line.starts_with(kSignaturePrefix)) return std::nullopt;
  line.remove_prefix(kSignaturePrefix.size());
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  NoteSignature out{std::string(line.substr(0, space)), 0, {}};
  const auto blob = crypto::base64_decode(line.substr(space + 1));
  if (!is_valid_key_name(out.key_name) || !blob || blob->size() < 5) return std::nullopt;
  out.key_id = read_be32(*blob);
  out.signature.assign(blob->begin() + 4, blob->end());
  return out;
}

// Splits the signature block (lines each ending in a newline) into lines.
std::optional<std::vector<NoteSignature>> parse_signature_block(std::string_view block) noexcept {
  std::vector<NoteSignature> out;
  while (!block.empty()) {
    const std::size_t end = block.find('\n');
    if (end == std::string_view::npos || out.size() == kMaxNoteSignatures) return std::nullopt;
    auto signature = parse_signature_line(block.substr(0, end));
    if (!signature) return std::nullopt;
    out.push_back(std::move(*signature));
    block.remove_prefix(end + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// Returns the verifier whose name and key ID match the signature, or null.
const NoteVerifier* find_verifier(const NoteSignature& signature, std::span<const NoteVerifier> verifiers) noexcept {
  for (const NoteVerifier& v : verifiers) {
    if (v.name == signature.key_name && note_key_id(v.name, v.public_key) == signature.key_id) return &v;
  }
  return nullptr;
}

bool has_duplicate_signer(const std::vector<NoteSignature>& signatures) noexcept {
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    for (std::size_t j = i + 1; j < signatures.size(); ++j) {
      if (signatures[i].key_name == signatures[j].key_name && signatures[i].key_id == signatures[j].key_id) {
        return true;
      }
    }
  }
  return false;
}

OpenedNote rejected(std::string why) noexcept { return OpenedNote{false, std::move(why), {}, {}}; }

}  // namespace

std::uint32_t note_key_id(std::string_view name, const crypto::Ed25519PublicKey& key) noexcept {
  crypto::Sha256 hasher;
  const std::uint8_t separator[2] = {'\n', kEd25519Type};
  const crypto::Sha256Digest digest = hasher.update(name).update(separator).update(key.bytes).final();
  return read_be32(digest);
}

bool is_valid_key_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    const std::optional<char32_t> cp = next_code_point(name, i);
    if (!cp || *cp < 0x20 || *cp == '+' || is_unicode_space(*cp)) return false;
  }
  return true;
}

bool is_valid_note_text(std::string_view text) noexcept {
  return !text.empty() && text.back() == '\n' && is_clean_utf8(text, true);
}

std::optional<std::string> format_verifier_key(const NoteVerifier& verifier) noexcept {
  if (!is_valid_key_name(verifier.name)) return std::nullopt;
  return key_string(verifier.name, note_key_id(verifier.name, verifier.public_key), verifier.public_key.bytes);
}

std::optional<NoteVerifier> parse_verifier_key(std::string_view text) noexcept {
  const std::optional<KeyString> parts = parse_key_string(text);
  if (!parts) return std::nullopt;
  NoteVerifier out{parts->name, crypto::Ed25519PublicKey{parts->key}};
  if (note_key_id(out.name, out.public_key) != parts->id) return std::nullopt;
  return out;
}

std::optional<std::string> format_signer_key(const NoteSigner& signer) noexcept {
  if (!is_valid_key_name(signer.name)) return std::nullopt;
  const std::uint32_t id = note_key_id(signer.name, signer.keys.public_key);
  return std::string(kSignerPrefix) + key_string(signer.name, id, signer.keys.seed.bytes);
}

std::optional<NoteSigner> parse_signer_key(std::string_view text) noexcept {
  if (!text.starts_with(kSignerPrefix)) return std::nullopt;
  const std::optional<KeyString> parts = parse_key_string(text.substr(kSignerPrefix.size()));
  if (!parts) return std::nullopt;
  const auto keys = crypto::ed25519_from_seed(crypto::Ed25519Seed{parts->key});
  if (!keys || note_key_id(parts->name, keys->public_key) != parts->id) return std::nullopt;
  return NoteSigner{parts->name, *keys};
}

std::optional<SignedNote> parse_signed_note(std::string_view note) noexcept {
  if (note.empty() || note.back() != '\n' || !is_clean_utf8(note, true)) return std::nullopt;
  // The text ends at the last empty line; what follows are signature lines.
  const std::size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return std::nullopt;
  auto signatures = parse_signature_block(note.substr(blank + 2));
  if (!signatures) return std::nullopt;
  return SignedNote{std::string(note.substr(0, blank + 1)), std::move(*signatures)};
}

std::string format_signed_note(const SignedNote& note) noexcept {
  std::string out = note.text + "\n";
  for (const NoteSignature& s : note.signatures) {
    const auto id = be32(s.key_id);
    Bytes blob(id.begin(), id.end());
    blob.insert(blob.end(), s.signature.begin(), s.signature.end());
    out += std::string(kSignaturePrefix) + s.key_name + " " + crypto::base64_encode(blob) + "\n";
  }
  return out;
}

std::optional<std::string> sign_note(std::string_view text, std::span<const NoteSigner> signers) noexcept {
  if (!is_valid_note_text(text) || signers.empty() || signers.size() > kMaxNoteSignatures) return std::nullopt;
  SignedNote note{std::string(text), {}};
  for (const NoteSigner& signer : signers) {
    if (!is_valid_key_name(signer.name)) return std::nullopt;
    const auto signature = crypto::ed25519_sign(signer.keys.seed, crypto::bytes_of(text));
    // Checking our own signature catches a public key that is not the seed's.
    if (!signature || !crypto::ed25519_verify(signer.keys.public_key, crypto::bytes_of(text), *signature)) {
      return std::nullopt;
    }
    note.signatures.push_back(
        {signer.name, note_key_id(signer.name, signer.keys.public_key), Bytes(signature->begin(), signature->end())});
  }
  if (has_duplicate_signer(note.signatures)) return std::nullopt;
  return format_signed_note(note);
}

OpenedNote open_note(std::string_view note, std::span<const NoteVerifier> verifiers) noexcept {
  std::optional<SignedNote> parsed = parse_signed_note(note);
  if (!parsed) return rejected("malformed signed note");
  if (has_duplicate_signer(parsed->signatures)) return rejected("signed note has two signatures by one key");
  OpenedNote out{true, {}, std::move(parsed->text), {}};
  for (const NoteSignature& signature : parsed->signatures) {
    const NoteVerifier* verifier = find_verifier(signature, verifiers);
    if (verifier == nullptr) continue;  // unknown keys are ignored
    if (!crypto::ed25519_verify(verifier->public_key, crypto::bytes_of(out.text), signature.signature)) {
      return rejected("signature by key `" + signature.key_name + "` does not verify");
    }
    out.verified_by.push_back(signature.key_name);
  }
  if (out.verified_by.empty()) return rejected("no signature from a known key");
  return out;
}

}  // namespace redline::crypto
