// verify/analyses.h — the rule analyses behind verify::analyze(): one
// Analyzer per model caches what each rule reaches and the stacks it needs,
// and collects findings (dead, shadowed, overridden permit, conflicting
// intent, gaps). The definitions are in analyses.cc and docs/verification.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "verify/stack.h"
#include "verify/verify.h"

namespace redline::verify {

/// Runs the analyses over the rules and stacks of one model.
class Analyzer {
 public:
  explicit Analyzer(const sema::Model& m);
  /// Analyzes the rules `ids` (global rule ids, any order): dead, shadowed,
  /// overridden permits, conflicts.
  void rules(const std::vector<std::uint32_t>& ids);
  /// Reports the gaps of the stack ending at `top`. INVARIANT: call after
  /// rules() has covered every rule of that stack (gaps need deadness).
  void gaps(std::uint32_t top);
  /// The findings so far, in the order found.
  std::vector<Finding>& findings() { return findings_; }

 private:
  struct RuleInfo {
    bool restrictive = false, dead = false, shadowed = false, overridden = false;
    int rank = 0;
    std::vector<std::uint32_t> reach;   ///< purposes it can apply to
    std::vector<std::uint64_t> bits;    ///< the same as a bitset
    std::string example;                ///< a request it applies to
  };

  const Stack& stack(std::uint32_t top);
  void find_dead(std::uint32_t ri);
  void find_shadowed(std::uint32_t ri);
  void find_overridden(std::uint32_t ri);
  void find_conflicts(std::uint32_t pi);
  bool implies(std::uint32_t ri, std::uint32_t si);
  bool may_shadow(std::uint32_t ri, std::uint32_t si);
  bool decides_in(std::uint32_t ri, const Slot& slot);
  std::optional<std::uint32_t> restriction_with(std::uint32_t ri, const Stack& st);
  Finding rule_finding(diag::Code code, std::uint32_t ri) const;

  const sema::Model& m_;
  std::vector<RuleInfo> info_;
  std::map<std::uint32_t, std::unique_ptr<Stack>> stacks_;
  std::vector<Finding> findings_;
};

}  // namespace redline::verify
