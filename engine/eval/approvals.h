// eval/approvals.h — human-in-the-loop semantics (LANGUAGE.md §10): whether
// the approvals a request carries satisfy a `require approval` rule or resolve
// an `escalate` rule, whether a reviewer denied, whether an escalation timed
// out, and what is still pending. Shared by the compiled Program (on its slow
// path) and the reference interpreter, so both read §10 the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "eval/bound.h"
#include "sema/escalation_steps.h"
#include "sema/model.h"

namespace redline::eval {

using sema::StepWindow;
using sema::step_windows;
using sema::can_time_out;

/// What approvals did to one applying rule.
struct ApprovalStatus {
  enum class State : std::uint8_t { Pending, Satisfied, Denied, TimedOut } state = State::Pending;
  Pending pending;                          ///< filled when Pending
  std::vector<AcceptedApproval> accepted;   ///< filled when Satisfied
  /// The rule's outcome after approvals: allow when satisfied, deny when a
  /// reviewer denied or the escalation timed out into `deny`, else its own.
  Outcome outcome(sema::Effect effect) const;
};



/// Evaluates the approvals of `b` against applying rule `r` (which must be
/// `require approval` or `escalate`). `time`/`now` are request.time and
/// request.now (now defaults to time).
ApprovalStatus approval_status(const sema::Model& m, std::uint32_t rule, const BoundRequest& b,
                               std::optional<std::int64_t> time, std::optional<std::int64_t> now);

}  // namespace redline::eval
