// runtime/runtime.cc — see runtime.h.
#include "runtime/runtime.h"

#include <nlohmann/json.hpp>

#include "audit/log.h"
#include "audit/policy_store.h"
#include "eval/request_text.h"
#include "killswitch/watcher.h"
#include "redline/audit.h"
#include "state/state_dir.h"

namespace redline::runtime {

audit::Durability choose_durability(const Decision& decision, const RuntimeOptions& options) {
  bool weighty = decision.outcome() == Outcome::allow && (!decision.obligations().empty() || !decision.approvals().empty());
  return options.strict || weighty ? audit::Durability::durable : options.log.level;
}

Runtime::Runtime() = default;
Runtime::~Runtime() = default;

std::unique_ptr<Runtime> Runtime::open(const std::string& dir, const RuntimeOptions& options, std::string& error) {
  auto rt = std::make_unique<Runtime>();
  rt->options_ = options;
  auto sd = state::StateDir::open(dir, true);
  if (!sd.ok()) return error = sd.error, nullptr;
  rt->dir_ = std::make_unique<state::StateDir>(std::move(*sd.value));
  rt->mask_ = rt->dir_->mask();
  for (const auto& p : options.mask) {
    if (!p.empty() && p[0] != '/') return error = "mask field `" + p + "` is not a JSON pointer (write it as \"/actor/id\")", nullptr;
    rt->mask_.push_back(p);
  }
  auto log = audit::AuditLog::open(*rt->dir_, options.log);
  if (!log.ok()) return error = log.error, nullptr;
  rt->log_ = std::move(*log.value);
  return rt;
}

std::string Runtime::open_report() const { return log_ ? log_->open_report() : std::string(); }

bool Runtime::judge(const ApprovalOptions& options, Judging& out, std::string& error) {
  Judging j;
  j.options = options;
  j.recorded.require_signed = options.require_signed;
  if (options.keys && log_) {
    auto name = audit::store_keys(*dir_, *options.keys, error);
    if (!name) return false;
    j.recorded.keys = *name;
  }
  out = std::move(j);
  return true;
}

bool Runtime::load_policy(const Program& program, std::string& error) {
  if (!log_) return true;
  if (!audit::store_policy(*dir_, program, options_.stdlib_root, error)) return error = "cannot store the policy version: " + error, false;
  auto r = log_->append_durable(audit::policy_load_record(program, state::now_rfc3339()), true);
  if (!r.ok()) return error = "cannot log the policy load: " + r.error, false;
  return true;
}

std::unique_ptr<killswitch::SwitchWatcher> Runtime::watch(SwitchBoard& board, std::string& error) {
  error.clear();
  if (!log_) return nullptr;
  killswitch::WatchOptions wo;
  wo.log = log_.get();   // the log's flips are the authority on switch state
  wo.on_error = options_.on_switch_error;
  return killswitch::SwitchWatcher::start(*dir_, board, wo, error);
}

bool Runtime::may_block(std::string_view text) const {
  if (!log_) return false;
  if (options_.strict) return true;
  // A request carries approvals only under the key "approvals", which JSON
  // may also spell with \u escapes; either makes the record durable.
  return text.find("approvals") != std::string_view::npos || text.find("\\u") != std::string_view::npos;
}

Decided Runtime::decide(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                        Decision& scratch, std::string& out, int indent) const {
  const EvalOptions options{.approvals = &judging.options, .switches = board};
  if (!log_) {   // nothing to record: JSON text straight to a bound request (the fast path when it applies)
    program.evaluate(program.bind_json(text, options), scratch, options);
    out += scratch.to_json(indent);
    return {scratch.outcome(), scratch.error().has_value()};
  }
  // The same path as a deferred decision, whose records are then appended here.
  std::vector<std::string> records;
  std::string json;
  const Decided decided = decide_deferred(program, board, judging, text, scratch, json, records);
  std::string error;
  if (!append_records(scratch, std::move(records), error)) {
    out += fail_closed_json(program, "the audit record cannot be written: " + error, indent);
    return {Outcome::deny, true, true};
  }
  if (indent < 0) out += json;
  else out += nlohmann::ordered_json::parse(json).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return decided;
}

bool Runtime::record(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                     const Decision& decision, std::string& error) const {
  if (!log_) return true;
  eval::ParsedRequest parsed = eval::parse_request(text);
  std::vector<std::string> records;
  records_for(program, board, judging, text, parsed, decision, decision.to_json(), records);
  return append_records(decision, std::move(records), error);
}

void Runtime::records_for(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                          eval::ParsedRequest& parsed, const Decision& decision, std::string_view decision_json,
                          std::vector<std::string>& records) const {
  std::string time = state::now_rfc3339();
  audit::Masking masking{dir_->salt(), mask_};
  records.push_back(audit::decision_record(program, text, parsed, decision_json, board, masking, time, judging.recorded));
  // The approvals the request carries, as the door read them (whatever the
  // spelling of their key): each gets a record of its own.
  for (std::string& a : audit::approval_records(parsed.request, text, decision, time)) records.push_back(std::move(a));
}

bool Runtime::append_records(const Decision& decision, std::vector<std::string> records, std::string& error) const {
  audit::Durability level = choose_durability(decision, options_);
  if (records.size() == 1 && level != audit::Durability::durable) return log_->append(std::move(records[0]), level, &error);
  // Approvals are governance events: the decision and its approvals are
  // durable together, under one checkpoint.
  bool approvals = records.size() > 1;
  auto r = log_->append_durable(std::move(records), approvals);
  if (!r.ok()) return error = r.error, false;
  return true;
}

Decided Runtime::decide_deferred(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                                 Decision& scratch, std::string& out, std::vector<std::string>& records) const {
  const EvalOptions options{.approvals = &judging.options, .switches = board};
  eval::ParsedRequest parsed = eval::parse_request(text);
  program.evaluate(program.bind(parsed.request, options), scratch, options);
  std::string json = scratch.to_json();
  if (log_) records_for(program, board, judging, text, parsed, scratch, json, records);
  out += json;
  return {scratch.outcome(), scratch.error().has_value()};
}

}  // namespace redline::runtime
