// audit/checkpoint.cc — tlog-checkpoint note text and its signing and
// verification on top of crypto/signed_note.
#include "audit/checkpoint.h"

#include <charconv>

namespace redline::audit {
namespace {

// Returns true iff the line may stand in a checkpoint: non-empty, and valid
// note text once a newline is added (so no newline or control character).
bool is_valid_line(std::string_view line) noexcept {
  return !line.empty() && line.find('\n') == std::string_view::npos &&
         crypto::is_valid_note_text(std::string(line) + "\n");
}

// Parses a tree size: ASCII decimal, no sign, no leading zero except "0".
std::optional<std::uint64_t> parse_size(std::string_view text) noexcept {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;  // overflow
  return value;
}

// Splits text that ends in a newline into its lines (without newlines).
std::vector<std::string_view> split_lines(std::string_view text) noexcept {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

VerifiedCheckpoint rejected(std::string why) noexcept { return VerifiedCheckpoint{false, std::move(why), {}, {}}; }

}  // namespace

std::optional<std::string> format_checkpoint(const Checkpoint& checkpoint) noexcept {
  if (!is_valid_line(checkpoint.origin)) return std::nullopt;
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     crypto::base64_encode(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    if (!is_valid_line(line)) return std::nullopt;
    text += line + "\n";
  }
  return text;
}

std::optional<Checkpoint> parse_checkpoint(std::string_view text) noexcept {
  if (!crypto::is_valid_note_text(text)) return std::nullopt;
  const std::vector<std::string_view> lines = split_lines(text);
  if (lines.size() < 3) return std::nullopt;
  Checkpoint out;
  out.origin = std::string(lines[0]);
  const auto size = parse_size(lines[1]);
  const auto root = crypto::base64_decode(lines[2]);
  const auto root_hash = root ? hash_from_bytes(*root) : std::nullopt;
  if (out.origin.empty() || !size || !root_hash) return std::nullopt;
  out.size = *size;
  out.root = *root_hash;
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return std::nullopt;
    out.extensions.emplace_back(lines[i]);
  }
  return out;
}

std::optional<std::string> sign_checkpoint(const Checkpoint& checkpoint,
                                           std::span<const crypto::NoteSigner> signers) noexcept {
  const std::optional<std::string> text = format_checkpoint(checkpoint);
  if (!text) return std::nullopt;
  return crypto::sign_note(*text, signers);
}

VerifiedCheckpoint verify_checkpoint(std::string_view signed_note, std::string_view expected_origin,
                                     std::span<const crypto::NoteVerifier> verifiers) noexcept {
  crypto::OpenedNote opened = crypto::open_note(signed_note, verifiers);
  if (!opened.ok) return rejected(std::move(opened.error));
  std::optional<Checkpoint> checkpoint = parse_checkpoint(opened.text);
  if (!checkpoint) return rejected("signed note is not a well-formed checkpoint");
  if (checkpoint->origin != expected_origin) {
    return rejected("checkpoint origin `" + checkpoint->origin + "` is not `" + std::string(expected_origin) + "`");
  }
  return VerifiedCheckpoint{true, {}, std::move(*checkpoint), std::move(opened.verified_by)};
}

}  // namespace redline::audit
