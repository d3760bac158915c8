// Tests for crypto/signed_note.h: the golang.org/x/mod/sumdb/note reference
// vector (PeterNeumann), key strings, opening rules for known / unknown /
// failing signatures, and rejection of malformed notes.
#include "crypto/signed_note.h"

#include <doctest/doctest.h>

#include <string>

#include "crypto/sha256.h"

namespace {

using namespace redline;
using namespace redline::crypto;
using redline::crypto::base64_encode;
using redline::crypto::Bytes;
using redline::crypto::ed25519_generate;

// From golang.org/x/mod/sumdb/note (note.go documentation and tests).
constexpr std::string_view kPeterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kPeterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

crypto::NoteSigner new_signer(std::string name) {
  auto keys = ed25519_generate();
  REQUIRE(keys.has_value());
  return crypto::NoteSigner{std::move(name), *keys};
}

// The PeterNeumann public key behind a different signature type byte.
std::string with_type_byte(std::uint8_t type) {
  Bytes typed = *redline::crypto::base64_decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  typed[0] = type;
  return base64_encode(typed);
}

crypto::NoteVerifier verifier_of(const crypto::NoteSigner& signer) { return crypto::NoteVerifier{signer.name, signer.keys.public_key}; }

std::string signed_by(std::string_view text, std::initializer_list<crypto::NoteSigner> signers) {
  const std::vector<crypto::NoteSigner> list(signers);
  auto note = crypto::sign_note(text, list);
  REQUIRE(note.has_value());
  return *note;
}

}  // namespace

TEST_SUITE_BEGIN("audit");

TEST_CASE("signed note: Go sumdb/note reference vector") {
  const auto signer = crypto::parse_signer_key(kPeterSigner);
  REQUIRE(signer.has_value());
  CHECK(signer->name == "PeterNeumann");
  CHECK(crypto::note_key_id(signer->name, signer->keys.public_key) == 0xc74f20a3u);
  CHECK(crypto::format_signer_key(*signer) == std::string(kPeterSigner));

  const auto verifier = crypto::parse_verifier_key(kPeterVerifier);
  REQUIRE(verifier.has_value());
  CHECK(verifier->public_key == signer->keys.public_key);
  CHECK(crypto::format_verifier_key(*verifier) == std::string(kPeterVerifier));

  // Ed25519 is deterministic, so signing must reproduce Go's note exactly.
  CHECK(signed_by(kPeterText, {*signer}) == kPeterNote);
  const crypto::OpenedNote opened = crypto::open_note(kPeterNote, std::span(&*verifier, 1));
  CHECK(opened.ok);
  CHECK(opened.text == kPeterText);
  CHECK(opened.verified_by == std::vector<std::string>{"PeterNeumann"});
}

TEST_CASE("signed note: parse and format round-trip") {
  const auto parsed = crypto::parse_signed_note(kPeterNote);
  REQUIRE(parsed.has_value());
  CHECK(parsed->text == kPeterText);
  REQUIRE(parsed->signatures.size() == 1);
  CHECK(parsed->signatures[0].key_name == "PeterNeumann");
  CHECK(parsed->signatures[0].key_id == 0xc74f20a3u);
  CHECK(parsed->signatures[0].signature.size() == 64);
  CHECK(crypto::format_signed_note(*parsed) == kPeterNote);
  // The text may hold empty lines: it ends at the last one.
  const crypto::NoteSigner a = new_signer("a.example/log");
  const std::string note = signed_by("one\n\nthree\n\n", {a});
  const auto again = crypto::parse_signed_note(note);
  REQUIRE(again.has_value());
  CHECK(again->text == "one\n\nthree\n\n");
  CHECK(crypto::open_note(note, std::vector{verifier_of(a)}).ok);
}

TEST_CASE("signed note: opening follows the known / unknown key rules") {
  const crypto::NoteSigner log = new_signer("log.example/audit");
  const crypto::NoteSigner witness = new_signer("witness.example/w1");
  const crypto::NoteSigner stranger = new_signer("stranger.example");
  const std::string text = "hello\n";
  const std::string note = signed_by(text, {log, witness});

  SUBCASE("either known key suffices; all verifying known keys are reported") {
    CHECK(crypto::open_note(note, std::vector{verifier_of(witness)}).verified_by == std::vector<std::string>{"witness.example/w1"});
    const auto both = crypto::open_note(note, std::vector{verifier_of(log), verifier_of(witness)});
    CHECK(both.ok);
    CHECK(both.verified_by == std::vector<std::string>{"log.example/audit", "witness.example/w1"});
  }
  SUBCASE("no known key: rejected") {
    const auto opened = crypto::open_note(note, std::vector{verifier_of(stranger)});
    CHECK_FALSE(opened.ok);
    CHECK(opened.error == "no signature from a known key");
    CHECK(opened.text.empty());
    CHECK_FALSE(crypto::open_note(note, std::vector<crypto::NoteVerifier>{}).ok);
  }
  SUBCASE("same name, other key: ignored as unknown") {
    const crypto::NoteVerifier impostor{log.name, stranger.keys.public_key};
    CHECK_FALSE(crypto::open_note(note, std::vector{impostor}).ok);
    CHECK(crypto::open_note(note, std::vector{impostor, verifier_of(witness)}).ok);
  }
  SUBCASE("a failing signature from a known key rejects the whole note") {
    auto parsed = crypto::parse_signed_note(note);
    REQUIRE(parsed.has_value());
    parsed->signatures[0].signature[10] ^= 1;
    const std::string bad = crypto::format_signed_note(*parsed);
    const auto opened = crypto::open_note(bad, std::vector{verifier_of(log), verifier_of(witness)});
    CHECK_FALSE(opened.ok);
    CHECK(opened.error == "signature by key `log.example/audit` does not verify");
    CHECK(crypto::open_note(bad, std::vector{verifier_of(witness)}).ok);  // log key unknown here
  }
  SUBCASE("changed text fails") {
    std::string bad = note;
    bad[0] = 'j';
    CHECK_FALSE(crypto::open_note(bad, std::vector{verifier_of(log)}).ok);
  }
  SUBCASE("two signatures by one key are malformed") {
    auto parsed = crypto::parse_signed_note(note);
    REQUIRE(parsed.has_value());
    parsed->signatures.push_back(parsed->signatures[0]);
    CHECK_FALSE(crypto::open_note(crypto::format_signed_note(*parsed), std::vector{verifier_of(log)}).ok);
  }
}

TEST_CASE("signed note: malformed notes are rejected") {
  const std::string sig = "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
  const std::string text(kPeterText);
  const std::string cases[] = {
      "",
      text,                                    // no signatures
      text + sig + "\n",                       // no blank line
      text + "\n" + sig,                       // no final newline
      text + "\n" + sig + "\n\n",              // blank line after signatures
      text + "\n" + "-- PeterNeumann AAAAAAAA\n",                 // not an em dash
      text + "\n" + "\xE2\x80\x94PeterNeumann AAAAAAAA\n",      // no space after dash
      text + "\n" + "\xE2\x80\x94 PeterNeumann\n",               // no signature
      text + "\n" + "\xE2\x80\x94 PeterNeumann AAAA\n",          // 3 bytes: no room for a key ID
      text + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAA==\n",      // 4 bytes: key ID only
      text + "\n" + "\xE2\x80\x94 PeterNeumann not*base64\n",
      text + "\n" + "\xE2\x80\x94 PeterNeumann  AAAAAAAA\n",     // two spaces
      text + "\n" + "\xE2\x80\x94 Peter+Neumann AAAAAAAA\n",     // '+' in the name
      text + "\n" + "\xE2\x80\x94 Peter\xC2\xA0Neumann AAAAAAAA\n",  // U+00A0 in the name
      text + "\n" + "\xE2\x80\x94  AAAAAAAA\n",                  // empty name
      "bad \xFF byte\n\n" + sig + "\n",        // invalid UTF-8
      "overlong \xC0\xAF\n\n" + sig + "\n",    // overlong encoding
      "surrogate \xED\xA0\x80\n\n" + sig + "\n",
      "tab\there\n\n" + sig + "\n",            // control character
      "cr\r\n\n" + sig + "\n",                 // control character
  };
  for (const std::string& note : cases) {
    CAPTURE(note);
    CHECK_FALSE(crypto::parse_signed_note(note).has_value());
    CHECK_FALSE(crypto::open_note(note, std::vector{*crypto::parse_verifier_key(kPeterVerifier)}).ok);
  }
  CHECK(crypto::parse_signed_note(text + "\n" + sig + "\n").has_value());
}

TEST_CASE("signed note: signature count limit") {
  std::string note = "text\n\n";
  for (std::size_t i = 0; i < crypto::kMaxNoteSignatures; ++i) {
    note += "\xE2\x80\x94 k" + std::to_string(i) + " AAAAAAAA\n";
  }
  CHECK(crypto::parse_signed_note(note).has_value());
  note += "\xE2\x80\x94 one.too.many AAAAAAAA\n";
  CHECK_FALSE(crypto::parse_signed_note(note).has_value());
}

TEST_CASE("signed note: key names") {
  CHECK(crypto::is_valid_key_name("example.com/log42"));
  CHECK(crypto::is_valid_key_name("caf\xC3\xA9"));
  CHECK_FALSE(crypto::is_valid_key_name(""));
  CHECK_FALSE(crypto::is_valid_key_name("a b"));
  CHECK_FALSE(crypto::is_valid_key_name("a+b"));
  CHECK_FALSE(crypto::is_valid_key_name("a\nb"));
  CHECK_FALSE(crypto::is_valid_key_name("a\xE3\x80\x80" "b"));  // U+3000 ideographic space
  CHECK_FALSE(crypto::is_valid_key_name("a\xE2\x80\xA8" "b"));  // U+2028 line separator
  CHECK_FALSE(crypto::is_valid_key_name("\xFF"));
}

TEST_CASE("signed note: key strings reject every defect") {
  const crypto::NoteSigner signer = new_signer("example.com/log");
  const std::string vkey = *crypto::format_verifier_key(verifier_of(signer));
  const std::string skey = *crypto::format_signer_key(signer);
  CHECK(crypto::parse_verifier_key(vkey)->public_key == signer.keys.public_key);
  CHECK(crypto::parse_signer_key(skey)->keys.seed == signer.keys.seed);
  CHECK(crypto::parse_signer_key(skey)->keys.public_key == signer.keys.public_key);
  CHECK_FALSE(crypto::parse_signer_key(vkey).has_value());
  CHECK_FALSE(crypto::parse_verifier_key(skey).has_value());
  CHECK_FALSE(crypto::format_verifier_key(crypto::NoteVerifier{"bad name", signer.keys.public_key}).has_value());

  const std::string peter(kPeterVerifier);
  const std::string bad[] = {
      "",
      "PeterNeumann",
      "PeterNeumann+c74f20a3",
      "PeterNeumann+c74f20a3+",
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // wrong key ID
      "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // wrong name
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",    // short ID
      "PeterNeumann+c74f20a3+" + with_type_byte(0x02),                        // not Ed25519
      "PeterNeumann+c74f20a3+" + base64_encode(Bytes(32, 1)),                 // no type byte
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",               // empty name
      peter + "\n",
  };
  for (const std::string& key : bad) {
    CAPTURE(key);
    CHECK_FALSE(crypto::parse_verifier_key(key).has_value());
  }
  // A signer key whose seed does not produce the stated key ID.
  const std::uint32_t id = crypto::note_key_id(signer.name, signer.keys.public_key);
  std::string wrong = skey;
  wrong.replace(skey.find('+', 12) + 1, 8, redline::crypto::to_hex(std::array<std::uint8_t, 4>{
                                               static_cast<std::uint8_t>(id >> 24), static_cast<std::uint8_t>(id >> 16),
                                               static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id ^ 1)}));
  REQUIRE(wrong.size() == skey.size());
  CHECK_FALSE(crypto::parse_signer_key(wrong).has_value());
}

TEST_CASE("signed note: crypto::sign_note refuses what it cannot sign correctly") {
  const crypto::NoteSigner a = new_signer("a.example");
  const crypto::NoteSigner b = new_signer("b.example");
  CHECK_FALSE(crypto::sign_note("no newline", std::vector{a}).has_value());
  CHECK_FALSE(crypto::sign_note("", std::vector{a}).has_value());
  CHECK_FALSE(crypto::sign_note("tab\t\n", std::vector{a}).has_value());
  CHECK_FALSE(crypto::sign_note("ok\n", std::vector<crypto::NoteSigner>{}).has_value());
  CHECK_FALSE(crypto::sign_note("ok\n", std::vector{crypto::NoteSigner{"bad name", a.keys}}).has_value());
  CHECK_FALSE(crypto::sign_note("ok\n", std::vector{a, a}).has_value());
  const crypto::NoteSigner mismatched{"a.example", {a.keys.seed, b.keys.public_key}};
  CHECK_FALSE(crypto::sign_note("ok\n", std::vector{mismatched}).has_value());
  CHECK(crypto::sign_note("ok\n", std::vector{a, b}).has_value());
}

TEST_SUITE_END();
