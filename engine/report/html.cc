// report/html.cc — the report as one self-contained HTML document: inline
// CSS (with a print stylesheet: page breaks between sections, links shown as
// IDs), the decision graph as inline SVG, no JavaScript, no external fetch.
#include <sstream>

#include "report/render.h"

namespace redline::report {
namespace {

const char* kCss = R"CSS(
:root{--ink:#1d2433;--muted:#5b6475;--line:#d8dde6;--red:#b71c1c;--green:#2e7d32;--amber:#a15c00;--bg:#f7f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 "DejaVu Serif",Georgia,serif;color:var(--ink);margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:32px 40px 80px}
h1{font:600 30px/1.2 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:0 0 6px}
h2{font:600 22px/1.3 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:48px 0 12px;padding-top:12px;border-top:3px solid var(--ink)}
h3{font:600 17px/1.3 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:28px 0 8px}
h4{font:600 15px/1.3 "DejaVu Sans",Helvetica,Arial,sans-serif;margin:18px 0 6px}
.sub{color:var(--muted);margin:0 0 20px}
.id{font:12px/1 "DejaVu Sans Mono",monospace;color:var(--muted);white-space:nowrap}
code,.mono{font:13px "DejaVu Sans Mono",monospace;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-weight:600}
.kv th{width:170px}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.summary div{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:150px;background:var(--bg)}
.summary b{display:block;font:600 22px "DejaVu Sans",Helvetica,sans-serif}
.toc{columns:2;margin:8px 0 0;padding-left:20px}
.redline{border-left:5px solid var(--red);background:#fff6f6;padding:10px 14px;margin:12px 0;border-radius:0 6px 6px 0}
.redline .never{font-weight:700;color:var(--red)}
.card{border:1px solid var(--line);border-radius:6px;padding:4px 16px 8px;margin:16px 0;page-break-inside:avoid}
.card.prohibit{border-left:5px solid var(--red)}
.badge{display:inline-block;font:600 12px "DejaVu Sans",sans-serif;padding:1px 8px;border-radius:10px;border:1px solid}
.ok{color:var(--green);border-color:var(--green)}
.bad{color:var(--red);border-color:var(--red)}
.warn{color:var(--amber);border-color:var(--amber)}
.yes{text-align:center;font-weight:700}
.no{text-align:center;color:#b8bec9}
.graph{border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto}
.note{color:var(--muted);font-style:italic}
footer{margin-top:48px;color:var(--muted);font-size:13px}
.appendix pre{font:8.5pt/1.35 "DejaVu Sans Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 12px}
.signoff td{height:34px;border-bottom:1px solid var(--ink)}
.signoff th{width:22%}
@media print{
  body{font-size:10pt}
  main{max-width:none;padding:0}
  h1{font-size:20pt}
  h2{font-size:15pt;margin:18pt 0 6pt;border-top:2px solid var(--ink);break-after:avoid}
  h3,h4{break-after:avoid}
  #s1 h2{border-top:none}
  table{font-size:8.5pt;table-layout:fixed}
  th,td{padding:3px 5px;overflow-wrap:anywhere;word-break:break-word}
  .id{white-space:normal;word-break:break-all;font-size:7pt}
  code,.mono{font-size:7.5pt}
  tr,.redline{break-inside:avoid}
  .card{break-inside:auto}
  .card table{table-layout:auto}
  .kv th{width:28%}
  .summary div{min-width:0;padding:6px 10px}
  .summary b{font-size:15pt}
  .toc{columns:2}
  a{color:inherit;text-decoration:none}
  .graph{border:none;overflow:visible}
  .signoff{break-inside:avoid}
}
)CSS";

std::string h(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

// A CSS string literal.
std::string css_string(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (ch == '\n' || ch == '<') {   // no line break, and nothing that could close the <style> element
      o += ch == '\n' ? "\\a " : "\\3c ";
      continue;
    }
    o += ch;
  }
  return o + "\"";
}

// The printed page: A4, a running header (policy, version, date) and footer
// (the policy sources hash, page N of M) on every page.
std::string page_css(const Report& r) {
  std::string title = r.cover.title, date = "Generated " + r.cover.generated;
  std::string box = "font:7.5pt \"DejaVu Sans\",Helvetica,sans-serif;color:#5b6475;";
  return "@page{size:A4;margin:20mm 14mm 18mm 14mm;"
         "@top-left{" + box + "content:" + css_string(title) + "}"
         "@top-right{" + box + "content:" + css_string(date) + "}"
         "@bottom-left{" + box + "content:" + css_string("Policy sources hash " + r.cover.policy_hash) + "}"
         "@bottom-right{" + box + "content:\"Page \" counter(page) \" of \" counter(pages)}}\n";
}

std::string tag_id(const std::string& id) { return "<span class=\"id\">[" + h(id) + "]</span>"; }

std::string link(const std::string& id) { return "<a class=\"id\" href=\"#" + slug(id) + "\">[" + h(id) + "]</a>"; }

std::string links(const std::vector<std::string>& ids) {
  if (ids.empty()) return "—";
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? " " : "") + link(ids[i]);
  return s;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + h(v[i]);
  return s.empty() ? "—" : s;
}

std::string kv(const std::string& k, const std::string& v_html) { return "<tr><th>" + h(k) + "</th><td>" + v_html + "</td></tr>\n"; }

void open_section(std::ostream& os, int n) {
  os << "<section id=\"s" << n << "\"><h2>" << n << ". " << section_titles()[static_cast<std::size_t>(n - 1)] << "</h2>\n";
}

void cover(std::ostream& os, const Report& r) {
  const Cover& c = r.cover;
  std::size_t passed = 0, proved = 0;
  for (const auto& t : r.tests) passed += t.passed;
  for (const auto& a : r.assertions) proved += a.proved;
  os << "<header><h1>" << h(c.title) << "</h1><p class=\"sub\">Generated " << h(c.generated) << " by " << h(c.compiler_version) << "</p>\n";
  os << "<div class=\"summary\"><div><b>" << r.red_lines.size() << "</b>contract red lines</div><div><b>" << r.guards.size()
     << "</b>deployment guards</div><div><b>" << r.rules.size() << "</b>rules</div><div><b>"
     << passed << " / " << r.tests.size() << "</b>tests pass</div><div><b>" << proved << " / " << r.assertions.size()
     << "</b>assertions proved</div><div><b>" << r.findings.size() << "</b>analysis findings</div></div>\n";
  os << "<nav><ol class=\"toc\">";
  for (int i = 1; i <= static_cast<int>(section_titles().size()); ++i) os << "<li><a href=\"#s" << i << "\">" << section_titles()[static_cast<std::size_t>(i - 1)] << "</a></li>";
  os << "<li><a href=\"#signoff\">Sign-off</a></li><li><a href=\"#appendix\">Appendix: policy sources</a></li></ol></nav></header>\n";
  open_section(os, 1);
  os << "<table class=\"kv\">" << kv("Deciding policy", h(c.deciding_layer)) << kv("Policy sources hash", "<code>" + h(c.policy_hash) + "</code>")
     << kv("Compiled policy hash", "<code>" + h(c.compiled_hash) + "</code>") << kv("Compiler", h(c.compiler_version)) << "</table>\n";
  os << "<h3>Policies, from the base layer up</h3><table><colgroup><col style=\"width:20%\"><col style=\"width:10%\"><col style=\"width:16%\">"
        "<col style=\"width:12%\"><col style=\"width:10%\"><col style=\"width:32%\"></colgroup><tr><th>Policy</th><th>Version</th><th>Owner</th><th>Effective</th><th>Default</th><th>Description</th></tr>\n";
  for (const auto& l : c.layers)
    os << "<tr id=\"" << slug(l.id) << "\"><td>" << h(l.name) << "<br>" << tag_id(l.id) << "</td><td>" << h(l.version) << "</td><td>" << h(l.owner)
       << "</td><td>" << h(l.effective) << "</td><td>" << h(l.default_outcome) << "</td><td>" << h(l.description)
       << (l.extends.empty() ? "" : "<br><span class=\"note\">Extends " + h(l.extends) + ".</span>") << "</td></tr>\n";
  os << "</table><h3>Source files</h3><table><colgroup><col style=\"width:34%\"><col style=\"width:10%\"><col style=\"width:56%\"></colgroup>"
        "<tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>\n";
  for (const auto& s : c.sources)
    os << "<tr id=\"" << slug(s.id) << "\"><td>" << h(s.path) << "</td><td>" << s.bytes << "</td><td><code>" << h(s.sha256) << "</code></td></tr>\n";
  os << "</table><h3>How to read this report</h3>\n";
  for (const auto& p : c.how_to_read) os << "<p>" << h(p) << "</p>\n";
  os << "</section>\n";
}

std::string proof_badge(const std::string& proof) {
  const char* cls = proof == "proved" ? "ok" : proof == "partly proved" ? "warn" : "bad";
  return std::string("<span class=\"badge ") + cls + "\">" + h(proof) + "</span>";
}

void red_line_items(std::ostream& os, const std::vector<RedLine>& v) {
  for (const auto& l : v) {
    os << "<div class=\"redline\" id=\"" << slug(l.id) << "\"><p class=\"never\">" << h(l.sentence) << " " << tag_id(l.id) << "</p>\n<p>"
       << (l.unconditional ? "Unconditional." : "Conditional: " + h(l.condition) + ".") << "</p>\n";
    if (!l.because.empty()) os << "<p><b>Why:</b> " << h(l.because) << "</p>\n";
    if (!l.cite.empty()) os << "<p><b>Source:</b> " << h(l.cite) << "</p>\n";
    os << "<p><b>Assertion:</b> " << proof_badge(l.proof) << " " << h(l.proof_text) << "</p><p>Rule card: " << link(l.rule_id) << "</p></div>\n";
  }
}

void red_lines(std::ostream& os, const Report& r) {
  open_section(os, 2);
  os << "<h3>Contract red lines</h3>\n";
  if (r.red_lines.empty()) os << "<p>No rule is marked <code>red_line</code>: the authors have not said which rules are contract red lines.</p>\n";
  red_line_items(os, r.red_lines);
  os << "<h3>Deployment guards</h3><p>Prohibitions not marked as contract red lines.</p>\n";
  if (r.guards.empty()) os << "<p>None.</p>\n";
  red_line_items(os, r.guards);
  os << "</section>\n";
}

void rule_cards(std::ostream& os, const Report& r) {
  open_section(os, 3);
  for (const auto& k : r.rules) {
    os << "<div class=\"card" << (k.effect == "prohibit" ? " prohibit" : "") << "\" id=\"" << slug(k.id) << "\"><h3>" << h(k.title) << " "
       << tag_id(k.id) << "</h3><p>" << h(k.sentence) << "</p><table class=\"kv\">\n";
    os << kv("Effect", h(k.outcome));
    std::string ts;
    for (const auto& t : k.targets) ts += "<div><b>" + h(t.name) + "</b> <code>" + h(t.pattern) + "</code>" + (t.description.empty() ? "" : ": " + h(t.description)) + "</div>";
    os << kv("Applies to", ts) << kv("Conditions", h(k.condition));
    if (!k.approval.empty()) os << kv("Approval", h(k.approval));
    if (!k.escalation.empty()) os << kv("Review path", h(k.escalation) + " " + link(k.escalation_id));
    os << kv("Because", h(k.because.empty() ? "—" : k.because)) << kv("Citation", h(k.cite.empty() ? "—" : k.cite) + (k.cite_version.empty() ? "" : " (version " + h(k.cite_version) + ")") +
                             (k.cite_quote.empty() ? "" : "<br><q>" + h(k.cite_quote) + "</q>")) << kv("Owner", h(k.owner.empty() ? "—" : k.owner))
       << kv("Obligations", joined(k.obligations)) << kv("Overrides", links(k.overrides)) << kv("Overridden by", links(k.overridden_by))
       << kv("Source", "<code>" + h(k.source) + "</code>") << kv("Tests", k.tests.empty() ? "<span class=\"badge warn\">no test exercises this rule</span>" : links(k.tests))
       << "</table></div>\n";
  }
  os << "</section>\n";
}

void tables(std::ostream& os, const Report& r) {
  open_section(os, 4);
  if (!r.tables.empty()) os << "<p>" << h(r.tables.front().combining) << "</p>\n";
  for (const auto& t : r.tables) {
    os << "<h3 id=\"" << slug(t.id) << "\">" << h(t.title) << " " << tag_id(t.id) << "</h3><p class=\"note\">Purposes: " << joined(t.purposes) << "</p>\n"
       << "<table><colgroup><col style=\"width:26%\"><col style=\"width:40%\"><col style=\"width:16%\"><col style=\"width:18%\"></colgroup>"
          "<tr><th>Rule</th><th>When</th><th>Outcome</th><th>Obligations</th></tr>\n";
    for (const auto& x : t.rows)
      os << "<tr><td>" << link(x.rule_id) << "</td><td>" << h(x.condition) << "</td><td>" << h(x.outcome) << "</td><td>" << h(x.obligations) << "</td></tr>\n";
    os << "<tr><td class=\"note\">no rule applies</td><td>otherwise</td><td colspan=\"2\">the default of each policy: " << joined(t.defaults) << "</td></tr>\n";
    if (!t.switches.empty()) os << "<tr><td class=\"note\">kill switch</td><td>while tripped: " << links(t.switches) << "</td><td colspan=\"2\">denied</td></tr>\n";
    os << "</table>\n";
  }
  os << "</section>\n";
}

void graph(std::ostream& os, const Report& r) {
  open_section(os, 5);
  os << "<p>One picture per group of purposes decided alike (the groups of the decision tables): the rules that can decide "
        "them and the outcome each leads to. Red boxes are prohibitions; an approval rule shows where approval, a denial and "
        "waiting lead; a review path lists its steps as alternatives — any one resolves it — with deadlines counted from the request.</p>\n";
  if (!r.graph_note.empty()) os << "<p class=\"note\">" << h(r.graph_note) << "</p>\n";
  for (const auto& g : r.graphs) {
    os << "<div class=\"card\" id=\"" << slug(g.id) << "\"><h3>" << h(g.title) << " " << tag_id(g.id) << "</h3>";
    if (!g.svg.empty()) os << "<div class=\"graph\">" << g.svg << "</div>";
    else os << "<pre><code>" << h(g.dot) << "</code></pre>";
    os << "</div>\n";
  }
  os << "</section>\n";
}

void coverage(std::ostream& os, const Report& r) {
  open_section(os, 6);
  os << "<p>Which outcomes each purpose can get, with no kill switch tripped and no approvals given. "
        "“Default only”: no rule can apply, so the policies' defaults decide. “Kill switch”: a switch names this purpose.</p>\n"
        "<table><colgroup><col style=\"width:38%\"><col style=\"width:10%\"><col style=\"width:10%\"><col style=\"width:10%\"><col style=\"width:10%\">"
        "<col style=\"width:22%\"></colgroup><tr><th>Purpose</th><th>Allowed</th><th>Needs approval</th><th>Escalated</th><th>Denied</th><th>Notes</th></tr>\n";
  for (const auto& c : r.coverage) {
    if (&c == &r.coverage.front() && !r.global_switches.empty())
      os << "<tr><td colspan=\"6\">Every purpose can be stopped by " << links(r.global_switches) << ".</td></tr>\n";
    os << "<tr id=\"" << slug(c.id) << "\"><td><code>" << h(c.purpose) << "</code></td>";
    for (bool b : c.outcomes) os << (b ? "<td class=\"yes\">●</td>" : "<td class=\"no\">·</td>");
    std::string notes = c.default_only ? "default only" : "";
    if (c.stoppable) notes += std::string(notes.empty() ? "" : "; ") + "kill switch";
    os << "<td>" << h(notes) << "</td></tr>\n";
  }
  os << "</table></section>\n";
}

void oversight(std::ostream& os, const Report& r) {
  open_section(os, 7);
  os << "<h3>Approvals</h3>\n";
  if (r.approvals.empty()) os << "<p>No rule requires an approval.</p>\n";
  for (const auto& a : r.approvals)
    os << "<div class=\"card\" id=\"" << slug(a.id) << "\"><p><b>" << h(a.purposes) << "</b> " << tag_id(a.id) << "<br>Rule " << link(a.rule_id) << ", "
       << h(a.condition) << ".</p><p>" << h(a.exactly) << "</p></div>\n";
  os << "<h3>Escalation paths</h3>\n";
  if (r.escalations.empty()) os << "<p>No escalation paths.</p>\n";
  for (const auto& e : r.escalations) {
    os << "<div class=\"card\" id=\"" << slug(e.id) << "\"><h4>" << h(e.title) << " " << tag_id(e.id) << "</h4><p>" << h(e.exactly) << "</p>"
       << "<table><colgroup><col style=\"width:8%\"><col style=\"width:30%\"><col style=\"width:16%\"><col style=\"width:20%\"><col style=\"width:26%\"></colgroup>"
          "<tr><th>Alter&shy;native</th><th>Role</th><th>Approvals needed</th><th>Its window</th><th>Acts by</th></tr>\n";
    for (std::size_t i = 0; i < e.steps.size(); ++i)
      os << "<tr><td>" << i + 1 << "</td><td>" << h(e.steps[i].role) << "</td><td>" << h(e.steps[i].quorum) << "</td><td>" << h(e.steps[i].deadline)
         << "</td><td>" << h(e.steps[i].by) << "</td></tr>\n";
    os << "</table><p>Used by " << links(e.used_by) << ". Defined at <code>" << h(e.source) << "</code>.</p></div>\n";
  }
  os << "</section>\n";
}

void switches(std::ostream& os, const Report& r) {
  open_section(os, 8);
  if (r.switches.empty()) os << "<p>No kill switches.</p>\n";
  else
    os << "<table><colgroup><col style=\"width:20%\"><col style=\"width:30%\"><col style=\"width:26%\"><col style=\"width:24%\"></colgroup>"
          "<tr><th>Switch</th><th>Scope</th><th>Who can trip or reset it</th><th>Why</th></tr>\n";
  for (const auto& s : r.switches)
    os << "<tr id=\"" << slug(s.id) << "\"><td>" << h(s.qualified) << "<br>" << tag_id(s.id) << "</td><td>" << h(s.scope) << "</td><td>" << h(s.control)
       << "</td><td>" << h(s.because) << "</td></tr>\n";
  if (!r.switches.empty()) os << "</table>\n";
  os << "</section>\n";
}

void findings(std::ostream& os, const Report& r) {
  open_section(os, 9);
  if (r.findings.empty()) os << "<p>The analyses found nothing to report.</p>\n";
  else
    os << "<table><colgroup><col style=\"width:25%\"><col style=\"width:40%\"><col style=\"width:35%\"></colgroup>"
          "<tr><th>Finding</th><th>What</th><th>Example request</th></tr>\n";
  for (const auto& f : r.findings) {
    os << "<tr id=\"" << slug(f.id) << "\"><td><b>" << h(f.kind) << "</b><br>" << tag_id(f.id) << "<br><code>" << h(f.source) << "</code></td><td>" << h(f.message);
    for (const auto& n : f.notes) os << "<br><span class=\"note\">" << h(n) << "</span>";
    os << "</td><td><code>" << h(f.request.empty() ? "—" : f.request) << "</code></td></tr>\n";
  }
  if (!r.findings.empty()) os << "</table>\n";
  os << "</section>\n";
}

void results(std::ostream& os, const Report& r) {
  open_section(os, 10);
  std::size_t passed = 0, proved = 0;
  for (const auto& t : r.tests) passed += t.passed;
  for (const auto& a : r.assertions) proved += a.proved;
  os << "<h3>Tests: " << passed << " of " << r.tests.size() << " passed</h3>\n"
     << "<table><colgroup><col style=\"width:46%\"><col style=\"width:20%\"><col style=\"width:20%\"><col style=\"width:14%\"></colgroup>"
        "<tr><th>Test</th><th>Expected</th><th>Actual</th><th>Result</th></tr>\n";
  for (const auto& t : r.tests)
    os << "<tr id=\"" << slug(t.id) << "\"><td>" << h(t.name) << "<br>" << tag_id(t.id) << "</td><td>" << h(t.expected) << "</td><td>" << h(t.actual) << "</td><td>"
       << (t.passed ? "<span class=\"badge ok\">pass</span>" : "<span class=\"badge bad\">FAIL</span>") << "</td></tr>\n";
  os << "</table><h3>Assertions: " << proved << " of " << r.assertions.size() << " proved</h3>\n"
     << "<table><colgroup><col style=\"width:40%\"><col style=\"width:12%\"><col style=\"width:48%\"></colgroup>"
        "<tr><th>Assertion</th><th>Result</th><th>Counterexample</th></tr>\n";
  for (const auto& a : r.assertions)
    os << "<tr id=\"" << slug(a.id) << "\"><td>" << h(a.sentence) << "<br>" << tag_id(a.id) << "</td><td>"
       << (a.proved ? "<span class=\"badge ok\">proved</span>" : "<span class=\"badge bad\">FAILS</span>") << "</td><td><code>"
       << h(a.counterexample.empty() ? "—" : a.counterexample) << "</code></td></tr>\n";
  os << "</table></section>\n";
}

void schedule(std::ostream& os, const Report& r) {
  open_section(os, 11);
  os << "<p>Each clause the rules cite, the text quoted from it, the rules that cite it, and whether they are in force "
        "(“not enforced”: every citing rule is dead or always overridden).</p>\n";
  if (r.clauses.empty()) os << "<p>No rule cites a clause.</p>\n";
  else
    os << "<table><colgroup><col style=\"width:18%\"><col style=\"width:30%\"><col style=\"width:20%\"><col style=\"width:20%\"><col style=\"width:12%\"></colgroup>"
          "<tr><th>Clause</th><th>Quoted text</th><th>Rules</th><th>Status</th><th>Proved by</th></tr>\n";
  for (const auto& c : r.clauses) {
    const char* cls = c.status == "enforced" ? "ok" : c.status == "partly enforced" ? "warn" : "bad";
    os << "<tr id=\"" << slug(c.id) << "\"><td>" << h(c.clause) << (c.version.empty() ? "" : "<br>version " + h(c.version)) << "</td><td>"
       << (c.quote.empty() ? "<span class=\"note\">not quoted</span>" : "<q>" + h(c.quote) + "</q>") << "</td><td>" << links(c.rules)
       << "</td><td><span class=\"badge " << cls << "\">" << h(c.status) << "</span> " << h(c.status_text) << "</td><td>" << links(c.proved_by) << "</td></tr>\n";
  }
  if (!r.clauses.empty()) os << "</table>\n";
  os << "</section>\n";
}

void bullet_list(std::ostream& os, const std::vector<std::string>& v, const char* none) {
  if (v.empty()) {
    os << "<p>" << none << "</p>\n";
    return;
  }
  os << "<ul>";
  for (const auto& x : v) os << "<li>" << h(x) << "</li>";
  os << "</ul>\n";
}

void limits(std::ostream& os, const Report& r) {
  open_section(os, 12);
  os << "<h3>Facts taken on the caller's word</h3>\n";
  bullet_list(os, r.limits.claims, "None.");
  os << "<h3>Declared but read by no rule</h3>\n";
  bullet_list(os, r.limits.unread, "Every declared attribute and tag is read by some rule.");
  os << "<h3>Where a missing fact makes a restriction apply</h3>\n";
  bullet_list(os, r.limits.missing, "No restriction depends on a fact.");
  os << "<h3>What the authors say the policy does not model</h3>\n";
  bullet_list(os, r.limits.authors, "The authors wrote no <code>limits</code>.");
  os << "</section>\n";
}

void signoff(std::ostream& os) {
  os << "<section id=\"signoff\" class=\"signoff\"><h2>Sign-off</h2><p>Reviewed against the policy sources identified by the hash on every page.</p>"
        "<table><colgroup><col style=\"width:16%\"><col style=\"width:24%\"><col style=\"width:20%\"><col style=\"width:14%\"><col style=\"width:26%\"></colgroup>"
        "<tr><th></th><th>Reviewer (name)</th><th>Role</th><th>Date</th><th>Signature</th></tr>\n"
        "<tr><th>Legal review</th><td></td><td></td><td></td><td></td></tr>\n"
        "<tr><th>Policy owner</th><td></td><td></td><td></td><td></td></tr>\n"
        "</table></section>\n";
}

// Appendix: every source file in full, with line numbers.
void appendix(std::ostream& os, const Report& r) {
  os << "<section id=\"appendix\" class=\"appendix\"><h2>Appendix: policy sources</h2>\n";
  for (const auto& s : r.cover.sources) {
    os << "<h3 id=\"src-" << slug(s.id) << "\">" << h(s.path) << " <span class=\"id\">" << h(s.sha256) << "</span></h3><pre>";
    std::size_t lines = 1;
    for (char ch : s.text) lines += ch == '\n';
    int width = static_cast<int>(std::to_string(lines).size());
    std::size_t n = 0, from = 0;
    while (from < s.text.size()) {
      std::size_t nl = s.text.find('\n', from);
      std::string line = s.text.substr(from, nl == std::string::npos ? std::string::npos : nl - from);
      std::string num = std::to_string(++n);
      os << std::string(static_cast<std::size_t>(width) - num.size(), ' ') << num << "  " << h(line) << '\n';
      if (nl == std::string::npos) break;
      from = nl + 1;
    }
    os << "</pre>\n";
  }
  os << "</section>\n";
}

}  // namespace

std::string to_html(const Report& r) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>" << h(r.cover.title) << "</title>\n<style>" << kCss << page_css(r) << "</style></head>\n<body><main>\n";
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
  appendix(os, r);
  os << "<footer>Policy sources hash <code>" << h(r.cover.policy_hash) << "</code>. This report was generated from the compiled policy; "
     << "do not edit it by hand.</footer>\n</main></body></html>\n";
  return os.str();
}

}  // namespace redline::report
