// audit/trail.cc — AuditTrail of redline/audit.h: a StateDir, its AuditLog,
// the masking rule and a SwitchWatcher, behind the public API.
#include <nlohmann/json.hpp>

#include "audit/log.h"
#include "audit/policy_store.h"
#include "audit/record.h"
#include "killswitch/watcher.h"
#include "redline/audit.h"

namespace redline {

bool audit::record_decision(AuditLog& log, const Masking& masking, bool strict, const Program& program, std::string_view request_json,
                            const Decision& decision, const SwitchBoard* switches, std::string& error, const ApprovalJudging& judging) {
  std::string time = state::now_rfc3339();
  std::string rec = decision_record(program, request_json, decision, switches, masking, time, judging);
  std::vector<std::string> approvals;
  if (request_json.find("\"approvals\"") != std::string_view::npos)
    approvals = approval_records(Request::from_json(request_json), request_json, decision, time);
  if (approvals.empty() && !strict) return log.append(std::move(rec), &error);
  auto r = log.append_durable(std::move(rec), false);
  if (!r.ok()) return error = r.error, false;
  for (std::size_t i = 0; i < approvals.size(); ++i) {
    // An approval is a governance event: durable and checkpointed at once.
    auto a = log.append_durable(std::move(approvals[i]), i + 1 == approvals.size());
    if (!a.ok()) return error = a.error, false;
  }
  return true;
}

struct AuditTrail::Impl {
  state::StateDir dir;
  AuditOptions options;
  std::vector<std::string> mask;
  std::unique_ptr<audit::AuditLog> log;
  std::vector<std::unique_ptr<killswitch::SwitchWatcher>> watchers;
  ApprovalOptions approvals;        ///< how decide_json() judges approvals
  audit::ApprovalJudging judging;   ///< the same, as records name it
};

AuditTrail::AuditTrail(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditTrail::~AuditTrail() = default;

std::unique_ptr<AuditTrail> AuditTrail::open(const std::string& dir, const AuditOptions& options, std::string& error) {
  auto sd = state::StateDir::open(dir, true);
  if (!sd.ok()) return error = sd.error, nullptr;
  auto impl = std::make_unique<Impl>();
  impl->dir = std::move(*sd.value);
  impl->options = options;
  impl->mask = impl->dir.mask();
  for (const auto& p : options.mask) {
    if (!p.empty() && p[0] != '/') return error = "mask field `" + p + "` is not a JSON pointer (write it as \"/actor/id\")", nullptr;
    impl->mask.push_back(p);
  }
  auto log = audit::AuditLog::open(impl->dir);
  if (!log.ok()) return error = log.error, nullptr;
  impl->log = std::move(*log.value);
  return std::unique_ptr<AuditTrail>(new AuditTrail(std::move(impl)));
}

bool AuditTrail::load_policy(const Program& program, std::string& error) {
  if (!audit::store_policy(impl_->dir, program, impl_->options.stdlib_root, error)) return false;
  auto r = impl_->log->append_durable(audit::policy_load_record(program, state::now_rfc3339()), true);
  if (!r.ok()) return error = "cannot log the policy load: " + r.error, false;
  return true;
}

bool AuditTrail::watch_switches(SwitchBoard& board, std::string& error) {
  error.clear();
  auto w = killswitch::SwitchWatcher::start(impl_->dir, board, {}, error);
  impl_->watchers.push_back(std::move(w));
  return error.empty();
}

bool AuditTrail::judge_approvals(const ApprovalOptions& approvals, std::string& error) {
  audit::ApprovalJudging judging;
  judging.require_signed = approvals.require_signed;
  if (approvals.keys) {
    auto name = audit::store_keys(impl_->dir, *approvals.keys, error);
    if (!name) return false;
    judging.keys = *name;
  }
  impl_->approvals = approvals;
  impl_->judging = std::move(judging);
  return true;
}

bool AuditTrail::record(const Program& program, std::string_view request_json, const Decision& decision, const SwitchBoard* switches,
                        std::string& error) {
  audit::Masking masking{impl_->dir.salt(), impl_->mask};
  return audit::record_decision(*impl_->log, masking, impl_->options.strict, program, request_json, decision, switches, error,
                                impl_->judging);
}

std::string AuditTrail::decide_json(const Program& program, std::string_view request_json, const SwitchBoard* switches, int indent) {
  Decision d = program.evaluate_json(request_json, impl_->approvals, switches);
  std::string error;
  if (!record(program, request_json, d, switches, error)) return fail_closed_json(program, "the audit record cannot be written: " + error, indent);
  return d.to_json(indent);
}

bool AuditTrail::flush(std::string& error) { return impl_->log->flush(&error); }

std::string AuditTrail::open_report() const { return impl_->log->open_report(); }

std::string fail_closed_json(const Program& program, const std::string& message, int indent) {
  nlohmann::ordered_json j;
  j["decision"] = "deny";
  j["policy"] = {{"layers", program.layers()}, {"hash", program.hash()}};
  j["reasons"] = nlohmann::ordered_json::array();
  j["pending"] = nullptr;
  j["obligations"] = nlohmann::ordered_json::array();
  j["killed_by"] = nullptr;
  j["error"] = {{"code", "RL5009"}, {"message", message}, {"pointer", ""}};
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline
