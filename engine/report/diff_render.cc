// report/diff_render.cc — the semantic diff in its formats: plain text for
// terminals and CI logs, GitHub Markdown for pull requests, one
// self-contained HTML page, and JSON for tools. All lead with the headline
// NEW ACCESS GRANTED: yes/no.
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/diff.h"

namespace redline::report {
namespace {

std::string h(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '&') o += "&amp;";
    else if (ch == '<') o += "&lt;";
    else if (ch == '>') o += "&gt;";
    else if (ch == '"') o += "&quot;";
    else o += ch;
  }
  return o;
}

const char* verdict_words(const std::string& v) {
  if (v == "broader") return "BROADER: some requests get a less severe decision";
  if (v == "narrower") return "narrower: some requests get a more severe decision";
  if (v == "incomparable") return "INCOMPARABLE: some requests get a less severe decision, others a more severe one";
  return "equivalent";
}

std::size_t count(const DiffResult& d, const char* verdict) {
  std::size_t n = 0;
  for (const auto& p : d.purposes) n += p.verdict == verdict;
  return n;
}

std::size_t by_new_terms(const DiffResult& d, bool refusal_only) {
  std::size_t n = 0;
  for (const auto& p : d.purposes) n += refusal_only ? p.refusal_only : p.broader_by_new_terms;
  return n;
}

std::string terms_note(const PurposeDiff& p) {
  if (p.refusal_only) return "only because OLD refuses a term it lacks; without it OLD decides those requests as leniently";
  if (p.broader_by_new_terms) return "only for requests using terms OLD refuses";
  return "";
}

std::string vocab_line(const VocabDiff& v) {
  if (v.kind == "purpose") return v.status + " purpose " + v.name + (v.detail.empty() ? "" : ": " + v.detail);
  if (v.kind == "attribute") return v.status + " attribute " + v.name + ": " + v.detail;
  return v.status + " " + v.kind + " of " + v.name + ": " + v.detail;
}

std::string item_title(const ItemDiff& it) {
  return it.status + " " + it.kind + " [" + it.id + "]" + (it.note.empty() ? "" : " — " + it.note);
}

std::vector<const ItemDiff*> weakened(const DiffResult& d) {
  std::vector<const ItemDiff*> out;
  for (const auto& it : d.items)
    if (it.kind == "assertion" && it.note.rfind("weakened", 0) == 0) out.push_back(&it);
  return out;
}

// `style`: 't' text, 'm' Markdown, 'h' HTML.
std::string black(const std::string& a, const std::string& b, char style) {
  std::string s;
  for (const auto& [k, w] : blackline(a, b)) {
    if (!s.empty()) s += ' ';
    if (k == ' ') s += style == 'h' ? h(w) : w;
    else if (style == 't') s += k == '-' ? "[-" + w + "-]" : "{+" + w + "+}";
    else if (style == 'm') s += k == '-' ? "~~" + w + "~~" : "**" + w + "**";
    else s += k == '-' ? "<del>" + h(w) + "</del>" : "<ins>" + h(w) + "</ins>";
  }
  return s;
}

std::string headline(const DiffResult& d) {
  return std::string("NEW ACCESS GRANTED: ") + (d.new_access ? "yes" : "no");
}

void summary_lines(std::ostream& os, const DiffResult& d, const std::string& bullet) {
  os << bullet << "OLD: " << d.old_layers << " (" << d.old_hash << ")\n" << bullet << "NEW: " << d.new_layers << " (" << d.new_hash << ")\n"
     << bullet << "Purposes: " << count(d, "equivalent") << " equivalent, " << count(d, "narrower") << " narrower, " << count(d, "broader")
     << " broader, " << count(d, "incomparable") << " incomparable";
  if (std::size_t k = by_new_terms(d, false))
    os << " (" << k << " less severe only for requests using terms OLD refuses, " << by_new_terms(d, true)
       << " of them only because OLD refuses the term)";
  os << "\n";
}

std::vector<const FieldDiff*> by_category(const DiffResult& d, const std::string& cat, std::vector<std::string>& ids) {
  std::vector<const FieldDiff*> out;
  for (const auto& it : d.items)
    if (it.status == "changed")
      for (const auto& f : it.fields)
        if (f.category == cat) {
          out.push_back(&f);
          ids.push_back(it.id);
        }
  return out;
}

}  // namespace

std::string diff_text(const DiffResult& d) {
  std::ostringstream os;
  os << headline(d) << "\n\n";
  summary_lines(os, d, "");
  os << "\nPurposes whose decisions change:\n";
  for (const auto& p : d.purposes) {
    if (p.verdict == "equivalent") continue;
    os << "  " << p.purpose << ": " << verdict_words(p.verdict) << (p.note.empty() ? "" : " — " + p.note)
       << (terms_note(p).empty() ? "" : " — " + terms_note(p)) << '\n';
    if (p.broader) {
      os << "    less severe: " << p.broader->old_outcome << " -> " << p.broader->new_outcome << " for " << p.broader->request << '\n';
      os << "      " << p.broader->example << '\n';
    }
    if (p.narrower) {
      os << "    more severe: " << p.narrower->old_outcome << " -> " << p.narrower->new_outcome << " for " << p.narrower->request << '\n';
      os << "      " << p.narrower->example << '\n';
    }
  }
  if (!d.vocabulary.empty()) {
    os << "\nVocabulary (a request using a term only one version has is refused by the other, decided deny):\n";
    for (const auto& v : d.vocabulary) os << "  " << vocab_line(v) << '\n';
  }
  if (!d.loosened.empty()) {
    os << "\nOversight loosened (counts as new access):\n";
    for (const auto& l : d.loosened) os << "  " << l << '\n';
  }
  if (auto w = weakened(d); !w.empty()) {
    os << "\nAssertions weakened:\n";
    for (const auto* it : w) os << "  [" << it->id << "] " << it->note << '\n';
  }
  os << "\nRules, review paths, kill switches, policies, assertions and tests:\n";
  if (d.items.empty()) os << "  no changes\n";
  for (const auto& it : d.items) {
    os << "  " << item_title(it) << "\n";
    for (const auto& f : it.fields) os << "    " << f.field << ": " << black(f.old_text, f.new_text, 't') << '\n';
  }
  return os.str();
}

std::string diff_markdown(const DiffResult& d) {
  std::ostringstream os;
  os << "# Policy diff — " << headline(d) << "\n\n";
  summary_lines(os, d, "- ");
  os << "\n## Purposes\n\n| Purpose | Verdict | Example request | OLD → NEW |\n|---|---|---|---|\n";
  for (const auto& p : d.purposes) {
    if (p.verdict == "equivalent") continue;
    const auto& ex = p.broader ? p.broader : p.narrower;
    os << "| `" << p.purpose << "` | " << verdict_words(p.verdict) << (p.note.empty() ? "" : " (" + p.note + ")")
       << (terms_note(p).empty() ? "" : " (" + terms_note(p) + ")") << " | `" << ex->request << "` | "
       << ex->old_outcome << " → " << ex->new_outcome << " |\n";
    if (p.broader && p.narrower)
      os << "| | (also more severe) | `" << p.narrower->request << "` | " << p.narrower->old_outcome << " → " << p.narrower->new_outcome << " |\n";
  }
  os << "\n" << count(d, "equivalent") << " other purposes are decided exactly as before.\n";
  bool words = false;
  for (const auto& p : d.purposes)
    for (const auto* ex : {&p.broader, &p.narrower})
      if (*ex) {
        if (!words) os << "\n### In plain words\n\n";
        words = true;
        os << "- `" << p.purpose << "`: " << (*ex)->example << '\n';
      }
  if (!d.vocabulary.empty()) {
    os << "\n## Vocabulary\n\nA request using a term only one version has is refused by the other (decided deny), so these are in the comparison.\n\n";
    for (const auto& v : d.vocabulary) os << "- " << vocab_line(v) << '\n';
  }
  if (!d.loosened.empty()) {
    os << "\n## Oversight loosened (counts as new access)\n\n";
    for (const auto& l : d.loosened) os << "- " << l << '\n';
  }
  if (auto w = weakened(d); !w.empty()) {
    os << "\n## Assertions weakened\n\n";
    for (const auto* it : w) os << "- [" << it->id << "] " << it->note << '\n';
  }
  for (const char* cat : {"owner", "deadline", "quorum", "approvers", "switch", "obligation", "metadata"}) {
    std::vector<std::string> ids;
    auto fs = by_category(d, cat, ids);
    if (fs.empty()) continue;
    std::string c = cat;
    os << "\n## Changed " << (c == "switch" ? "kill switches" : c == "metadata" ? "metadata" : c + "s") << "\n\n";
    for (std::size_t i = 0; i < fs.size(); ++i) os << "- [" << ids[i] << "] " << fs[i]->field << ": " << black(fs[i]->old_text, fs[i]->new_text, 'm') << '\n';
  }
  os << "\n## Rules, review paths, kill switches, policies, assertions and tests\n\n";
  if (d.items.empty()) os << "No changes.\n";
  for (const auto& it : d.items) {
    os << "### " << item_title(it) << "\n\n| Field | Blackline |\n|---|---|\n";
    for (const auto& f : it.fields) os << "| " << f.field << " | " << black(f.old_text, f.new_text, 'm') << " |\n";
    os << '\n';
  }
  return os.str();
}

std::string diff_html(const DiffResult& d) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Policy diff</title><style>"
        "body{font:15px/1.5 'DejaVu Serif',Georgia,serif;max-width:1100px;margin:0 auto;padding:32px;color:#1d2433}"
        "h1,h2,h3{font-family:'DejaVu Sans',Helvetica,sans-serif}table{border-collapse:collapse;width:100%}"
        "th,td{border:1px solid #d8dde6;padding:5px 8px;text-align:left;vertical-align:top}code{font-size:13px;word-break:break-all}"
        "del{color:#b71c1c;background:#fde2e2}ins{color:#1b5e20;background:#e3f4e1;text-decoration:none;font-weight:600}"
        ".yes{color:#b71c1c}.no{color:#2e7d32}@media print{a{color:inherit}}</style></head><body>\n";
  os << "<h1 class=\"" << (d.new_access ? "yes" : "no") << "\">" << headline(d) << "</h1>\n<ul>";
  std::ostringstream sl;
  summary_lines(sl, d, "");
  std::string line;
  std::istringstream in(sl.str());
  while (std::getline(in, line)) os << "<li>" << h(line) << "</li>";
  os << "</ul>\n<h2>Purposes</h2><table><tr><th>Purpose</th><th>Verdict</th><th>Example request</th><th>OLD → NEW</th></tr>\n";
  for (const auto& p : d.purposes) {
    if (p.verdict == "equivalent") continue;
    for (const auto* ex : {&p.broader, &p.narrower})
      if (*ex)
        os << "<tr><td><code>" << h(p.purpose) << "</code></td><td>" << h(verdict_words(p.verdict)) << " " << h(p.note) << " " << h(terms_note(p)) << "</td><td><code>" << h((*ex)->request)
           << "</code></td><td>" << h((*ex)->old_outcome) << " → " << h((*ex)->new_outcome) << "</td></tr>\n";
  }
  os << "</table><p>" << count(d, "equivalent") << " other purposes are decided exactly as before.</p>\n";
  bool words = false;
  for (const auto& p : d.purposes)
    for (const auto* ex : {&p.broader, &p.narrower})
      if (*ex) {
        if (!words) os << "<h3>In plain words</h3><ul>";
        words = true;
        os << "<li><code>" << h(p.purpose) << "</code>: " << h((*ex)->example) << "</li>";
      }
  if (words) os << "</ul>\n";
  if (!d.vocabulary.empty()) {
    os << "<h2>Vocabulary</h2><p>A request using a term only one version has is refused by the other (decided deny), so these are in the comparison.</p><ul>";
    for (const auto& v : d.vocabulary) os << "<li>" << h(vocab_line(v)) << "</li>";
    os << "</ul>\n";
  }
  if (!d.loosened.empty()) {
    os << "<h2>Oversight loosened (counts as new access)</h2><ul>";
    for (const auto& l : d.loosened) os << "<li>" << h(l) << "</li>";
    os << "</ul>\n";
  }
  if (auto w = weakened(d); !w.empty()) {
    os << "<h2>Assertions weakened</h2><ul>";
    for (const auto* it : w) os << "<li><code>[" << h(it->id) << "]</code> " << h(it->note) << "</li>";
    os << "</ul>\n";
  }
  os << "<h2>Rules, review paths, kill switches, policies, assertions and tests</h2>\n";
  if (d.items.empty()) os << "<p>No changes.</p>\n";
  for (const auto& it : d.items) {
    os << "<h3>" << h(it.status + " " + it.kind) << " <code>[" << h(it.id) << "]</code>" << (it.note.empty() ? "" : " — " + h(it.note)) << "</h3><table>\n";
    for (const auto& f : it.fields) os << "<tr><th>" << h(f.field) << "</th><td>" << black(f.old_text, f.new_text, 'h') << "</td></tr>\n";
    os << "</table>\n";
  }
  os << "</body></html>\n";
  return os.str();
}

std::string diff_json(const DiffResult& d) {
  using J = nlohmann::ordered_json;
  J purposes = J::array(), items = J::array();
  auto ex = [](const std::optional<ChangedRequest>& c) {
    if (!c) return J(nullptr);
    J j{{"request", J::parse(c->request)}, {"old", c->old_outcome}, {"new", c->new_outcome}, {"old_error", c->old_error},
        {"new_error", c->new_error}, {"without_terms", c->without_terms.empty() ? J(nullptr) : J::parse(c->without_terms)},
        {"without_terms_outcome", c->without_terms_outcome}, {"example", c->example}};
    return j;
  };
  for (const auto& p : d.purposes)
    purposes.push_back({{"purpose", p.purpose}, {"verdict", p.verdict}, {"note", p.note}, {"broader_by_new_terms", p.broader_by_new_terms}, {"refusal_only", p.refusal_only},
                        {"less_severe_example", ex(p.broader)}, {"more_severe_example", ex(p.narrower)}});
  J vocabulary = J::array();
  for (const auto& v : d.vocabulary) vocabulary.push_back({{"kind", v.kind}, {"name", v.name}, {"status", v.status}, {"detail", v.detail}});
  for (const auto& it : d.items) {
    J fields = J::array();
    for (const auto& f : it.fields) fields.push_back({{"field", f.field}, {"category", f.category}, {"old", f.old_text}, {"new", f.new_text}});
    items.push_back({{"id", it.id}, {"kind", it.kind}, {"status", it.status}, {"note", it.note}, {"fields", fields}});
  }
  J j{{"schema", "redline-diff/1"}, {"new_access", d.new_access},
      {"old", {{"policies", d.old_layers}, {"hash", d.old_hash}}}, {"new", {{"policies", d.new_layers}, {"hash", d.new_hash}}},
      {"purposes", purposes}, {"vocabulary", vocabulary}, {"loosened", d.loosened}, {"items", items}};
  return j.dump(2) + "\n";
}

}  // namespace redline::report
