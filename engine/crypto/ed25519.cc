// crypto/ed25519.cc — Ed25519 through OpenSSL's EVP_PKEY_ED25519 and the
// base64 text form of raw keys.
#include "crypto/ed25519.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "crypto/sha256.h"

namespace redline::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Returns nullopt after dropping OpenSSL's queued errors, so a failure here
// leaves nothing behind for unrelated code on this thread to trip over.
template <class T>
std::optional<T> failed() noexcept {
  ERR_clear_error();
  return std::nullopt;
}

PkeyPtr private_key(const Ed25519Seed& seed) noexcept {
  return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.bytes.data(),
                                              seed.bytes.size()));
}

PkeyPtr public_key(const Ed25519PublicKey& key) noexcept {
  return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.bytes.data(),
                                             key.bytes.size()));
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Decodes base64 text of exactly 32 bytes.
std::optional<std::array<std::uint8_t, 32>> parse_key_bytes(std::string_view text) noexcept {
  std::optional<Bytes> raw = base64_decode(trim(text));
  if (!raw || raw->size() != 32) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  std::copy(raw->begin(), raw->end(), out.begin());
  OPENSSL_cleanse(raw->data(), raw->size());
  return out;
}

}  // namespace

std::optional<Ed25519KeyPair> ed25519_generate() noexcept {
  Ed25519Seed seed;
  if (RAND_priv_bytes(seed.bytes.data(), static_cast<int>(seed.bytes.size())) != 1) {
    return failed<Ed25519KeyPair>();
  }
  std::optional<Ed25519KeyPair> pair = ed25519_from_seed(seed);
  OPENSSL_cleanse(seed.bytes.data(), seed.bytes.size());
  return pair;
}

std::optional<Ed25519KeyPair> ed25519_from_seed(const Ed25519Seed& seed) noexcept {
  PkeyPtr key = private_key(seed);
  if (!key) return failed<Ed25519KeyPair>();
  Ed25519KeyPair pair{seed, {}};
  std::size_t length = pair.public_key.bytes.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pair.public_key.bytes.data(), &length) != 1 ||
      length != pair.public_key.bytes.size()) {
    return failed<Ed25519KeyPair>();
  }
  return pair;
}

std::optional<Ed25519Signature> ed25519_sign(const Ed25519Seed& seed,
                                             std::span<const std::uint8_t> message) noexcept {
  PkeyPtr key = private_key(seed);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return failed<Ed25519Signature>();
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.get(), nullptr) != 1) {
    return failed<Ed25519Signature>();
  }
  Ed25519Signature signature{};
  std::size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1 ||
      length != signature.size()) {
    return failed<Ed25519Signature>();
  }
  return signature;
}

bool ed25519_verify(const Ed25519PublicKey& key, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) noexcept {
  if (signature.size() != Ed25519Signature{}.size()) return false;
  PkeyPtr pkey = public_key(key);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      pkey && ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey.get(), nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

std::string to_text(const Ed25519PublicKey& key) noexcept { return base64_encode(key.bytes); }

std::string to_text(const Ed25519Seed& seed) noexcept { return base64_encode(seed.bytes); }

std::optional<Ed25519PublicKey> parse_ed25519_public_key(std::string_view text) noexcept {
  auto raw = parse_key_bytes(text);
  if (!raw) return std::nullopt;
  return Ed25519PublicKey{*raw};
}

std::optional<Ed25519Seed> parse_ed25519_seed(std::string_view text) noexcept {
  auto raw = parse_key_bytes(text);
  if (!raw) return std::nullopt;
  return Ed25519Seed{*raw};
}

}  // namespace redline::crypto
