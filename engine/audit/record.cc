// audit/record.cc — the record payloads and the masking rule of audit/record.h.
#include "audit/record.h"

#include <nlohmann/json.hpp>

#include "crypto/sha256.h"

namespace redline::audit {
namespace {

using ojson = nlohmann::ordered_json;

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

// Replaces each masked field present in `request`; returns the pointers masked.
std::vector<std::string> apply_mask(ojson& request, const Masking& masking) {
  std::vector<std::string> done;
  for (const std::string& p : masking.fields) {
    try {
      ojson::json_pointer ptr(p);
      if (!request.contains(ptr)) continue;
      ojson& v = request[ptr];
      v = masked_value(masking.salt, dump(v));
      done.push_back(p);
    } catch (const std::exception&) {
      // An unusable pointer masks nothing; the configuration was validated on load.
    }
  }
  return done;
}

}  // namespace

std::string masked_value(std::span<const std::uint8_t> salt, std::string_view value_json) {
  crypto::Sha256 h;
  h.update(salt).update(value_json);
  return "sha256:" + crypto::to_hex(h.final());
}

std::string decision_record(const Program& program, std::string_view request_text, const Decision& decision,
                            const SwitchBoard* switches, const Masking& masking, const std::string& time,
                            const ApprovalJudging& judging) {
  ojson j;
  j["type"] = kDecisionRecord;
  j["time"] = time;
  j["policy"] = program.hash();
  j["layer"] = program.layers().empty() ? "" : program.layers().back();
  j["request_digest"] = crypto::sha256_tagged_hex(request_text);
  ojson request = ojson::parse(request_text, nullptr, false);
  std::vector<std::string> masked;
  if (request.is_discarded()) {
    // Not JSON: keep the text unless masking is configured (it cannot be applied).
    request = masking.fields.empty() ? ojson(std::string(request_text)) : ojson(nullptr);
    if (!masking.fields.empty()) masked.push_back("");
    j["request_is_text"] = true;
  } else {
    masked = apply_mask(request, masking);
  }
  j["request"] = std::move(request);
  j["masked"] = masked;
  ojson tripped = ojson::array();
  if (switches)
    for (std::size_t i = 0; i < switches->names().size(); ++i)
      if (switches->tripped(i)) tripped.push_back(switches->names()[i]);
  j["switches"] = std::move(tripped);
  if (!judging.keys.empty()) j["approver_keys"] = judging.keys;
  if (judging.require_signed) j["require_signed"] = true;
  ojson d = ojson::parse(decision.to_json(), nullptr, false);
  if (d.is_discarded()) d = ojson::object();
  for (const char* k : {"decision", "reasons", "obligations", "killed_by", "error"})
    if (d.contains(k)) j[k] = d[k];
  return dump(j);
}

std::string switch_record(const SwitchFlip& flip, const std::string& time) {
  ojson j;
  j["type"] = kSwitchRecord;
  j["time"] = time;
  j["switch"] = flip.name;
  j["action"] = flip.action;
  j["by"] = flip.by;
  j["role"] = flip.role;
  j["because"] = flip.because;
  j["policy"] = flip.policy;
  j["result"] = flip.refused.empty() ? "applied" : "refused";
  if (!flip.refused.empty()) j["refused"] = flip.refused;
  return dump(j);
}

std::string policy_load_record(const Program& program, const std::string& time) {
  ojson j;
  j["type"] = kPolicyLoadRecord;
  j["time"] = time;
  j["policy"] = program.hash();
  j["layers"] = program.layers();
  j["switches"] = program.switch_names();
  return dump(j);
}

std::vector<std::string> approval_records(const Request& request, std::string_view request_text, const Decision& decision,
                                          const std::string& time) {
  std::vector<std::string> out;
  if (request.approvals().empty()) return out;
  std::vector<Reason> reasons = decision.reasons();
  for (const Approval& a : request.approvals()) {
    // Accepted: an approval the evaluator counted toward a satisfied rule, or
    // a denial that made its rule deny (LANGUAGE.md §10; docs/language.md §15).
    bool accepted = false;
    if (!decision.error() && a.verdict == "approve") {
      for (const AcceptedApproval& x : decision.approvals())
        accepted = accepted || (x.rule == a.rule && x.by == a.by && x.role == a.role && x.at == a.at);
    } else if (!decision.error()) {
      for (const Reason& r : reasons) accepted = accepted || (r.rule == a.rule && r.outcome == Outcome::deny);
    }
    ojson j;
    j["type"] = kApprovalRecord;
    j["time"] = time;
    j["request_digest"] = crypto::sha256_tagged_hex(request_text);
    j["rule"] = a.rule;
    j["step"] = a.step;
    j["by"] = a.by;
    j["role"] = a.role;
    j["verdict"] = a.verdict;
    j["at"] = a.at;
    j["result"] = accepted ? "accepted" : "rejected";
    j["decision"] = to_string(decision.outcome());
    out.push_back(dump(j));
  }
  return out;
}

}  // namespace redline::audit
