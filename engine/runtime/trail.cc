// runtime/trail.cc — AuditTrail of redline/audit.h: the public face of the
// governance runtime (runtime/runtime.h), which does the work.
#include <nlohmann/json.hpp>

#include "audit/log.h"
#include "eval/request_limits.h"
#include "killswitch/watcher.h"
#include "redline/audit.h"
#include "runtime/runtime.h"

namespace redline {

struct AuditTrail::Impl {
  std::unique_ptr<runtime::Runtime> runtime;
  std::vector<std::unique_ptr<killswitch::SwitchWatcher>> watchers;
  runtime::Judging judging;   ///< how decide_json() judges approvals, and how records name it
};

AuditTrail::AuditTrail(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditTrail::~AuditTrail() {
  impl_->watchers.clear();   // stop watching before the log goes
}

std::unique_ptr<AuditTrail> AuditTrail::open(const std::string& dir, const AuditOptions& options, std::string& error) {
  auto impl = std::make_unique<Impl>();
  runtime::RuntimeOptions ro{options.strict, options.mask, options.stdlib_root, {}};
  if (!options.durability.empty()) {
    auto level = audit::durability_from_string(options.durability);
    if (!level) return error = "unknown audit durability `" + options.durability + "` (buffered, written or durable)", nullptr;
    ro.log.level = *level;
  }
  ro.log.witness = options.witness;
  impl->runtime = runtime::Runtime::open(dir, ro, error);
  if (!impl->runtime) return nullptr;
  return std::unique_ptr<AuditTrail>(new AuditTrail(std::move(impl)));
}

bool AuditTrail::load_policy(const Program& program, std::string& error) {
  if (impl_->runtime->load_policy(program, error)) return true;
  // The runtime says which step failed; the trail's callers have always seen the store's own words.
  static constexpr std::string_view kStore = "cannot store the policy version: ";
  if (error.starts_with(kStore)) error.erase(0, kStore.size());
  return false;
}

bool AuditTrail::watch_switches(SwitchBoard& board, std::string& error) {
  auto w = impl_->runtime->watch(board, error);
  if (w) impl_->watchers.push_back(std::move(w));
  return error.empty();
}

bool AuditTrail::judge_approvals(const ApprovalOptions& approvals, std::string& error) {
  return impl_->runtime->judge(approvals, impl_->judging, error);
}

bool AuditTrail::record(const Program& program, std::string_view request_json, const Decision& decision, const SwitchBoard* switches,
                        std::string& error) {
  return impl_->runtime->record(program, switches, impl_->judging, request_json, decision, error);
}

std::string AuditTrail::decide_json(const Program& program, std::string_view request_json, const SwitchBoard* switches, int indent) {
  Decision d;
  std::string out;
  impl_->runtime->decide(program, switches, impl_->judging, request_json, d, out, indent);
  return out;
}

bool AuditTrail::flush(std::string& error) { return impl_->runtime->log().flush(&error); }

std::string AuditTrail::open_report() const { return impl_->runtime->open_report(); }

std::string fail_closed_json(const Program& program, const std::string& message, int indent) {
  nlohmann::ordered_json j;
  j["decision"] = "deny";
  j["policy"] = {{"layers", program.layers()}, {"hash", program.hash()}};
  j["reasons"] = nlohmann::ordered_json::array();
  j["pending"] = nullptr;
  j["obligations"] = nlohmann::ordered_json::array();
  j["killed_by"] = nullptr;
  j["error"] = {{"code", eval::code_text(diag::Code::RequestInternal)}, {"message", message}, {"pointer", ""}};
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline
