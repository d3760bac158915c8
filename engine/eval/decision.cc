// eval/decision.cc — turns a Decision's compact state (bitsets over the
// slot's candidate rules) into reasons, obligations, missing attributes and
// the JSON of LANGUAGE.md §12. Only called off the hot path.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "ast/literals.h"
#include "eval/approvals.h"
#include "eval/bound.h"
#include "eval/json_out.h"
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
  const auto& data = ProgramAccess::impl(*prog).data;
  const flat::Slot& s = data.slots[static_cast<std::size_t>(slot)];
  const auto& applying = DecisionAccess::applying(d);
  const auto& certain = DecisionAccess::certain(d);
  const auto& model = *ProgramAccess::impl(*prog).model;
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
  const ProgramImpl& p = ProgramAccess::impl(*DecisionAccess::program(d));
  const auto& missing = DecisionAccess::missing(d);
  for (std::uint32_t attr : p.data.attrs_read(a.rule))
    if (eval::test_bit(missing, attr)) out.push_back(p.model->schema.attrs[attr].path);
  return out;
}

}  // namespace

std::vector<Pending> Decision::pending() const {
  if (judged_ || outcome_ == Outcome::allow || outcome_ == Outcome::deny || !program_ || slot_ < 0) return judged_ ? pending_ : std::vector<Pending>{};
  // No approvals were given: what each applying approval rule needs follows
  // from the rule, request.time and request.now alone.
  std::vector<Pending> out;
  const ProgramImpl& p = ProgramAccess::impl(*program_);
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
  const ProgramImpl& p = ProgramAccess::impl(*program_);
  for (const Applying& a : applying_rules(*this)) {
    const sema::Rule& r = p.model->rules[a.rule];
    out.push_back({r.qualified, a.outcome, r.because, r.cite, missing_of(*this, a)});
  }
  for (std::size_t l = 0; l < default_decided_.size(); ++l) {
    const sema::Layer& layer = p.model->layers[p.data.chain[l]];
    auto o = static_cast<Outcome>(layer.default_outcome);
    if (default_decided_[l] && o == outcome_ && !killed_by() && not_in_force_ < 0)
      out.push_back({layer.name + "/default", o, "no rule of `" + layer.name + "` applies; its default is " + to_string(o), "", {}});
  }
  if (not_in_force_ >= 0) {
    const sema::Layer& layer = p.model->layers[p.data.chain[static_cast<std::size_t>(not_in_force_)]];
    const std::string from = format_rfc3339(*layer.effective_at);
    if (now_)
      out.push_back({layer.name + "/effective", Outcome::deny,
                     "policy `" + layer.name + "` is in force from " + from + "; the request is judged at " + format_rfc3339(*now_), "", {}});
    else
      out.push_back({layer.name + "/effective", Outcome::deny,
                     "policy `" + layer.name + "` is in force from " + from + "; a request without `request.time` cannot show it is", "",
                     {"request.time"}});
  }
  std::stable_sort(out.begin(), out.end(), [](const Reason& a, const Reason& b) { return a.outcome > b.outcome; });
  return out;
}

std::vector<std::string> Decision::obligations() const {
  std::vector<std::string> out;
  if (!program_ || slot_ < 0) return out;
  const ProgramImpl& p = ProgramAccess::impl(*program_);
  for (const Applying& a : applying_rules(*this))
    for (const auto& o : p.model->rules[a.rule].obligations)
      if (std::find(out.begin(), out.end(), o.text) == out.end()) out.push_back(o.text);
  return out;
}

std::vector<std::string> Decision::missing() const {
  std::set<std::string> s;
  for (const Applying& a : applying_rules(*this))
    for (auto& m : missing_of(*this, a)) s.insert(std::move(m));
  if (not_in_force_ >= 0 && !now_) s.insert("request.time");
  return {s.begin(), s.end()};
}

std::optional<std::string> Decision::not_in_force() const {
  if (!program_ || not_in_force_ < 0) return std::nullopt;
  return ProgramAccess::impl(*program_).layer_names[static_cast<std::size_t>(not_in_force_)];
}

std::optional<std::string> Decision::killed_by() const {
  if (!program_ || killed_by_ < 0) return std::nullopt;
  return ProgramAccess::impl(*program_).switch_names[static_cast<std::size_t>(killed_by_)];
}

namespace {

// Opens a reason or pending-rule object: {"rule","outcome"[,"because"][,"cite"]
void rule_head(eval::JsonOut& j, bool& first, const std::string& rule, Outcome o, const std::string& because, const std::string& cite) {
  j.raw(first ? "{\"rule\":" : ",{\"rule\":");
  first = false;
  j.str(rule);
  j.raw(",\"outcome\":");
  j.str(to_string(o));
  if (!because.empty()) j.raw(",\"because\":"), j.str(because);
  if (!cite.empty()) j.raw(",\"cite\":"), j.str(cite);
}

}  // namespace

std::string Decision::to_json(int indent) const {
  // One renderer: compact JSON written directly (the request path), parsed
  // back only when an indented form is asked for.
  std::string text;
  text.reserve(256);
  eval::JsonOut j(text);
  j.raw("{\"decision\":");
  j.str(to_string(outcome_));
  if (program_) {
    const ProgramImpl& p = ProgramAccess::impl(*program_);
    j.raw(",\"policy\":{\"layers\":");
    j.strs(p.layer_names);
    j.raw(",\"hash\":");
    j.str(p.hash);
    j.raw('}');
  }
  j.raw(",\"reasons\":[");
  bool first = true;
  for (const Reason& r : this->reasons()) {
    rule_head(j, first, r.rule, r.outcome, r.because, r.cite);
    j.raw(",\"missing\":");
    j.strs(r.missing);
    j.raw('}');
  }
  j.raw("],\"pending\":");
  std::vector<Pending> pending_list = pending();
  if (pending_list.empty()) {
    j.null();
  } else {
    const Pending* first_escalation = nullptr;
    for (const Pending& p : pending_list)
      if (p.outcome == Outcome::escalate && !first_escalation) first_escalation = &p;
    j.raw("{\"escalation\":");
    if (first_escalation) j.str(first_escalation->escalation);
    else j.null();
    j.raw(",\"steps\":[");
    if (first_escalation) {
      j.str(first_escalation->current_step);
      for (const auto& st : first_escalation->remaining_steps) j.raw(','), j.str(st);
    }
    j.raw("],\"rules\":[");
    first = true;
    for (const Pending& p : pending_list) {
      rule_head(j, first, p.rule, p.outcome, p.because, p.cite);
      j.raw(",\"roles\":");
      j.strs(p.roles);
      j.raw(",\"quorum\":");
      j.num(p.quorum);
      j.raw(",\"missing\":");
      j.num(p.missing);
      j.raw(",\"approvers\":");
      j.strs(p.approvers);
      j.raw(",\"deadline\":");
      if (p.deadline) j.str(*p.deadline);
      else j.null();
      j.raw(",\"expired\":");
      j.boolean(p.expired);
      if (p.outcome == Outcome::escalate) {
        j.raw(",\"escalation\":");
        j.str(p.escalation);
        j.raw(",\"current_step\":");
        j.str(p.current_step);
        j.raw(",\"remaining_steps\":");
        j.strs(p.remaining_steps);
        j.raw(",\"on_timeout\":");
        j.str(p.on_timeout);
      }
      j.raw(",\"signed\":");
      j.boolean(p.signed_only);
      j.raw(",\"human\":");
      j.boolean(p.human_only);
      j.raw(",\"blocked\":");
      if (p.blocked.empty()) j.null();
      else j.str(p.blocked);
      j.raw(",\"uncounted\":[");
      for (std::size_t u = 0; u < p.uncounted.size(); ++u) {
        if (u) j.raw(',');
        j.object({{"by", p.uncounted[u].by}, {"role", p.uncounted[u].role}, {"reason", p.uncounted[u].reason}});
      }
      j.raw("]}");
    }
    j.raw("]}");
  }
  if (!accepted_.empty()) {
    j.raw(",\"approvals\":[");
    for (std::size_t i = 0; i < accepted_.size(); ++i) {
      const AcceptedApproval& a = accepted_[i];
      if (i) j.raw(',');
      j.object({{"rule", a.rule}, {"step", a.step}, {"by", a.by}, {"role", a.role}, {"at", a.at}});
    }
    j.raw(']');
  }
  j.raw(",\"obligations\":");
  j.strs(obligations());
  j.raw(",\"killed_by\":");
  if (auto k = killed_by()) j.str(*k);
  else j.null();
  if (error_) {
    j.raw(",\"error\":{\"code\":");
    j.str(error_->code);
    j.raw(",\"message\":");
    j.str(error_->message);
    j.raw(",\"pointer\":");
    j.str(error_->pointer);
    j.raw('}');
  }
  j.raw('}');
  if (indent < 0) return text;
  return nlohmann::ordered_json::parse(text).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace redline
