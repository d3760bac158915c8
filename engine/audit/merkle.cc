// audit/merkle.cc — RFC 6962 / RFC 9162 Merkle trees: hashing, compact
// ranges, proofs from stored leaves, and proof verification.
#include "audit/merkle.h"

#include <algorithm>
#include <bit>

namespace redline::audit {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// Returns the largest power of two strictly below n; requires n >= 2.
std::uint64_t split_point(std::uint64_t n) noexcept { return std::bit_floor(n - 1); }

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0.
void shift_to_set_bit(std::uint64_t& fn, std::uint64_t& sn) noexcept {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash empty_root() noexcept { return crypto::sha256(std::string_view()); }

Hash leaf_hash(std::span<const std::uint8_t> data) noexcept {
  thread_local crypto::Sha256 hasher;
  return hasher.update(std::span(&kLeafPrefix, 1)).update(data).final();
}

Hash leaf_hash(std::string_view data) noexcept { return leaf_hash(crypto::bytes_of(data)); }

Hash node_hash(const Hash& left, const Hash& right) noexcept {
  thread_local crypto::Sha256 hasher;
  return hasher.update(std::span(&kNodePrefix, 1)).update(left).update(right).final();
}

std::optional<Hash> hash_from_bytes(std::span<const std::uint8_t> bytes) noexcept {
  Hash out{};
  if (bytes.size() != out.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Hash root_of(std::span<const Hash> leaf_hashes) noexcept {
  const std::size_t n = leaf_hashes.size();
  if (n == 0) return empty_root();
  if (n == 1) return leaf_hashes[0];
  const std::size_t k = split_point(n);
  return node_hash(root_of(leaf_hashes.first(k)), root_of(leaf_hashes.subspan(k)));
}

// ---- CompactRange ----------------------------------------------------------

std::optional<CompactRange> CompactRange::restore(std::uint64_t size,
                                                  std::span<const Hash> hashes) noexcept {
  if (hashes.size() != static_cast<std::size_t>(std::popcount(size))) return std::nullopt;
  CompactRange range;
  range.size_ = size;
  range.hashes_.assign(hashes.begin(), hashes.end());
  return range;
}

void CompactRange::append(const Hash& leaf) noexcept {
  // Each trailing set bit of size_ is a perfect subtree the new leaf completes.
  Hash carry = leaf;
  for (std::uint64_t bits = size_; (bits & 1) != 0; bits >>= 1) {
    carry = node_hash(hashes_.back(), carry);
    hashes_.pop_back();
  }
  hashes_.push_back(carry);
  ++size_;
}

Hash CompactRange::root() const noexcept {
  if (hashes_.empty()) return empty_root();
  Hash acc = hashes_.back();
  for (auto it = hashes_.rbegin() + 1; it != hashes_.rend(); ++it) acc = node_hash(*it, acc);
  return acc;
}

// ---- MerkleTree ------------------------------------------------------------

MerkleTree::MerkleTree(std::span<const Hash> leaf_hashes) noexcept {
  for (const Hash& leaf : leaf_hashes) append(leaf);
}

void MerkleTree::append(const Hash& leaf) noexcept {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Completing a pair at level k adds their parent at level k + 1.
  for (std::size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    const std::vector<Hash>& level = levels_[k];
    Hash parent = node_hash(level[level.size() - 2], level.back());
    if (levels_.size() == k + 1) levels_.emplace_back();
    levels_[k + 1].push_back(parent);
  }
}

std::uint64_t MerkleTree::size() const noexcept { return levels_.empty() ? 0 : levels_[0].size(); }

Hash MerkleTree::root() const noexcept { return size() == 0 ? empty_root() : subtree_root(0, size()); }

std::optional<Hash> MerkleTree::root_at(std::uint64_t size) const noexcept {
  if (size > this->size()) return std::nullopt;
  return size == 0 ? empty_root() : subtree_root(0, size);
}

std::optional<std::vector<Hash>> MerkleTree::inclusion_proof(std::uint64_t index,
                                                             std::uint64_t size) const noexcept {
  if (index >= size || size > this->size()) return std::nullopt;
  std::vector<Hash> out;
  path(index, 0, size, out);
  return out;
}

std::optional<std::vector<Hash>> MerkleTree::consistency_proof(std::uint64_t size1,
                                                               std::uint64_t size2) const noexcept {
  if (size1 == 0 || size1 > size2 || size2 > size()) return std::nullopt;
  std::vector<Hash> out;
  subproof(size1, 0, size2, true, out);
  return out;
}

// MTH(D[begin:end]) for 0 <= begin < end <= size(): a stored perfect subtree
// when the range is one, otherwise split as RFC 9162 §2.1.1 does.
Hash MerkleTree::subtree_root(std::uint64_t begin, std::uint64_t end) const noexcept {
  const std::uint64_t n = end - begin;
  // A power-of-two range aligned to its size is a stored perfect subtree.
  if (std::has_single_bit(n) && (begin & (n - 1)) == 0) {
    const auto level = static_cast<std::size_t>(std::countr_zero(n));
    return levels_[level][begin >> level];
  }
  const std::uint64_t k = split_point(n);
  return node_hash(subtree_root(begin, begin + k), subtree_root(begin + k, end));
}

// PATH(index, D[begin:end]) of RFC 9162 §2.1.3.1, appended to out.
void MerkleTree::path(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                      std::vector<Hash>& out) const noexcept {
  const std::uint64_t n = end - begin;
  if (n == 1) return;
  const std::uint64_t k = split_point(n);
  if (index < k) {
    path(index, begin, begin + k, out);
    out.push_back(subtree_root(begin + k, end));
  } else {
    path(index - k, begin + k, end, out);
    out.push_back(subtree_root(begin, begin + k));
  }
}

// SUBPROOF(size1, D[begin:end], complete) of RFC 9162 §2.1.4.1, appended to out.
void MerkleTree::subproof(std::uint64_t size1, std::uint64_t begin, std::uint64_t end, bool complete,
                          std::vector<Hash>& out) const noexcept {
  const std::uint64_t n = end - begin;
  if (size1 == n) {
    if (!complete) out.push_back(subtree_root(begin, end));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (size1 <= k) {
    subproof(size1, begin, begin + k, complete, out);
    out.push_back(subtree_root(begin + k, end));
  } else {
    subproof(size1 - k, begin + k, end, false, out);
    out.push_back(subtree_root(begin, begin + k));
  }
}

// ---- Verification ----------------------------------------------------------

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                      std::span<const Hash> proof, const Hash& root) noexcept {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;  // the proof is longer than the path
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      shift_to_set_bit(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash> proof,
                        const Hash& root1, const Hash& root2) noexcept {
  if (size1 == 0 || size1 > size2) return false;
  if (size1 == size2) return proof.empty() && root1 == root2;
  if (proof.empty()) return false;
  // When size1 is a power of two its root is a node of the larger tree and the
  // proof omits it: start from root1 ("prepend first_hash"), else from proof[0].
  const bool prepend = std::has_single_bit(size1);
  Hash fr = prepend ? root1 : proof[0];
  Hash sr = fr;
  std::uint64_t fn = size1 - 1;
  std::uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (const Hash& c : proof.subspan(prepend ? 0 : 1)) {
    if (sn == 0) return false;  // the proof is longer than the paths
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      shift_to_set_bit(fn, sn);
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

}  // namespace redline::audit
