// report/diff.cc — semantic_diff(): the per-purpose comparison (exact search
// in diff_search.cc, each example re-evaluated by both Programs), the items
// added, removed and changed (each a card of plain-English fields compared
// field by field), and the oversight safeguards NEW loosens.
#include "report/diff.h"

#include <algorithm>
#include <map>
#include <set>

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
  c.push_back({"Obligations", "text", join_words(obl), ""});
  c.push_back({"Because", "text", r.because, ""});
  c.push_back({"Citation", "text", r.cite, ""});
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
  return {{"Version", "text", l.version, ""}, {"Owner", "owner", l.owner, ""}, {"Description", "text", l.description, ""},
          {"Effective", "text", l.effective, ""}, {"Default", "text", outcome_words(l.default_outcome), ""},
          {"Extends", "text", l.parent >= 0 ? m.layers[static_cast<std::size_t>(l.parent)].name : "", ""}};
}

// The cards of one version, by ID, in stack order.
std::vector<std::pair<std::string, std::pair<std::string, Card>>> cards(const Program& p) {
  const sema::Model& m = *p.impl().model;
  std::vector<std::pair<std::string, std::pair<std::string, Card>>> out;
  for (std::uint32_t l : p.impl().compiled->chain) {
    const sema::Layer& L = m.layers[l];
    out.push_back({"policy:" + L.name, {"policy", layer_card(m, L)}});
    for (std::uint32_t r : L.rules) out.push_back({"rule:" + m.rules[r].qualified, {"rule", rule_card(m, m.rules[r])}});
    for (std::uint32_t e : L.escalations)
      out.push_back({"escalation:" + L.name + "/" + m.escalations[e].name, {"escalation", escalation_card(m, m.escalations[e])}});
    for (std::uint32_t k : L.switches) out.push_back({"switch:" + m.switches[k].qualified, {"kill switch", switch_card(m, m.switches[k])}});
  }
  return out;
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
    ItemDiff d{kc.first, id, it == old_by.end() ? "added" : "changed", {}};
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
    ItemDiff d{kc.first, id, "removed", {}};
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

void loosened_rules(const sema::Model& a, const sema::Model& b, std::vector<std::string>& out) {
  for (const sema::Rule& n : b.rules) {
    auto o = std::find_if(a.rules.begin(), a.rules.end(), [&](const sema::Rule& r) { return r.qualified == n.qualified; });
    if (o == a.rules.end()) continue;
    std::string id = "[rule:" + n.qualified + "] ";
    bool takes = n.effect == sema::Effect::RequireApproval || n.effect == sema::Effect::Escalate;
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
  for (std::uint32_t l : pa.impl().compiled->chain)
    for (std::uint32_t k : a.layers[l].switches) {
      const sema::KillSwitch& o = a.switches[k];
      auto n = std::find_if(b.switches.begin(), b.switches.end(), [&](const sema::KillSwitch& s) { return s.qualified == o.qualified; });
      bool in_stack = n != b.switches.end() && std::count(pb.impl().compiled->chain.begin(), pb.impl().compiled->chain.end(), n->layer) > 0;
      if (!in_stack) {
        out.push_back("[switch:" + o.qualified + "] was removed: its owners can no longer stop " + targets_words(a, o.covers) + ".");
        continue;
      }
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

ChangedRequest checked(const std::string& req, const Program& a, const Program& b) {
  return {req, to_string(a.evaluate_json(req).outcome()), to_string(b.evaluate_json(req).outcome())};
}

}  // namespace

DiffResult semantic_diff(const Program& a, const Program& b) {
  const sema::Model& ma = *a.impl().model;
  const sema::Model& mb = *b.impl().model;
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
  verify::Stack sa(ma, a.impl().compiled->top), sb(mb, b.impl().compiled->top);
  for (const std::string& p : purpose_order(ma, mb)) {
    PurposeSearch search(a, sa, b, sb, p);
    PurposeDiff pd;
    pd.purpose = p;
    if (ma.purposes.find(p) < 0) pd.note = "only in NEW (OLD denies it as an unknown purpose)";
    if (mb.purposes.find(p) < 0) pd.note = "only in OLD (NEW denies it as an unknown purpose)";
    if (auto r = search.find(true)) pd.broader = checked(*r, a, b);
    if (auto r = search.find(false)) pd.narrower = checked(*r, a, b);
    pd.verdict = pd.broader && pd.narrower ? "incomparable" : pd.broader ? "broader" : pd.narrower ? "narrower" : "equivalent";
    d.new_access = d.new_access || pd.broader.has_value();
    d.purposes.push_back(std::move(pd));
  }
  d.items = item_diffs(a, b);
  loosened_rules(ma, mb, d.loosened);
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
