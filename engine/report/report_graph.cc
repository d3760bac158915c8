// report/report_graph.cc — section 5: one picture per group of purposes
// decided alike, so each stays readable on a page: the group → the rules that
// can decide it → outcomes; red lines are red; an approval rule shows what
// approval (allowed), a denial (vetoed) and waiting (needs approval) lead
// to; an escalation path lists its steps as alternatives ("any ONE of") with
// their cumulative deadlines, and what silence does; the kill switches that
// cover the group, and the defaults. Each DOT text is rendered to SVG by the
// Graphviz `dot` program when it is installed.
#include <algorithm>
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
#include "verify/stack.h"

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

std::string deadline_words(const Ctx& c, const sema::Rule& r) {
  return r.within ? " within " + c.written_duration(r.span, *r.within) : "";
}

// One group: its purposes → the rules that can decide them → outcomes, with
// what approvals, vetoes and silence do, review paths as alternatives, the
// kill switches that cover the group, and the defaults.
std::string build_group_dot(const Ctx& c, const verify::Slot& slot, const DecisionTable& table) {
  std::ostringstream os;
  os << "digraph group {\n"
     << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.6];\n"
     << "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=rounded];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\"];\n";
  os << "  group [shape=folder, label=\"" << slot_label(c.m, slot.purposes) << "\"];\n";
  std::set<std::int32_t> paths;
  for (std::uint32_t ri : slot.rules) {
    const sema::Rule& r = c.m.rules[ri];
    std::string id = node_id("r_", r.qualified);
    bool red = r.effect == sema::Effect::Prohibit;
    os << "  " << id << " [label=\"" << esc(humanize(r.name)) << "\\n(" << esc(c.m.layers[r.layer].name) << ")";
    std::string cond = rule_condition_words(c.m, r);
    if (!cond.empty()) os << "\\n" << esc(cond.size() > 60 ? cond.substr(0, 57) + "…" : cond);
    os << "\"" << (red ? ", color=\"#c62828\", fontcolor=\"#c62828\", penwidth=2" : "") << "];\n";
    os << "  group -> " << id << ";\n";
    switch (r.effect) {
      case sema::Effect::Prohibit: os << "  " << id << " -> o_deny [color=\"#c62828\", penwidth=2];\n"; break;
      case sema::Effect::Permit: os << "  " << id << " -> o_allow;\n"; break;
      case sema::Effect::RequireApproval:
        os << "  " << id << " -> o_approval [label=\"until approved\", color=\"#b26a00\"];\n"
           << "  " << id << " -> o_allow [label=\"" << esc(std::to_string(r.quorum) + " × " + roles_words(c.m, r.by) + " approve" + deadline_words(c, r))
           << "\", color=\"#2e7d32\"];\n"
           << "  " << id << " -> o_deny [label=\"one denial vetoes\", style=dashed, color=\"#c62828\"];\n";
        break;
      case sema::Effect::Escalate:
        if (r.escalation >= 0) {
          const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(r.escalation)];
          paths.insert(r.escalation);
          os << "  " << id << " -> " << node_id("e_", c.m.layers[e.layer].name + "/" + e.name) << " [label=\"escalate to\", color=\"#c25100\"];\n";
        }
        break;
    }
  }
  std::vector<std::int32_t> ordered(paths.begin(), paths.end());   // by name, not load order
  auto path_name = [&](std::int32_t i) {
    const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(i)];
    return c.m.layers[e.layer].name + "/" + e.name;
  };
  std::sort(ordered.begin(), ordered.end(), [&](std::int32_t a, std::int32_t b) { return path_name(a) < path_name(b); });
  for (std::int32_t pi : ordered) {
    const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(pi)];
    std::string id = node_id("e_", c.m.layers[e.layer].name + "/" + e.name);
    std::string label = esc(e.title.empty() ? humanize(e.name) : e.title) + "\\nAny ONE of:\\l";
    std::int64_t total = 0;
    bool limited = true;
    for (const sema::Step& st : e.steps) {
      std::string who = (st.quorum > 1 ? std::to_string(st.quorum) + " × " : "") + roles_words(c.m, {st.role});
      if (st.within && limited) {
        total += *st.within;
        label += "• " + esc(who) + " by +" + esc(duration_words(total)) + "\\l";
      } else {
        limited = false;
        label += "• " + esc(who) + " (no time limit)\\l";
      }
    }
    os << "  " << id << " [shape=box, style=\"filled\", fillcolor=\"#fff8f0\", color=\"#c25100\", label=\"" << label << "\"];\n"
       << "  " << id << " -> o_escalate [label=\"pending\", color=\"#c25100\"];\n"
       << "  " << id << " -> o_allow [label=\"any one step approves\", color=\"#2e7d32\"];\n"
       << "  " << id << " -> o_deny [label=\"one denial vetoes\", style=dashed, color=\"#c62828\"];\n";
    if (limited && e.on_timeout == ast::Escalation::Timeout::Deny)
      os << "  " << id << " -> o_deny [label=\"silence past +" << esc(duration_words(total)) << "\", style=dotted, color=\"#c62828\"];\n";
  }
  std::string defaults;
  int fallback = 0;
  for (std::uint32_t l : c.chain) {
    fallback = std::max(fallback, static_cast<int>(c.m.layers[l].default_outcome));
    defaults += esc(c.m.layers[l].name) + ": " + outcome_words(c.m.layers[l].default_outcome) + "\\n";
  }
  os << "  defaults [shape=note, label=\"Defaults:\\n" << defaults << "\"];\n"
     << "  group -> defaults [style=dashed, label=\"no rule applies\"];\n"
     << "  defaults -> " << outcome_node(static_cast<sema::Outcome>(fallback)) << " [style=dashed];\n";
  std::vector<std::uint32_t> switches(slot.switches.begin(), slot.switches.end());
  std::sort(switches.begin(), switches.end(), [&](std::uint32_t a, std::uint32_t b) { return c.m.switches[a].qualified < c.m.switches[b].qualified; });
  for (std::uint32_t k : switches) {
    const sema::KillSwitch& ks = c.m.switches[k];
    std::string id = node_id("k_", ks.qualified);
    os << "  " << id << " [shape=octagon, color=\"#c62828\", fontcolor=\"#c62828\", label=\"kill switch\\n" << esc(humanize(ks.name)) << "\"];\n"
       << "  group -> " << id << " [label=\"while tripped\", style=dashed, color=\"#c62828\"];\n"
       << "  " << id << " -> o_deny [style=dashed, color=\"#c62828\"];\n";
  }
  (void)table;
  // Only the outcomes this group can reach.
  std::string body = os.str();
  std::ostringstream all;
  outcome_nodes(all);
  std::string nodes, line;
  std::istringstream in(all.str());
  while (std::getline(in, line)) {
    std::string id = line.substr(2, line.find(' ', 2) - 2);
    if (body.find("-> " + id) != std::string::npos) nodes += line + "\n";
  }
  std::size_t at = body.find("  group [shape=folder");
  return body.substr(0, at) + nodes + body.substr(at) + "}\n";
}

}  // namespace

void build_graph(Ctx& c) {
  verify::Stack st(c.m, c.top);
  for (std::size_t i = 0; i < st.slots().size() && i < c.out.tables.size(); ++i) {
    const DecisionTable& t = c.out.tables[i];
    GroupGraph g{"graph:" + t.purposes.front(), t.title, build_group_dot(c, st.slots()[i], t), ""};
    c.out.graphs.push_back(std::move(g));
  }
  if (!c.opt.render_svg) {
    c.out.graph_note = "The pictures were not rendered (rendering disabled).";
    return;
  }
  for (GroupGraph& g : c.out.graphs) {
    std::string error;
    g.svg = dot_to_svg(g.dot, error);
    if (g.svg.empty()) {
      c.out.graph_note = "The pictures could not be drawn: " + error;
      for (GroupGraph& x : c.out.graphs) x.svg.clear();
      return;
    }
  }
}

}  // namespace redline::report
