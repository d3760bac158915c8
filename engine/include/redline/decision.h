// redline/decision.h — the answer to a request (LANGUAGE.md §10, §12): the
// outcome, the rules that applied and why, obligations, and the kill switch
// or request error that decided it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redline/request.h"

namespace redline {

class Program;

/// Decision outcomes, ordered by severity.
enum class Outcome : std::uint8_t { allow = 0, require_approval = 1, escalate = 2, deny = 3 };

/// The text of an outcome ("allow", "require_approval", "escalate", "deny").
const char* to_string(Outcome o);
/// Parses an outcome name.
std::optional<Outcome> outcome_from_string(std::string_view s);

/// One rule that applied (or a layer default that decided).
struct Reason {
  std::string rule;       ///< "policy/rule", or "policy/default" for a layer default
  Outcome outcome = Outcome::deny;
  std::string because, cite;
  std::vector<std::string> missing;   ///< attributes whose absence made the rule apply
};

/// An approval that names a rule and would have counted for it but for its
/// signature or its approver's kind (docs/language.md §15).
struct UncountedApproval {
  std::string by, role;
  /// "unsigned", "no_keys", "signature_invalid", "unknown_approver",
  /// "role_not_in_keys", "agent" or "not_human".
  std::string reason;
};

/// What an unsatisfied `require approval` or `escalate` rule still needs
/// (LANGUAGE.md §10): enough for an application to drive the approval
/// workflow without reading the policy.
struct Pending {
  std::string rule;                     ///< "policy/rule"
  Outcome outcome = Outcome::require_approval;
  std::string because, cite;
  std::vector<std::string> roles;       ///< roles that may act now
  std::uint32_t quorum = 1;             ///< distinct approvals needed (current step)
  std::uint32_t missing = 1;            ///< approvals still missing
  std::vector<std::string> approvers;   ///< approvers already counted
  std::optional<std::string> deadline;  ///< RFC 3339, when the window is known
  bool expired = false;                 ///< the deadline has passed at `request.now`
  std::string escalation;               ///< escalate: the path of the current step
  std::string current_step;             ///< escalate: the current step's role
  std::vector<std::string> remaining_steps;   ///< escalate: the steps after it, in order
  std::string on_timeout;               ///< escalate: "deny", "escalate to NAME" or "none"
  bool signed_only = false;             ///< only approvals with a verified signature count (`signed` or the engine option)
  bool human_only = false;              ///< only approvals by human approvers count (`human`)
  std::string blocked;                  ///< why no approval can count at all, or ""
  std::vector<UncountedApproval> uncounted;   ///< approvals set aside for their signature or approver kind
};

/// An approval that counted toward a satisfied rule.
struct AcceptedApproval {
  std::string rule, step, by, role, at;
};

/// A decision.
///
/// Lifetime: it refers to the Program that made it (the rules, layers and
/// switches its accessors name), which must outlive it. A default-constructed
/// Decision refers to no Program: it is `deny` with no reasons.
/// Threads: a plain value, not synchronised. Its const accessors only read,
/// so several threads may read one Decision at once, but evaluating into it
/// (Program::evaluate(const BoundRequest&, Decision&, ...)) writes it and
/// needs exclusive access: give each thread its own. Reusing one Decision
/// across evaluations reuses its buffers.
class Decision {
 public:
  Outcome outcome() const { return outcome_; }
  /// Every rule that applied, most severe first (then layer, then source
  /// order), plus the default of each layer whose default decided.
  std::vector<Reason> reasons() const;
  /// Obligations of every applying rule, in source order, without duplicates.
  std::vector<std::string> obligations() const;
  /// The attribute paths reported missing (union over reasons, sorted).
  std::vector<std::string> missing() const;
  /// The qualified name of the tripped kill switch that decided, if any.
  std::optional<std::string> killed_by() const;
  /// The policy of the stack that was not in force at the request's clock
  /// (`effective` later than `request.now`, or no clock), which made the
  /// decision `deny`; empty when every layer was in force.
  std::optional<std::string> not_in_force() const;
  /// What each unsatisfied approval or escalation rule still needs (empty
  /// unless the decision is require_approval or escalate).
  std::vector<Pending> pending() const;
  /// The approvals that satisfied rules.
  const std::vector<AcceptedApproval>& approvals() const { return accepted_; }
  /// The request error, if the request could not be decided.
  const std::optional<RequestError>& error() const { return error_; }
  /// The decision as JSON (LANGUAGE.md §12); `indent` < 0 gives one line.
  std::string to_json(int indent = -1) const;

 private:
  friend struct DecisionAccess;
  const Program* program_ = nullptr;
  Outcome outcome_ = Outcome::deny;
  std::int32_t slot_ = -1;
  std::int32_t killed_by_ = -1;
  std::int32_t not_in_force_ = -1;   ///< position in the stack of the first layer not in force, or -1
  std::vector<std::uint64_t> applying_, certain_, missing_attrs_;
  std::vector<std::uint8_t> default_decided_;   ///< per layer of the stack
  std::vector<std::pair<std::uint32_t, Outcome>> adjusted_;   ///< slot-local rule → outcome after approvals
  std::vector<Pending> pending_;              ///< when judged_: filled while evaluating
  std::vector<AcceptedApproval> accepted_;
  bool judged_ = false;                       ///< approvals were judged while evaluating
  std::optional<std::int64_t> time_, now_;    ///< request.time / request.now, for lazy `pending`
  bool require_signed_ = false, have_keys_ = false;   ///< the request's approval options, for lazy `pending`
  std::optional<RequestError> error_;
};

}  // namespace redline
