// eval/reference_approvals.h — the reference interpreter's own judge of
// approvals (LANGUAGE.md §10), written apart from eval/approvals.cc so that
// differential tests check the compiled Program's approval semantics against
// a second reading of the spec, not against the same code. It answers only
// what decides: the outcome of one applying `require approval` or `escalate`
// rule given the request's approvals and clocks.
#pragma once

#include <cstdint>
#include <optional>

#include "eval/bound.h"
#include "sema/model.h"

namespace redline::eval {

/// The outcome of applying rule `rule` after the request's approvals: allow
/// when signed off, deny when an eligible reviewer denied or the escalation
/// timed out into `deny`, else the rule's own outcome. `time`/`now` are
/// request.time and request.now (`now` defaults to `time`).
Outcome reference_approval_outcome(const sema::Model& m, std::uint32_t rule, const BoundRequest& b,
                                   std::optional<std::int64_t> time, std::optional<std::int64_t> now);

}  // namespace redline::eval
