// eval/bound.h — internal access to BoundRequest and Decision storage, and
// the attribute accessor the evaluators read a bound request through.
#pragma once

#include <cstdint>
#include <vector>

#include "eval/bound_approval.h"
#include "flat/layout.h"
#include "redline/decision.h"
#include "redline/engine.h"

namespace redline {

/// Friend of BoundRequest: the internal fields, for binding and evaluation.
struct BoundAccess {
  static const Program*& program(BoundRequest& b) { return b.program_; }
  static const Program* program(const BoundRequest& b) { return b.program_; }
  static std::int32_t& purpose(BoundRequest& b) { return b.purpose_; }
  static std::int32_t purpose(const BoundRequest& b) { return b.purpose_; }
  static std::vector<std::int64_t>& values(BoundRequest& b) { return b.values_; }
  static const std::vector<std::int64_t>& values(const BoundRequest& b) { return b.values_; }
  static std::vector<std::uint64_t>& present(BoundRequest& b) { return b.present_; }
  static const std::vector<std::uint64_t>& present(const BoundRequest& b) { return b.present_; }
  static std::vector<std::uint64_t>& tags(BoundRequest& b) { return b.tags_; }
  static const std::vector<std::uint64_t>& tags(const BoundRequest& b) { return b.tags_; }
  static std::optional<RequestError>& error(BoundRequest& b) { return b.error_; }
  static std::vector<BoundApproval>& approvals(BoundRequest& b) { return b.approvals_; }
  static const std::vector<BoundApproval>& approvals(const BoundRequest& b) { return b.approvals_; }
  static std::vector<Approval>& raw_approvals(BoundRequest& b) { return b.raw_approvals_; }
  static const std::vector<Approval>& raw_approvals(const BoundRequest& b) { return b.raw_approvals_; }
  static std::optional<std::string>& actor_id(BoundRequest& b) { return b.actor_id_; }
  static const std::optional<std::string>& actor_id(const BoundRequest& b) { return b.actor_id_; }
  static bool& require_signed(BoundRequest& b) { return b.require_signed_; }
  static bool require_signed(const BoundRequest& b) { return b.require_signed_; }
  static bool& have_keys(BoundRequest& b) { return b.have_keys_; }
  static bool have_keys(const BoundRequest& b) { return b.have_keys_; }
};

/// Friend of Decision: the internal fields, for evaluation.
struct DecisionAccess {
  static const Program*& program(Decision& d) { return d.program_; }
  static Outcome& outcome(Decision& d) { return d.outcome_; }
  static std::int32_t& slot(Decision& d) { return d.slot_; }
  static std::int32_t& killed_by(Decision& d) { return d.killed_by_; }
  static std::vector<std::uint64_t>& applying(Decision& d) { return d.applying_; }
  static std::vector<std::uint64_t>& certain(Decision& d) { return d.certain_; }
  static std::vector<std::uint64_t>& missing(Decision& d) { return d.missing_attrs_; }
  static std::vector<std::uint8_t>& default_decided(Decision& d) { return d.default_decided_; }
  static std::optional<RequestError>& error(Decision& d) { return d.error_; }
  static std::int32_t slot(const Decision& d) { return d.slot_; }
  static std::int32_t killed_by(const Decision& d) { return d.killed_by_; }
  static std::int32_t& not_in_force(Decision& d) { return d.not_in_force_; }
  static std::int32_t not_in_force(const Decision& d) { return d.not_in_force_; }
  static const std::vector<std::uint64_t>& applying(const Decision& d) { return d.applying_; }
  static const std::vector<std::uint64_t>& certain(const Decision& d) { return d.certain_; }
  static const std::vector<std::uint64_t>& missing(const Decision& d) { return d.missing_attrs_; }
  static const std::vector<std::uint8_t>& default_decided(const Decision& d) { return d.default_decided_; }
  static const Program* program(const Decision& d) { return d.program_; }
  static std::vector<std::pair<std::uint32_t, Outcome>>& adjusted(Decision& d) { return d.adjusted_; }
  static const std::vector<std::pair<std::uint32_t, Outcome>>& adjusted(const Decision& d) { return d.adjusted_; }
  static std::vector<Pending>& pending(Decision& d) { return d.pending_; }
  static std::vector<AcceptedApproval>& accepted(Decision& d) { return d.accepted_; }
  static bool& judged(Decision& d) { return d.judged_; }
  static std::optional<std::int64_t>& time(Decision& d) { return d.time_; }
  static std::optional<std::int64_t>& now(Decision& d) { return d.now_; }
  static bool& require_signed(Decision& d) { return d.require_signed_; }
  static bool& have_keys(Decision& d) { return d.have_keys_; }
};

namespace eval {

inline bool test_bit(const std::vector<std::uint64_t>& w, std::size_t i) { return (w[i >> 6] >> (i & 63)) & 1u; }
inline void set_bit(std::vector<std::uint64_t>& w, std::size_t i) { w[i >> 6] |= std::uint64_t{1} << (i & 63); }

using flat::TagLayout;

/// Reads a bound request for tri.h's evaluate().
struct BoundReader {
  const BoundRequest& b;
  const TagLayout& layout;
  bool present(std::uint32_t attr) const { return test_bit(BoundAccess::present(b), attr); }
  std::int64_t value(std::uint32_t attr) const { return BoundAccess::values(b)[attr]; }
  bool has_tag(std::uint32_t attr, std::int64_t tag) const {
    return test_bit(BoundAccess::tags(b), layout.offset[attr] * 64 + static_cast<std::size_t>(tag));
  }
};

}  // namespace eval
}  // namespace redline
