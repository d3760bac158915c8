// Cross-checks the verifier against brute force: random small-domain
// policies (tests/unit/verify/small_policy.h), every request over their
// domains decided by the reference interpreter (eval::reference_evaluate),
// and the analyses, assertion proofs and counterexamples compared with what
// the enumeration shows. Also proves monotonicity: a derived layer's stack
// never decides less severely than its base's, by the search engine and by
// brute force.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sema/coverage.h"
#include "eval/reference.h"
#include "small_policy.h"
#include "verify/search.h"
#include "verify/stack.h"
#include "verify_support.h"

using namespace redline;
using namespace redline::testing;

namespace {

constexpr std::uint64_t kSeeds = 40;

// Which rules apply to each enumerated request of the leaf stack (no switches).
struct Table {
  std::vector<std::vector<char>> applies;   // per rule, per request
  std::vector<std::uint32_t> purpose;       // per request
};

Table enumerate(const Program& prog, const std::vector<std::size_t>& used) {
  const auto& impl = ProgramAccess::impl(prog);
  const sema::Model& m = *impl.model;
  Table t;
  t.applies.resize(m.rules.size());
  for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q) {
    for_each_request(prog, used, q, [&](const BoundRequest& b) {
      eval::ReferenceDecision d = eval::reference_evaluate(m, impl.data.top, b, impl.layout, {});
      for (auto& row : t.applies) row.push_back(0);
      for (auto ri : d.applying) t.applies[ri].back() = 1;
      t.purpose.push_back(q);
    });
  }
  return t;
}

bool implies(const std::vector<char>& a, const std::vector<char>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] && !b[i]) return false;
  return true;
}

bool any(const std::vector<char>& a) { return std::find(a.begin(), a.end(), 1) != a.end(); }

// The analyses' definitions, read off the table.
struct Expected {
  std::set<std::string> dead, shadowed, overridden, conflicts, gaps;
};

bool may_shadow(const sema::Model& m, std::uint32_t r, std::uint32_t s) {
  const auto &R = m.rules[r], &S = m.rules[s];
  int rr = static_cast<int>(ast::outcome_of(R.effect)), rs = static_cast<int>(ast::outcome_of(S.effect));
  if (R.effect == sema::Effect::Permit) return S.effect == sema::Effect::Permit && S.layer == R.layer;
  // Approvals are part of the request space: approving S leaves R pending, so
  // only a prohibit (which no approval lifts) can make R redundant.
  if (R.effect == sema::Effect::RequireApproval || R.effect == sema::Effect::Escalate)
    return S.effect == sema::Effect::Prohibit && S.layer <= R.layer;
  if (S.layer == R.layer) return rs >= rr;
  return S.effect == sema::Effect::Prohibit && S.layer < R.layer;   // layer L<i> extends L<i-1>
}

Expected expected(const sema::Model& m, const Table& t) {
  Expected e;
  const std::size_t n = m.rules.size();
  std::vector<char> dead(n);
  for (std::uint32_t r = 0; r < n; ++r)
    if ((dead[r] = !any(t.applies[r]))) e.dead.insert(m.rules[r].qualified);
  std::vector<char> overridden(n, 0);
  for (std::uint32_t p = 0; p < n; ++p) {
    if (dead[p] || m.rules[p].effect != sema::Effect::Permit) continue;
    bool always = true;
    for (std::size_t i = 0; i < t.purpose.size() && always; ++i) {
      if (!t.applies[p][i]) continue;
      bool restricted = false;
      for (std::uint32_t s = 0; s < n; ++s)
        restricted |= t.applies[s][i] && m.rules[s].effect != sema::Effect::Permit && m.rules[s].layer <= m.rules[p].layer;
      always = restricted;
    }
    if ((overridden[p] = always)) e.overridden.insert(m.rules[p].qualified);
  }
  for (std::uint32_t r = 0; r < n; ++r) {
    if (dead[r]) continue;
    for (std::uint32_t s = 0; s < n; ++s) {
      if (s == r || dead[s] || !may_shadow(m, r, s) || !implies(t.applies[r], t.applies[s])) continue;
      // Two equivalent rules of one policy and severity: only the later one is shadowed.
      bool twin = ast::outcome_of(m.rules[s].effect) == ast::outcome_of(m.rules[r].effect) && m.rules[s].layer == m.rules[r].layer && s > r;
      if (twin && implies(t.applies[s], t.applies[r])) continue;
      e.shadowed.insert(m.rules[r].qualified);
      break;
    }
  }
  for (std::uint32_t p = 0; p < n; ++p) {
    if (dead[p] || overridden[p] || m.rules[p].effect != sema::Effect::Permit) continue;
    // Conflicting intent: for one of the permit's targets, a prohibit of its
    // policy covers every purpose the target covers directly and applies on
    // every request of them that the permit applies to.
    for (std::uint32_t d = 0; d < n; ++d) {
      if (dead[d] || m.rules[d].effect != sema::Effect::Prohibit || m.rules[d].layer != m.rules[p].layer) continue;
      for (const auto& tg : m.rules[p].targets) {
        std::vector<std::uint32_t> covered;
        if (tg.kind == sema::Target::Kind::Exact) covered.push_back(tg.purpose);
        if (tg.kind == sema::Target::Kind::Descendants) covered = m.purposes.nodes[tg.purpose].children;
        if (tg.kind == sema::Target::Kind::All)
          for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q)
            if (m.purposes.nodes[q].parent < 0) covered.push_back(q);
        bool all_covered = !covered.empty();
        for (std::uint32_t q : covered) all_covered = all_covered && sema::reaches(m.purposes, m.rules[d].targets, q, false);
        if (!all_covered) continue;
        bool applies = false, wins = false;
        for (std::size_t i = 0; i < t.purpose.size(); ++i)
          if (std::find(covered.begin(), covered.end(), t.purpose[i]) != covered.end() && t.applies[p][i]) {
            applies = true;
            wins = wins || !t.applies[d][i];
          }
        if (applies && !wins) {
          e.conflicts.insert(m.rules[p].qualified + "|" + m.rules[d].qualified);
          break;
        }
      }
    }
  }
  std::vector<char> used(m.purposes.nodes.size(), 0);
  for (std::size_t i = 0; i < t.purpose.size(); ++i)
    for (std::uint32_t r = 0; r < n; ++r) used[t.purpose[i]] |= t.applies[r][i];
  for (std::uint32_t q = 0; q < used.size(); ++q)
    if (!used[q]) e.gaps.insert(m.purposes.nodes[q].full);
  return e;
}

// What the analyzer found, in the same shape.
Expected found(const sema::Model& m, const std::vector<verify::Finding>& all) {
  Expected f;
  for (const auto& x : all) {
    switch (x.code) {
      case diag::Code::DeadRule: f.dead.insert(x.subject); break;
      case diag::Code::ShadowedRule: f.shadowed.insert(x.subject); break;
      case diag::Code::UnreachablePermit: f.overridden.insert(x.subject); break;
      case diag::Code::ConflictingIntent: {
        // "permit `p` can never decide `q` …: prohibit `d` …": rebuild "L/p|L/d".
        std::vector<std::string> quoted;
        for (std::size_t a = x.message.find('`'); a != std::string::npos;) {
          std::size_t b = x.message.find('`', a + 1);
          quoted.push_back(x.message.substr(a + 1, b - a - 1));
          a = x.message.find('`', b + 1);
        }
        REQUIRE(quoted.size() == 3);
        f.conflicts.insert(x.layer + "/" + quoted[0] + "|" + x.layer + "/" + quoted[2]);
        break;
      }
      case diag::Code::Gap: {
        auto q = static_cast<std::uint32_t>(m.purposes.find(x.subject));
        bool subtree = x.message.find("descendant") != std::string::npos;
        for (std::uint32_t k = q; k <= (subtree ? m.purposes.nodes[q].last_descendant : q); ++k) f.gaps.insert(m.purposes.nodes[k].full);
        break;
      }
      default: break;
    }
  }
  return f;
}

bool satisfies(const sema::Assertion& a, Outcome o) {
  int d = static_cast<int>(o), w = static_cast<int>(a.outcome);
  return a.at_least ? d >= w : d == w;
}

// Whether assertion `a` holds, by enumeration (switches all reset, then all tripped).
bool holds_by_enumeration(const Program& prog, const std::vector<std::size_t>& used, const sema::Assertion& a) {
  const auto& impl = ProgramAccess::impl(prog);
  const sema::Model& m = *impl.model;
  const std::set<std::uint32_t> none;
  std::set<std::uint32_t> all_switches;
  for (std::uint32_t s = 0; s < m.switches.size(); ++s) all_switches.insert(s);
  bool ok = true;
  for (std::uint32_t q = 0; q < m.purposes.nodes.size() && ok; ++q) {
    if (!sema::reaches(m.purposes, a.targets, q, true)) continue;
    for_each_request(prog, used, q, [&](const BoundRequest& b) {
      if (!ok || (a.when && sema::evaluate(*a.when, eval::BoundReader{b, impl.layout}) != sema::Tri::T)) return;
      for (const std::set<std::uint32_t>* tripped : std::initializer_list<const std::set<std::uint32_t>*>{&none, &all_switches})
        ok = ok && satisfies(a, eval::reference_evaluate(m, a.layer, b, impl.layout, *tripped).outcome);
    });
  }
  return ok;
}

// The counterexample of `f` satisfies the `when` of `a` and violates it when evaluated.
void check_counterexample(const std::string& text, const sema::Model& m, const verify::Finding& f, const sema::Assertion& a) {
  auto prog = compile_for(text, f.layer);
  std::string sw = tripped_switch(f);
  Decision d = evaluate(*prog, f.request, sw.empty() ? std::vector<std::string>{} : std::vector<std::string>{sw});
  INFO(f.message, " ", f.request);
  CHECK(!satisfies(a, d.outcome()));
  if (a.when) {
    BoundRequest b = prog->bind_json(f.request);
    // The Program's model has no assertions; the condition's attribute ids are the same.
    CHECK(sema::evaluate(*a.when, eval::BoundReader{b, ProgramAccess::impl(*prog).layout}) == sema::Tri::T);
  }
  (void)m;
}

}  // namespace

TEST_CASE("analyses agree with brute-force enumeration over small domains") {
  std::map<std::string, std::size_t> seen;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SmallPolicy gen(seed, false);
    INFO("seed ", seed, "\n", gen.text());
    Loaded l = load(gen.text());
    auto prog = compile_for(gen.text());
    Table table = enumerate(*prog, gen.used());
    seen["requests"] += table.purpose.size();
    Expected want = expected(l.model(), table);
    Expected got = found(l.model(), verify::analyze(l.model()));
    CHECK(got.dead == want.dead);
    CHECK(got.shadowed == want.shadowed);
    CHECK(got.overridden == want.overridden);
    CHECK(got.conflicts == want.conflicts);
    CHECK(got.gaps == want.gaps);
    seen["dead"] += want.dead.size();
    seen["shadowed"] += want.shadowed.size();
    seen["overridden"] += want.overridden.size();
    seen["conflicts"] += want.conflicts.size();
    seen["gaps"] += want.gaps.size();
  }
  MESSAGE("requests enumerated: ", seen["requests"], "; dead ", seen["dead"], ", shadowed ", seen["shadowed"], ", overridden ",
          seen["overridden"], ", conflicts ", seen["conflicts"], ", gap purposes ", seen["gaps"]);
  // The generator must exercise every analysis, or the cross-check proves little.
  for (const auto& entry : seen) {   // not a structured binding: clang 14 cannot capture one in doctest's lambdas
    INFO(entry.first);
    CHECK(entry.second > 0);
  }
}

TEST_CASE("assertion proofs agree with brute-force enumeration; counterexamples really violate") {
  std::size_t held = 0, failed = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SmallPolicy gen(seed, true);
    INFO("seed ", seed, "\n", gen.text());
    Loaded l = load(gen.text());
    const sema::Model& m = l.model();
    auto prog = compile_for(gen.text(), "L" + std::to_string(gen.layers() - 1));
    std::set<std::string> refuted;
    for (const auto& f : verify::check_assertions(m)) refuted.insert(f.subject);
    for (std::uint32_t layer = 0; layer < m.layers.size(); ++layer) {
      const auto& ids = m.layers[layer].assertions;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        std::string subject = m.layers[layer].name + "/assert#" + std::to_string(i + 1);
        bool holds = holds_by_enumeration(*prog, gen.used(), m.assertions[ids[i]]);
        INFO(subject);
        CHECK(holds == !refuted.count(subject));
        (holds ? held : failed)++;
      }
    }
    for (const auto& f : verify::check_assertions(m)) {
      auto n = std::stoul(f.subject.substr(f.subject.find('#') + 1));
      const auto& a = m.assertions[m.layers[static_cast<std::size_t>(m.find_layer(f.layer))].assertions[n - 1]];
      check_counterexample(gen.text(), m, f, a);
    }
  }
  MESSAGE(held, " assertions held, ", failed, " failed");
  CHECK(held > 5);
  CHECK(failed > 5);
}

TEST_CASE("monotonicity: a derived stack never decides less severely than its base") {
  std::size_t pairs = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SmallPolicy gen(seed, false);
    if (gen.layers() < 2) continue;
    INFO("seed ", seed, "\n", gen.text());
    Loaded l = load(gen.text());
    const sema::Model& m = l.model();
    auto prog = compile_for(gen.text());
    const auto& impl = ProgramAccess::impl(*prog);
    for (std::uint32_t base = 0; base + 1 < m.layers.size(); ++base) {
      for (std::uint32_t derived = base + 1; derived < m.layers.size(); ++derived) {
        ++pairs;
        // By the search engine: no request makes the derived stack less severe.
        verify::Stack lo(m, base), hi(m, derived);
        for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q) {
          const verify::Slot &sb = lo.slots()[lo.slot_of(q)], &sd = hi.slots()[hi.slot_of(q)];
          auto conds = hi.conditions(sd);
          verify::Space space(m, conds);
          verify::Partial p(space);
          bool weaker = verify::search(space, p, [&](const verify::Partial& x) {
            verify::Range rb = lo.decide(sb, x), rd = hi.decide(sd, x);
            if (rd.lo >= rb.hi) return verify::Verdict::None;
            return rd.hi < rb.lo ? verify::Verdict::All : verify::Verdict::Open;
          });
          CHECK(!weaker);
        }
        // By brute force, through the reference interpreter.
        for (std::uint32_t q = 0; q < m.purposes.nodes.size(); ++q)
          for_each_request(*prog, gen.used(), q, [&](const BoundRequest& b) {
            auto d0 = eval::reference_evaluate(m, base, b, impl.layout, {}).outcome;
            auto d1 = eval::reference_evaluate(m, derived, b, impl.layout, {}).outcome;
            if (static_cast<int>(d1) < static_cast<int>(d0)) FAIL("derived stack less severe");
          });
      }
    }
  }
  CHECK(pairs > 10);
}
