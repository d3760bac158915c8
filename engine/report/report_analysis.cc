// report/report_analysis.cc — the report sections that rest on the verifier
// (engine/verify): assertion results and the red-line proofs drawn from
// them, decision tables per group of purposes, the coverage matrix (exact:
// the search over value classes finds every outcome a purpose can get), and
// the analysis findings (dead, shadowed, overridden rules, conflicts, gaps).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "diag/codes.h"
#include "sema/coverage.h"
#include "report/paraphrase.h"
#include "report/report_parts.h"
#include "verify/search.h"
#include "verify/stack.h"
#include "verify/assertions.h"
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
    case diag::Code::ConflictingIntent: return "Conflicting intent: a prohibition of the same policy always overrides a permission on one of its targets";
    case diag::Code::Gap: return "Gap: decided only by the default";
    case diag::Code::StaleAcknowledgement: return "Stale acknowledgement: the rule acknowledges a warning it does not have";
    case diag::Code::AssertionFailed: return "Assertion does not hold";
    default: return "Finding";
  }
}

std::string row_condition(const Ctx& c, const sema::Rule& r, const verify::Slot& slot) {
  std::string cond = rule_condition_words(c.m, r);
  bool covers = false;
  for (std::uint32_t q : slot.purposes)
    for (const auto& t : r.targets) covers = covers || sema::covers(c.m.purposes, t, q);
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


// Whether proved assertion `a` needs rule `rule`: with the rule deleted from
// the model, the assertion no longer holds.
bool depends_on(const sema::Model& m, std::uint32_t rule, const sema::Assertion& a) {
  sema::Model without = m;
  auto& rules = without.layers[m.rules[rule].layer].rules;
  rules.erase(std::remove(rules.begin(), rules.end(), rule), rules.end());
  verify::Stack st(without, a.layer);
  return verify::refute(st, a).has_value();
}

// The values of a tags/enum/level attribute a condition names.
void values_of(const sema::Cond& c, std::set<std::pair<std::uint32_t, std::int64_t>>& out) {
  if (c.kind == sema::Cond::Kind::Compare || c.kind == sema::Cond::Kind::In || c.kind == sema::Cond::Kind::HasAny ||
      c.kind == sema::Cond::Kind::HasAll)
    for (std::int64_t v : c.values) out.insert({c.attr, v});
  for (const auto& k : c.kids) values_of(k, out);
}

std::string trim_clause(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace

void Ctx::dependents(std::uint32_t rule, std::vector<std::size_t>& needs, std::vector<std::size_t>& holds) const {
  const sema::Rule& r = m.rules[rule];
  std::vector<std::uint32_t> covered = verify::reach(m, r.targets, false);
  std::size_t k = 0;
  for (std::uint32_t l : chain) {
    const sema::Layer& L = m.layers[l];
    bool sees_rule = false;   // the assertion's stack holds the rule
    for (std::uint32_t x : m.chain(l)) sees_rule = sees_rule || x == r.layer;
    for (std::size_t i = 0; i < L.assertions.size(); ++i, ++k) {
      const sema::Assertion& a = m.assertions[L.assertions[i]];
      if (!sees_rule || !out.assertions[k].proved) continue;
      if (!overlaps(covered, verify::reach(m, a.targets, false))) continue;
      (depends_on(m, rule, a) ? needs : holds).push_back(k);
    }
  }
}

void Ctx::prove_red_line(std::uint32_t rule, RedLine& rl) const {
  const sema::Rule& r = m.rules[rule];
  std::vector<std::uint32_t> covered = verify::reach(m, r.targets, false);
  std::vector<std::size_t> needs, holds;
  dependents(rule, needs, holds);
  std::vector<std::string> full, part, idle;
  auto text = [&](std::size_t k) { return "[" + out.assertions[k].id + "] " + out.assertions[k].sentence; };
  for (std::size_t k : needs) {
    const sema::Assertion& a = assertion_at(k);
    // It proves the whole red line when it claims a denial, for every
    // request, of every purpose the rule can deny.
    if (a.outcome == sema::Outcome::Deny && !a.when && subset(covered, verify::reach(m, a.targets, false))) full.push_back(text(k));
    else part.push_back(text(k));
  }
  for (std::size_t k : holds) idle.push_back(text(k));
  auto listed = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
    return s;
  };
  for (const auto& t : full) rl.proof_by.push_back(t.substr(1, t.find(']') - 1));
  if (full.empty())
    for (const auto& t : part) rl.proof_by.push_back(t.substr(1, t.find(']') - 1));
  rl.proof = !full.empty() ? "proved" : !part.empty() ? "partly proved" : "not proved";
  if (!full.empty()) rl.proof_text = "Proved over every possible request by: " + listed(full) + " Deleting the rule would make it fail.";
  else if (!part.empty())
    rl.proof_text = "Proved only in part (for some purposes or some conditions) by: " + listed(part) + " Deleting the rule would make it fail.";
  else if (!idle.empty())
    rl.proof_text = "No assertion depends on this rule: " + listed(idle) +
                    " still holds with the rule deleted (another rule or a default gives the same result), so a later edit could "
                    "remove this rule without any check failing.";
  else rl.proof_text = "No assertion proves this red line. It holds while the rule is in place, but a later edit could remove it without any check failing.";
}

const sema::Assertion& Ctx::assertion_at(std::size_t k) const {
  for (std::uint32_t l : chain) {
    const sema::Layer& L = m.layers[l];
    if (k < L.assertions.size()) return m.assertions[L.assertions[k]];
    k -= L.assertions.size();
  }
  return m.assertions.at(m.assertions.size());   // out of range: throws
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
    std::vector<std::string> names;
    for (std::uint32_t q : slot.purposes) {
      t.purposes.push_back(c.m.purposes.nodes[q].full);
      names.push_back(purpose_words(c.m, q));
    }
    if (names.size() > 6) {
      std::string first;
      for (std::size_t i = 0; i < 6; ++i) first += names[i] + ", ";
      t.title = first + "and " + std::to_string(names.size() - 6) + " more";
    } else {
      t.title = join_words(names, "and");
    }
    t.title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t.title[0])));
    t.id = "table:" + t.purposes.front();
    for (std::uint32_t ri : slot.rules) {
      const sema::Rule& r = c.m.rules[ri];
      std::vector<std::string> obl;
      for (const auto& o : r.obligations) obl.push_back(obligation_words(o));
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
  for (std::uint32_t s = 0; s < c.m.switches.size(); ++s) {
    const sema::KillSwitch& k = c.m.switches[s];
    if (c.in_chain(k.layer) && std::any_of(k.covers.begin(), k.covers.end(), [](const sema::Target& t) { return t.kind == sema::Target::Kind::All; }))
      c.out.global_switches.push_back("switch:" + k.qualified);
  }
  std::sort(c.out.global_switches.begin(), c.out.global_switches.end());
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
    // A switch that covers it by name (one that stops it only when a vaguer
    // purpose is named does not count; one covering every purpose is said once).
    row.stoppable = false;
    for (std::uint32_t s : slot.switches)
      for (const auto& t : c.m.switches[s].covers)
        row.stoppable = row.stoppable || (t.kind != sema::Target::Kind::All && sema::covers(c.m.purposes, t, q));
    c.out.coverage.push_back(row);
  }
}

void build_findings(Ctx& c) {
  std::map<std::string, int> seen;
  std::vector<verify::Finding> all = verify::analyze(c.m, c.top), gaps;
  std::vector<verify::Finding> kept;
  for (auto& f : all) (f.code == diag::Code::Gap ? gaps : kept).push_back(std::move(f));
  if (gaps.size() > 1) {
    // One finding for all the purposes only a default decides: in an
    // allow-by-default policy they are the design, not dozens of defects.
    verify::Finding g = gaps.front();
    std::vector<std::string> names;
    for (const auto& x : gaps) names.push_back(x.subject);
    int fallback = 0;
    for (std::uint32_t l : c.chain) fallback = std::max(fallback, static_cast<int>(c.m.layers[l].default_outcome));
    g.subject = "defaults";
    g.message = std::to_string(gaps.size()) + " purposes (with their sub-purposes) are decided only by the defaults — " +
                outcome_words(static_cast<sema::Outcome>(fallback)) + " — because no rule can apply to them: " + join_words(names, "and") + ".";
    if (fallback == static_cast<int>(sema::Outcome::Allow))
      g.notes.push_back("The policy allows by default, so these are allowed by design; check that each is a use the contract permits.");
    kept.push_back(std::move(g));
  } else {
    for (auto& x : gaps) kept.push_back(std::move(x));
  }
  for (const verify::Finding& f : kept) {
    FindingEntry e;
    e.code = std::string(diag::info(f.code).text);
    e.kind = finding_kind(f.code);
    e.subject = f.subject;
    e.message = f.message;
    e.request = f.request;
    e.notes = f.notes;
    if (f.acknowledged) e.notes.push_back("The policy's authors acknowledge this on purpose (`acknowledge " + e.code + "` on the rule).");
    e.source = c.where(f.span);
    std::string base = "finding:" + e.code + ":" + f.subject;
    int n = ++seen[base];
    e.id = n == 1 ? base : base + "#" + std::to_string(n);
    c.out.findings.push_back(std::move(e));
  }
}

void build_clauses(Ctx& c) {
  // A rule that can never decide anything enforces nothing.
  std::map<std::string, std::string> idle;   // qualified rule -> why
  for (const verify::Finding& f : verify::analyze(c.m, c.top)) {
    if (f.code == diag::Code::DeadRule) idle[f.subject] = "it can never apply";
    if (f.code == diag::Code::UnreachablePermit) idle[f.subject] = "a prohibition always overrides it";
  }
  std::map<std::string, std::size_t> index;
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    if (r.cite.empty()) continue;
    // "Usage Policy §3.1; DoD Directive 3000.09 §1.2.a" cites two clauses; a
    // quote and version belong to the first.
    std::vector<std::string> parts;
    std::size_t from = 0;
    for (std::size_t semi; (semi = r.cite.find(';', from)) != std::string::npos; from = semi + 1) parts.push_back(trim_clause(r.cite.substr(from, semi - from)));
    parts.push_back(trim_clause(r.cite.substr(from)));
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].empty()) continue;
      std::string version = i == 0 ? r.cite_version : "", quote = i == 0 ? r.cite_quote : "";
      auto [it, fresh] = index.emplace(parts[i], c.out.clauses.size());
      if (fresh) {
        ClauseEntry e;
        e.clause = parts[i];
        e.id = "clause:" + parts[i];
        c.out.clauses.push_back(e);
      }
      ClauseEntry& e = c.out.clauses[it->second];
      if (e.version.empty()) e.version = version;
      else if (!version.empty() && version != e.version) e.version += " / " + version;
      if (e.quote.empty()) e.quote = quote;
      else if (!quote.empty() && quote != e.quote) e.quote += " / " + quote;
      e.rules.push_back("rule:" + r.qualified);
    }
  }
  for (ClauseEntry& e : c.out.clauses) {
    std::size_t live = 0;
    std::vector<std::string> why;
    std::set<std::string> proved;
    for (const std::string& id : e.rules) {
      std::string q = id.substr(5);
      auto it = idle.find(q);
      if (it == idle.end()) ++live;
      else why.push_back("[" + id + "] " + it->second);
      for (std::uint32_t ri : c.rule_ids)
        if (c.m.rules[ri].qualified == q) {
          std::vector<std::size_t> needs, holds;
          c.dependents(ri, needs, holds);
          for (std::size_t k : needs) proved.insert(c.out.assertions[k].id);
        }
    }
    e.proved_by.assign(proved.begin(), proved.end());
    e.status = live == e.rules.size() ? "enforced" : live > 0 ? "partly enforced" : "not enforced";
    if (live == e.rules.size())
      e.status_text = "Every rule citing it is in force" +
                      std::string(proved.empty() ? "; no assertion checks it." : "; checked by an assertion that fails without it.");
    else e.status_text = "Not in force: " + join_words(why, "and") + ".";
  }
  std::stable_sort(c.out.clauses.begin(), c.out.clauses.end(), [](const ClauseEntry& a, const ClauseEntry& b) { return a.clause < b.clause; });
}

void build_limits(Ctx& c) {
  Limits& out = c.out.limits;
  std::set<std::uint32_t> read;
  std::set<std::pair<std::uint32_t, std::int64_t>> named;
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    for (const auto* cond : {&r.when, &r.unless})
      if (*cond) {
        attrs_of(**cond, read);
        values_of(**cond, named);
      }
  }
  std::vector<std::string> facts{"the purpose"};
  for (std::uint32_t a : read) facts.push_back(attribute_phrase(c.m, a) + " (" + c.m.schema.attrs[a].path + ")");
  out.claims.push_back("redline decides on what the request says. It does not check that the request is true: " + join_words(facts, "and") +
                       " are the caller's word. The application that sends the request must establish them.");
  out.claims.push_back("Approvals listed in the request are also the caller's word unless a rule demands signed approvals.");
  for (std::uint32_t a = 0; a < c.m.schema.attrs.size(); ++a) {
    const auto& attr = c.m.schema.attrs[a];
    if (attr.path.rfind("request.", 0) == 0) continue;   // the engine's own clock and ids
    if (!read.count(a)) {
      out.unread.push_back(attribute_phrase(c.m, a) + " (" + attr.path + ") is declared, but no rule reads it.");
      continue;
    }
    if (attr.kind != sema::TypeKind::Tags) continue;
    std::vector<std::string> unused;
    for (std::size_t v = 0; v < attr.values.size(); ++v)
      if (!named.count({a, static_cast<std::int64_t>(v)})) unused.push_back(humanize(attr.values[v]) + " (" + attr.values[v] + ")");
    if (!unused.empty())
      out.unread.push_back(attribute_phrase(c.m, a) + ": no rule reads the tag" + (unused.size() > 1 ? "s " : " ") + join_words(unused, "and") +
                           ", so a request carrying " + (unused.size() > 1 ? "them" : "it") + " is decided as if it did not.");
  }
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    if (r.effect == sema::Effect::Permit || (!r.when && !r.unless)) continue;
    std::set<std::uint32_t> reads;
    for (const auto* cond : {&r.when, &r.unless})
      if (*cond) attrs_of(**cond, reads);
    std::vector<std::string> phrases;
    for (std::uint32_t a : reads) phrases.push_back(attribute_phrase(c.m, a));
    out.missing.push_back("[rule:" + r.qualified + "] " + effect_words(r.effect) + " " + rule_condition_words(c.m, r) + " — or when the request does not state " +
                          join_words(phrases, "or") + " (a restriction applies when the facts it depends on are missing).");
  }
  for (std::uint32_t l : c.chain)
    for (const std::string& t : c.m.layers[l].limits) out.authors.push_back(c.m.layers[l].name + ": " + t);
}

}  // namespace redline::report
