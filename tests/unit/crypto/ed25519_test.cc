// Tests for crypto/ed25519.h: RFC 8032 §7.1 known answers, generated keys,
// tampering with message / signature / key, and the base64 key text form.
#include "crypto/ed25519.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "crypto/sha256.h"

namespace {

using namespace redline::crypto;

template <class T>
T from_hex_array(std::string_view hex) {
  T out{};
  const auto raw = from_hex(hex);
  REQUIRE(raw.has_value());
  REQUIRE(raw->size() == out.size());
  std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, 2 and 3.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

}  // namespace

TEST_SUITE_BEGIN("crypto");

TEST_CASE("ed25519: RFC 8032 known answers") {
  for (const auto& v : kVectors) {
    CAPTURE(v.public_key);
    const Ed25519Seed seed{from_hex_array<std::array<std::uint8_t, 32>>(v.seed)};
    const auto pair = ed25519_from_seed(seed);
    REQUIRE(pair.has_value());
    CHECK(to_hex(pair->public_key.bytes) == v.public_key);
    CHECK(pair->seed == seed);
    const Bytes message = *from_hex(v.message);
    const auto signature = ed25519_sign(seed, message);
    REQUIRE(signature.has_value());
    CHECK(to_hex(*signature) == v.signature);
    CHECK(ed25519_verify(pair->public_key, message, *signature));
  }
}

TEST_CASE("ed25519: generated keys sign and verify; tampering is detected") {
  const auto pair = ed25519_generate();
  REQUIRE(pair.has_value());
  const auto other = ed25519_generate();
  REQUIRE(other.has_value());
  CHECK(pair->seed != other->seed);

  const std::string text = "allow purpose=research for model=m1\n";
  const auto message = bytes_of(text);
  const auto signature = ed25519_sign(pair->seed, message);
  REQUIRE(signature.has_value());
  CHECK(ed25519_verify(pair->public_key, message, *signature));

  SUBCASE("every flipped message bit fails") {
    Bytes copy(message.begin(), message.end());
    for (std::size_t bit = 0; bit < copy.size() * 8; ++bit) {
      copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      CHECK_FALSE(ed25519_verify(pair->public_key, copy, *signature));
      copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    CHECK(ed25519_verify(pair->public_key, copy, *signature));
  }
  SUBCASE("every flipped signature bit fails") {
    Ed25519Signature copy = *signature;
    for (std::size_t bit = 0; bit < copy.size() * 8; ++bit) {
      copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      CHECK_FALSE(ed25519_verify(pair->public_key, message, copy));
      copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
  }
  SUBCASE("another key fails") { CHECK_FALSE(ed25519_verify(other->public_key, message, *signature)); }
  SUBCASE("wrong-length signatures fail") {
    const Bytes sig(signature->begin(), signature->end());
    CHECK_FALSE(ed25519_verify(pair->public_key, message, std::span(sig).first(63)));
    Bytes longer = sig;
    longer.push_back(0);
    CHECK_FALSE(ed25519_verify(pair->public_key, message, longer));
    CHECK_FALSE(ed25519_verify(pair->public_key, message, Bytes{}));
  }
  SUBCASE("a key that is not a curve point fails, without crashing") {
    Ed25519PublicKey bad;
    bad.bytes.fill(0xff);
    CHECK_FALSE(ed25519_verify(bad, message, *signature));
  }
}

TEST_CASE("ed25519: base64 text form of keys") {
  const auto pair = ed25519_generate();
  REQUIRE(pair.has_value());
  const std::string pub = to_text(pair->public_key);
  const std::string seed = to_text(pair->seed);
  CHECK(pub.size() == 44);
  CHECK(parse_ed25519_public_key(pub) == pair->public_key);
  CHECK(parse_ed25519_seed(seed) == pair->seed);
  CHECK(parse_ed25519_seed("  " + seed + "\n") == pair->seed);
  CHECK_FALSE(parse_ed25519_public_key(pub.substr(0, 40)).has_value());
  CHECK_FALSE(parse_ed25519_public_key(base64_encode(Bytes(31, 1))).has_value());
  CHECK_FALSE(parse_ed25519_public_key(base64_encode(Bytes(33, 1))).has_value());
  CHECK_FALSE(parse_ed25519_seed("not base64!").has_value());
  CHECK_FALSE(parse_ed25519_seed("").has_value());
}

TEST_SUITE_END();
