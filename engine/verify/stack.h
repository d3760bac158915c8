// verify/stack.h — one layer stack seen by the verifier: for every purpose the
// candidate rules (those whose targets reach it, vagueness included for
// restrictive rules) and kill switches, purposes with the same candidates
// grouped into slots, and the range of decisions a slot can take under a
// partial assignment (LANGUAGE.md §10).
#pragma once

#include <cstdint>
#include <vector>

#include "verify/space.h"

namespace redline::verify {

/// Purposes decided by the same candidate rules and kill switches.
struct Slot {
  std::vector<std::uint32_t> rules;      ///< global rule ids, stack order then source order
  std::vector<char> vague;               ///< per rule: it reaches the purposes only through vagueness (§9)
  std::vector<std::uint32_t> switches;   ///< model switch ids reaching the purposes
  std::vector<std::uint32_t> purposes;   ///< pre-order
};

/// The decisions possible under a partial assignment, as outcome ranks
/// (allow 0 … deny 3). INVARIANT: lo <= hi; lo == hi when the assignment fixes
/// every attribute the slot reads.
struct Range {
  int lo = 0, hi = 0;
};

/// The stack from the root layer down to `top`.
class Stack {
 public:
  Stack(const sema::Model& model, std::uint32_t top);

  const sema::Model& model() const { return *model_; }
  std::uint32_t top() const { return top_; }
  /// Root first.
  const std::vector<std::uint32_t>& chain() const { return chain_; }
  /// The position of a model layer in the chain, or -1.
  std::int32_t pos(std::uint32_t layer) const { return pos_[layer]; }
  const std::vector<Slot>& slots() const { return slots_; }
  /// The slot deciding a purpose.
  std::uint32_t slot_of(std::uint32_t purpose) const { return slot_of_[purpose]; }
  /// The conditions (`when`, `unless`) of a slot's rules, for building a Space.
  std::vector<const sema::Cond*> conditions(const Slot& s) const;
  /// The decisions possible for a slot under `p`, kill switches reset. A rule
  /// that `p.approved` marks satisfied grants like a permit where it applies
  /// definitely and is "no objection" elsewhere (§10).
  Range decide(const Slot& s, const Partial& p) const;

 private:
  const sema::Model* model_;
  std::uint32_t top_;
  std::vector<std::uint32_t> chain_;
  std::vector<std::int32_t> pos_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> slot_of_;
};

/// The purposes rule `r` can apply to: those its targets cover, and for a
/// restrictive rule those vaguer than a target; pre-order.
std::vector<std::uint32_t> reach(const sema::Model& m, const std::vector<sema::Target>& targets, bool restrictive);

/// The outcome rank of a rule (allow 0 … deny 3).
int rank_of(const sema::Rule& r);

}  // namespace redline::verify
