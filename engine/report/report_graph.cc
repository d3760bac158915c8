// report/report_graph.cc — section 5: the compiled decision graph drawn for
// reviewers. The request is dispatched by purpose to the groups of purposes
// decided alike (the graph's rule-set nodes), each group to the rules that
// can decide it, each rule to its outcome; red lines are red, approval edges
// are labelled with the approvers and the deadline, escalation edges go
// through the review path with its roles and deadlines. The DOT text is
// rendered to SVG by the Graphviz `dot` program when it is installed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "flat/program_impl.h"
#include "report/paraphrase.h"
#include "report/report_parts.h"
#include "report/external_tools.h"

namespace redline::report {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    o += ch;
  }
  return o;
}

std::string node_id(std::string_view prefix, const std::string& name) {
  std::string s(prefix);
  for (char ch : name) s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return s;
}

const char* outcome_node(sema::Outcome o) {
  switch (o) {
    case sema::Outcome::Allow: return "o_allow";
    case sema::Outcome::RequireApproval: return "o_approval";
    case sema::Outcome::Escalate: return "o_escalate";
    case sema::Outcome::Deny: return "o_deny";
  }
  return "o_deny";
}

void outcome_nodes(std::ostream& os) {
  os << "  o_allow [label=\"ALLOWED\", shape=box, style=\"filled,bold\", fillcolor=\"#e3f4e1\", color=\"#2e7d32\"];\n"
     << "  o_approval [label=\"NEEDS APPROVAL\", shape=box, style=\"filled,bold\", fillcolor=\"#fff4d6\", color=\"#b26a00\"];\n"
     << "  o_escalate [label=\"ESCALATED FOR REVIEW\", shape=box, style=\"filled,bold\", fillcolor=\"#ffe9d6\", color=\"#c25100\"];\n"
     << "  o_deny [label=\"DENIED\", shape=box, style=\"filled,bold\", fillcolor=\"#fde2e2\", color=\"#c62828\", fontcolor=\"#c62828\"];\n";
}

std::string slot_label(const sema::Model& m, const std::vector<std::uint32_t>& purposes) {
  std::string s;
  std::size_t shown = std::min<std::size_t>(purposes.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) s += esc(m.purposes.nodes[purposes[i]].full) + "\\l";
  if (purposes.size() > shown) s += "… and " + std::to_string(purposes.size() - shown) + " more\\l";
  return s;
}

std::string escalation_label(const sema::Model& m, const sema::Escalation& e) {
  std::string s = esc(e.title.empty() ? humanize(e.name) : e.title) + "\\n";
  for (const sema::Step& st : e.steps) s += esc(step_words(m, st)) + "\\n";
  return s;
}

void rule_nodes(const Ctx& c, std::ostream& os, std::set<std::int32_t>& paths) {
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    std::string id = node_id("r_", r.qualified);
    bool red = r.effect == sema::Effect::Prohibit;
    os << "  " << id << " [label=\"" << esc(humanize(r.name)) << "\\n(" << esc(c.m.layers[r.layer].name) << ")\""
       << (red ? ", color=\"#c62828\", fontcolor=\"#c62828\", penwidth=2" : "") << "];\n";
    if (r.effect == sema::Effect::Escalate && r.escalation >= 0) {
      const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(r.escalation)];
      paths.insert(r.escalation);
      os << "  " << id << " -> " << node_id("e_", c.m.layers[e.layer].name + "/" + e.name) << " [label=\"escalate to\", color=\"#c25100\"];\n";
      continue;
    }
    os << "  " << id << " -> " << outcome_node(ast::outcome_of(r.effect));
    if (r.effect == sema::Effect::RequireApproval)
      os << " [label=\"" << esc(roles_words(c.m, r.by) + " ×" + std::to_string(r.quorum) + (r.within ? ", within " + duration_words(*r.within) : "")) << "\", color=\"#b26a00\"]";
    if (red) os << " [color=\"#c62828\", penwidth=2]";
    os << ";\n";
  }
}

void path_nodes(const Ctx& c, std::ostream& os, const std::set<std::int32_t>& paths) {
  for (std::int32_t pi : paths) {
    const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(pi)];
    std::string id = node_id("e_", c.m.layers[e.layer].name + "/" + e.name);
    os << "  " << id << " [shape=box, style=\"filled\", fillcolor=\"#fff8f0\", color=\"#c25100\", label=\"" << escalation_label(c.m, e) << "\"];\n";
    os << "  " << id << " -> o_escalate [label=\"pending review\", color=\"#c25100\"];\n";
    if (e.on_timeout == ast::Escalation::Timeout::Deny) os << "  " << id << " -> o_deny [label=\"timeout\", style=dashed, color=\"#c62828\"];\n";
  }
}

std::string build_dot(const Ctx& c) {
  const compile::Compiled& g = *c.prog.impl().compiled;
  std::ostringstream os;
  os << "digraph policy {\n"
     << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.18, ranksep=0.7];\n"
     << "  node [fontname=\"Helvetica\", fontsize=12, shape=box, style=rounded];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#666666\"];\n"
     << "  request [shape=oval, label=\"Request\\n(routed by its purpose)\"];\n";
  int fallback = 0;
  std::string defaults;
  for (std::uint32_t l : c.chain) {
    fallback = std::max(fallback, static_cast<int>(c.m.layers[l].default_outcome));
    defaults += esc(c.m.layers[l].name) + ": " + outcome_words(c.m.layers[l].default_outcome) + "\\n";
  }
  os << "  request -> defaults [style=dashed, label=\"no rule applies\"];\n  defaults [shape=note, label=\"Defaults:\\n" << defaults << "\"];\n";
  os << "  defaults -> " << outcome_node(static_cast<sema::Outcome>(fallback)) << " [style=dashed];\n";
  outcome_nodes(os);
  std::set<std::int32_t> paths;
  rule_nodes(c, os, paths);
  path_nodes(c, os, paths);
  for (std::size_t s = 0; s < g.slots.size(); ++s) {
    const compile::SlotPlan& p = g.slots[s];
    std::string id = "s" + std::to_string(s);
    os << "  " << id << " [shape=folder, label=\"" << slot_label(c.m, p.purposes) << "\"];\n";
    os << "  request -> " << id << ";\n";
    for (std::uint32_t ri : p.rules) os << "  " << id << " -> " << node_id("r_", c.m.rules[ri].qualified) << ";\n";
  }
  for (std::uint32_t k : g.switches) {
    const sema::KillSwitch& ks = c.m.switches[k];
    std::string id = node_id("k_", ks.qualified);
    os << "  " << id << " [shape=octagon, color=\"#c62828\", fontcolor=\"#c62828\", label=\"kill switch: " << esc(humanize(ks.name)) << "\\ncovers " << esc(targets_words(c.m, ks.covers)) << "\"];\n";
    os << "  request -> " << id << " [label=\"while tripped\", style=dashed, color=\"#c62828\"];\n";
    os << "  " << id << " -> o_deny [style=dashed, color=\"#c62828\"];\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace

void build_graph(Ctx& c) {
  c.out.graph_dot = build_dot(c);
  if (!c.opt.render_svg) {
    c.out.graph_note = "The picture was not rendered (rendering disabled).";
    return;
  }
  std::string error;
  c.out.graph_svg = dot_to_svg(c.out.graph_dot, error);
  if (c.out.graph_svg.empty()) c.out.graph_note = "The picture could not be drawn: " + error;
}

}  // namespace redline::report
