// verify/analyses.cc — the rule analyses of verify/verify.h. Whether a rule
// applies depends on the purpose only through its targets (LANGUAGE.md §9),
// so most questions split into "which purposes" (sets of purposes) and
// "which attribute values" (a search over the conditions involved):
//  - dead (RL4001): no purpose is reached, or no request makes it apply;
//  - shadowed (RL4002): a rule s of the same policy and at least the same
//    severity, or a prohibit of its stack, reaches every purpose it reaches
//    and applies whenever it applies, so removing it changes no decision
//    (a permit only by permits: restrictions are RL4003's business; a
//    `require approval` or `escalate` rule only by a prohibit, since
//    approvals satisfying one rule leave another pending);
//  - overridden permit (RL4003): on every purpose it covers, whenever it
//    applies a restrictive rule of its stack applies too;
//  - conflicting intent (RL4004): a permit that a prohibit of its own policy,
//    at least as broad as one of its targets, overrides on every request of
//    that target (carve-outs and guards the permit sometimes wins against
//    are not conflicts);
//  - gaps (RL4005): purposes of a stack where no rule can ever apply.
#include "verify/analyses.h"

#include <algorithm>

#include "sema/coverage.h"
#include "verify/assertions.h"
#include "verify/search.h"
#include "verify/witness.h"

namespace redline::verify {
namespace {

using Bits = std::vector<std::uint64_t>;

Bits to_bits(const std::vector<std::uint32_t>& ids, std::size_t n) {
  Bits b((n + 63) / 64, 0);
  for (auto q : ids) b[q >> 6] |= std::uint64_t{1} << (q & 63);
  return b;
}

bool subset(const Bits& a, const Bits& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] & ~b[i]) return false;
  return true;
}

bool overlap(const Bits& a, const Bits& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] & b[i]) return true;
  return false;
}

void add_conds(const sema::Rule& r, std::vector<const sema::Cond*>& out) {
  if (r.when) out.push_back(&*r.when);
  if (r.unless) out.push_back(&*r.unless);
}

// Searches the requests of the conditions of `rules` with `pred`; fills `example` for `purpose` when found.
template <class Pred>
bool find(const sema::Model& m, const std::vector<const sema::Rule*>& rules, std::uint32_t purpose, std::string* example, Pred&& pred) {
  std::vector<const sema::Cond*> conds;
  for (const sema::Rule* r : rules) add_conds(*r, conds);
  Space space(m, conds);
  Partial p(space);
  if (!search(space, p, pred)) return false;
  if (example) {
    complete(p);
    *example = request_json(m, purpose, p);
  }
  return true;
}

std::string q(const std::string& s) { return diag::quote(s); }

}  // namespace

Analyzer::Analyzer(const sema::Model& m) : m_(m) {
  info_.resize(m.rules.size());
  for (std::uint32_t ri = 0; ri < m.rules.size(); ++ri) {
    const sema::Rule& r = m.rules[ri];
    RuleInfo& i = info_[ri];
    i.restrictive = r.effect != sema::Effect::Permit;
    i.rank = rank_of(r);
    i.reach = reach(m, r.targets, i.restrictive);
    i.bits = to_bits(i.reach, m.purposes.nodes.size());
  }
}

const Stack& Analyzer::stack(std::uint32_t top) {
  auto it = stacks_.find(top);
  if (it == stacks_.end()) it = stacks_.emplace(top, std::make_unique<Stack>(m_, top)).first;
  return *it->second;
}

void Analyzer::find_dead(std::uint32_t ri) {
  RuleInfo& i = info_[ri];
  const sema::Rule& r = m_.rules[ri];
  // The example names a purpose the rule covers when it has one (not only a vaguer one).
  std::uint32_t purpose = i.reach.empty() ? 0 : i.reach.front();
  for (std::uint32_t qp : i.reach)
    if (sema::reaches(m_.purposes, r.targets, qp, false)) {
      purpose = qp;
      break;
    }
  i.dead = i.reach.empty() || !find(m_, {&r}, purpose, &i.example, [&](const Partial& p) {
    ApplySet a = rule_apply_set(r, p);
    return !(a & kYes) ? Verdict::None : a == kYes ? Verdict::All : Verdict::Open;
  });
  if (!i.dead) return;
  Finding f = rule_finding(diag::Code::DeadRule, ri);
  f.message = "rule " + q(r.name) + " can never apply: " +
              (i.reach.empty() ? std::string("its targets cover no purpose") : std::string("no request makes its condition ") +
                                                                                   (i.restrictive ? "true or unknown" : "true"));
  findings_.push_back(std::move(f));
}

// True when `s` applies to every request `r` applies to.
bool Analyzer::implies(std::uint32_t ri, std::uint32_t si) {
  const sema::Rule &r = m_.rules[ri], &s = m_.rules[si];
  if (!subset(info_[ri].bits, info_[si].bits)) return false;
  return !find(m_, {&r, &s}, 0, nullptr, [&](const Partial& p) {
    ApplySet ar = rule_apply_set(r, p), as = rule_apply_set(s, p);
    if (!(ar & kYes) || as == kYes) return Verdict::None;
    return ar == kYes && !(as & kYes) ? Verdict::All : Verdict::Open;
  });
}

// Whether `s` may shadow `r`: same policy and at least as severe, or a
// prohibit below or in r's policy. A permit is shadowed only by permits: a
// restrictive rule always applying with it is RL4003's business.
bool Analyzer::may_shadow(std::uint32_t ri, std::uint32_t si) {
  const sema::Rule &r = m_.rules[ri], &s = m_.rules[si];
  if (si == ri || info_[si].dead) return false;
  if (!info_[ri].restrictive) return !info_[si].restrictive && s.layer == r.layer;
  // Approvals are part of the request space: a request may satisfy `s` and
  // not `r` (approvals name their rule), so only a rule that no approval
  // lifts — a prohibit — can make a sign-off or an escalation redundant.
  bool takes_approvals = r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate;
  if (takes_approvals) return s.effect == sema::Effect::Prohibit && (s.layer == r.layer || stack(r.layer).pos(s.layer) >= 0);
  if (s.layer == r.layer) return info_[si].rank >= info_[ri].rank;
  return s.effect == sema::Effect::Prohibit && stack(r.layer).pos(s.layer) >= 0;
}

void Analyzer::find_shadowed(std::uint32_t ri) {
  const sema::Rule& r = m_.rules[ri];
  for (std::uint32_t l : stack(r.layer).chain()) {
    for (std::uint32_t si : m_.layers[l].rules) {
      if (!may_shadow(ri, si) || !implies(ri, si)) continue;
      // Two equivalent rules shadow each other: report only the later one.
      bool twin = info_[si].rank == info_[ri].rank && m_.rules[si].layer == r.layer && si > ri;
      if (twin && implies(si, ri)) continue;
      Finding f = rule_finding(diag::Code::ShadowedRule, ri);
      f.message = "rule " + q(r.name) + " is shadowed by " + q(m_.rules[si].qualified) +
                  ": whenever it applies, that rule applies too and is at least as severe";
      findings_.push_back(std::move(f));
      info_[ri].shadowed = true;
      return;
    }
  }
}

// Whether permit `ri` yields its `allow` without a restrictive rule of its stack on some request of `slot`.
bool Analyzer::decides_in(std::uint32_t ri, const Slot& slot) {
  const sema::Rule& r = m_.rules[ri];
  std::vector<const sema::Rule*> rules{&r};
  for (std::uint32_t si : slot.rules)
    if (info_[si].restrictive) rules.push_back(&m_.rules[si]);
  return find(m_, rules, slot.purposes.front(), nullptr, [&](const Partial& p) {
    ApplySet a = rule_apply_set(r, p);
    if (!(a & kYes)) return Verdict::None;
    bool all_off = true;
    for (std::size_t k = 1; k < rules.size(); ++k) {
      ApplySet b = rule_apply_set(*rules[k], p);
      if (b == kYes) return Verdict::None;
      all_off &= !(b & kYes);
    }
    return a == kYes && all_off ? Verdict::All : Verdict::Open;
  });
}

void Analyzer::find_overridden(std::uint32_t ri) {
  const Stack& st = stack(m_.rules[ri].layer);
  std::vector<char> done(st.slots().size(), 0);
  for (std::uint32_t qp : info_[ri].reach) {
    std::uint32_t s = st.slot_of(qp);
    if (done[s]) continue;
    done[s] = 1;
    if (decides_in(ri, st.slots()[s])) return;
  }
  const sema::Rule& r = m_.rules[ri];
  std::optional<std::uint32_t> by = restriction_with(ri, st);
  Finding f = rule_finding(diag::Code::UnreachablePermit, ri);
  f.message = "permit " + q(r.name) + " never decides: whenever it applies, a restrictive rule of its policy stack applies too";
  if (by) f.notes.push_back("for example " + q(m_.rules[*by].qualified) + " applies to this request");
  findings_.push_back(std::move(f));
  info_[ri].overridden = true;
}

// A restrictive rule applying together with permit `ri` on its example purpose; sets the example request.
std::optional<std::uint32_t> Analyzer::restriction_with(std::uint32_t ri, const Stack& st) {
  const sema::Rule& r = m_.rules[ri];
  const Slot& slot = st.slots()[st.slot_of(info_[ri].reach.front())];
  std::vector<const sema::Cond*> conds;
  add_conds(r, conds);
  for (std::uint32_t si : slot.rules) add_conds(m_.rules[si], conds);
  Space space(m_, conds);
  Partial p(space);
  if (!search(space, p, [&](const Partial& x) {
        ApplySet a = rule_apply_set(r, x);
        return !(a & kYes) ? Verdict::None : a == kYes ? Verdict::All : Verdict::Open;
      }))
    return std::nullopt;
  complete(p);
  info_[ri].example = request_json(m_, info_[ri].reach.front(), p);
  for (std::uint32_t si : slot.rules)
    if (info_[si].restrictive && rule_apply_set(m_.rules[si], p) == kYes) return si;
  return std::nullopt;
}

namespace {

// The purposes one target of a rule covers directly, all alike for the
// rule: `P` covers P (and its descendants, decided alike), `P.*` the
// children of P, `*` the roots.
std::vector<std::uint32_t> target_purposes(const sema::Model& m, const sema::Target& t) {
  const auto& nodes = m.purposes.nodes;
  switch (t.kind) {
    case sema::Target::Kind::Exact: return {t.purpose};
    case sema::Target::Kind::Descendants: return nodes[t.purpose].children;
    case sema::Target::Kind::All: break;
  }
  std::vector<std::uint32_t> roots;
  for (std::uint32_t q = 0; q < nodes.size(); ++q)
    if (nodes[q].parent < 0) roots.push_back(q);
  return roots;
}

std::string target_text(const sema::Model& m, const sema::Target& t) {
  if (t.kind == sema::Target::Kind::All) return "*";
  return m.purposes.nodes[t.purpose].full + (t.kind == sema::Target::Kind::Descendants ? ".*" : "");
}

}  // namespace

// Conflicting intent: for one of permit `pi`'s targets, a prohibit of the
// same policy covers all of it (it is at least as broad) and applies
// whenever the permit does, so the permit can never decide there. A narrower
// prohibit is a carve-out (`permit *` with `prohibit weapons`), and a
// prohibit the permit wins against on some request (a guard: `prohibit *
// unless …`) is layering — neither is a conflict. A permit that never wins
// anywhere is RL4003's business.
void Analyzer::find_conflicts(std::uint32_t pi) {
  const sema::Rule& p = m_.rules[pi];
  for (std::uint32_t di : m_.layers[p.layer].rules) {
    const sema::Rule& d = m_.rules[di];
    if (d.effect != sema::Effect::Prohibit || info_[di].dead || !overlap(info_[pi].bits, info_[di].bits)) continue;
    std::vector<std::string> lost;   // the permit's targets where `d` always wins
    std::uint32_t example_purpose = 0;
    for (const sema::Target& t : p.targets) {
      std::vector<std::uint32_t> covered = target_purposes(m_, t);
      if (covered.empty()) continue;
      bool all_covered = std::all_of(covered.begin(), covered.end(), [&](std::uint32_t qp) { return sema::reaches(m_.purposes, d.targets, qp, false); });
      if (!all_covered) continue;
      // Both rules cover these purposes directly, so one search decides them all.
      bool permit_wins = find(m_, {&p, &d}, covered.front(), nullptr, [&](const Partial& x) {
        ApplySet a = rule_apply_set(p, x), b = rule_apply_set(d, x);
        if (!(a & kYes) || b == kYes) return Verdict::None;
        return a == kYes && !(b & kYes) ? Verdict::All : Verdict::Open;
      });
      if (permit_wins) continue;
      if (lost.empty()) example_purpose = covered.front();
      lost.push_back(target_text(m_, t));
    }
    if (lost.empty()) continue;
    std::string example;
    find(m_, {&p, &d}, example_purpose, &example, [&](const Partial& x) {
      ApplySet a = rule_apply_set(p, x);
      return !(a & kYes) ? Verdict::None : a == kYes ? Verdict::All : Verdict::Open;
    });
    std::string where = q(lost.front());
    if (lost.size() > 1) where += " (and " + std::to_string(lost.size() - 1) + " more of its targets)";
    Finding f = rule_finding(diag::Code::ConflictingIntent, pi);
    f.message = "permit " + q(p.name) + " can never decide " + where + ": prohibit " + q(d.name) +
                " of the same policy applies whenever it does";
    f.request = example;
    f.notes.push_back("narrow one of the two rules, remove the permit's target, or write `acknowledge RL4004` on the permit if both are meant");
    findings_.push_back(std::move(f));
  }
}

Finding Analyzer::rule_finding(diag::Code code, std::uint32_t ri) const {
  const sema::Rule& r = m_.rules[ri];
  Finding f;
  f.code = code;
  f.span = r.name_span.file == r.span.file && r.name_span.end > r.name_span.begin ? r.name_span : r.span;
  f.layer = m_.layers[r.layer].name;
  f.subject = r.qualified;
  f.request = info_[ri].example;
  return f;
}

void Analyzer::rules(const std::vector<std::uint32_t>& ids) {
  for (std::uint32_t ri : ids) find_dead(ri);
  for (std::uint32_t ri : ids)
    if (!info_[ri].dead) find_shadowed(ri);
  for (std::uint32_t ri : ids)
    if (!info_[ri].dead && !info_[ri].restrictive) find_overridden(ri);
  for (std::uint32_t ri : ids)
    if (!info_[ri].dead && !info_[ri].restrictive && !info_[ri].overridden) find_conflicts(ri);
}

void Analyzer::gaps(std::uint32_t top) {
  const Stack& st = stack(top);
  const auto& nodes = m_.purposes.nodes;
  std::vector<char> gap(nodes.size(), 0), full(nodes.size(), 0);
  for (std::uint32_t p = 0; p < nodes.size(); ++p) {
    gap[p] = 1;
    for (std::uint32_t ri : st.slots()[st.slot_of(p)].rules) gap[p] &= info_[ri].dead ? 1 : 0;
  }
  // INVARIANT: pre-order, so children come after their parent; walk backwards.
  for (std::uint32_t p = static_cast<std::uint32_t>(nodes.size()); p-- > 0;) {
    full[p] = gap[p];
    for (std::uint32_t c : nodes[p].children) full[p] &= full[c];
  }
  int fallback = 0;
  for (std::uint32_t l : st.chain()) fallback = std::max(fallback, static_cast<int>(m_.layers[l].default_outcome));
  const char* outcome = ast::to_string(static_cast<sema::Outcome>(fallback));
  for (std::uint32_t p = 0; p < nodes.size(); ++p) {
    if (!gap[p] || (nodes[p].parent >= 0 && full[static_cast<std::size_t>(nodes[p].parent)])) continue;
    std::size_t below = nodes[p].last_descendant - p;
    Finding f;
    f.code = diag::Code::Gap;
    f.span = nodes[p].span;
    f.layer = m_.layers[top].name;
    f.subject = nodes[p].full;
    f.message = q(nodes[p].full) + (full[p] && below ? " and its " + std::to_string(below) + (below == 1 ? " descendant are" : " descendants are") : " is") +
                " decided only by the default " + q(outcome) + " of " + q(f.layer) + ": no rule can apply";
    f.request = R"({"purpose":")" + nodes[p].full + R"("})";
    findings_.push_back(std::move(f));
  }
}

}  // namespace redline::verify
