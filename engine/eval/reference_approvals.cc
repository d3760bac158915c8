// eval/reference_approvals.cc — §10 read literally, for the reference
// interpreter (eval/reference_approvals.h). Deliberately plain: every
// approval is tested against every clause, nothing is precomputed.
#include "eval/reference_approvals.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace redline::eval {
namespace {

// §10 "Who may approve": someone other than the requester (an unknown
// requester fails closed), not before the request, not after `now`.
bool by_someone_else_in_time(const BoundApproval& a, const BoundRequest& b, std::optional<std::int64_t> time,
                             std::optional<std::int64_t> now) {
  const std::optional<std::string>& requester = BoundAccess::actor_id(b);
  if (!requester.has_value() || *requester == a.by) return false;
  if (a.has_at && time.has_value() && a.at < *time) return false;
  if (a.has_at && now.has_value() && a.at > *now) return false;
  return true;
}

// §15 "Signed approvals" and "Human approvers": whether an approval that
// may speak for the rule also counts toward its quorum.
bool counts(const sema::Model& m, const sema::Rule& r, const BoundApproval& a, const BoundRequest& b) {
  const bool signatures_demanded = r.signed_only || BoundAccess::require_signed(b);
  bool signature_ok = false;
  if (a.signature == BoundApproval::Signature::verified) signature_ok = true;
  if (a.signature == BoundApproval::Signature::none || a.signature == BoundApproval::Signature::unchecked)
    signature_ok = !signatures_demanded;
  if (!signature_ok) return false;
  const bool policy_knows_kinds = m.schema.find("actor.kind") >= 0;
  if (a.kind == ApproverKind::agent && (r.human_only || policy_knows_kinds)) return false;
  if (r.human_only && a.kind != ApproverKind::human) return false;
  return true;
}

bool in_window(const BoundApproval& a, std::optional<std::int64_t> deadline) {
  return !deadline.has_value() || (a.has_at && a.at <= *deadline);
}

Outcome own_outcome(const sema::Rule& r) { return static_cast<Outcome>(ast::outcome_of(r.effect)); }

Outcome require_approval(const sema::Model& m, std::uint32_t rule, const BoundRequest& b, std::optional<std::int64_t> time,
                         std::optional<std::int64_t> now) {
  const sema::Rule& r = m.rules[rule];
  // An approval speaks for the rule when it names it, comes from someone
  // else in time, in an accepted role, and — with a `within` window, which
  // needs request.time — inside the window.
  auto speaks = [&](const BoundApproval& a) {
    if (a.rule != rule || !by_someone_else_in_time(a, b, time, now)) return false;
    if (std::count(r.by.begin(), r.by.end(), a.role) == 0) return false;
    if (r.within.has_value()) {
      if (!time.has_value()) return false;
      if (!in_window(a, *time + *r.within)) return false;
    }
    return true;
  };
  const auto& approvals = BoundAccess::approvals(b);
  for (const BoundApproval& a : approvals)
    if (speaks(a) && !a.approve) return Outcome::deny;   // any eligible denial vetoes
  std::set<std::string> people;
  for (const BoundApproval& a : approvals)
    if (speaks(a) && a.approve && counts(m, r, a, b)) people.insert(a.by);
  return people.size() >= r.quorum ? Outcome::allow : own_outcome(r);
}

struct Window {
  const sema::Escalation* path;
  const sema::Step* step;
  std::optional<std::int64_t> deadline;
};

// The reviewer steps in order, following `on_timeout escalate to` while
// deadlines are known; each step's window opens when the previous closes.
std::vector<Window> windows(const sema::Model& m, const sema::Rule& r, std::optional<std::int64_t> time) {
  std::vector<Window> out;
  std::set<std::int32_t> visited;
  std::optional<std::int64_t> opens = time;
  std::int32_t e = r.escalation;
  while (e >= 0 && visited.count(e) == 0) {
    visited.insert(e);
    const sema::Escalation& path = m.escalations[static_cast<std::size_t>(e)];
    for (const sema::Step& s : path.steps) {
      std::optional<std::int64_t> closes;
      if (opens.has_value() && s.within.has_value()) closes = *opens + *s.within;
      out.push_back({&path, &s, closes});
      opens = closes;
    }
    const bool chains = path.on_timeout == ast::Escalation::Timeout::EscalateTo && opens.has_value();
    e = chains ? path.next : -1;
  }
  return out;
}

Outcome escalate(const sema::Model& m, std::uint32_t rule, const BoundRequest& b, std::optional<std::int64_t> time,
                 std::optional<std::int64_t> now) {
  const sema::Rule& r = m.rules[rule];
  const std::vector<Window> w = windows(m, r, time);
  // The step an approval speaks for: the first of its role (and of the step
  // it names, if any) whose window holds it. A window that needs
  // request.time to be known holds nothing without it.
  auto step_of = [&](const BoundApproval& a) -> int {
    if (a.rule != rule || !by_someone_else_in_time(a, b, time, now)) return -1;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i].step->role != a.role) continue;
      if (a.step_role >= 0 && static_cast<std::uint32_t>(a.step_role) != w[i].step->role) continue;
      if (!w[i].deadline.has_value() && !time.has_value() && w[i].step->within.has_value()) continue;
      if (!in_window(a, w[i].deadline)) continue;
      return static_cast<int>(i);
    }
    return -1;
  };
  const auto& approvals = BoundAccess::approvals(b);
  for (const BoundApproval& a : approvals)
    if (!a.approve && step_of(a) >= 0) return Outcome::deny;   // any eligible denial vetoes
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::set<std::string> people;
    for (const BoundApproval& a : approvals)
      if (a.approve && step_of(a) == static_cast<int>(i) && counts(m, r, a, b)) people.insert(a.by);
    if (people.size() >= w[i].step->quorum) return Outcome::allow;   // some step signed off
  }
  // Timed out: every step's deadline has passed at `now`, and the last path says `deny`.
  if (!w.empty() && now.has_value()) {
    const bool all_passed = std::all_of(w.begin(), w.end(), [&](const Window& x) { return x.deadline.has_value() && *now > *x.deadline; });
    if (all_passed && w.back().path->on_timeout == ast::Escalation::Timeout::Deny) return Outcome::deny;
  }
  return own_outcome(r);
}

}  // namespace

Outcome reference_approval_outcome(const sema::Model& m, std::uint32_t rule, const BoundRequest& b,
                                   std::optional<std::int64_t> time, std::optional<std::int64_t> now) {
  if (!now.has_value()) now = time;
  return m.rules[rule].effect == sema::Effect::Escalate ? escalate(m, rule, b, time, now) : require_approval(m, rule, b, time, now);
}

}  // namespace redline::eval
