// Tests for crypto/sha256.h: SHA-256 known answers (FIPS 180-4 examples),
// the incremental hasher, hex and base64 (RFC 4648 §10 vectors).
#include "crypto/sha256.h"

#include <doctest/doctest.h>

#include <string>

namespace {

using redline::crypto::base64_decode;
using redline::crypto::base64_encode;
using redline::crypto::bytes_of;
using redline::crypto::Bytes;
using redline::crypto::from_hex;
using redline::crypto::Sha256;
using redline::crypto::sha256;
using redline::crypto::to_hex;

Bytes bytes(std::string_view text) {
  auto view = bytes_of(text);
  return Bytes(view.begin(), view.end());
}

}  // namespace

TEST_SUITE_BEGIN("crypto");

TEST_CASE("sha256: known answers") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: byte and text overloads agree, including embedded NUL") {
  const std::string text("a\0b", 3);
  CHECK(sha256(text) == sha256(bytes_of(text)));
  CHECK(sha256(text) != sha256("a"));
}

TEST_CASE("sha256: tagged hex for policy hashes") {
  CHECK(redline::crypto::sha256_tagged_hex("abc") ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256: incremental equals one-shot, and final() restarts") {
  Sha256 h;
  h.update("abcdbcdecdefdefg").update("efghfghighijhijk").update("").update("ijkljklmklmnlmnomnopnopq");
  CHECK(to_hex(h.final()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(h.final() == sha256(""));
  h.update("abc");
  CHECK(h.final() == sha256("abc"));
}

TEST_CASE("Sha256: a moved-from hasher is a fresh one") {
  Sha256 a;
  a.update("ab");
  Sha256 b = std::move(a);
  b.update("c");
  CHECK(b.final() == sha256("abc"));
  a.update("xyz");  // NOLINT(bugprone-use-after-move): documented as valid
  CHECK(a.final() == sha256("xyz"));
}

TEST_CASE("hex: round trip, both cases accepted, malformed rejected") {
  const Bytes raw{0x00, 0x01, 0xab, 0xff};
  CHECK(to_hex(raw) == "0001abff");
  CHECK(from_hex("0001abff") == raw);
  CHECK(from_hex("0001ABFF") == raw);
  CHECK(from_hex("") == Bytes{});
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
  CHECK_FALSE(from_hex("0x00").has_value());
  CHECK_FALSE(from_hex(" 00").has_value());
}

TEST_CASE("base64: RFC 4648 section 10 vectors") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& vector : vectors) {
    CAPTURE(vector.first);
    CHECK(base64_encode(bytes_of(vector.first)) == vector.second);
    CHECK(base64_decode(vector.second) == bytes(vector.first));
  }
}

TEST_CASE("base64: every byte value round-trips") {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const Bytes prefix(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(base64_decode(base64_encode(prefix)) == prefix);
  }
}

TEST_CASE("base64: non-canonical or malformed input is rejected") {
  const char* bad[] = {
      "Zg",        // missing padding
      "Zg=",       // short padding
      "Zh==",      // non-zero padding bits
      "Zm9=",      // non-zero padding bits
      "Z===",      // too much padding
      "====",      // padding only
      "Zg==Zg==",  // padding in the middle
      "Zm 9v",     // whitespace
      "Zm9v\n",    // trailing newline
      "Zm9-",      // URL-safe alphabet
      "Zm9_",      // URL-safe alphabet
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text).has_value());
  }
}

TEST_SUITE_END();
