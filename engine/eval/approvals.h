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
#include "sema/model.h"

namespace redline::eval {

/// One reviewer step of an escalation, with its deadline, after chaining
/// paths through `on_timeout escalate to`.
struct StepWindow {
  std::uint32_t escalation = 0;   ///< model escalation index
  std::uint32_t step = 0;         ///< index within that path
  std::uint32_t role = 0;
  std::uint32_t quorum = 1;
  std::optional<std::int64_t> deadline;   ///< Unix seconds; none = no limit (or no request.time)
};

/// What approvals did to one applying rule.
struct ApprovalStatus {
  enum class State : std::uint8_t { Pending, Satisfied, Denied, TimedOut } state = State::Pending;
  Pending pending;                          ///< filled when Pending
  std::vector<AcceptedApproval> accepted;   ///< filled when Satisfied
  /// The rule's outcome after approvals: allow when satisfied, deny when a
  /// reviewer denied or the escalation timed out into `deny`, else its own.
  Outcome outcome(sema::Effect effect) const;
};

/// The steps of rule `r`'s escalation path and the paths it chains to.
std::vector<StepWindow> step_windows(const sema::Model& m, const sema::Rule& r, std::optional<std::int64_t> time);

/// True when rule `r` can become `deny` without any approval: an escalation
/// whose (chained) path ends in `on_timeout deny` after finite deadlines.
bool can_time_out(const sema::Model& m, const sema::Rule& r);

/// Evaluates the approvals of `b` against applying rule `r` (which must be
/// `require approval` or `escalate`). `time`/`now` are request.time and
/// request.now (now defaults to time).
ApprovalStatus approval_status(const sema::Model& m, std::uint32_t rule, const BoundRequest& b,
                               std::optional<std::int64_t> time, std::optional<std::int64_t> now);

}  // namespace redline::eval
