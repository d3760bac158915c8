// eval/approvals.cc — quorum, separation of duties, windows, denials and
// timeouts for eval/approvals.h.
#include "eval/approvals.h"

#include <algorithm>
#include <set>

#include "ast/literals.h"

namespace redline::eval {

Outcome ApprovalStatus::outcome(sema::Effect effect) const {
  switch (state) {
    case State::Satisfied: return Outcome::allow;
    case State::Denied:
    case State::TimedOut: return Outcome::deny;
    case State::Pending: break;
  }
  return static_cast<Outcome>(ast::outcome_of(effect));
}

namespace {

const std::string& role_name(const sema::Model& m, std::uint32_t role) {
  return m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values[role];
}

// An approval can count only if it is by someone other than the requesting
// actor (separation of duties; unknown actor: fail closed) and was given
// after the request and not after `now`.
bool eligible(const BoundApproval& a, const BoundRequest& b, std::optional<std::int64_t> time, std::optional<std::int64_t> now) {
  const auto& actor = BoundAccess::actor_id(b);
  if (!actor || a.by == *actor) return false;
  if (a.has_at && time && a.at < *time) return false;
  if (a.has_at && now && a.at > *now) return false;
  return true;
}

// Why an approval is not eligible (the reverse of eligible()), or null.
const char* ineligible(const BoundApproval& a, const BoundRequest& b, std::optional<std::int64_t> time, std::optional<std::int64_t> now) {
  const auto& actor = BoundAccess::actor_id(b);
  if (!actor) return "no_actor_id";   // separation of duties cannot be checked: fail closed
  if (a.by == *actor) return "requester";
  if (a.has_at && time && a.at < *time) return "before_request";
  if (a.has_at && now && a.at > *now) return "after_now";
  return nullptr;
}

bool demands_signed(const sema::Rule& r, const BoundRequest& b) { return r.signed_only || BoundAccess::require_signed(b); }

// Why an approval that is otherwise eligible for rule `r` still does not
// count toward its quorum — its signature or its approver's kind — or null
// when it counts (docs/language.md §15 "Signed approvals", "Human
// approvers"). Denials are not asked: an eligible denial always vetoes.
const char* set_aside(const sema::Model& m, const sema::Rule& r, const BoundApproval& a, const BoundRequest& b) {
  using S = BoundApproval::Signature;
  switch (a.signature) {
    // A signature that was checked and failed never counts, demanded or not.
    case S::invalid: return "signature_invalid";
    case S::unknown_approver: return "unknown_approver";
    case S::role_not_keyed: return "role_not_in_keys";
    case S::unchecked:
      if (demands_signed(r, b)) return "no_keys";
      break;
    case S::none:
      if (demands_signed(r, b)) return "unsigned";
      break;
    case S::verified: break;
  }
  // An agent never counts where the policy has a notion of kind; `human`
  // takes only approvers known to be human (unknown fails closed).
  if (a.kind == ApproverKind::agent && (r.human_only || m.schema.find("actor.kind") >= 0)) return "agent";
  if (r.human_only && a.kind != ApproverKind::human) return "not_human";
  return nullptr;
}

void set_aside_note(const sema::Model& m, const BoundApproval& a, const char* why, Pending& p) {
  p.uncounted.push_back({a.by, role_name(m, a.role), why});
}

// What the rule demands of approvals, for `pending`.
void demands(const sema::Rule& r, const BoundRequest& b, Pending& p) {
  p.signed_only = demands_signed(r, b);
  p.human_only = r.human_only;
  if (p.signed_only && !BoundAccess::have_keys(b))
    p.blocked = "signed approvals are required but no approver keys are configured, so no approval can count";
}

bool within(const BoundApproval& a, std::optional<std::int64_t> deadline) {
  if (!deadline) return true;
  return a.has_at && a.at <= *deadline;
}

AcceptedApproval accepted(const sema::Model& m, const sema::Rule& r, const BoundApproval& a, const BoundRequest& b) {
  const Approval& raw = BoundAccess::raw_approvals(b)[a.index];
  return {r.qualified, raw.step, a.by, role_name(m, a.role), raw.at};
}

ApprovalStatus require_status(const sema::Model& m, const sema::Rule& r, const BoundRequest& b, std::optional<std::int64_t> time,
                              std::optional<std::int64_t> now) {
  ApprovalStatus st;
  std::optional<std::int64_t> deadline;
  if (r.within && time) deadline = *time + *r.within;
  std::set<std::string> counted;
  std::vector<std::pair<const BoundApproval*, const char*>> skipped;   // why each approval naming the rule did not count
  for (const BoundApproval& a : BoundAccess::approvals(b)) {
    if (&m.rules[a.rule] != &r) continue;
    if (const char* why = ineligible(a, b, time, now)) {
      skipped.push_back({&a, why});
      continue;
    }
    if (std::find(r.by.begin(), r.by.end(), a.role) == r.by.end()) {
      skipped.push_back({&a, "role_not_accepted"});
      continue;
    }
    // A window needs request.time to be judged: without it, no approval counts (fail closed).
    if (r.within && !time) {
      skipped.push_back({&a, "no_request_time"});
      continue;
    }
    if (r.within && !within(a, deadline)) {
      skipped.push_back({&a, "outside_window"});
      continue;
    }
    if (!a.approve) {   // one eligible denial vetoes (fail closed), whatever its signature or kind
      st.state = ApprovalStatus::State::Denied;
      st.accepted.clear();
      return st;
    }
    if (const char* why = set_aside(m, r, a, b)) {
      set_aside_note(m, a, why, st.pending);
      continue;
    }
    if (counted.insert(a.by).second) st.accepted.push_back(accepted(m, r, a, b));
  }
  if (counted.size() >= r.quorum) {
    st.state = ApprovalStatus::State::Satisfied;
    return st;
  }
  st.accepted.clear();
  Pending& p = st.pending;
  for (const auto& [a, why] : skipped) set_aside_note(m, *a, why, p);
  demands(r, b, p);
  for (auto role : r.by) p.roles.push_back(role_name(m, role));
  p.quorum = r.quorum;
  p.missing = r.quorum - static_cast<std::uint32_t>(counted.size());
  p.approvers.assign(counted.begin(), counted.end());
  if (deadline) p.deadline = format_rfc3339(*deadline);
  p.expired = deadline && now && *now > *deadline;
  return st;
}

ApprovalStatus escalate_status(const sema::Model& m, const sema::Rule& r, const BoundRequest& b, std::optional<std::int64_t> time,
                               std::optional<std::int64_t> now) {
  ApprovalStatus st;
  std::vector<StepWindow> steps = step_windows(m, r, time);
  // The step an approval speaks for: the first step of its role whose window holds it.
  auto placed = [&](const BoundApproval& a) -> std::int64_t {
    if (&m.rules[a.rule] != &r || !eligible(a, b, time, now)) return -1;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const StepWindow& s = steps[i];
      if (a.role != s.role || (a.step_role >= 0 && static_cast<std::uint32_t>(a.step_role) != s.role)) continue;
      if (s.deadline && !within(a, s.deadline)) continue;
      if (!s.deadline && !time && m.escalations[s.escalation].steps[s.step].within) continue;   // window unknowable: fail closed
      return static_cast<std::int64_t>(i);
    }
    return -1;
  };
  // ... and, to count toward a quorum, only if its signature and approver kind let it.
  auto step_of = [&](const BoundApproval& a) -> std::int64_t {
    std::int64_t i = placed(a);
    return i >= 0 && set_aside(m, r, a, b) ? -1 : i;
  };
  // One eligible denial vetoes, whatever else was approved and whatever its
  // signature or kind: a denial can only make the decision stricter (fail closed).
  for (const BoundApproval& a : BoundAccess::approvals(b)) {
    if (!a.approve && placed(a) >= 0) {
      st.state = ApprovalStatus::State::Denied;
      return st;
    }
  }
  std::vector<std::set<std::string>> counted(steps.size());
  for (const BoundApproval& a : BoundAccess::approvals(b)) {
    std::int64_t i = step_of(a);
    if (i < 0) continue;
    auto& who = counted[static_cast<std::size_t>(i)];
    who.insert(a.by);
    if (who.size() < steps[static_cast<std::size_t>(i)].quorum) continue;
    st.state = ApprovalStatus::State::Satisfied;   // the approvals of the resolving step are recorded
    for (const BoundApproval& x : BoundAccess::approvals(b))
      if (step_of(x) == i && std::none_of(st.accepted.begin(), st.accepted.end(), [&](const AcceptedApproval& y) { return y.by == x.by; }))
        st.accepted.push_back(accepted(m, r, x, b));
    return st;
  }
  // The current step: the first whose deadline has not passed at `now`.
  std::size_t cur = 0;
  while (cur < steps.size() && now && steps[cur].deadline && *now > *steps[cur].deadline) ++cur;
  if (cur == steps.size() && !steps.empty()) {
    const sema::Escalation& last = m.escalations[steps.back().escalation];
    if (last.on_timeout == ast::Escalation::Timeout::Deny) {
      st.state = ApprovalStatus::State::TimedOut;
      return st;
    }
  }
  Pending& p = st.pending;
  demands(r, b, p);
  for (const BoundApproval& a : BoundAccess::approvals(b)) {
    if (&m.rules[a.rule] != &r) continue;
    if (placed(a) >= 0) {
      if (const char* why = set_aside(m, r, a, b)) set_aside_note(m, a, why, p);
      continue;
    }
    // Why it has no step: not eligible, a role no step takes, or outside every window of its role's steps.
    const char* why = ineligible(a, b, time, now);
    if (!why) {
      bool role_ok = false;
      for (const StepWindow& w : steps) role_ok = role_ok || (a.role == w.role && (a.step_role < 0 || static_cast<std::uint32_t>(a.step_role) == w.role));
      why = !role_ok ? "role_not_a_step" : !time ? "no_request_time" : "outside_window";
    }
    set_aside_note(m, a, why, p);
  }
  std::size_t shown = std::min(cur, steps.size() - (steps.empty() ? 0 : 1));
  if (!steps.empty()) {
    const StepWindow& s = steps[shown];
    const sema::Escalation& path = m.escalations[s.escalation];
    p.escalation = path.name;
    p.current_step = role_name(m, s.role);
    for (std::size_t i = shown; i < steps.size(); ++i)
      if (!steps[i].deadline || !now || *now <= *steps[i].deadline) p.roles.push_back(role_name(m, steps[i].role));
    for (std::size_t i = shown + 1; i < steps.size(); ++i) p.remaining_steps.push_back(role_name(m, steps[i].role));
    p.quorum = s.quorum;
    p.missing = s.quorum - static_cast<std::uint32_t>(counted[shown].size());
    p.approvers.assign(counted[shown].begin(), counted[shown].end());
    if (s.deadline) p.deadline = format_rfc3339(*s.deadline);
    p.expired = cur == steps.size();
    const sema::Escalation& last = m.escalations[steps.back().escalation];
    p.on_timeout = last.on_timeout == ast::Escalation::Timeout::Deny ? "deny"
                   : last.on_timeout == ast::Escalation::Timeout::EscalateTo
                       ? "escalate to " + m.escalations[static_cast<std::size_t>(last.next)].name
                       : "none";
  }
  std::sort(p.roles.begin(), p.roles.end());
  p.roles.erase(std::unique(p.roles.begin(), p.roles.end()), p.roles.end());
  return st;
}

}  // namespace

ApprovalStatus approval_status(const sema::Model& m, std::uint32_t rule, const BoundRequest& b, std::optional<std::int64_t> time,
                               std::optional<std::int64_t> now) {
  const sema::Rule& r = m.rules[rule];
  if (!now) now = time;
  ApprovalStatus st = r.effect == sema::Effect::Escalate ? escalate_status(m, r, b, time, now) : require_status(m, r, b, time, now);
  if (st.state == ApprovalStatus::State::Pending) {
    st.pending.rule = r.qualified;
    st.pending.outcome = static_cast<Outcome>(ast::outcome_of(r.effect));
    st.pending.because = r.because;
    st.pending.cite = r.cite;
  }
  return st;
}

}  // namespace redline::eval
