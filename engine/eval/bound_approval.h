// eval/bound_approval.h — how a BoundRequest holds one of its approvals:
// rule, step and role as model indices, the time in seconds, and what
// checking its signature found. Internal: redline/engine.h only declares it.
#pragma once

#include <cstdint>
#include <string>

#include "redline/approvers.h"

namespace redline {

/// An approval of a request, bound to a Program.
struct BoundApproval {
  /// What checking the approval's signature found when it was bound.
  enum class Signature : std::uint8_t {
    none,               ///< no signature
    unchecked,          ///< signed, but no approver keys were configured
    verified,           ///< a valid signature by `by`'s key, for this request and policy, with `role` among the key's roles
    invalid,            ///< the signature does not verify (forged, altered, or for another request or policy)
    unknown_approver,   ///< `by` is not in the keys
    role_not_keyed,     ///< verifies, but `role` is not among the key's roles
  };
  std::uint32_t rule = 0;        ///< model rule index
  std::int32_t step_role = -1;   ///< the step's role index, or -1 when no step was named
  std::uint32_t role = 0;        ///< the approver's role index
  std::string by;                ///< approver id
  bool approve = true;
  bool has_at = false;
  std::int64_t at = 0;           ///< Unix seconds
  std::uint32_t index = 0;       ///< position in the request's `approvals`
  Signature signature = Signature::none;
  ApproverKind kind = ApproverKind::unknown;   ///< the keys file's kind when verified, else the approval's own
};

}  // namespace redline
