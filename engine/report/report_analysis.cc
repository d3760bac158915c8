// report/report_analysis.cc — the report sections that rest on the verifier
// (engine/verify): assertion results and the red-line proofs drawn from
// them, decision tables per group of purposes, the coverage matrix (exact:
// the search over value classes finds every outcome a purpose can get), and
// the analysis findings (dead, shadowed, overridden rules, conflicts, gaps).
#include <algorithm>
#include <map>
#include <set>

#include "diag/codes.h"
#include "eval/coverage.h"
#include "report/paraphrase.h"
#include "report/report_parts.h"
#include "verify/search.h"
#include "verify/stack.h"
#include "verify/verify.h"

namespace redline::report {
namespace {

bool subset(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

bool overlaps(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::uint32_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return !both.empty();
}

// Whether some request for a purpose of `slot` gets outcome rank `rank`.
bool reachable(const verify::Stack& st, const verify::Slot& slot, int rank) {
  verify::Space space(st.model(), st.conditions(slot));
  verify::Partial p(space);
  return verify::search(space, p, [&](const verify::Partial& q) {
    verify::Range r = st.decide(slot, q);
    if (rank < r.lo || rank > r.hi) return verify::Verdict::None;
    return r.lo == r.hi ? verify::Verdict::All : verify::Verdict::Open;
  });
}

const char* finding_kind(diag::Code code) {
  switch (code) {
    case diag::Code::DeadRule: return "Dead rule: it can never apply";
    case diag::Code::ShadowedRule: return "Shadowed rule: whenever it applies, an equally or more severe rule applies too";
    case diag::Code::UnreachablePermit: return "Overridden permission: a red line always applies with it";
    case diag::Code::ConflictingIntent: return "Conflicting intent: a permission and a prohibition of one policy both apply to some request";
    case diag::Code::Gap: return "Gap: decided only by the default";
    case diag::Code::AssertionFailed: return "Assertion does not hold";
    default: return "Finding";
  }
}

std::string row_condition(const Ctx& c, const sema::Rule& r, const verify::Slot& slot) {
  std::string cond = rule_condition_words(c.m, r);
  bool covers = false;
  for (std::uint32_t q : slot.purposes)
    for (const auto& t : r.targets) covers = covers || eval::covers(c.m.purposes, t, q);
  std::string s = cond.empty() ? "always" : cond;
  if (!covers) s = "(the purpose named is broad and might be " + targets_words(c.m, r.targets) + ") " + s;
  return s;
}

}  // namespace

void build_assertions(Ctx& c) {
  std::map<std::string, const verify::Finding*> failed;
  std::vector<verify::Finding> fs = verify::check_assertions(c.m);
  for (const auto& f : fs) failed[f.subject] = &f;
  for (std::uint32_t l : c.chain) {
    const sema::Layer& L = c.m.layers[l];
    for (std::size_t i = 0; i < L.assertions.size(); ++i) {
      const sema::Assertion& a = c.m.assertions[L.assertions[i]];
      AssertionEntry e;
      e.id = "assert:" + L.name + "#" + std::to_string(i + 1);
      e.policy = L.name;
      e.sentence = assertion_sentence(c.m, a);
      e.source = c.where(a.span);
      auto it = failed.find(L.name + "/assert#" + std::to_string(i + 1));
      e.proved = it == failed.end();
      if (!e.proved) e.counterexample = it->second->request;
      c.out.assertions.push_back(e);
    }
  }
}

namespace {

// The attributes a condition reads.
void attrs_of(const sema::Cond& c, std::set<std::uint32_t>& out) {
  if (c.kind != sema::Cond::Kind::Const && c.kind != sema::Cond::Kind::And && c.kind != sema::Cond::Kind::Or && c.kind != sema::Cond::Kind::Not)
    out.insert(c.attr);
  for (const auto& k : c.kids) attrs_of(k, out);
}

std::set<std::uint32_t> rule_attrs(const sema::Rule& r) {
  std::set<std::uint32_t> a;
  if (r.when) attrs_of(*r.when, a);
  if (r.unless) attrs_of(*r.unless, a);
  return a;
}

}  // namespace

void Ctx::prove_red_line(std::uint32_t rule, RedLine& rl) const {
  const sema::Rule& r = m.rules[rule];
  std::vector<std::uint32_t> covered = verify::reach(m, r.targets, false);
  std::set<std::uint32_t> reads = rule_attrs(r);
  std::vector<std::string> full, part;
  std::size_t k = 0;
  for (std::uint32_t l : chain) {
    const sema::Layer& L = m.layers[l];
    for (std::size_t i = 0; i < L.assertions.size(); ++i, ++k) {
      const sema::Assertion& a = m.assertions[L.assertions[i]];
      if (a.outcome != sema::Outcome::Deny || !out.assertions[k].proved) continue;
      std::vector<std::uint32_t> asserted = verify::reach(m, a.targets, false);
      if (!overlaps(covered, asserted)) continue;
      std::string text = "[" + out.assertions[k].id + "] " + out.assertions[k].sentence;
      if (!a.when && subset(covered, asserted)) {
        full.push_back(text);
        continue;
      }
      std::set<std::uint32_t> a_reads;
      if (a.when) attrs_of(*a.when, a_reads);
      bool shares = std::any_of(a_reads.begin(), a_reads.end(), [&](std::uint32_t x) { return reads.count(x) > 0; });
      if ((a.when && shares) || (!a.when && reads.empty())) part.push_back(text);
    }
  }
  auto listed = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
    return s;
  };
  for (const auto& t : full) rl.proof_by.push_back(t.substr(1, t.find(']') - 1));
  if (full.empty())
    for (const auto& t : part) rl.proof_by.push_back(t.substr(1, t.find(']') - 1));
  rl.proof = !full.empty() ? "proved" : !part.empty() ? "partly proved" : "not proved";
  if (!full.empty()) rl.proof_text = "Proved over every possible request by: " + listed(full);
  else if (!part.empty()) rl.proof_text = "Proved only in part (for some purposes or some conditions) by: " + listed(part);
  else rl.proof_text = "No assertion proves this red line. It holds while the rule is in place, but a later edit could remove it without any check failing.";
}

void build_tables(Ctx& c) {
  verify::Stack st(c.m, c.top);
  std::vector<std::string> defaults;
  for (std::uint32_t l : c.chain) defaults.push_back(c.m.layers[l].name + ": " + outcome_words(c.m.layers[l].default_outcome));
  std::string combining =
      "The most severe outcome of the rules that apply decides (denied, then escalated for review, then needs approval, "
      "then allowed). Each policy layer decides on its own, falling back to its default when none of its rules applies; "
      "the final decision is the most severe of the layers' decisions. A tripped kill switch denies.";
  for (const verify::Slot& slot : st.slots()) {
    DecisionTable t;
    for (std::uint32_t q : slot.purposes) t.purposes.push_back(c.m.purposes.nodes[q].full);
    t.id = "table:" + t.purposes.front();
    for (std::uint32_t ri : slot.rules) {
      const sema::Rule& r = c.m.rules[ri];
      std::vector<std::string> obl;
      for (const auto& o : r.obligations) obl.push_back(o.text);
      t.rows.push_back({"rule:" + r.qualified, r.qualified, c.m.layers[r.layer].name, row_condition(c, r, slot),
                        effect_words(r.effect), obl.empty() ? "—" : join_words(obl)});
    }
    t.defaults = defaults;
    for (std::uint32_t s : slot.switches) t.switches.push_back("switch:" + c.m.switches[s].qualified);
    t.combining = combining;
    c.out.tables.push_back(std::move(t));
  }
}

void build_coverage(Ctx& c) {
  verify::Stack st(c.m, c.top);
  std::vector<std::array<bool, 4>> per_slot(st.slots().size());
  for (std::size_t s = 0; s < st.slots().size(); ++s)
    for (int rank = 0; rank < 4; ++rank) per_slot[s][static_cast<std::size_t>(rank)] = reachable(st, st.slots()[s], rank);
  std::set<std::string> dead;   // a purpose whose every candidate rule is dead is decided by the defaults only
  for (const auto& f : verify::analyze(c.m, c.top))
    if (f.code == diag::Code::DeadRule) dead.insert(f.subject);
  for (std::uint32_t q = 0; q < c.m.purposes.nodes.size(); ++q) {
    const sema::Purpose& p = c.m.purposes.nodes[q];
    const verify::Slot& slot = st.slots()[st.slot_of(q)];
    CoverageRow row;
    row.id = "coverage:" + p.full;
    row.purpose = p.full;
    row.description = p.description;
    row.outcomes = per_slot[st.slot_of(q)];
    row.default_only = std::all_of(slot.rules.begin(), slot.rules.end(), [&](std::uint32_t ri) { return dead.count(c.m.rules[ri].qualified) > 0; });
    row.stoppable = !slot.switches.empty();
    c.out.coverage.push_back(row);
  }
}

void build_findings(Ctx& c) {
  std::map<std::string, int> seen;
  for (const verify::Finding& f : verify::analyze(c.m, c.top)) {
    FindingEntry e;
    e.code = std::string(diag::info(f.code).text);
    e.kind = finding_kind(f.code);
    e.subject = f.subject;
    e.message = f.message;
    e.request = f.request;
    e.notes = f.notes;
    e.source = c.where(f.span);
    std::string base = "finding:" + e.code + ":" + f.subject;
    int n = ++seen[base];
    e.id = n == 1 ? base : base + "#" + std::to_string(n);
    c.out.findings.push_back(std::move(e));
  }
}

}  // namespace redline::report
