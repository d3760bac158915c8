// audit/record.cc — the record payloads and the masking rule of audit/record.h.
#include "audit/record.h"

#include <functional>
#include <nlohmann/json.hpp>

#include "crypto/sha256.h"
#include "eval/json_out.h"
#include "eval/request_text.h"
#include "parse/literals.h"

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

static_assert(kMaxRecordDepth > eval::kMaxRequestDepth + 8, "a record holds the request a few levels down");

bool record_depth_ok(std::string_view payload) { return eval::json_depth(payload) <= kMaxRecordDepth; }

std::string masked_value(std::span<const std::uint8_t> salt, std::string_view value_json) {
  crypto::Sha256 h;
  h.update(salt).update(value_json);
  return "sha256:" + crypto::to_hex(h.final());
}

namespace {

// The spans of the top-level members of a compact JSON object written by
// Decision::to_json (so well-formed): key → value text. A loop, no parse.
void member_spans(std::string_view json, const std::function<void(std::string_view, std::string_view)>& each) {
  std::size_t i = 1, n = json.size();
  while (i < n && json[i] == '"') {
    std::size_t k = ++i;
    while (i < n && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
    std::string_view key = json.substr(k, i - k);
    i += 2;   // the closing quote and ':'
    std::size_t v = i;
    int depth = 0;
    bool in_string = false;
    for (; i < n; ++i) {
      char c = json[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    each(key, json.substr(v, i - v));
    if (i < n && json[i] == ',') ++i;
  }
}

}  // namespace

std::string decision_record(const Program& program, std::string_view request_text, eval::ParsedRequest& parsed,
                            std::string_view decision_json, const SwitchBoard* switches, const Masking& masking,
                            const std::string& time, const ApprovalJudging& judging) {
  std::string out;
  out.reserve(request_text.size() + decision_json.size() + 256);
  eval::JsonOut j(out);
  j.raw("{\"type\":");
  j.str(kDecisionRecord);
  j.raw(",\"time\":");
  j.str(time);
  j.raw(",\"policy\":");
  j.str(program.hash());
  j.raw(",\"layer\":");
  j.str(program.layers().empty() ? std::string_view() : std::string_view(program.layers().back()));
  j.raw(",\"request_digest\":");
  j.str(crypto::sha256_tagged_hex(request_text));
  std::vector<std::string> masked;
  if (!parsed.json) {
    // Refused at the door (not one unambiguous JSON value within the limits):
    // the text itself, unless masking is configured (it cannot be applied).
    // Text that is not UTF-8 is kept exactly, in base64, for replay.
    j.raw(",\"request_is_text\":true,\"request\":");
    if (!masking.fields.empty()) {
      j.null();
      masked.push_back("");
    } else {
      j.str(request_text);
      if (parse::find_invalid_utf8(request_text) != std::string_view::npos) {
        j.raw(",\"request_base64\":");
        j.str(crypto::base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(request_text.data()), request_text.size())));
      }
    }
  } else {
    masked = apply_mask(parsed.doc, masking);
    j.raw(",\"request\":");
    j.raw(dump(parsed.doc));
  }
  j.raw(",\"masked\":");
  j.strs(masked);
  j.raw(",\"switches\":[");
  bool first = true;
  if (switches)
    for (std::size_t i = 0; i < switches->names().size(); ++i)
      if (switches->tripped(i)) {
        if (!first) j.raw(',');
        first = false;
        j.str(switches->names()[i]);
      }
  j.raw(']');
  if (!judging.keys.empty()) {
    j.raw(",\"approver_keys\":");
    j.str(judging.keys);
  }
  if (judging.require_signed) j.raw(",\"require_signed\":true");
  // The decision's own members, as answered (one serialisation).
  std::string_view members[5];
  static constexpr std::string_view kKeys[5] = {"decision", "reasons", "obligations", "killed_by", "error"};
  member_spans(decision_json, [&](std::string_view key, std::string_view value) {
    for (int k = 0; k < 5; ++k)
      if (key == kKeys[k]) members[k] = value;
  });
  for (int k = 0; k < 5; ++k) {
    if (members[k].empty()) continue;
    j.raw(',');
    j.key(kKeys[k]);
    j.raw(members[k]);
  }
  j.raw('}');
  return out;
}

std::string decision_record(const Program& program, std::string_view request_text, const Decision& decision,
                            const SwitchBoard* switches, const Masking& masking, const std::string& time,
                            const ApprovalJudging& judging) {
  eval::ParsedRequest parsed = eval::parse_request(request_text);
  return decision_record(program, request_text, parsed, decision.to_json(), switches, masking, time, judging);
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

std::string access_denied_record(const AccessDenied& denied, const std::string& time) {
  ojson j;
  j["type"] = kAccessDeniedRecord;
  j["time"] = time;
  j["method"] = denied.method;
  j["path"] = denied.path;
  j["peer"] = denied.peer;
  if (!denied.actor.empty()) j["actor"] = denied.actor;
  j["status"] = denied.status;
  j["reason"] = denied.reason;
  return dump(j);
}

std::string case_record(const CaseEvent& e, const std::string& time) {
  ojson j;
  j["type"] = kCaseRecord;
  j["time"] = time;
  j["event"] = e.event;
  j["case"] = e.case_id;
  j["request_id"] = e.request_id;
  j["request_canonical_digest"] = e.request_digest;   // Request::digest(): the same for every re-decision of the case
  if (!e.policy.empty()) j["policy"] = e.policy;
  if (!e.outcome.empty()) j["outcome"] = e.outcome;
  if (e.event == "opened" || e.event == "advanced") j["roles"] = e.roles;   // the roles it awaits now
  if (!e.by.empty()) {
    j["by"] = e.by;
    j["role"] = e.role;
    j["comment"] = e.comment;
  }
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
