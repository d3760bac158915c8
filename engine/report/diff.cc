// report/diff.cc — semantic_diff(): the per-purpose comparison (exact search
// in diff_search.cc, each example re-evaluated by both Programs), the items
// added, removed and changed (each a card of plain-English fields compared
// field by field), the vocabulary added, removed or changed, assertions
// weakened or strengthened, and the oversight safeguards NEW loosens.
#include "report/diff.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "report/diff_search.h"
#include "report/paraphrase.h"
#include "verify/stack.h"

namespace redline::report {
namespace {

using Card = std::vector<FieldDiff>;   // field, category, text (in old_text)

Card rule_card(const sema::Model& m, const sema::Rule& r) {
  Card c{{"Text", "text", rule_sentence(m, r), ""},
         {"Effect", "text", effect_words(r.effect), ""},
         {"Applies to", "text", targets_words(m, r.targets), ""},
         {"Conditions", "text", rule_condition_words(m, r), ""}};
  if (r.effect == sema::Effect::RequireApproval) {
    c.push_back({"Approvers", "approvers", roles_words(m, r.by), ""});
    c.push_back({"Quorum", "quorum", std::to_string(r.quorum), ""});
    c.push_back({"Deadline", "deadline", r.within ? duration_words(*r.within) : "no time limit", ""});
  }
  if (r.escalation >= 0) c.push_back({"Review path", "text", m.escalations[static_cast<std::size_t>(r.escalation)].name, ""});
  if (r.signed_only || r.human_only)
    c.push_back({"Approvers must be", "approvers", std::string(r.human_only ? "human" : "") + (r.signed_only && r.human_only ? ", " : "") +
                                                       (r.signed_only ? "signed" : ""), ""});
  std::vector<std::string> obl;
  for (const auto& o : r.obligations) obl.push_back(o.text);
  c.push_back({"Obligations", "obligation", join_words(obl), ""});
  c.push_back({"Because", "metadata", r.because, ""});
  c.push_back({"Citation", "metadata", r.cite, ""});
  c.push_back({"Owner", "owner", r.owner, ""});
  return c;
}

Card escalation_card(const sema::Model& m, const sema::Escalation& e) {
  Card c{{"Title", "text", e.title, ""}};
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    const sema::Step& s = e.steps[i];
    std::string n = "Step " + std::to_string(i + 1);
    c.push_back({n + " role", "approvers", roles_words(m, {s.role}), ""});
    c.push_back({n + " quorum", "quorum", std::to_string(s.quorum), ""});
    c.push_back({n + " deadline", "deadline", s.within ? duration_words(*s.within) : "no time limit", ""});
  }
  c.push_back({"On timeout", "deadline", timeout_words(m, e), ""});
  return c;
}

Card switch_card(const sema::Model& m, const sema::KillSwitch& k) {
  return {{"Covers", "switch", targets_words(m, k.covers), ""}, {"Owners", "owner", roles_words(m, k.owners), ""}, {"Because", "switch", k.because, ""}};
}

Card layer_card(const sema::Model& m, const sema::Layer& l) {
  std::string limits;
  for (const auto& x : l.limits) limits += (limits.empty() ? "" : " ") + x;
  return {{"Version", "metadata", l.version, ""}, {"Owner", "owner", l.owner, ""}, {"Description", "metadata", l.description, ""},
          {"Effective", "metadata", l.effective, ""}, {"Limits", "metadata", limits, ""}, {"Default", "text", outcome_words(l.default_outcome), ""},
          {"Extends", "text", l.parent >= 0 ? m.layers[static_cast<std::size_t>(l.parent)].name : "", ""}};
}

// What an assertion requires, in words ("denied", "at least needs approval").
std::string requires_words(const sema::Assertion& a) {
  return (a.at_least && a.outcome != sema::Outcome::Deny ? "at least " : "exactly ") + outcome_words(a.outcome);
}

Card assertion_card(const sema::Model& m, const sema::Assertion& a) {
  return {{"Text", "text", assertion_sentence(m, a), ""}, {"Applies to", "text", targets_words(m, a.targets), ""},
          {"When", "text", a.when ? condition_words(m, *a.when) : "", ""}, {"Requires", "text", requires_words(a), ""}};
}

Card test_card(const sema::TestCase& t) {
  std::string expect = outcome_words(t.expect);
  if (t.has_obliging) expect += t.obliging.empty() ? ", with no obligations" : ", obliging " + join_words(t.obliging);
  return {{"Request", "text", t.given_json, ""}, {"Expected", "text", expect, ""}};
}

// The assertions of one layer by stable ID: "assert:POLICY/TARGETS" (as
// written), with "#2", "#3" … for repeats in source order.
std::vector<std::pair<std::string, const sema::Assertion*>> assertion_ids(const sema::Model& m, const sema::Layer& l) {
  std::vector<std::pair<std::string, const sema::Assertion*>> out;
  std::map<std::string, int> seen;
  for (std::uint32_t ai : l.assertions) {
    const sema::Assertion& a = m.assertions[ai];
    std::string t;
    for (const auto& x : a.targets) t += (t.empty() ? "" : ",") + target_text(m, x);
    std::string id = "assert:" + l.name + "/" + t;
    int n = ++seen[id];
    out.push_back({n > 1 ? id + "#" + std::to_string(n) : id, &a});
  }
  return out;
}

// The cards of one version, by ID, in stack order.
std::vector<std::pair<std::string, std::pair<std::string, Card>>> cards(const Program& p) {
  const sema::Model& m = *ProgramAccess::impl(p).model;
  std::vector<std::pair<std::string, std::pair<std::string, Card>>> out;
  for (std::uint32_t l : ProgramAccess::impl(p).data.chain) {
    const sema::Layer& L = m.layers[l];
    out.push_back({"policy:" + L.name, {"policy", layer_card(m, L)}});
    for (std::uint32_t r : L.rules) out.push_back({"rule:" + m.rules[r].qualified, {"rule", rule_card(m, m.rules[r])}});
    for (std::uint32_t e : L.escalations)
      out.push_back({"escalation:" + L.name + "/" + m.escalations[e].name, {"escalation", escalation_card(m, m.escalations[e])}});
    for (std::uint32_t k : L.switches) out.push_back({"switch:" + m.switches[k].qualified, {"kill switch", switch_card(m, m.switches[k])}});
    for (const auto& [id, a] : assertion_ids(m, L)) out.push_back({id, {"assertion", assertion_card(m, *a)}});
    for (std::uint32_t t : L.tests) out.push_back({"test:" + L.name + "/" + m.tests[t].name, {"test", test_card(m.tests[t])}});
  }
  return out;
}

// The outcomes an assertion accepts, as a bit set over allow … deny.
unsigned accepted(const sema::Assertion& a) {
  auto o = static_cast<unsigned>(a.outcome);
  if (!a.at_least) return 1u << o;
  unsigned bits = 0;
  for (unsigned k = o; k <= static_cast<unsigned>(sema::Outcome::Deny); ++k) bits |= 1u << k;
  return bits;
}

// Whether NEW's assertion is weaker or stronger than OLD's: it accepts more
// (or fewer) outcomes, or a `when` was added (removed). Which requests a
// changed `when` covers is not compared: such a change is reported as changed.
std::string assertion_note(const sema::Model& ma, const sema::Assertion* a, const sema::Model& mb, const sema::Assertion* b) {
  if (!b) return "weakened: removed, so nothing checks this any more";
  if (!a) return "strengthened: added";
  std::vector<std::string> weaker, stronger, changed;
  unsigned oa = accepted(*a), ob = accepted(*b);
  if (oa != ob) {
    std::string what = "requires " + requires_words(*b) + " instead of " + requires_words(*a);
    if ((oa & ob) == oa) weaker.push_back(what);
    else if ((oa & ob) == ob) stronger.push_back(what);
    else changed.push_back(what);
  }
  std::string wa = a->when ? condition_words(ma, *a->when) : "", wb = b->when ? condition_words(mb, *b->when) : "";
  if (!a->when && b->when) weaker.push_back("a `when` was added, so it holds only when " + wb);
  else if (a->when && !b->when) stronger.push_back("its `when` was removed, so it holds for every request");
  else if (wa != wb) changed.push_back("its `when` changed");
  if (!weaker.empty() && stronger.empty() && changed.empty()) return "weakened: " + join_words(weaker);
  if (weaker.empty() && !stronger.empty() && changed.empty()) return "strengthened: " + join_words(stronger);
  for (auto* v : {&weaker, &stronger}) changed.insert(changed.end(), v->begin(), v->end());
  return changed.empty() ? "" : "changed: " + join_words(changed);
}

void assertion_notes(const Program& pa, const Program& pb, std::vector<ItemDiff>& items) {
  const sema::Model& ma = *ProgramAccess::impl(pa).model;
  const sema::Model& mb = *ProgramAccess::impl(pb).model;
  std::map<std::string, const sema::Assertion*> old_by, new_by;
  for (std::uint32_t l : ProgramAccess::impl(pa).data.chain)
    for (const auto& [id, a] : assertion_ids(ma, ma.layers[l])) old_by[id] = a;
  for (std::uint32_t l : ProgramAccess::impl(pb).data.chain)
    for (const auto& [id, a] : assertion_ids(mb, mb.layers[l])) new_by[id] = a;
  for (ItemDiff& it : items) {
    if (it.kind != "assertion") continue;
    auto o = old_by.find(it.id), n = new_by.find(it.id);
    it.note = assertion_note(ma, o == old_by.end() ? nullptr : o->second, mb, n == new_by.end() ? nullptr : n->second);
  }
}

std::vector<ItemDiff> item_diffs(const Program& a, const Program& b) {
  auto ca = cards(a), cb = cards(b);
  std::map<std::string, const Card*> old_by;
  for (const auto& [id, kc] : ca) old_by[id] = &kc.second;
  std::set<std::string> in_new;
  std::vector<ItemDiff> out;
  for (const auto& [id, kc] : cb) {
    in_new.insert(id);
    auto it = old_by.find(id);
    ItemDiff d{kc.first, id, it == old_by.end() ? "added" : "changed", {}, ""};
    for (const FieldDiff& f : kc.second) {
      const FieldDiff* o = nullptr;
      if (it != old_by.end())
        for (const FieldDiff& g : *it->second)
          if (g.field == f.field) o = &g;
      std::string before = o ? o->old_text : "";
      if (before != f.old_text) d.fields.push_back({f.field, f.category, before, f.old_text});
    }
    if (it != old_by.end())
      for (const FieldDiff& g : *it->second)
        if (std::none_of(kc.second.begin(), kc.second.end(), [&](const FieldDiff& f) { return f.field == g.field; }))
          d.fields.push_back({g.field, g.category, g.old_text, ""});
    if (!d.fields.empty()) out.push_back(d);
  }
  for (const auto& [id, kc] : ca) {
    if (in_new.count(id)) continue;
    ItemDiff d{kc.first, id, "removed", {}, ""};
    for (const FieldDiff& f : kc.second) d.fields.push_back({f.field, f.category, f.old_text, ""});
    out.push_back(d);
  }
  return out;
}

std::set<std::string> role_names(const sema::Model& m, const std::vector<std::uint32_t>& roles) {
  std::set<std::string> s;
  for (std::uint32_t r : roles) s.insert(m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values[r]);
  return s;
}

std::int64_t limit(const std::optional<std::int64_t>& w) { return w ? *w : INT64_MAX; }

bool takes_approvals(sema::Effect e) { return e == sema::Effect::RequireApproval || e == sema::Effect::Escalate; }

bool in_chain(const Program& p, std::uint32_t layer) {
  const auto& chain = ProgramAccess::impl(p).data.chain;
  return std::find(chain.begin(), chain.end(), layer) != chain.end();
}

void loosened_rules(const sema::Model& a, const sema::Model& b, const Program& pa, const Program& pb, std::vector<std::string>& out) {
  // A sign-off or review that OLD's stack demands and NEW's does not.
  for (const sema::Rule& o : a.rules) {
    if (!takes_approvals(o.effect) || !in_chain(pa, o.layer)) continue;
    auto n = std::find_if(b.rules.begin(), b.rules.end(), [&](const sema::Rule& r) { return r.qualified == o.qualified && in_chain(pb, r.layer); });
    std::string id = "[rule:" + o.qualified + "] ";
    std::string what = o.effect == sema::Effect::RequireApproval ? "its sign-off by " + roles_words(a, o.by) + " is no longer required"
                                                                 : std::string("its review") + (o.escalation >= 0 ? " (" + a.escalations[static_cast<std::size_t>(o.escalation)].name + ")" : "") + " is no longer required";
    if (n == b.rules.end()) out.push_back(id + "was removed: " + what + ".");
    else if (!takes_approvals(n->effect) && n->effect != sema::Effect::Prohibit) out.push_back(id + "no longer takes approvals: " + what + ".");
  }
  for (const sema::Rule& n : b.rules) {
    auto o = std::find_if(a.rules.begin(), a.rules.end(), [&](const sema::Rule& r) { return r.qualified == n.qualified; });
    if (o == a.rules.end()) continue;
    std::string id = "[rule:" + n.qualified + "] ";
    bool takes = takes_approvals(n.effect);
    if (takes && o->signed_only && !n.signed_only) out.push_back(id + "no longer requires signed approvals.");
    if (takes && o->human_only && !n.human_only) out.push_back(id + "no longer requires human approvers.");
    if (o->effect != sema::Effect::RequireApproval || n.effect != sema::Effect::RequireApproval) continue;
    if (n.quorum < o->quorum) out.push_back(id + "needs fewer approvers: " + std::to_string(o->quorum) + " → " + std::to_string(n.quorum) + ".");
    if (limit(n.within) > limit(o->within))
      out.push_back(id + "allows more time for approvals: " + (o->within ? duration_words(*o->within) : "no limit") + " → " +
                    (n.within ? duration_words(*n.within) : "no time limit") + ".");
    std::set<std::string> ro = role_names(a, o->by), rn = role_names(b, n.by);
    for (const auto& r : rn)
      if (!ro.count(r)) out.push_back(id + "also accepts approval by " + humanize(r) + ".");
  }
}

void loosened_paths(const sema::Model& a, const sema::Model& b, std::vector<std::string>& out) {
  for (const sema::Escalation& n : b.escalations) {
    auto o = std::find_if(a.escalations.begin(), a.escalations.end(),
                          [&](const sema::Escalation& e) { return e.name == n.name && a.layers[e.layer].name == b.layers[n.layer].name; });
    if (o == a.escalations.end()) continue;
    std::string id = "[escalation:" + b.layers[n.layer].name + "/" + n.name + "] ";
    std::set<std::string> ro, rn;
    for (const auto& s : o->steps) ro.insert(a.schema.attrs[static_cast<std::size_t>(a.schema.role_attr)].values[s.role]);
    for (const auto& s : n.steps) rn.insert(b.schema.attrs[static_cast<std::size_t>(b.schema.role_attr)].values[s.role]);
    for (const auto& role : ro)
      if (!rn.count(role)) out.push_back(id + "the step of " + humanize(role) + " was removed.");
    for (const auto& s : n.steps) {
      std::string role = b.schema.attrs[static_cast<std::size_t>(b.schema.role_attr)].values[s.role];
      if (!ro.count(role)) out.push_back(id + "a new reviewer can resolve it: " + humanize(role) + ".");
      for (const auto& t : o->steps)
        if (a.schema.attrs[static_cast<std::size_t>(a.schema.role_attr)].values[t.role] == role &&
            (s.quorum < t.quorum || limit(s.within) > limit(t.within)))
          out.push_back(id + "the step of " + humanize(role) + " is looser: " + step_words(a, t) + " → " + step_words(b, s) + ".");
    }
    if (o->on_timeout == ast::Escalation::Timeout::Deny && n.on_timeout != ast::Escalation::Timeout::Deny)
      out.push_back(id + "no longer denies on timeout.");
  }
}

void loosened_switches(const sema::Model& a, const sema::Model& b, const Program& pa, const Program& pb, std::vector<std::string>& out) {
  for (std::uint32_t l : ProgramAccess::impl(pa).data.chain)
    for (std::uint32_t k : a.layers[l].switches) {
      const sema::KillSwitch& o = a.switches[k];
      auto n = std::find_if(b.switches.begin(), b.switches.end(), [&](const sema::KillSwitch& s) { return s.qualified == o.qualified; });
      bool in_stack = n != b.switches.end() && std::count(ProgramAccess::impl(pb).data.chain.begin(), ProgramAccess::impl(pb).data.chain.end(), n->layer) > 0;
      if (!in_stack) {
        out.push_back("[switch:" + o.qualified + "] was removed: its owners can no longer stop " + targets_words(a, o.covers) + ".");
        continue;
      }
      std::set<std::string> owners_old = role_names(a, o.owners), owners_new = role_names(b, n->owners);
      for (const auto& r : owners_old)
        if (!owners_new.count(r)) out.push_back("[switch:" + o.qualified + "] can no longer be tripped by " + humanize(r) + ".");
      for (std::uint32_t q : verify::reach(a, o.covers, true)) {
        std::int64_t qn = b.purposes.find(a.purposes.nodes[q].full);
        std::vector<std::uint32_t> reach_new = verify::reach(b, n->covers, true);
        if (qn >= 0 && !std::binary_search(reach_new.begin(), reach_new.end(), static_cast<std::uint32_t>(qn))) {
          out.push_back("[switch:" + o.qualified + "] no longer covers " + a.purposes.nodes[q].full + ".");
          break;
        }
      }
    }
}

std::vector<std::string> purpose_order(const sema::Model& a, const sema::Model& b) {
  std::vector<std::string> out;
  for (const auto& p : b.purposes.nodes) out.push_back(p.full);
  for (const auto& p : a.purposes.nodes)
    if (b.purposes.find(p.full) < 0) out.push_back(p.full);
  return out;
}

std::string kind_words(const sema::Attribute& a) {
  switch (a.kind) {
    case sema::TypeKind::Bool: return "bool";
    case sema::TypeKind::Int: return "int";
    case sema::TypeKind::String: return "string";
    case sema::TypeKind::Duration: return "duration";
    case sema::TypeKind::Timestamp: return "timestamp";
    case sema::TypeKind::Enum: return "enum";
    case sema::TypeKind::Level: return "level";
    case sema::TypeKind::Tags: return "tags";
  }
  return "?";
}

std::string type_words(const sema::Attribute& a) {
  std::string s = kind_words(a);
  if (a.values.empty()) return s;
  std::string sep = a.kind == sema::TypeKind::Level ? " < " : ", ";
  s += " { ";
  for (std::size_t i = 0; i < a.values.size(); ++i) s += (i ? sep : "") + a.values[i];
  return s + " }";
}

const char* value_kind(sema::TypeKind k) { return k == sema::TypeKind::Tags ? "tag" : k == sema::TypeKind::Level ? "level" : "value"; }

std::vector<VocabDiff> vocab_diffs(const sema::Model& a, const sema::Model& b) {
  std::vector<VocabDiff> out;
  for (const auto& p : b.purposes.nodes)
    if (a.purposes.find(p.full) < 0)
      out.push_back({"purpose", p.full, "added", described_purpose(b, static_cast<std::uint32_t>(b.purposes.find(p.full)))});
  for (const auto& p : a.purposes.nodes)
    if (b.purposes.find(p.full) < 0)
      out.push_back({"purpose", p.full, "removed", described_purpose(a, static_cast<std::uint32_t>(a.purposes.find(p.full)))});
  for (const auto& p : b.purposes.nodes)
    if (std::int64_t q = a.purposes.find(p.full); q >= 0 && a.purposes.nodes[static_cast<std::size_t>(q)].description != p.description)
      out.push_back({"purpose", p.full, "changed", "description “" + a.purposes.nodes[static_cast<std::size_t>(q)].description + "” → “" + p.description + "”"});
  for (const sema::Attribute& n : b.schema.attrs) {
    std::int64_t oi = a.schema.find(n.path);
    if (oi < 0) {
      out.push_back({"attribute", n.path, "added", type_words(n)});
      continue;
    }
    const sema::Attribute& o = a.schema.attrs[static_cast<std::size_t>(oi)];
    if (o.kind != n.kind) {
      out.push_back({"attribute", n.path, "changed", type_words(o) + " → " + type_words(n)});
      continue;
    }
    for (const auto& v : n.values)
      if (!o.value_index.count(v)) out.push_back({value_kind(n.kind), n.path, "added", v});
    for (const auto& v : o.values)
      if (!n.value_index.count(v)) out.push_back({value_kind(n.kind), n.path, "removed", v});
    if (n.kind == sema::TypeKind::Level) {   // the order of the levels both have
      std::vector<std::string> ko, kn;
      for (const auto& v : o.values)
        if (n.value_index.count(v)) ko.push_back(v);
      for (const auto& v : n.values)
        if (o.value_index.count(v)) kn.push_back(v);
      if (ko != kn) out.push_back({"level", n.path, "changed", type_words(o) + " → " + type_words(n)});
    }
  }
  for (const sema::Attribute& o : a.schema.attrs)
    if (b.schema.find(o.path) < 0) out.push_back({"attribute", o.path, "removed", type_words(o)});
  return out;
}

const char* used_to(Outcome o) {
  switch (o) {
    case Outcome::allow: return "used to be allowed";
    case Outcome::require_approval: return "used to need approval";
    case Outcome::escalate: return "used to go to review";
    case Outcome::deny: return "used to be denied";
  }
  return "";
}

const char* is_now(Outcome o) {
  switch (o) {
    case Outcome::allow: return "it is now allowed";
    case Outcome::require_approval: return "it now needs approval";
    case Outcome::escalate: return "it now goes to review";
    case Outcome::deny: return "it is now denied";
  }
  return "";
}

const char* bare(Outcome o) {
  switch (o) {
    case Outcome::allow: return "was allowed";
    case Outcome::require_approval: return "needed approval";
    case Outcome::escalate: return "went to review";
    case Outcome::deny: return "was denied";
  }
  return "";
}

const char* present(Outcome o) {
  switch (o) {
    case Outcome::allow: return "is allowed";
    case Outcome::require_approval: return "needs approval";
    case Outcome::escalate: return "goes to review";
    case Outcome::deny: return "is denied";
  }
  return "";
}

// The facts of a request in words ("the requester's clearance is SECRET and
// the data's tags include commercially acquired"), each attribute read with
// the model that declares it (NEW first).
std::string facts_words(const nlohmann::json& req, const sema::Model& mb, const sema::Model& ma) {
  std::vector<std::string> facts;
  std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& j, const std::string& path) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) walk(it.value(), path.empty() ? it.key() : path + "." + it.key());
      return;
    }
    if (path == "request.time" || path == "request.now") return;
    const sema::Model* m = &mb;
    std::int64_t at = mb.schema.find(path);
    if (at < 0) {
      m = &ma;
      at = ma.schema.find(path);
    }
    if (at < 0) return;
    auto attr = static_cast<std::uint32_t>(at);
    std::string phrase = attribute_phrase(*m, attr);
    if (j.is_array()) {
      std::vector<std::string> tags;
      for (const auto& t : j) tags.push_back(humanize(t.get<std::string>()));
      facts.push_back(tags.empty() ? phrase + " are given but empty" : phrase + " include " + join_words(tags));
    } else if (j.is_string() && (m->schema.attrs[attr].kind == sema::TypeKind::Enum || m->schema.attrs[attr].kind == sema::TypeKind::Level)) {
      facts.push_back(phrase + " is " + humanize(j.get<std::string>()));
    } else if (j.is_string() && m->schema.attrs[attr].kind == sema::TypeKind::String) {
      facts.push_back(phrase + " is “" + j.get<std::string>() + "”");
    } else if (j.is_boolean()) {
      facts.push_back(phrase + (j.get<bool>() ? " is “yes”" : " is “no”"));
    } else {
      facts.push_back(phrase + " is " + (j.is_string() ? j.get<std::string>() : j.dump()));
    }
  };
  for (const char* root : {"actor", "data", "env", "request", "output"})
    if (req.contains(root)) walk(req[root], root);
  std::map<std::string, int> by_role;
  if (req.contains("approvals"))
    for (const auto& x : req["approvals"]) ++by_role[x.value("role", "")];
  std::vector<std::string> who;
  for (const auto& [role, n] : by_role) who.push_back(std::to_string(n) + " " + humanize(role) + (n > 1 ? "s" : ""));
  if (!who.empty()) facts.push_back("it carries the approval of " + join_words(who));
  return join_words(facts);
}

// The change as one sentence: "Bulk analysis, when the requester's clearance
// is SECRET and the data's tags include commercially acquired, used to be
// denied (OLD refused the request: …; without that term it went to review);
// it is now allowed."
std::string example_sentence(const ChangedRequest& c, const sema::Model& ma, const sema::Model& mb) {
  nlohmann::json req = nlohmann::json::parse(c.request);
  std::string purpose = req.value("purpose", "");
  std::string what;
  if (std::int64_t q = mb.purposes.find(purpose); q >= 0) what = described_purpose(mb, static_cast<std::uint32_t>(q));
  else if (std::int64_t r = ma.purposes.find(purpose); r >= 0) what = described_purpose(ma, static_cast<std::uint32_t>(r));
  else what = purpose;
  if (!what.empty()) what[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(what[0])));
  std::string facts = facts_words(req, mb, ma);
  std::string s = what + (facts.empty() ? "" : ", when " + facts + ",");
  Outcome o = *outcome_from_string(c.old_outcome), n = *outcome_from_string(c.new_outcome);
  if (!c.old_error.empty()) {
    s += " used to be refused as a request error (OLD: " + c.old_error + ")";
    if (!c.without_terms_outcome.empty())
      s += std::string("; without the terms OLD lacks, the request ") + bare(*outcome_from_string(c.without_terms_outcome));
  } else {
    s += std::string(" ") + used_to(o);
  }
  if (!c.new_error.empty()) {
    s += "; it is now refused as a request error (NEW: " + c.new_error + ")";
    if (!c.without_terms_outcome.empty()) s += std::string("; without the terms NEW lacks, the request ") + present(*outcome_from_string(c.without_terms_outcome));
  } else {
    s += std::string("; ") + is_now(n);
  }
  return s + ".";
}

ChangedRequest checked(const Found& f, const Program& a, const Program& b) {
  Decision o = a.evaluate_json(f.request), n = b.evaluate_json(f.request);
  ChangedRequest c{f.request, to_string(o.outcome()), to_string(n.outcome()), "", "", "", "", ""};
  if (o.error()) c.old_error = o.error()->message;
  if (n.error()) c.new_error = n.error()->message;
  // The same request as the refusing version could have been sent: without the terms it lacks.
  int refusing = o.error() ? 0 : n.error() ? 1 : -1;
  if (refusing >= 0 && f.known_to[refusing] != f.request) {
    const Program& p = refusing == 0 ? a : b;
    Decision k = p.evaluate_json(f.known_to[refusing]);
    if (!k.error()) {
      c.without_terms = f.known_to[refusing];
      c.without_terms_outcome = to_string(k.outcome());
    }
  }
  c.example = example_sentence(c, *ProgramAccess::impl(a).model, *ProgramAccess::impl(b).model);
  return c;
}

}  // namespace

DiffResult semantic_diff(const Program& a, const Program& b) {
  const sema::Model& ma = *ProgramAccess::impl(a).model;
  const sema::Model& mb = *ProgramAccess::impl(b).model;
  DiffResult d;
  auto layers = [](const Program& p) {
    std::string s;
    for (const auto& l : p.layers()) s += (s.empty() ? "" : " → ") + l;
    return s;
  };
  d.old_layers = layers(a);
  d.new_layers = layers(b);
  d.old_hash = a.hash();
  d.new_hash = b.hash();
  verify::Stack sa(ma, ProgramAccess::impl(a).data.top), sb(mb, ProgramAccess::impl(b).data.top);
  for (const std::string& p : purpose_order(ma, mb)) {
    PurposeSearch search(a, sa, b, sb, p);
    PurposeDiff pd;
    pd.purpose = p;
    if (ma.purposes.find(p) < 0) pd.note = "only in NEW (OLD denies it as an unknown purpose)";
    if (mb.purposes.find(p) < 0) pd.note = "only in OLD (NEW denies it as an unknown purpose)";
    // Requests both versions accept first, so the example shows a change in
    // shared terms when there is one; then requests with terms OLD lacks,
    // against OLD's decision without them; then against OLD's refusal.
    if (auto r = search.find(true, Terms::Shared)) pd.broader = checked(*r, a, b);
    else if (auto r2 = search.find(true, Terms::Projected)) {
      pd.broader = checked(*r2, a, b);
      pd.broader_by_new_terms = true;
    } else if (auto r3 = search.find(true, Terms::Strict)) {
      pd.broader = checked(*r3, a, b);
      pd.broader_by_new_terms = pd.refusal_only = true;
    }
    if (pd.broader && ma.purposes.find(p) < 0) {   // the purpose itself is the new term
      pd.broader_by_new_terms = true;
      pd.refusal_only = false;
    }
    for (Terms t : {Terms::Shared, Terms::Projected, Terms::Strict})
      if (!pd.narrower)
        if (auto r = search.find(false, t)) pd.narrower = checked(*r, a, b);
    pd.verdict = pd.broader && pd.narrower ? "incomparable" : pd.broader ? "broader" : pd.narrower ? "narrower" : "equivalent";
    d.new_access = d.new_access || pd.broader.has_value();
    d.purposes.push_back(std::move(pd));
  }
  d.vocabulary = vocab_diffs(ma, mb);
  d.items = item_diffs(a, b);
  assertion_notes(a, b, d.items);
  loosened_rules(ma, mb, a, b, d.loosened);
  loosened_paths(ma, mb, d.loosened);
  loosened_switches(ma, mb, a, b, d.loosened);
  d.new_access = d.new_access || !d.loosened.empty();
  return d;
}

std::vector<std::pair<char, std::string>> blackline(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    std::vector<std::string> w;
    std::string cur;
    for (char ch : s) {
      if (ch == ' ') {
        if (!cur.empty()) w.push_back(cur);
        cur.clear();
      } else cur += ch;
    }
    if (!cur.empty()) w.push_back(cur);
    return w;
  };
  std::vector<std::string> x = split(a), y = split(b);
  std::vector<std::vector<int>> L(x.size() + 1, std::vector<int>(y.size() + 1, 0));
  for (std::size_t i = x.size(); i-- > 0;)
    for (std::size_t j = y.size(); j-- > 0;) L[i][j] = x[i] == y[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
  std::vector<std::pair<char, std::string>> out;
  auto emit = [&](char k, const std::string& w) {
    if (!out.empty() && out.back().first == k) out.back().second += " " + w;
    else out.push_back({k, w});
  };
  std::size_t i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    if (i < x.size() && j < y.size() && x[i] == y[j]) emit(' ', x[i++]), ++j;
    else if (i < x.size() && (j == y.size() || L[i + 1][j] >= L[i][j + 1])) emit('-', x[i++]);
    else emit('+', y[j++]);
  }
  return out;
}

}  // namespace redline::report
