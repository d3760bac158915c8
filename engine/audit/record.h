// audit/record.h — the payloads of audit records: one line of compact JSON
// with a "type" of "decision", "switch", "policy_load" or "approval", built
// here so every writer agrees, and the masking rule that replaces named
// request fields (JSON pointers) by "sha256:<hex>" of the salt followed by
// the field's compact JSON, so a holder of the salt and the value can show
// which value it was while the record itself stays verifiable.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"

namespace redline::audit {

/// The record types, as written in the "type" field.
inline constexpr std::string_view kDecisionRecord = "decision";
inline constexpr std::string_view kSwitchRecord = "switch";
inline constexpr std::string_view kPolicyLoadRecord = "policy_load";
inline constexpr std::string_view kApprovalRecord = "approval";

/// What masking needs: the salt and the JSON pointers to withhold.
struct Masking {
  std::span<const std::uint8_t> salt;
  std::span<const std::string> fields;
};

/// Returns "sha256:<hex>" of salt ‖ `value_json` (the masked form of a value).
std::string masked_value(std::span<const std::uint8_t> salt, std::string_view value_json);

/// How signed approvals were judged, as a decision record says: the stored
/// approver keys' name ("" for none) and whether signatures were demanded.
struct ApprovalJudging {
  std::string keys;
  bool require_signed = false;
};

/// The record of one decision: the request (masked), its digest, the
/// switches tripped when it was decided, how approvals were judged (when
/// not by default), and the decision itself.
std::string decision_record(const Program& program, std::string_view request_text, const Decision& decision,
                            const SwitchBoard* switches, const Masking& masking, const std::string& time,
                            const ApprovalJudging& judging = {});

/// The record of a kill-switch flip or a refused attempt (`refused` gives why).
struct SwitchFlip {
  std::string name, action, by, role, because, policy, refused;
};
std::string switch_record(const SwitchFlip& flip, const std::string& time);

/// The record of a policy version being loaded into a process.
std::string policy_load_record(const Program& program, const std::string& time);

/// The records of the approvals a request carries, each accepted (it lifted
/// its rule: the rule no longer holds the decision back) or rejected.
std::vector<std::string> approval_records(const Request& request, std::string_view request_text, const Decision& decision,
                                          const std::string& time);

class AuditLog;

/// Logs one decision and the approvals its request carries: buffered, or
/// durable when `strict`; approvals are governance events, always durable and
/// checkpointed. False (with `error`) when the records cannot be written, in
/// which case the caller must deny. (Defined with AuditTrail, in trail.cc.)
bool record_decision(AuditLog& log, const Masking& masking, bool strict, const Program& program, std::string_view request_json,
                     const Decision& decision, const SwitchBoard* switches, std::string& error, const ApprovalJudging& judging = {});

}  // namespace redline::audit
