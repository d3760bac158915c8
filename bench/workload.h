// bench/workload.h — seeded workload generators for the benchmarks.
//  * peer_workload: the "purpose rules" workload of shared/bench/peers-workload.md,
//    draw for draw (mulberry32, seeds 1 and 2), so every engine gets the same
//    rules and requests and decisions can be cross-checked.
//  * tree_workload: a redline-shaped workload over a purpose tree of realistic
//    depth (4 levels), rules at every level, more attribute kinds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace redline::bench {

/// mulberry32, as specified in peers-workload.md.
class Mulberry32 {
 public:
  explicit Mulberry32(std::uint32_t seed) : a_(seed) {}
  double next() {
    a_ += 0x6D2B79F5u;
    std::uint32_t t = a_;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(next() * static_cast<double>(v.size()))]; }
  /// Fisher–Yates from the end over a copy, then the first k.
  template <class T>
  std::vector<T> sample(std::vector<T> v, std::size_t k) {
    for (std::size_t i = v.size() - 1; i > 0; --i) {
      auto j = static_cast<std::size_t>(next() * static_cast<double>(i + 1));
      std::swap(v[i], v[j]);
    }
    v.resize(k);
    return v;
  }

 private:
  std::uint32_t a_;
};

/// One rule of the peer workload, engine-neutral.
struct PeerRule {
  bool forbid = false;
  std::string purpose;
  std::string tag, collection;          // forbid
  std::vector<std::string> roles;       // permit
  int max_classification = 0;           // permit
};

/// One request of the peer workload.
struct PeerRequest {
  std::string principal, role, resource, purpose, collection;
  std::vector<std::string> tags;
  int classification = 0;
};

/// The peer workload's vocabulary.
struct PeerVocabulary {
  std::vector<std::string> purposes, roles, tags, collections;
  PeerVocabulary();
};

/// N rules (seed 1), in draw order.
std::vector<PeerRule> peer_rules(std::size_t n);
/// M requests (seed 2), in draw order.
std::vector<PeerRequest> peer_requests(std::size_t m);
/// The rules as a .pol policy.
std::string peer_policy(const std::vector<PeerRule>& rules);
/// A request as redline JSON.
std::string peer_request_json(const PeerRequest& r);
/// The reference decision of peers-workload.md ("Meaning"): true = allow.
bool peer_reference(const std::vector<PeerRule>& rules, const PeerRequest& r);

/// A redline-shaped workload: N rules over a 4-level purpose tree.
std::string tree_policy(std::size_t n, std::uint32_t seed);
/// M requests for tree_policy.
std::vector<std::string> tree_requests(std::size_t m, std::uint32_t seed);

}  // namespace redline::bench
