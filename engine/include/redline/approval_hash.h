// redline/approval_hash.h — the policy version signed approvals are bound to.
#pragma once

#include <string>

#include "redline/engine.h"

namespace redline {

/// "sha256:<hex>" over what the Program's deciding stack means: its purposes,
/// context schema, layers, rules, escalation paths and kill switches, but not
/// formatting, comments, file layout or explanatory text (`because`, `cite`,
/// `owner`, `description`, `version`). Signed approvals sign this hash, so
/// reformatting a policy does not void them (docs/approvals.md "What voids an
/// approval"). Program::hash() stays the hash of the source texts.
std::string approval_hash(const Program& program);

}  // namespace redline
