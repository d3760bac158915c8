// eval/reference.cc — the rule-by-rule reference interpreter of eval/reference.h.
#include "eval/reference.h"

#include <algorithm>

#include "eval/reference_approvals.h"
#include "sema/coverage.h"
#include "sema/tri.h"

namespace redline::eval {

using sema::is_restrictive;
using sema::reaches;
using sema::rule_condition;
using sema::for_each_attr;
using sema::Tri;

ReferenceDecision reference_evaluate(const sema::Model& m, std::uint32_t top, const BoundRequest& b, const TagLayout& layout,
                                     const std::set<std::uint32_t>& tripped) {
  ReferenceDecision out;
  if (!b.ok()) {
    out.error = true;
    return out;
  }
  const auto q = static_cast<std::uint32_t>(BoundAccess::purpose(b));
  BoundReader reader{b, layout};
  auto stamp = [&](std::string_view path) -> std::optional<std::int64_t> {
    std::int64_t a = m.schema.find(path);
    if (a < 0 || !reader.present(static_cast<std::uint32_t>(a))) return std::nullopt;
    return reader.value(static_cast<std::uint32_t>(a));
  };
  const auto time = stamp("request.time"), now = stamp("request.now");
  int final_outcome = 0;
  for (std::uint32_t l : m.chain(top)) {
    int layer_outcome = -1;
    for (std::uint32_t ri : m.layers[l].rules) {
      const sema::Rule& r = m.rules[ri];
      bool restrictive = is_restrictive(r.effect);
      // (a) the target covers the purpose — or, for restrictive rules, the purpose is vaguer.
      if (!reaches(m.purposes, r.targets, q, restrictive)) continue;
      // (b) `when` holds and `unless` does not, in Kleene logic.
      Tri cond = rule_condition(r, reader);
      bool applies = restrictive ? cond != Tri::F : cond == Tri::T;
      if (!applies) continue;
      out.applying.push_back(ri);
      Outcome o = static_cast<Outcome>(ast::outcome_of(r.effect));
      if (r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate)
        o = reference_approval_outcome(m, ri, b, time, now);   // §10: approvals, denials, timeouts
      // §10: a satisfied rule grants only where it applies definitely; through
      // vagueness or an unknown condition it is "no objection" (restrains, never grants).
      bool definite = cond == Tri::T && reaches(m.purposes, r.targets, q, false);
      if (!(o == Outcome::allow && !definite)) layer_outcome = std::max(layer_outcome, static_cast<int>(o));
      if (cond == Tri::U) {
        auto note = [&](std::uint32_t attr) {
          if (!reader.present(attr)) out.missing.insert(m.schema.attrs[attr].path);
        };
        if (r.when) for_each_attr(*r.when, note);
        if (r.unless) for_each_attr(*r.unless, note);
      }
      for (const auto& ob : r.obligations)
        if (std::find(out.obligations.begin(), out.obligations.end(), ob.text) == out.obligations.end())
          out.obligations.push_back(ob.text);
    }
    if (layer_outcome < 0) layer_outcome = static_cast<int>(m.layers[l].default_outcome);
    final_outcome = std::max(final_outcome, layer_outcome);
  }
  for (std::uint32_t l : m.chain(top)) {
    for (std::uint32_t s : m.layers[l].switches) {
      if (!out.killed_by && tripped.count(s) && reaches(m.purposes, m.switches[s].covers, q, true)) {
        out.killed_by = s;
        final_outcome = static_cast<int>(Outcome::deny);
      }
    }
  }
  // §15 "Effective dates": a layer whose `effective` is later than
  // request.now (default request.time), or a request without a clock, denies.
  for (std::uint32_t l : m.chain(top)) {
    const auto& from = m.layers[l].effective_at;
    const auto clock = now ? now : time;
    if (from && (!clock || *clock < *from)) {
      out.not_in_force = l;
      if (!clock) out.missing.insert("request.time");
      final_outcome = static_cast<int>(Outcome::deny);
      break;
    }
  }
  out.outcome = static_cast<Outcome>(final_outcome);
  return out;
}

}  // namespace redline::eval
