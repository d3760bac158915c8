// verify/verify.h — static verification of a checked model: proving every
// `assert` over all requests (LANGUAGE.md §11) with a counterexample request
// when one fails, and the rule analyses of `redline verify` (dead, shadowed
// and overridden rules, gaps, conflicting intent). Results are Findings,
// reported as diagnostics (RL4001–RL4010) or rendered as JSON for tools.
// How the proof works: docs/verification.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diag/codes.h"
#include "diag/sink.h"
#include "sema/model.h"

namespace redline::verify {

/// One result of verification: a failed assertion or an analysis finding.
struct Finding {
  diag::Code code = diag::Code::AssertionFailed;
  Span span;                       ///< the assertion, rule or purpose concerned
  std::string message;             ///< lowercase, one sentence, user text in backticks
  std::string request;             ///< a (counter)example request as JSON, or empty when none exists
  std::vector<std::string> notes;  ///< further context (e.g. a kill switch that must be tripped)
  std::string layer;               ///< the policy the subject belongs to ("" for purposes)
  std::string subject;             ///< `policy/rule`, `policy/assert#N` or the purpose path
  bool acknowledged = false;       ///< its rule says `acknowledge CODE`: kept for reports, not reported as a diagnostic
};

/// Proves every assertion of `m` against the stack ending at its own policy;
/// returns one RL4010 finding per assertion that does not hold.
std::vector<Finding> check_assertions(const sema::Model& m);

/// Runs the analyses: rule findings for the rules of the stack ending at
/// `top` (every rule of the model when absent) and gaps of that stack (of
/// every most-derived stack when absent).
std::vector<Finding> analyze(const sema::Model& m, std::optional<std::uint32_t> top = std::nullopt);

/// Proves the assertions and runs every analysis of `m`, reporting each
/// finding into `sink` (what `redline check` adds to its diagnostics).
void check_all(const sema::Model& m, diag::Sink& sink);

/// Reports findings as diagnostics (default severity of each code); the
/// example request goes in a note.
void report(const std::vector<Finding>& findings, diag::Sink& sink);

/// The findings as a JSON array of objects {code, severity, file, line,
/// column, message, subject, layer, request, notes}; `request` is the request
/// object or null.
std::string to_json(const std::vector<Finding>& findings, const SourceManager& sources);

}  // namespace redline::verify
