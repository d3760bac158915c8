// eval/explain.cc — Program::explain: how a request was decided, step by step
// along the graph: the purpose dispatch, every attribute the candidate rules
// read (value or "missing"), each candidate rule and why it applied or not,
// each layer's decision, kill switches, and the result.
#include <set>
#include <sstream>

#include "ast/literals.h"
#include "sema/coverage.h"
#include "sema/tri.h"
#include "eval/bound.h"
#include "flat/program_impl.h"

namespace redline {
namespace {

std::string show_value(const sema::Model& m, const eval::BoundReader& r, std::uint32_t attr) {
  if (!r.present(attr)) return "missing";
  const sema::Attribute& a = m.schema.attrs[attr];
  std::int64_t v = r.value(attr);
  switch (a.kind) {
    case sema::TypeKind::Bool: return v ? "true" : "false";
    case sema::TypeKind::Int: return std::to_string(v);
    case sema::TypeKind::Duration: return format_duration(v);
    case sema::TypeKind::Timestamp: return format_rfc3339(v);
    case sema::TypeKind::Enum:
    case sema::TypeKind::Level: return a.values[static_cast<std::size_t>(v)];
    case sema::TypeKind::String: return v < 0 ? "(a string no rule mentions)" : "\"" + m.strings[static_cast<std::size_t>(v)] + "\"";
    case sema::TypeKind::Tags: {
      std::string s = "[";
      for (std::size_t t = 0; t < a.values.size(); ++t)
        if (r.has_tag(attr, static_cast<std::int64_t>(t))) s += (s.size() > 1 ? ", " : "") + a.values[t];
      return s + "]";
    }
  }
  return "?";
}

const char* tri_word(sema::Tri t) { return t == sema::Tri::T ? "true" : t == sema::Tri::F ? "false" : "unknown"; }

}  // namespace

std::string Program::explain(const Request& request, const EvalOptions& options) const {
  const Impl& p = *impl_;
  const sema::Model& m = *p.model;
  std::ostringstream os;
  BoundRequest b = bind(request, options);
  if (!b.ok()) {
    os << "request error " << b.error()->code << ": " << b.error()->message;
    if (!b.error()->pointer.empty()) os << " (at " << b.error()->pointer << ")";
    os << "\ndecision: deny (fail closed)\n";
    return os.str();
  }
  auto q = static_cast<std::uint32_t>(BoundAccess::purpose(b));
  std::uint32_t slot = p.data.purpose_slot[q];
  const flat::Slot& fs = p.data.slots[slot];
  std::vector<std::uint32_t> rules(p.data.rule_ids.begin() + fs.rules_begin, p.data.rule_ids.begin() + fs.rules_end);
  os << "purpose `" << m.purposes.nodes[q].full << "` → node #" << slot << " with " << rules.size() << " candidate rules\n";
  eval::BoundReader reader{b, p.layout};
  std::set<std::uint32_t> attrs;
  for (std::uint32_t r : rules)
    for (std::uint32_t a : p.data.attrs_read(r)) attrs.insert(a);
  for (std::uint32_t a : attrs) os << "  read " << m.schema.attrs[a].path << " = " << show_value(m, reader, a) << '\n';
  Decision d;
  evaluate(b, d, options);
  std::set<std::string> applied;
  for (const auto& reason : d.reasons()) applied.insert(reason.rule);
  for (std::uint32_t ri : rules) {
    const sema::Rule& r = m.rules[ri];
    bool restrictive = sema::is_restrictive(r.effect);
    bool direct = false;
    for (const auto& t : r.targets) direct = direct || sema::covers(m.purposes, t, q);
    sema::Tri cond = sema::rule_condition(r, reader);
    os << "  rule " << r.qualified << " (" << ast::to_string(r.effect) << "): "
       << (direct ? "targets the purpose" : "applies through vagueness (the purpose is vaguer than its target)")
       << "; condition " << tri_word(cond) << " → " << (applied.count(r.qualified) ? "applies" : "does not apply");
    if (cond == sema::Tri::U) os << (restrictive ? " (unknown fails closed for a restrictive rule)" : " (an unknown permit does not apply)");
    os << '\n';
  }
  const auto& defaulted = DecisionAccess::default_decided(d);
  for (std::size_t l = 0; l < defaulted.size(); ++l)
    if (defaulted[l]) os << "  layer " << p.layer_names[l] << ": no rule applies; default " << ast::to_string(m.layers[p.data.chain[l]].default_outcome) << '\n';
  if (auto l = d.not_in_force()) {
    const sema::Layer& layer = m.layers[static_cast<std::size_t>(m.find_layer(*l))];
    os << "  layer " << *l << " is in force from " << format_rfc3339(*layer.effective_at) << "; "
       << (DecisionAccess::now(d) ? "the request is judged at " + format_rfc3339(*DecisionAccess::now(d)) : std::string("the request has no `request.time`"))
       << " → deny\n";
  }
  if (auto k = d.killed_by()) os << "  kill switch " << *k << " is tripped and covers the purpose → deny\n";
  os << "decision: " << to_string(d.outcome()) << '\n';
  return os.str();
}

}  // namespace redline
