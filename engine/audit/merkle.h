// audit/merkle.h — Merkle tree hashing of RFC 6962 / RFC 9162 §2.1 for the
// audit log: leaf and node hashes, the tree head MTH of a list of leaves, an
// incremental tree in O(log n) memory (CompactRange), a tree over stored leaf
// hashes that answers inclusion and consistency proofs (MerkleTree), and the
// verifiers of RFC 9162 §2.1.3.2 and §2.1.4.2, which return false on any
// malformed proof and never crash.
//
// Nothing here throws; running out of memory ends the process.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/sha256.h"

namespace redline::audit {

/// A Merkle tree hash: a SHA-256 digest.
using Hash = crypto::Sha256Digest;

/// Returns the root of the empty tree, SHA-256 of the empty string.
Hash empty_root() noexcept;

/// Returns the leaf hash SHA-256(0x00 || data).
Hash leaf_hash(std::span<const std::uint8_t> data) noexcept;

/// Returns the leaf hash SHA-256(0x00 || data) of the text's bytes.
Hash leaf_hash(std::string_view data) noexcept;

/// Returns the interior node hash SHA-256(0x01 || left || right).
Hash node_hash(const Hash& left, const Hash& right) noexcept;

/// Returns the bytes as a Hash when there are exactly 32 of them.
std::optional<Hash> hash_from_bytes(std::span<const std::uint8_t> bytes) noexcept;

/// Returns MTH, the root of the tree whose leaves have the given hashes,
/// computed straight from the recursive definition (O(n) time).
Hash root_of(std::span<const Hash> leaf_hashes) noexcept;

/// An append-only tree that keeps only the roots of its maximal perfect
/// subtrees: O(log n) memory, amortised O(1) hashing per append.
class CompactRange {
 public:
  /// Starts an empty tree.
  CompactRange() = default;

  /// Rebuilds a range from its size and hashes(); nullopt if they disagree.
  static std::optional<CompactRange> restore(std::uint64_t size, std::span<const Hash> hashes) noexcept;

  /// Appends one leaf hash.
  void append(const Hash& leaf_hash) noexcept;

  /// Returns the number of leaves appended.
  std::uint64_t size() const noexcept { return size_; }

  /// Returns the root of the tree of all leaves appended so far.
  Hash root() const noexcept;

  /// Returns the perfect-subtree roots, largest (leftmost) first.
  std::span<const Hash> hashes() const noexcept { return hashes_; }

 private:
  std::uint64_t size_ = 0;
  // INVARIANT: hashes_.size() == popcount(size_), and hashes_[i] is the root
  // of the perfect subtree for the i-th set bit of size_, counted from the top.
  std::vector<Hash> hashes_;
};

/// A tree over all its leaf hashes and their perfect-subtree roots (about 2n
/// hashes), answering roots of past sizes and proofs in O(log^2 n) hashing.
class MerkleTree {
 public:
  /// Starts an empty tree.
  MerkleTree() = default;

  /// Builds the tree of the given leaf hashes, in order.
  explicit MerkleTree(std::span<const Hash> leaf_hashes) noexcept;

  /// Appends one leaf hash.
  void append(const Hash& leaf_hash) noexcept;

  /// Returns the number of leaves.
  std::uint64_t size() const noexcept;

  /// Returns the root of the whole tree (empty_root() when empty).
  Hash root() const noexcept;

  /// Returns the root the tree had at an earlier size; nullopt if size > size().
  std::optional<Hash> root_at(std::uint64_t size) const noexcept;

  /// Returns the RFC 9162 inclusion path of leaf `index` in the tree of the
  /// first `size` leaves; nullopt unless index < size <= size().
  std::optional<std::vector<Hash>> inclusion_proof(std::uint64_t index, std::uint64_t size) const noexcept;

  /// Returns the RFC 9162 consistency proof from size1 to size2; nullopt
  /// unless 0 < size1 <= size2 <= size(). Equal sizes give an empty proof.
  std::optional<std::vector<Hash>> consistency_proof(std::uint64_t size1, std::uint64_t size2) const noexcept;

 private:
  Hash subtree_root(std::uint64_t begin, std::uint64_t end) const noexcept;
  void path(std::uint64_t index, std::uint64_t begin, std::uint64_t end, std::vector<Hash>& out) const noexcept;
  void subproof(std::uint64_t size1, std::uint64_t begin, std::uint64_t end, bool complete,
                std::vector<Hash>& out) const noexcept;

  // INVARIANT: levels_[0] holds every leaf hash; levels_[k][i] is the root of
  // the perfect subtree over leaves [i * 2^k, (i + 1) * 2^k); and
  // levels_[k].size() == size() >> k for every stored level k.
  std::vector<std::vector<Hash>> levels_;
};

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2): true iff `leaf_hash` is
/// leaf `index` of the tree of `size` leaves whose root is `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                      std::span<const Hash> proof, const Hash& root) noexcept;

/// Verifies a consistency proof (RFC 9162 §2.1.4.2): true iff the tree of
/// size2 leaves with root2 extends the tree of size1 leaves with root1.
/// Requires 0 < size1 <= size2 (an empty tree proves nothing: false); equal
/// sizes need an empty proof and equal roots.
bool verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash> proof,
                        const Hash& root1, const Hash& root2) noexcept;

}  // namespace redline::audit
