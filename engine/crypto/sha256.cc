// crypto/sha256.cc — SHA-256 through OpenSSL EVP, plus hex and base64 codecs.
#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace redline::crypto {
namespace {

// Stops the process when OpenSSL cannot provide SHA-256 (out of memory or a
// broken installation): a wrong digest would be worse than no answer.
[[noreturn]] void die(const char* what) noexcept {
  std::fprintf(stderr, "redline: fatal: OpenSSL SHA-256 failed in %s\n", what);
  std::abort();
}

// Returns the SHA-256 implementation, fetched once per process; an explicit
// fetch avoids OpenSSL 3's per-call implicit lookup.
const EVP_MD* sha256_md() noexcept {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  if (md == nullptr) die("EVP_MD_fetch");
  return md;
}

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Returns the value of one hex digit, or -1.
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Returns the 6-bit value of one base64 character, or -1.
int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Counts trailing '=' of a base64 text whose length is a multiple of 4.
std::size_t base64_padding(std::string_view text) noexcept {
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return pad;
}

}  // namespace

std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Sha256Digest sha256(std::span<const std::uint8_t> data) noexcept {
  thread_local Sha256 hasher;
  return hasher.update(data).final();
}

Sha256Digest sha256(std::string_view data) noexcept { return sha256(bytes_of(data)); }

std::string sha256_tagged_hex(std::string_view data) noexcept {
  return "sha256:" + to_hex(sha256(data));
}

void Sha256::ContextDeleter::operator()(evp_md_ctx_st* ctx) const noexcept {
  EVP_MD_CTX_free(ctx);
}

evp_md_ctx_st* Sha256::context() noexcept {
  if (!ctx_) {
    ctx_.reset(EVP_MD_CTX_new());
    if (!ctx_) die("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1) die("EVP_DigestInit_ex2");
  }
  return ctx_.get();
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) noexcept {
  if (EVP_DigestUpdate(context(), data.data(), data.size()) != 1) die("EVP_DigestUpdate");
  return *this;
}

Sha256& Sha256::update(std::string_view data) noexcept { return update(bytes_of(data)); }

Sha256Digest Sha256::final() noexcept {
  Sha256Digest out{};
  unsigned int length = 0;
  EVP_MD_CTX* ctx = context();
  if (EVP_DigestFinal_ex(ctx, out.data(), &length) != 1 || length != out.size()) {
    die("EVP_DigestFinal_ex");
  }
  if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) die("EVP_DigestInit_ex2");
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) noexcept {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

std::optional<Bytes> from_hex(std::string_view hex) noexcept {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) noexcept {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[v >> shift & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  std::uint32_t v = std::uint32_t{bytes[i]} << 16;
  if (rest == 2) v |= std::uint32_t{bytes[i + 1]} << 8;
  out.push_back(kBase64Alphabet[v >> 18 & 63]);
  out.push_back(kBase64Alphabet[v >> 12 & 63]);
  out.push_back(rest == 2 ? kBase64Alphabet[v >> 6 & 63] : '=');
  out.push_back('=');
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) noexcept {
  if (text.size() % 4 != 0) return std::nullopt;
  const std::size_t pad = base64_padding(text);
  const std::size_t chars = text.size() - pad;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < chars; ++i) {
    const int v = base64_value(text[i]);
    if (v < 0) return std::nullopt;  // also rejects '=' before the padding
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  // Canonical form: the bits left over after the last full byte are zero.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace redline::crypto
