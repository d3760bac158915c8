// crypto/ed25519.h — Ed25519 (RFC 8032) key generation, signing and
// verification through OpenSSL EVP. Keys are raw bytes: a 32-byte public key
// and a 32-byte private seed, written as text in standard base64. Failures are
// returned (nullopt / false), never thrown; running out of memory while
// building a string ends the process.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace redline::crypto {

/// An Ed25519 public key: the 32-byte encoding of RFC 8032 §5.1.5.
struct Ed25519PublicKey {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const Ed25519PublicKey&, const Ed25519PublicKey&) = default;
};

/// An Ed25519 private key: the 32-byte seed of RFC 8032 §5.1.5. Keep secret.
struct Ed25519Seed {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const Ed25519Seed&, const Ed25519Seed&) = default;
};

/// An Ed25519 signature: 64 bytes (R || S).
using Ed25519Signature = std::array<std::uint8_t, 64>;

/// A private seed together with the public key derived from it.
struct Ed25519KeyPair {
  Ed25519Seed seed;
  Ed25519PublicKey public_key;
};

/// Generates a key pair from the operating system's randomness; nullopt if
/// OpenSSL cannot.
std::optional<Ed25519KeyPair> ed25519_generate() noexcept;

/// Derives the key pair of a seed; nullopt only if OpenSSL fails.
std::optional<Ed25519KeyPair> ed25519_from_seed(const Ed25519Seed& seed) noexcept;

/// Signs a message (pure Ed25519, no pre-hash); nullopt only if OpenSSL fails.
std::optional<Ed25519Signature> ed25519_sign(const Ed25519Seed& seed,
                                             std::span<const std::uint8_t> message) noexcept;

/// Returns true iff the signature is a valid Ed25519 signature of the message
/// under the key; any malformed input (e.g. a wrong-length signature) is false.
bool ed25519_verify(const Ed25519PublicKey& key, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) noexcept;

/// Returns the public key as standard base64 (44 characters).
std::string to_text(const Ed25519PublicKey& key) noexcept;

/// Returns the seed as standard base64 (44 characters).
std::string to_text(const Ed25519Seed& seed) noexcept;

/// Parses base64 of exactly 32 bytes, ignoring surrounding ASCII whitespace.
std::optional<Ed25519PublicKey> parse_ed25519_public_key(std::string_view text) noexcept;

/// Parses base64 of exactly 32 bytes, ignoring surrounding ASCII whitespace.
std::optional<Ed25519Seed> parse_ed25519_seed(std::string_view text) noexcept;

}  // namespace redline::crypto
