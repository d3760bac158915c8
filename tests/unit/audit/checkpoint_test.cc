// Tests for audit/checkpoint.h: the tlog-checkpoint text format, strict
// parsing, signing and verification, tampering with every line (and every
// bit) of a signed checkpoint, and checkpoints working with Merkle proofs.
#include "audit/checkpoint.h"

#include <doctest/doctest.h>

#include <string>

#include "crypto/sha256.h"

namespace {

using namespace redline;
using namespace redline::audit;
using redline::crypto::base64_encode;
using redline::crypto::Bytes;

// The example of c2sp.org/tlog-checkpoint (its public key is not published).
constexpr std::string_view kC2spExample =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

constexpr std::string_view kOrigin = "redline.example/audit/1";

crypto::NoteSigner new_signer(std::string name) {
  auto keys = redline::crypto::ed25519_generate();
  REQUIRE(keys.has_value());
  return crypto::NoteSigner{std::move(name), *keys};
}

crypto::NoteVerifier verifier_of(const crypto::NoteSigner& signer) { return crypto::NoteVerifier{signer.name, signer.keys.public_key}; }

Checkpoint sample_checkpoint() {
  return Checkpoint{std::string(kOrigin), 42, leaf_hash("root stand-in"), {"extension line"}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// Changes the last base64 digit before the single '=' of a signature line.
std::string last_base64_char_changed(std::string line) {
  char& c = line[line.size() - 2];
  c = c == 'A' ? 'Q' : 'A';
  return line;
}

}  // namespace

TEST_SUITE_BEGIN("audit");

TEST_CASE("checkpoint: text format") {
  const Hash root = leaf_hash("x");
  const Checkpoint plain{std::string(kOrigin), 7, root, {}};
  const std::string text = *format_checkpoint(plain);
  CHECK(text == std::string(kOrigin) + "\n7\n" + base64_encode(root) + "\n");
  CHECK(parse_checkpoint(text) == plain);

  const Checkpoint extended = sample_checkpoint();
  CHECK(parse_checkpoint(*format_checkpoint(extended)) == extended);

  const Checkpoint empty{std::string(kOrigin), 0, empty_root(), {}};
  CHECK(format_checkpoint(empty)->find("\n0\n") != std::string::npos);
  CHECK(parse_checkpoint(*format_checkpoint(empty)) == empty);

  CHECK_FALSE(format_checkpoint(Checkpoint{"", 1, root, {}}).has_value());
  CHECK_FALSE(format_checkpoint(Checkpoint{"a\nb", 1, root, {}}).has_value());
  CHECK_FALSE(format_checkpoint(Checkpoint{"a\tb", 1, root, {}}).has_value());
  CHECK_FALSE(format_checkpoint(Checkpoint{"origin", 1, root, {""}}).has_value());
  CHECK_FALSE(format_checkpoint(Checkpoint{"origin", 1, root, {"two\nlines"}}).has_value());
}

TEST_CASE("checkpoint: the C2SP example parses") {
  const auto note = crypto::parse_signed_note(kC2spExample);
  REQUIRE(note.has_value());
  const auto checkpoint = parse_checkpoint(note->text);
  REQUIRE(checkpoint.has_value());
  CHECK(checkpoint->origin == "example.com/behind-the-sofa");
  CHECK(checkpoint->size == 20852163);
  CHECK(base64_encode(checkpoint->root) == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  CHECK(checkpoint->extensions.empty());
  REQUIRE(note->signatures.size() == 1);
  CHECK(note->signatures[0].key_name == "example.com/behind-the-sofa");
  CHECK(note->signatures[0].signature.size() == 64);
}

TEST_CASE("checkpoint: parsing is strict") {
  const std::string root = base64_encode(leaf_hash("x"));
  CHECK(parse_checkpoint("o\n18446744073709551615\n" + root + "\n")->size == 18446744073709551615u);
  const std::string bad[] = {
      "",
      "o\n1\n" + root,                           // no final newline
      "o\n1\n",                                  // no root line
      "\n1\n" + root + "\n",                     // empty origin
      "o\n01\n" + root + "\n",                   // leading zero
      "o\n00\n" + root + "\n",
      "o\n-1\n" + root + "\n",
      "o\n+1\n" + root + "\n",
      "o\n 1\n" + root + "\n",
      "o\n1 \n" + root + "\n",
      "o\n0x10\n" + root + "\n",
      "o\n\n" + root + "\n",
      "o\n18446744073709551616\n" + root + "\n",  // 2^64
      "o\n1\n" + base64_encode(Bytes(31, 7)) + "\n",
      "o\n1\n" + base64_encode(Bytes(33, 7)) + "\n",
      "o\n1\n" + root.substr(0, 43) + "\n",      // not base64
      "o\n1\n" + root + " \n",
      "o\n1\n" + root + "\n\n",                  // empty extension line
      "o\n1\n" + root + "\next\n\n",
      "o\t\n1\n" + root + "\n",                  // control character
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    CHECK_FALSE(parse_checkpoint(text).has_value());
  }
}

TEST_CASE("checkpoint: sign and verify") {
  const crypto::NoteSigner log = new_signer(std::string(kOrigin));
  const crypto::NoteSigner witness = new_signer("witness.example/w");
  const Checkpoint checkpoint = sample_checkpoint();
  const std::string note = *sign_checkpoint(checkpoint, std::vector{log, witness});

  const auto verified = verify_checkpoint(note, kOrigin, std::vector{verifier_of(log)});
  CHECK(verified.ok);
  CHECK(verified.error.empty());
  CHECK(verified.checkpoint == checkpoint);
  CHECK(verified.verified_by == std::vector<std::string>{std::string(kOrigin)});
  CHECK(verify_checkpoint(note, kOrigin, std::vector{verifier_of(log), verifier_of(witness)}).verified_by.size() == 2);

  const auto wrong_origin = verify_checkpoint(note, "other.example/log", std::vector{verifier_of(log)});
  CHECK_FALSE(wrong_origin.ok);
  CHECK(wrong_origin.error == "checkpoint origin `redline.example/audit/1` is not `other.example/log`");

  const auto stranger = verify_checkpoint(note, kOrigin, std::vector{verifier_of(new_signer("x.example"))});
  CHECK_FALSE(stranger.ok);
  CHECK(stranger.error == "no signature from a known key");

  // A valid signed note whose text is not a checkpoint.
  const std::string prose = *crypto::sign_note("just words\n", std::vector{log});
  const auto not_checkpoint = verify_checkpoint(prose, kOrigin, std::vector{verifier_of(log)});
  CHECK_FALSE(not_checkpoint.ok);
  CHECK(not_checkpoint.error == "signed note is not a well-formed checkpoint");

  CHECK_FALSE(sign_checkpoint(Checkpoint{"", 1, {}, {}}, std::vector{log}).has_value());
  CHECK_FALSE(sign_checkpoint(checkpoint, std::vector<crypto::NoteSigner>{}).has_value());
}

TEST_CASE("checkpoint: tampering with any line is rejected") {
  const crypto::NoteSigner log = new_signer(std::string(kOrigin));
  const std::vector<crypto::NoteVerifier> verifiers{verifier_of(log)};
  const std::string note = *sign_checkpoint(sample_checkpoint(), std::vector{log});
  const std::vector<std::string> lines = lines_of(note);
  // origin, size, root, extension, blank, signature
  REQUIRE(lines.size() == 6);
  REQUIRE(lines[5].ends_with("="));
  REQUIRE(join_lines(lines) == note);
  REQUIRE(verify_checkpoint(note, kOrigin, verifiers).ok);

  const std::string other_root = base64_encode(leaf_hash("other root"));
  const std::string forged_sig = [&] {
    auto parsed = crypto::parse_signed_note(note);
    parsed->signatures[0].signature[0] ^= 0x80;
    return lines_of(crypto::format_signed_note(*parsed)).back();
  }();
  const std::vector<std::pair<std::size_t, std::string>> edits = {
      {0, "redline.example/audit/2"}, {0, std::string(kOrigin) + " "},
      {1, "43"},                      {1, "042"},
      {1, "0"},                       {2, other_root},
      {3, "extension linE"},          {3, "extension line "},
      {4, "x"},                       {5, forged_sig},
      {5, lines[5] + "A"},            {5, last_base64_char_changed(lines[5])},
  };
  for (const auto& edit : edits) {
    CAPTURE(edit.first);
    CAPTURE(edit.second);
    std::vector<std::string> changed = lines;
    changed[edit.first] = edit.second;
    CHECK_FALSE(verify_checkpoint(join_lines(changed), kOrigin, verifiers).ok);
  }
  for (std::size_t index = 0; index < lines.size(); ++index) {
    CAPTURE(index);
    std::vector<std::string> removed = lines;
    removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(index));
    CHECK_FALSE(verify_checkpoint(join_lines(removed), kOrigin, verifiers).ok);
    std::vector<std::string> doubled = lines;
    doubled.insert(doubled.begin() + static_cast<std::ptrdiff_t>(index), lines[index]);
    CHECK_FALSE(verify_checkpoint(join_lines(doubled), kOrigin, verifiers).ok);
  }
  std::vector<std::string> swapped = lines;
  std::swap(swapped[1], swapped[2]);
  CHECK_FALSE(verify_checkpoint(join_lines(swapped), kOrigin, verifiers).ok);
}

TEST_CASE("checkpoint: flipping any single bit of a signed checkpoint is rejected") {
  const crypto::NoteSigner log = new_signer(std::string(kOrigin));
  const std::vector<crypto::NoteVerifier> verifiers{verifier_of(log)};
  const std::string note = *sign_checkpoint(sample_checkpoint(), std::vector{log});
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < note.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string changed = note;
      changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
      if (verify_checkpoint(changed, kOrigin, verifiers).ok) ++accepted;
    }
  }
  MESSAGE("bit flips tried: " << note.size() * 8);
  CHECK(accepted == 0);
}

TEST_CASE("checkpoint: proofs against signed checkpoints of a growing log") {
  const crypto::NoteSigner log = new_signer(std::string(kOrigin));
  const std::vector<crypto::NoteVerifier> verifiers{verifier_of(log)};
  MerkleTree tree;
  for (int i = 0; i < 10; ++i) tree.append(leaf_hash("decision " + std::to_string(i)));
  const std::string old_note = *sign_checkpoint({std::string(kOrigin), tree.size(), tree.root(), {}}, std::vector{log});
  for (int i = 10; i < 37; ++i) tree.append(leaf_hash("decision " + std::to_string(i)));
  const std::string new_note = *sign_checkpoint({std::string(kOrigin), tree.size(), tree.root(), {}}, std::vector{log});

  const auto before = verify_checkpoint(old_note, kOrigin, verifiers);
  const auto after = verify_checkpoint(new_note, kOrigin, verifiers);
  REQUIRE(before.ok);
  REQUIRE(after.ok);
  const Checkpoint& a = before.checkpoint;
  const Checkpoint& b = after.checkpoint;
  CHECK(verify_consistency(a.size, b.size, *tree.consistency_proof(a.size, b.size), a.root, b.root));
  CHECK(verify_inclusion(3, b.size, leaf_hash("decision 3"), *tree.inclusion_proof(3, b.size), b.root));
  CHECK_FALSE(verify_inclusion(3, b.size, leaf_hash("decision 4"), *tree.inclusion_proof(3, b.size), b.root));
}

TEST_SUITE_END();
