// crypto/sha256.h — SHA-256 digests (one-shot and incremental, via OpenSSL
// EVP) and the byte codecs that travel with them: lowercase hex and standard
// base64 (RFC 4648 §4). Policy hashes are written "sha256:<hex>".
// Nothing here throws: running out of memory ends the process (see Sha256).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header.

namespace redline::crypto {

/// A SHA-256 digest: 32 bytes.
using Sha256Digest = std::array<std::uint8_t, 32>;

/// An owned byte string.
using Bytes = std::vector<std::uint8_t>;

/// Views the characters of a string as bytes, without copying.
std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept;

/// Returns SHA-256 of the given bytes.
Sha256Digest sha256(std::span<const std::uint8_t> data) noexcept;

/// Returns SHA-256 of the given text's bytes.
Sha256Digest sha256(std::string_view data) noexcept;

/// Returns "sha256:" followed by the lowercase hex SHA-256 of the text.
std::string sha256_tagged_hex(std::string_view data) noexcept;

/// An incremental SHA-256: update() any number of times, then final(), which
/// also restarts it for the next message.
// INVARIANT: a failure inside OpenSSL here can only mean the process is out of
// memory; the process aborts rather than hand back a wrong digest.
class Sha256 {
 public:
  /// Starts a new digest.
  Sha256() noexcept = default;
  /// Releases the OpenSSL context.
  ~Sha256() = default;
  /// Not copyable: the OpenSSL state is owned.
  Sha256(const Sha256&) = delete;
  /// Not copyable: the OpenSSL state is owned.
  Sha256& operator=(const Sha256&) = delete;
  /// Moves the running state; the source becomes a fresh, empty digest.
  Sha256(Sha256&& other) noexcept = default;
  /// Moves the running state; the source becomes a fresh, empty digest.
  Sha256& operator=(Sha256&& other) noexcept = default;

  /// Feeds bytes into the digest.
  Sha256& update(std::span<const std::uint8_t> data) noexcept;
  /// Feeds the text's bytes into the digest.
  Sha256& update(std::string_view data) noexcept;
  /// Returns the digest and restarts, so the object can hash a new message.
  Sha256Digest final() noexcept;

 private:
  struct ContextDeleter {
    void operator()(evp_md_ctx_st* ctx) const noexcept;
  };
  /// Returns the OpenSSL context, creating and initialising it when absent.
  evp_md_ctx_st* context() noexcept;
  std::unique_ptr<evp_md_ctx_st, ContextDeleter> ctx_;
};

/// Returns the bytes as lowercase hexadecimal, two characters per byte.
std::string to_hex(std::span<const std::uint8_t> bytes) noexcept;

/// Parses hexadecimal (either case, even length); nullopt on any other input.
std::optional<Bytes> from_hex(std::string_view hex) noexcept;

/// Returns the standard, padded base64 encoding (RFC 4648 §4) of the bytes.
std::string base64_encode(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes canonical padded base64 (RFC 4648 §4); nullopt on anything else,
/// including whitespace, missing padding and non-zero padding bits.
std::optional<Bytes> base64_decode(std::string_view text) noexcept;

}  // namespace redline::crypto
