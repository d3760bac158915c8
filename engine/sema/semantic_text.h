// sema/semantic_text.h — a canonical text of what a deciding layer stack
// means, independent of formatting, comments, file layout and explanatory
// text: the hash of this text is the policy version that signed approvals
// are bound to (docs/approvals.md "What voids an approval").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sema/model.h"

namespace redline::sema {

/// The canonical text of the stack `chain` (root first) of model `m`: the
/// purposes, the context schema, and per layer its name, default and
/// effective date, its rules (name, effect, targets, conditions, approvers,
/// quorum, window, review path, `signed`/`human`, obligations, in source
/// order), its escalation paths and its kill switches. Left out: comments,
/// whitespace, `because`, `cite`, `owner`, `description`, `version`, titles,
/// assertions, tests, and every layer outside the chain.
std::string semantic_text(const Model& m, const std::vector<std::uint32_t>& chain);

/// "sha256:<hex>" of semantic_text(m, chain): the approval hash.
std::string semantic_hash(const Model& m, const std::vector<std::uint32_t>& chain);

/// The request error a test expects (`expect error RL5003` → "RL5003"), read
/// from the source text `file` of the test's file, or "" for an outcome.
std::string expected_error(std::string_view file, const TestCase& t);

}  // namespace redline::sema
