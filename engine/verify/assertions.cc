// verify/assertions.cc — proves `assert TARGETS [when EXPR] is [at least]
// OUTCOME;` (LANGUAGE.md §11) for every purpose the targets cover and every
// vaguer purpose above them, every attribute value, every kill-switch state
// and no approvals, against the stack ending at the assertion's policy. The
// `when` condition selects the requests where it is true (not unknown).
#include "verify/assertions.h"

#include <map>

#include "sema/coverage.h"
#include "verify/search.h"
#include "verify/witness.h"

namespace redline::verify {
namespace {

bool satisfies(const sema::Assertion& a, int d) {
  int o = static_cast<int>(a.outcome);
  return a.at_least ? d >= o : d == o;
}

bool all_satisfy(const sema::Assertion& a, Range r) {
  int o = static_cast<int>(a.outcome);
  return a.at_least ? r.lo >= o : r.lo == o && r.hi == o;
}

bool none_satisfy(const sema::Assertion& a, Range r) {
  int o = static_cast<int>(a.outcome);
  return a.at_least ? r.hi < o : o < r.lo || o > r.hi;
}

TriSet when_set(const sema::Assertion& a, const Partial& p) { return a.when ? eval_set(*a.when, p) : kT; }

// A request of the slot violating `a` with every kill switch reset.
bool find_violation(const Stack& st, const Slot& slot, const sema::Assertion& a, Partial& p) {
  return search(*p.space, p, [&](const Partial& q) {
    TriSet w = when_set(a, q);
    if (!(w & kT)) return Verdict::None;
    Range r = st.decide(slot, q);
    if (all_satisfy(a, r)) return Verdict::None;
    return w == kT && none_satisfy(a, r) ? Verdict::All : Verdict::Open;
  });
}

// A request of the slot for which the `when` condition is true.
bool find_selected(const sema::Assertion& a, Partial& p) {
  return search(*p.space, p, [&](const Partial& q) {
    TriSet w = when_set(a, q);
    if (!(w & kT)) return Verdict::None;
    return w == kT ? Verdict::All : Verdict::Open;
  });
}

// Searches one slot; fills `out` on failure.
bool refute_slot(const Stack& st, const Slot& slot, const sema::Assertion& a, std::uint32_t purpose, Counterexample& out) {
  std::vector<const sema::Cond*> conds = st.conditions(slot);
  if (a.when) conds.push_back(&*a.when);
  Space space(st.model(), conds, a.when ? &*a.when : nullptr);
  Partial p(space);
  if (find_violation(st, slot, a, p)) {
    complete(p);
    out = {purpose, request_json(st.model(), purpose, p), st.decide(slot, p).lo, std::nullopt};
    return true;
  }
  // A tripped kill switch reaching the purpose makes the decision `deny`.
  if (slot.switches.empty() || satisfies(a, static_cast<int>(sema::Outcome::Deny))) return false;
  Partial q(space);
  if (!find_selected(a, q)) return false;
  complete(q);
  out = {purpose, request_json(st.model(), purpose, q), static_cast<int>(sema::Outcome::Deny), slot.switches.front()};
  return true;
}

}  // namespace

void complete(Partial& p) {
  const Space& s = *p.space;
  for (const Var& v : s.vars()) {
    if (detail::skip(v, p)) continue;
    for (std::uint32_t k = 0; k < v.size; ++k) {
      // Missing (or absent) first, so the request names only what matters.
      std::int32_t x = static_cast<std::int32_t>(k);
      if (detail::realizable(s, p, v, x)) {
        p.set(v, x);
        break;
      }
    }
  }
}

std::optional<Counterexample> refute(const Stack& st, const sema::Assertion& a) {
  const sema::Model& m = st.model();
  // Purposes the targets cover first, then the vaguer ones above them.
  std::vector<std::uint32_t> order;
  for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q)
    if (sema::reaches(m.purposes, a.targets, q, false)) order.push_back(q);
  for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q)
    if (!sema::reaches(m.purposes, a.targets, q, false) && sema::reaches(m.purposes, a.targets, q, true)) order.push_back(q);
  std::vector<char> done(st.slots().size(), 0);
  Counterexample out;
  for (std::uint32_t q : order) {
    std::uint32_t s = st.slot_of(q);
    if (done[s]) continue;
    done[s] = 1;
    if (refute_slot(st, st.slots()[s], a, q, out)) return out;
  }
  return std::nullopt;
}

std::vector<Finding> check_assertions(const sema::Model& m) {
  std::vector<Finding> out;
  std::map<std::uint32_t, Stack> stacks;
  for (std::uint32_t l = 0; l < m.layers.size(); ++l) {
    const auto& ids = m.layers[l].assertions;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const sema::Assertion& a = m.assertions[ids[i]];
      auto it = stacks.try_emplace(l, m, l).first;
      std::optional<Counterexample> cx = refute(it->second, a);
      if (cx) out.push_back(assertion_finding(m, a, i, *cx));
    }
  }
  return out;
}

Finding assertion_finding(const sema::Model& m, const sema::Assertion& a, std::size_t index, const Counterexample& cx) {
  Finding f;
  f.code = diag::Code::AssertionFailed;
  f.span = a.span;
  f.layer = m.layers[a.layer].name;
  f.subject = f.layer + "/assert#" + std::to_string(index + 1);
  f.message = std::string("assertion does not hold: a request for `") + m.purposes.nodes[cx.purpose].full + "` is decided `" +
              ast::to_string(static_cast<sema::Outcome>(cx.decision)) + "`, not " + (a.at_least ? "at least " : "") + "`" +
              ast::to_string(a.outcome) + "`";
  f.request = cx.request;
  if (cx.tripped) f.notes.push_back("with kill switch `" + m.switches[*cx.tripped].qualified + "` tripped");
  return f;
}

}  // namespace redline::verify
