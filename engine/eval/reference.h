// eval/reference.h — the reference interpreter: evaluates the checked model
// rule by rule, exactly as LANGUAGE.md §8–10 read, with none of the compiler's
// tables. The compiled Program must agree with it on every request
// (differential testing).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eval/bound.h"
#include "sema/model.h"

namespace redline::eval {

/// What the reference interpreter decided.
struct ReferenceDecision {
  Outcome outcome = Outcome::deny;
  std::vector<std::uint32_t> applying;       ///< global rule ids, stack order then source order
  std::vector<std::string> obligations;      ///< source order, no duplicates
  std::set<std::string> missing;             ///< attributes whose absence made a restrictive rule apply
  std::optional<std::uint32_t> killed_by;    ///< model switch id
  std::optional<std::uint32_t> not_in_force; ///< model layer id of the first layer not in force at request.now
  bool error = false;
};

/// Decides `b` against the stack ending at layer `top`; `tripped` holds the
/// model ids of tripped kill switches.
ReferenceDecision reference_evaluate(const sema::Model& model, std::uint32_t top, const BoundRequest& b,
                                     const TagLayout& layout, const std::set<std::uint32_t>& tripped);

}  // namespace redline::eval
