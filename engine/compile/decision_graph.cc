// compile/decision_graph.cc — candidate sets per purpose, slot sharing, and
// the Boost.Graph decision graph of compile/decision_graph.h.
#include "compile/decision_graph.h"

#include <algorithm>
#include <boost/graph/graphviz.hpp>
#include <map>
#include <sstream>

#include "sema/coverage.h"

namespace redline::compile {
namespace {

bool has_condition(const Factored& f) {
  return f.never || !f.factors.empty() || !f.tag_literals.empty() || !f.residual.empty();
}

// Candidate rules and switches of every purpose, grouped into slots.
void plan_slots(Compiled& c) {
  const sema::Model& m = *c.model;
  std::size_t np = m.purposes.nodes.size();
  std::vector<std::vector<std::uint32_t>> rules(np), switches(np);
  for (std::uint32_t pos = 0; pos < c.chain.size(); ++pos) {
    for (std::uint32_t r : m.layers[c.chain[pos]].rules) {
      const sema::Rule& rule = m.rules[r];
      bool restrictive = sema::is_restrictive(rule.effect);
      for (std::uint32_t q = 0; q < np; ++q)
        if (sema::reaches(m.purposes, rule.targets, q, restrictive)) rules[q].push_back(r);
    }
  }
  for (std::uint32_t i = 0; i < c.switches.size(); ++i) {
    const sema::KillSwitch& s = m.switches[c.switches[i]];
    for (std::uint32_t q = 0; q < np; ++q)
      if (sema::reaches(m.purposes, s.covers, q, true)) switches[q].push_back(i);
  }
  std::map<std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>, std::uint32_t> seen;
  for (std::uint32_t q = 0; q < np; ++q) {
    auto key = std::make_pair(rules[q], switches[q]);
    auto [it, fresh] = seen.emplace(key, static_cast<std::uint32_t>(c.slots.size()));
    if (fresh) {
      SlotPlan p;
      p.rules = rules[q];
      p.switches = switches[q];
      p.conditional = std::any_of(p.rules.begin(), p.rules.end(), [&](std::uint32_t r) { return has_condition(c.factored[r]); });
      c.slots.push_back(std::move(p));
    }
    c.slots[it->second].purposes.push_back(q);
  }
}

}  // namespace

std::unique_ptr<Compiled> build_graph(const sema::Model& model, std::uint32_t top) {
  auto c = std::make_unique<Compiled>();
  c->model = &model;
  c->top = top;
  c->chain = model.chain(top);
  c->chain_pos.assign(model.layers.size(), -1);
  for (std::uint32_t i = 0; i < c->chain.size(); ++i) c->chain_pos[c->chain[i]] = static_cast<std::int32_t>(i);
  for (std::uint32_t l : c->chain)
    for (std::uint32_t s : model.layers[l].switches) c->switches.push_back(s);
  c->factored.resize(model.rules.size());
  for (std::uint32_t l : c->chain)
    for (std::uint32_t r : model.layers[l].rules) c->factored[r] = factorize(model, model.rules[r], c->arena);
  plan_slots(*c);

  c->root = boost::add_vertex(VertexInfo{VertexInfo::Kind::Dispatch, -1}, c->graph);
  for (std::uint32_t s = 0; s < c->slots.size(); ++s) {
    auto kind = c->slots[s].conditional ? VertexInfo::Kind::RuleSet : VertexInfo::Kind::Leaf;
    auto v = boost::add_vertex(VertexInfo{kind, static_cast<std::int32_t>(s)}, c->graph);
    boost::add_edge(c->root, v, EdgeInfo{c->slots[s].purposes}, c->graph);
  }
  return c;
}

namespace {

std::string purpose_list(const sema::Model& m, const std::vector<std::uint32_t>& ps, std::size_t max) {
  std::string s;
  for (std::size_t i = 0; i < ps.size() && i < max; ++i) {
    if (i) s += ", ";
    s += m.purposes.nodes[ps[i]].full;
  }
  if (ps.size() > max) s += ", … (" + std::to_string(ps.size()) + " purposes)";
  return s;
}

const char* effect_word(sema::Effect e) { return ast::to_string(e); }

}  // namespace

std::string to_text(const Compiled& c) {
  const sema::Model& m = *c.model;
  std::ostringstream os;
  os << "stack:";
  for (std::uint32_t l : c.chain) os << ' ' << m.layers[l].name;
  os << "\ndispatch on purpose (" << m.purposes.nodes.size() << " purposes → " << c.slots.size() << " nodes)\n";
  auto [ei, ee] = boost::out_edges(c.root, c.graph);
  for (; ei != ee; ++ei) {
    auto v = boost::target(*ei, c.graph);
    const VertexInfo& info = c.graph[v];
    const SlotPlan& p = c.slots[static_cast<std::size_t>(info.slot)];
    os << "  [" << purpose_list(m, c.graph[*ei].purposes, 8) << "]\n";
    os << "    " << (info.kind == VertexInfo::Kind::Leaf ? "leaf" : "rule-set") << " #" << info.slot << ": "
       << p.rules.size() << " candidate rules";
    if (!p.switches.empty()) os << ", " << p.switches.size() << " kill switches";
    os << '\n';
    for (std::uint32_t r : p.rules) {
      const sema::Rule& rule = m.rules[r];
      const Factored& f = c.factored[r];
      os << "      " << rule.qualified << ": " << effect_word(rule.effect);
      if (f.never) os << " (never applies)";
      else {
        if (!f.factors.empty()) {
          os << " tests";
          for (const auto& fa : f.factors) os << ' ' << m.schema.attrs[fa.attr].path;
        }
        if (!f.tag_literals.empty()) os << " tags " << f.tag_literals.size();
        if (!f.residual.empty()) os << " residual " << f.residual.size();
      }
      os << '\n';
    }
    for (std::uint32_t s : p.switches) os << "      kill switch " << m.switches[c.switches[s]].qualified << '\n';
  }
  return os.str();
}

std::string to_dot(const Compiled& c) {
  const sema::Model& m = *c.model;
  std::ostringstream os;
  auto vertex_writer = [&](std::ostream& out, Graph::vertex_descriptor v) {
    const VertexInfo& info = c.graph[v];
    if (info.kind == VertexInfo::Kind::Dispatch) {
      out << "[shape=diamond,label=\"purpose\"]";
      return;
    }
    const SlotPlan& p = c.slots[static_cast<std::size_t>(info.slot)];
    bool red = false;
    std::string label;
    for (std::uint32_t r : p.rules) {
      const sema::Rule& rule = m.rules[r];
      red = red || rule.effect == sema::Effect::Prohibit;
      label += rule.qualified + " (" + effect_word(rule.effect) + ")\\l";
    }
    for (std::uint32_t s : p.switches) label += "kill switch " + m.switches[c.switches[s]].qualified + "\\l";
    if (label.empty()) label = "layer defaults only\\l";
    out << "[shape=" << (info.kind == VertexInfo::Kind::Leaf ? "box" : "box3d") << ",label=\"" << label << "\""
        << (red ? ",color=red,fontcolor=red" : "") << "]";
  };
  auto edge_writer = [&](std::ostream& out, Graph::edge_descriptor e) {
    out << "[label=\"" << purpose_list(m, c.graph[e].purposes, 4) << "\"]";
  };
  boost::write_graphviz(os, c.graph, vertex_writer, edge_writer);
  return os.str();
}

}  // namespace redline::compile
