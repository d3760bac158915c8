// audit/record.h — the payloads of audit records: one line of compact JSON
// with a "type" of "decision", "switch", "policy_load", "approval",
// "access_denied" or "case", built
// here so every writer agrees, and the masking rule that replaces named
// request fields (JSON pointers) by "sha256:<hex>" of the salt followed by
// the field's compact JSON, so a holder of the salt and the value can show
// which value it was while the record itself stays verifiable.
//
// Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"

namespace redline::eval {
struct ParsedRequest;
}

namespace redline::audit {

/// The record types, as written in the "type" field.
inline constexpr std::string_view kDecisionRecord = "decision";
inline constexpr std::string_view kSwitchRecord = "switch";
inline constexpr std::string_view kPolicyLoadRecord = "policy_load";
inline constexpr std::string_view kApprovalRecord = "approval";
inline constexpr std::string_view kAccessDeniedRecord = "access_denied";
inline constexpr std::string_view kCaseRecord = "case";

/// The deepest nesting a record the engine writes can have: the request's
/// limit (eval::kMaxRequestDepth) plus the few levels of the record around
/// it. A record deeper than this was not written by redline; readers refuse
/// it before doing anything recursive with it (comparing, printing).
inline constexpr std::size_t kMaxRecordDepth = 96;

/// Whether a record payload is nested no deeper than kMaxRecordDepth (by a loop).
bool record_depth_ok(std::string_view payload);

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

/// The same, from what the request path already has: the request as the
/// door parsed it (its document is masked in place) and the decision's JSON
/// as it was answered, whose members the record copies. No parse, and no
/// second serialisation of the decision. A request refused at the door is
/// recorded as its text (`request_is_text`), with its exact bytes in
/// `request_base64` when they are not UTF-8.
std::string decision_record(const Program& program, std::string_view request_text, eval::ParsedRequest& parsed,
                            std::string_view decision_json, const SwitchBoard* switches, const Masking& masking,
                            const std::string& time, const ApprovalJudging& judging);

/// The record of a kill-switch flip or a refused attempt (`refused` gives why).
struct SwitchFlip {
  std::string name, action, by, role, because, policy, refused;
};
std::string switch_record(const SwitchFlip& flip, const std::string& time);

/// The record of a refused request to a governance endpoint of `redline
/// serve` (no or wrong token, unknown switch, malformed HTTP): what was asked
/// (method, path without the query), by whom (`peer` address, and `actor`
/// when a valid token named one), the HTTP status and why. Never the token.
struct AccessDenied {
  std::string method, path, peer, actor, reason;
  int status = 0;
};
std::string access_denied_record(const AccessDenied& denied, const std::string& time);

/// The record of an event of an approval case (`redline serve`): `event` is
/// "opened" (with the outcome that paused the request and the roles it
/// awaits), "approved" or "denied" (by, role, comment), or "decided" (the
/// final outcome). `request_digest` is the request's canonical digest
/// (Request::digest(), written as "request_canonical_digest"), the same for
/// every re-decision of the case — unlike a decision record's
/// "request_digest", which is over the exact text decided.
struct CaseEvent {
  std::string event, case_id, request_id, request_digest, policy, outcome, by, role, comment;
  std::vector<std::string> roles;
};
std::string case_record(const CaseEvent& e, const std::string& time);

/// The record of a policy version being loaded into a process.
std::string policy_load_record(const Program& program, const std::string& time);

/// The records of the approvals a request carries, each accepted (it lifted
/// its rule: the rule no longer holds the decision back) or rejected.
std::vector<std::string> approval_records(const Request& request, std::string_view request_text, const Decision& decision,
                                          const std::string& time);

}  // namespace redline::audit
