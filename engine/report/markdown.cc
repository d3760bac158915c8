// report/markdown.cc — the report as GitHub-flavoured Markdown: headings per
// section, GFM tables for everything tabular, stable IDs in brackets, and the
// decision graph as its DOT text (Markdown cannot inline a picture without a
// second file).
#include <sstream>

#include "report/render.h"

namespace redline::report {
namespace {

// A table cell: no pipes, no line breaks.
std::string cell(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '|') o += "\\|";
    else if (ch == '\n') o += ' ';
    else o += ch;
  }
  return o.empty() ? "—" : o;
}

std::string list(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

void row(std::ostream& os, const std::vector<std::string>& cells) {
  os << '|';
  for (const auto& c : cells) os << ' ' << cell(c) << " |";
  os << '\n';
}

void header(std::ostream& os, const std::vector<std::string>& cells) {
  row(os, cells);
  os << '|';
  for (std::size_t i = 0; i < cells.size(); ++i) os << "---|";
  os << '\n';
}

void section(std::ostream& os, int n) { os << "\n## " << n << ". " << section_titles()[static_cast<std::size_t>(n - 1)] << "\n\n"; }

void cover(std::ostream& os, const Report& r) {
  const Cover& c = r.cover;
  os << "# " << c.title << "\n\n";
  section(os, 1);
  os << "- Deciding policy: `" << c.deciding_layer << "`\n- Generated: " << c.generated << "\n- Compiler: " << c.compiler_version
     << "\n- Policy sources hash: `" << c.policy_hash << "`\n- Compiled policy hash: `" << c.compiled_hash << "`\n\n";
  header(os, {"ID", "Policy", "Version", "Owner", "Effective", "Default", "Extends", "Description", "Source"});
  for (const auto& l : c.layers) row(os, {"[" + l.id + "]", l.name, l.version, l.owner, l.effective, l.default_outcome, l.extends, l.description, l.source});
  os << '\n';
  header(os, {"ID", "Source file", "Bytes", "SHA-256"});
  for (const auto& s : c.sources) row(os, {"[" + s.id + "]", s.path, std::to_string(s.bytes), "`" + s.sha256 + "`"});
  os << "\n### How to read this report\n\n";
  for (const auto& p : c.how_to_read) os << p << "\n\n";
}

void red_line_items(std::ostream& os, const std::vector<RedLine>& v) {
  for (const auto& l : v) {
    os << "- **" << l.sentence << "** [" << l.id << "]\n";
    os << "  - " << (l.unconditional ? "Unconditional." : "Conditional: " + l.condition + ".") << '\n';
    if (!l.because.empty()) os << "  - Why: " << l.because << '\n';
    if (!l.cite.empty()) os << "  - Source: " << l.cite << '\n';
    os << "  - Assertion: **" << l.proof << "**. " << l.proof_text << '\n';
  }
}

void red_lines(std::ostream& os, const Report& r) {
  section(os, 2);
  os << "### Contract red lines\n\n";
  if (r.red_lines.empty()) os << "No rule is marked `red_line`: the authors have not said which rules are contract red lines.\n";
  red_line_items(os, r.red_lines);
  os << "\n### Deployment guards\n\nProhibitions not marked as contract red lines.\n\n";
  if (r.guards.empty()) os << "None.\n";
  red_line_items(os, r.guards);
}

void rule_cards(std::ostream& os, const Report& r) {
  section(os, 3);
  for (const auto& k : r.rules) {
    os << "### " << k.title << " [" << k.id << "]\n\n" << k.sentence << "\n\n";
    header(os, {"Field", "Value"});
    row(os, {"Effect", k.outcome + " (`" + k.effect + "`)"});
    std::vector<std::string> ts;
    for (const auto& t : k.targets) ts.push_back(t.name + " (`" + t.pattern + "`)" + (t.description.empty() ? "" : ": " + t.description));
    row(os, {"Applies to", list(ts, "; ")});
    row(os, {"Conditions", k.condition});
    if (!k.approval.empty()) row(os, {"Approval", k.approval});
    if (!k.escalation.empty()) row(os, {"Review path", k.escalation + " [" + k.escalation_id + "]"});
    row(os, {"Because", k.because});
    row(os, {"Citation", k.cite + (k.cite_version.empty() ? "" : " (version " + k.cite_version + ")") +
                             (k.cite_quote.empty() ? "" : ": “" + k.cite_quote + "”")});
    row(os, {"Owner", k.owner});
    row(os, {"Obligations", list(k.obligations)});
    row(os, {"Overrides", list(k.overrides)});
    row(os, {"Overridden by", list(k.overridden_by)});
    row(os, {"Source", k.source});
    row(os, {"Tests", k.tests.empty() ? "no test exercises this rule" : list(k.tests)});
    os << '\n';
  }
}

void tables(std::ostream& os, const Report& r) {
  section(os, 4);
  if (!r.tables.empty()) os << r.tables.front().combining << "\n\n";
  for (const auto& t : r.tables) {
    os << "### " << t.title << " [" << t.id << "]\n\nPurposes: " << list(t.purposes) << "\n\n";
    header(os, {"Rule", "Policy", "When", "Outcome", "Obligations"});
    for (const auto& x : t.rows) row(os, {"[" + x.rule_id + "]", x.policy, x.condition, x.outcome, x.obligations});
    row(os, {"(no rule applies)", "", "otherwise", "the default of each policy: " + list(t.defaults, "; "), ""});
    if (!t.switches.empty()) row(os, {"(kill switch)", "", "while tripped: " + list(t.switches), "denied", ""});
    os << '\n';
  }
}

void graph(std::ostream& os, const Report& r) {
  section(os, 5);
  os << "The pictures are in the HTML report, one per group of purposes decided alike; their Graphviz sources follow.";
  if (!r.graph_note.empty()) os << ' ' << r.graph_note;
  os << '\n';
  for (const auto& g : r.graphs) os << "\n### " << g.title << " [" << g.id << "]\n\n```dot\n" << g.dot << "```\n";
}

void coverage(std::ostream& os, const Report& r) {
  section(os, 6);
  os << "Which outcomes each purpose can get (no kill switch tripped, no approvals given). "
        "“default only”: no rule can apply, the policies' defaults decide; “kill switch”: a switch names this purpose.\n\n";
  if (!r.global_switches.empty()) os << "Every purpose can be stopped by " << list(r.global_switches) << ".\n\n";
  header(os, {"Purpose", "Allowed", "Needs approval", "Escalated", "Denied", "Notes"});
  for (const auto& c : r.coverage) {
    std::vector<std::string> cells{"`" + c.purpose + "`"};
    for (bool b : c.outcomes) cells.push_back(b ? "yes" : "·");
    std::string notes = c.default_only ? "default only" : "";
    if (c.stoppable) notes += std::string(notes.empty() ? "" : "; ") + "kill switch";
    cells.push_back(notes);
    row(os, cells);
  }
}

void oversight(std::ostream& os, const Report& r) {
  section(os, 7);
  os << "### Approvals\n\n";
  if (r.approvals.empty()) os << "No rule requires an approval.\n";
  for (const auto& a : r.approvals)
    os << "- **" << a.purposes << "** [" << a.id << "], " << a.condition << ": " << a.exactly << "\n";
  os << "\n### Escalation paths\n\n";
  if (r.escalations.empty()) os << "No escalation paths.\n";
  for (const auto& e : r.escalations) {
    os << "#### " << e.title << " [" << e.id << "]\n\nUsed by: " << (e.used_by.empty() ? "no rule" : list(e.used_by)) << ". Source: " << e.source << ".\n\n";
    os << e.exactly << "\n\n";
    header(os, {"Alternative", "Role", "Approvals needed", "Its window", "Acts by"});
    for (std::size_t i = 0; i < e.steps.size(); ++i)
      row(os, {std::to_string(i + 1), e.steps[i].role, e.steps[i].quorum, e.steps[i].deadline, e.steps[i].by});
    os << '\n';
  }
}

void switches(std::ostream& os, const Report& r) {
  section(os, 8);
  if (r.switches.empty()) os << "No kill switches.\n";
  else header(os, {"ID", "Scope", "Who can trip or reset it", "Why", "Source"});
  for (const auto& s : r.switches) row(os, {"[" + s.id + "]", s.scope, s.control, s.because, s.source});
}

void findings(std::ostream& os, const Report& r) {
  section(os, 9);
  if (r.findings.empty()) os << "The analyses found nothing to report.\n";
  for (const auto& f : r.findings) {
    os << "- **" << f.kind << "** [" << f.id << "] (" << f.code << ", " << f.source << "): " << f.message << '\n';
    if (!f.request.empty()) os << "  - Example request: `" << f.request << "`\n";
    for (const auto& n : f.notes) os << "  - " << n << '\n';
  }
}

void results(std::ostream& os, const Report& r) {
  section(os, 10);
  std::size_t passed = 0, proved = 0;
  for (const auto& t : r.tests) passed += t.passed;
  for (const auto& a : r.assertions) proved += a.proved;
  os << "### Tests: " << passed << " of " << r.tests.size() << " passed\n\n";
  header(os, {"ID", "Test", "Expected", "Actual", "Result", "Source"});
  for (const auto& t : r.tests) row(os, {"[" + t.id + "]", t.name, t.expected, t.actual, t.passed ? "pass" : "**FAIL**", t.source});
  os << "\n### Assertions: " << proved << " of " << r.assertions.size() << " proved\n\n";
  header(os, {"ID", "Assertion", "Result", "Counterexample", "Source"});
  for (const auto& a : r.assertions)
    row(os, {"[" + a.id + "]", a.sentence, a.proved ? "proved" : "**FAILS**", a.counterexample.empty() ? "" : "`" + a.counterexample + "`", a.source});
}

void schedule(std::ostream& os, const Report& r) {
  section(os, 11);
  os << "Each clause the rules `cite`, the text quoted from it, the rules that cite it, and whether they are in force.\n\n";
  if (r.clauses.empty()) {
    os << "No rule cites a clause.\n";
    return;
  }
  header(os, {"Clause", "Quoted text", "Rules", "Status", "Proved by"});
  for (const auto& c : r.clauses)
    row(os, {c.clause + (c.version.empty() ? "" : " (version " + c.version + ")") + " [" + c.id + "]", c.quote.empty() ? "(not quoted)" : "“" + c.quote + "”",
             list(c.rules), c.status + ": " + c.status_text, list(c.proved_by)});
}

void bullets(std::ostream& os, const std::vector<std::string>& v, const char* none) {
  if (v.empty()) os << none << "\n";
  for (const auto& x : v) os << "- " << x << '\n';
  os << '\n';
}

void limits(std::ostream& os, const Report& r) {
  section(os, 12);
  os << "### Facts taken on the caller's word\n\n";
  bullets(os, r.limits.claims, "None.");
  os << "### Declared but read by no rule\n\n";
  bullets(os, r.limits.unread, "Every declared attribute and tag is read by some rule.");
  os << "### Where a missing fact makes a restriction apply\n\n";
  bullets(os, r.limits.missing, "No restriction depends on a fact.");
  os << "### What the authors say the policy does not model\n\n";
  bullets(os, r.limits.authors, "The authors wrote no `limits`.");
}

void signoff(std::ostream& os) {
  os << "\n## Sign-off\n\n";
  header(os, {"", "Reviewer", "Role", "Date", "Signature"});
  row(os, {"Legal review", " ", " ", " ", " "});
  row(os, {"Policy owner", " ", " ", " ", " "});
}

}  // namespace

std::string to_markdown(const Report& r) {
  std::ostringstream os;
  cover(os, r);
  red_lines(os, r);
  rule_cards(os, r);
  tables(os, r);
  graph(os, r);
  coverage(os, r);
  oversight(os, r);
  switches(os, r);
  findings(os, r);
  results(os, r);
  schedule(os, r);
  limits(os, r);
  signoff(os);
  return os.str();
}

}  // namespace redline::report
