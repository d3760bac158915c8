// eval/decision.cc — turns a Decision's compact state (bitsets over the
// slot's candidate rules) into reasons, obligations, missing attributes and
// the JSON of LANGUAGE.md §12. Only called off the hot path.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "eval/approvals.h"
#include "eval/bound.h"
#include "flat/program_impl.h"

namespace redline {

const char* to_string(Outcome o) { return ast::to_string(static_cast<ast::Outcome>(o)); }

std::optional<Outcome> outcome_from_string(std::string_view s) {
  for (int i = 0; i < 4; ++i)
    if (s == to_string(static_cast<Outcome>(i))) return static_cast<Outcome>(i);
  return std::nullopt;
}

namespace {

struct Applying {
  std::uint32_t rule;
  bool certain;
  Outcome outcome;   // after approvals
};

// The applying rules of a decision in stack order then source order.
std::vector<Applying> applying_rules(const Decision& d) {
  std::vector<Applying> out;
  const Program* prog = DecisionAccess::program(d);
  std::int32_t slot = DecisionAccess::slot(d);
  if (!prog || slot < 0) return out;
  const auto& data = prog->impl().data;
  const flat::Slot& s = data.slots[static_cast<std::size_t>(slot)];
  const auto& applying = DecisionAccess::applying(d);
  const auto& certain = DecisionAccess::certain(d);
  const auto& model = *prog->impl().model;
  for (std::uint32_t i = 0; i < s.rules_end - s.rules_begin; ++i) {
    if (!eval::test_bit(applying, i)) continue;
    std::uint32_t rule = data.rule_ids[s.rules_begin + i];
    auto o = static_cast<Outcome>(ast::outcome_of(model.rules[rule].effect));
    for (const auto& [local, adj] : DecisionAccess::adjusted(d))
      if (local == i) o = adj;
    out.push_back({rule, eval::test_bit(certain, i), o});
  }
  return out;
}

std::vector<std::string> missing_of(const Decision& d, const Applying& a) {
  std::vector<std::string> out;
  if (a.certain) return out;
  const Program::Impl& p = DecisionAccess::program(d)->impl();
  const auto& missing = DecisionAccess::missing(d);
  for (std::uint32_t attr : p.compiled->factored[a.rule].attrs_read)
    if (eval::test_bit(missing, attr)) out.push_back(p.model->schema.attrs[attr].path);
  return out;
}

}  // namespace

std::vector<Pending> Decision::pending() const {
  if (judged_ || outcome_ == Outcome::allow || outcome_ == Outcome::deny || !program_ || slot_ < 0) return judged_ ? pending_ : std::vector<Pending>{};
  // No approvals were given: what each applying approval rule needs follows
  // from the rule, request.time and request.now alone.
  std::vector<Pending> out;
  const Program::Impl& p = program_->impl();
  BoundRequest none;
  BoundAccess::require_signed(none) = require_signed_;
  BoundAccess::have_keys(none) = have_keys_;
  for (const Applying& a : applying_rules(*this)) {
    const sema::Rule& r = p.model->rules[a.rule];
    if (r.effect != sema::Effect::RequireApproval && r.effect != sema::Effect::Escalate) continue;
    eval::ApprovalStatus st = eval::approval_status(*p.model, a.rule, none, time_, now_);
    if (st.state == eval::ApprovalStatus::State::Pending) out.push_back(std::move(st.pending));
  }
  return out;
}

std::vector<Reason> Decision::reasons() const {
  std::vector<Reason> out;
  if (!program_ || slot_ < 0) return out;
  const Program::Impl& p = program_->impl();
  for (const Applying& a : applying_rules(*this)) {
    const sema::Rule& r = p.model->rules[a.rule];
    out.push_back({r.qualified, a.outcome, r.because, r.cite, missing_of(*this, a)});
  }
  for (std::size_t l = 0; l < default_decided_.size(); ++l) {
    const sema::Layer& layer = p.model->layers[p.compiled->chain[l]];
    auto o = static_cast<Outcome>(layer.default_outcome);
    if (default_decided_[l] && o == outcome_ && !killed_by())
      out.push_back({layer.name + "/default", o, "no rule of `" + layer.name + "` applies; its default is " + to_string(o), "", {}});
  }
  std::stable_sort(out.begin(), out.end(), [](const Reason& a, const Reason& b) { return a.outcome > b.outcome; });
  return out;
}

std::vector<std::string> Decision::obligations() const {
  std::vector<std::string> out;
  if (!program_ || slot_ < 0) return out;
  const Program::Impl& p = program_->impl();
  for (const Applying& a : applying_rules(*this))
    for (const auto& o : p.model->rules[a.rule].obligations)
      if (std::find(out.begin(), out.end(), o.text) == out.end()) out.push_back(o.text);
  return out;
}

std::vector<std::string> Decision::missing() const {
  std::set<std::string> s;
  for (const Applying& a : applying_rules(*this))
    for (auto& m : missing_of(*this, a)) s.insert(std::move(m));
  return {s.begin(), s.end()};
}

std::optional<std::string> Decision::killed_by() const {
  if (!program_ || killed_by_ < 0) return std::nullopt;
  return program_->impl().switch_names[static_cast<std::size_t>(killed_by_)];
}

std::string Decision::to_json(int indent) const {
  nlohmann::ordered_json j;
  j["decision"] = to_string(outcome_);
  if (program_) {
    const Program::Impl& p = program_->impl();
    j["policy"] = {{"layers", p.layer_names}, {"hash", p.hash}};
  }
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  for (const Reason& r : this->reasons()) {
    nlohmann::ordered_json jr = {{"rule", r.rule}, {"outcome", to_string(r.outcome)}};
    if (!r.because.empty()) jr["because"] = r.because;
    if (!r.cite.empty()) jr["cite"] = r.cite;
    jr["missing"] = r.missing;
    reasons.push_back(std::move(jr));
  }
  j["reasons"] = std::move(reasons);
  std::vector<Pending> pending_list = pending();
  if (pending_list.empty()) {
    j["pending"] = nullptr;
  } else {
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    const Pending* first_escalation = nullptr;
    for (const Pending& p : pending_list) {
      nlohmann::ordered_json jp = {{"rule", p.rule}, {"outcome", to_string(p.outcome)}};
      if (!p.because.empty()) jp["because"] = p.because;
      if (!p.cite.empty()) jp["cite"] = p.cite;
      jp["roles"] = p.roles;
      jp["quorum"] = p.quorum;
      jp["missing"] = p.missing;
      jp["approvers"] = p.approvers;
      jp["deadline"] = p.deadline ? nlohmann::ordered_json(*p.deadline) : nlohmann::ordered_json(nullptr);
      jp["expired"] = p.expired;
      if (p.outcome == Outcome::escalate) {
        jp["escalation"] = p.escalation;
        jp["current_step"] = p.current_step;
        jp["remaining_steps"] = p.remaining_steps;
        jp["on_timeout"] = p.on_timeout;
        if (!first_escalation) first_escalation = &p;
      }
      jp["signed"] = p.signed_only;
      jp["human"] = p.human_only;
      jp["blocked"] = p.blocked.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.blocked);
      nlohmann::ordered_json uncounted = nlohmann::ordered_json::array();
      for (const auto& u : p.uncounted) uncounted.push_back({{"by", u.by}, {"role", u.role}, {"reason", u.reason}});
      jp["uncounted"] = std::move(uncounted);
      rules.push_back(std::move(jp));
    }
    nlohmann::ordered_json pending;
    pending["escalation"] = first_escalation ? nlohmann::ordered_json(first_escalation->escalation) : nlohmann::ordered_json(nullptr);
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    if (first_escalation) {
      steps.push_back(first_escalation->current_step);
      for (const auto& st : first_escalation->remaining_steps) steps.push_back(st);
    }
    pending["steps"] = std::move(steps);
    pending["rules"] = std::move(rules);
    j["pending"] = std::move(pending);
  }
  if (!accepted_.empty()) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& a : accepted_) arr.push_back({{"rule", a.rule}, {"step", a.step}, {"by", a.by}, {"role", a.role}, {"at", a.at}});
    j["approvals"] = std::move(arr);
  }
  j["obligations"] = obligations();
  auto k = killed_by();
  j["killed_by"] = k ? nlohmann::ordered_json(*k) : nlohmann::ordered_json(nullptr);
  if (error_) j["error"] = {{"code", error_->code}, {"message", error_->message}, {"pointer", error_->pointer}};
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline
