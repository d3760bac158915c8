// report/paraphrase.cc — plain-English renderings of the checked model
// (see paraphrase.h). Negations are pushed down to the comparisons (De
// Morgan holds in Kleene logic), so "not (a and b)" reads "a fails or b fails".
#include "report/paraphrase.h"

#include <cctype>
#include <map>

#include "verify/witness.h"

namespace redline::report {
namespace {

using sema::Cond;
using sema::TypeKind;

const std::map<std::string, std::string>& acronyms() {
  static const std::map<std::string, std::string> k = {
      {"us", "U.S."}, {"eu", "EU"}, {"uk", "UK"}, {"ai", "AI"}, {"id", "ID"}, {"cui", "CUI"}, {"pii", "PII"},
      {"phi", "PHI"}, {"cbrn", "CBRN"}, {"dod", "DoD"}, {"cdao", "CDAO"}, {"api", "API"}, {"ip", "IP"},
      {"pin", "PIN"}, {"ssn", "SSN"}, {"gdpr", "GDPR"}, {"hipaa", "HIPAA"}, {"pci", "PCI"}, {"kyc", "KYC"},
      {"aml", "AML"}, {"sar", "SAR"}, {"osint", "OSINT"}, {"nist", "NIST"}, {"rmf", "RMF"}, {"llm", "LLM"},
      // Office titles read as acronyms ("dod_ig" is "DoD IG", not "DoD ig").
      {"ig", "IG"}, {"ceo", "CEO"}, {"cfo", "CFO"}, {"cio", "CIO"}, {"ciso", "CISO"}, {"cto", "CTO"}, {"cro", "CRO"},
      {"dpo", "DPO"}, {"jag", "JAG"}, {"irb", "IRB"}};
  return k;
}

// A word like "il5" or "sr11": letters then digits, upper-cased.
bool code_like(std::string_view w) {
  std::size_t i = 0;
  while (i < w.size() && std::isalpha(static_cast<unsigned char>(w[i]))) ++i;
  if (i == 0 || i > 3 || i == w.size()) return false;
  for (std::size_t j = i; j < w.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(w[j]))) return false;
  return true;
}

std::string word(std::string w) {
  auto it = acronyms().find(w);
  if (it != acronyms().end()) return it->second;
  if (code_like(w))
    for (char& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return w;
}

std::string plural(std::int64_t n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

bool is_tags_of(const sema::Model& m, std::uint32_t attr, std::string_view root) {
  const sema::Attribute& a = m.schema.attrs[attr];
  return a.kind == TypeKind::Tags && a.path == std::string(root) + ".tags";
}

// "the data is tagged" / "the data is not tagged" / "the jurisdiction includes".
std::string tags_lead(const sema::Model& m, std::uint32_t attr, bool negated) {
  for (const char* root : {"data", "output"})
    if (is_tags_of(m, attr, root)) return std::string("the ") + root + (negated ? " is not tagged " : " is tagged ");
  return attribute_phrase(m, attr) + (negated ? " do not include " : " include ");
}

std::string values_list(const sema::Model& m, const Cond& c, std::string_view conj) {
  std::vector<std::string> vs;
  for (std::int64_t v : c.values) vs.push_back(value_words(m, c.attr, v));
  return join_words(vs, conj);
}

sema::CmpOp negate(sema::CmpOp op) {
  switch (op) {
    case sema::CmpOp::Eq: return sema::CmpOp::Ne;
    case sema::CmpOp::Ne: return sema::CmpOp::Eq;
    case sema::CmpOp::Lt: return sema::CmpOp::Ge;
    case sema::CmpOp::Le: return sema::CmpOp::Gt;
    case sema::CmpOp::Gt: return sema::CmpOp::Le;
    case sema::CmpOp::Ge: return sema::CmpOp::Lt;
  }
  return op;
}

const char* op_words(sema::CmpOp op) {
  switch (op) {
    case sema::CmpOp::Eq: return " is ";
    case sema::CmpOp::Ne: return " is not ";
    case sema::CmpOp::Lt: return " is below ";
    case sema::CmpOp::Le: return " is at most ";
    case sema::CmpOp::Gt: return " is above ";
    case sema::CmpOp::Ge: return " is at least ";
  }
  return " is ";
}

std::string words(const sema::Model& m, const Cond& c, bool neg, bool nested);

std::string compare_words(const sema::Model& m, const Cond& c, bool neg) {
  sema::CmpOp op = neg ? negate(c.op) : c.op;
  const sema::Attribute& a = m.schema.attrs[c.attr];
  if (a.kind == TypeKind::Duration && (op == sema::CmpOp::Lt || op == sema::CmpOp::Le))
    return attribute_phrase(m, c.attr) + (op == sema::CmpOp::Lt ? " is shorter than " : " is at most ") + value_words(m, c.attr, c.values[0]);
  if (a.kind == TypeKind::Timestamp && (op == sema::CmpOp::Lt || op == sema::CmpOp::Gt))
    return attribute_phrase(m, c.attr) + (op == sema::CmpOp::Lt ? " is before " : " is after ") + value_words(m, c.attr, c.values[0]);
  return attribute_phrase(m, c.attr) + op_words(op) + value_words(m, c.attr, c.values[0]);
}

std::string has_words(const sema::Model& m, const Cond& c, bool neg) {
  bool all = c.kind == Cond::Kind::HasAll;
  if (c.values.size() == 1) return tags_lead(m, c.attr, neg) + value_words(m, c.attr, c.values[0]);
  // not (has all [a, b]) = lacks a or lacks b; not (has any [a, b]) = lacks both.
  if (!neg) return tags_lead(m, c.attr, false) + (all ? "all of " : "any of ") + values_list(m, c, all ? "and" : "or");
  return tags_lead(m, c.attr, true) + (all ? "all of " : "any of ") + values_list(m, c, all ? "and" : "or");
}

// The operands of a run of same-kind junctions (negations pushed through), flattened.
void operands(const sema::Model& m, const Cond& c, bool neg, bool is_and, std::vector<std::string>& parts) {
  if (c.kind == Cond::Kind::Not) return operands(m, c.kids[0], !neg, is_and, parts);
  bool junction = c.kind == Cond::Kind::And || c.kind == Cond::Kind::Or;
  if (junction && ((c.kind == Cond::Kind::And) != neg) == is_and) {
    for (const Cond& k : c.kids) operands(m, k, neg, is_and, parts);
    return;
  }
  parts.push_back(words(m, c, neg, true));
}

std::string junction(const sema::Model& m, const Cond& c, bool neg, bool nested) {
  bool is_and = (c.kind == Cond::Kind::And) != neg;
  std::vector<std::string> parts;
  for (const Cond& k : c.kids) operands(m, k, neg, is_and, parts);
  std::string s = join_words(parts, is_and ? "and" : "or");
  if (!nested) return s;
  return (is_and ? "both " : "either ") + s;
}

std::string words(const sema::Model& m, const Cond& c, bool neg, bool nested) {
  switch (c.kind) {
    case Cond::Kind::Const: return (c.constant != neg) ? "always" : "never";
    case Cond::Kind::Not: return words(m, c.kids[0], !neg, nested);
    case Cond::Kind::And:
    case Cond::Kind::Or: return junction(m, c, neg, nested);
    case Cond::Kind::Compare: return compare_words(m, c, neg);
    case Cond::Kind::In:
      return attribute_phrase(m, c.attr) + (neg ? " is none of " : " is one of ") + values_list(m, c, neg ? "and" : "or");
    case Cond::Kind::HasAny:
    case Cond::Kind::HasAll: return has_words(m, c, neg);
    case Cond::Kind::Present:
    case Cond::Kind::Missing: {
      bool given = (c.kind == Cond::Kind::Present) != neg;
      // Tags read as a plural ("the output's tags are stated").
      bool plural = m.schema.attrs[c.attr].kind == TypeKind::Tags;
      return attribute_phrase(m, c.attr) + (given ? (plural ? " are stated" : " is stated") : (plural ? " are not stated" : " is not stated"));
    }
  }
  return "";
}

std::string role_name(const sema::Model& m, std::uint32_t role) {
  if (m.schema.role_attr < 0) return std::to_string(role);
  return humanize(m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values[role]);
}

}  // namespace

std::string humanize(std::string_view identifier) {
  std::string out, cur;
  auto flush = [&] {
    if (cur.empty()) return;
    if (!out.empty()) out += ' ';
    out += word(cur);
    cur.clear();
  };
  for (char ch : identifier) {
    if (ch == '_' || ch == '.') flush();
    else cur += ch;
  }
  flush();
  return out;
}

std::string duration_words(std::int64_t s) {
  if (s == 0) return "0 seconds";
  if (s % 86400 == 0 && s >= 7 * 86400) return plural(s / 86400, "day");
  if (s % 3600 == 0) return plural(s / 3600, "hour");
  if (s % 60 == 0) return plural(s / 60, "minute");
  return plural(s, "second");
}

std::string join_words(const std::vector<std::string>& items, std::string_view conj) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += (i + 1 == items.size()) ? " " + std::string(conj) + " " : ", ";
    s += items[i];
  }
  return s;
}

std::string attribute_phrase(const sema::Model& m, std::uint32_t attr) {
  const std::string& path = m.schema.attrs[attr].path;
  auto dot = path.find('.');
  std::string root = path.substr(0, dot), rest = humanize(dot == std::string::npos ? path : path.substr(dot + 1));
  if (root == "actor") return "the requester's " + rest;
  if (root == "data") return "the data's " + rest;
  if (root == "output") return "the output's " + rest;
  if (root == "request") return "the request " + rest;
  return "the " + rest;
}

std::string value_words(const sema::Model& m, std::uint32_t attr, std::int64_t v) {
  const sema::Attribute& a = m.schema.attrs[attr];
  switch (a.kind) {
    case TypeKind::Bool: return v ? "“yes”" : "“no”";
    case TypeKind::Int: return std::to_string(v);
    case TypeKind::Duration: return duration_words(v);
    case TypeKind::Timestamp: return verify::format_rfc3339(v);
    case TypeKind::String:
      return (v >= 0 && static_cast<std::size_t>(v) < m.strings.size()) ? "“" + m.strings[static_cast<std::size_t>(v)] + "”" : "another text";
    case TypeKind::Enum:
    case TypeKind::Level:
    case TypeKind::Tags:
      return (v >= 0 && static_cast<std::size_t>(v) < a.values.size()) ? humanize(a.values[static_cast<std::size_t>(v)]) : "?";
  }
  return "?";
}

std::string condition_words(const sema::Model& m, const sema::Cond& c) { return words(m, c, false, false); }

std::string rule_condition_words(const sema::Model& m, const sema::Rule& r) {
  std::string s;
  if (r.when) s = "when " + condition_words(m, *r.when);
  if (r.unless) s += (s.empty() ? "unless " : ", unless ") + condition_words(m, *r.unless);
  return s;
}

std::string purpose_words(const sema::Model& m, std::uint32_t p) {
  const sema::Purpose& n = m.purposes.nodes[p];
  if (n.parent < 0) return humanize(n.name);
  std::vector<std::string> up;
  for (std::int32_t q = n.parent; q >= 0; q = m.purposes.nodes[static_cast<std::size_t>(q)].parent)
    up.push_back(humanize(m.purposes.nodes[static_cast<std::size_t>(q)].name));
  std::string s = humanize(n.name) + " (";
  for (std::size_t i = up.size(); i-- > 0;) s += up[i] + (i ? ", " : ")");
  return s;
}

// A purpose as the authors described it ("indiscriminate monitoring of a
// country's own population"), or its name in words when it has no description.
std::string described_purpose(const sema::Model& m, std::uint32_t p) {
  std::string d = m.purposes.nodes[p].description;
  while (!d.empty() && (d.back() == '.' || std::isspace(static_cast<unsigned char>(d.back())))) d.pop_back();
  if (d.empty() || d.find(". ") != std::string::npos) return purpose_words(m, p);   // several sentences: too long to inline
  bool acronym = d.size() > 1 && std::isupper(static_cast<unsigned char>(d[1]));
  if (!acronym) d[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(d[0])));
  return d;
}

std::string target_words(const sema::Model& m, const sema::Target& t) {
  switch (t.kind) {
    case sema::Target::Kind::All: return "any purpose";
    case sema::Target::Kind::Exact: return described_purpose(m, t.purpose);
    case sema::Target::Kind::Descendants: return "any specific kind of " + described_purpose(m, t.purpose);
  }
  return "";
}

std::string obligation_words(const sema::Obligation& o) {
  std::string s = humanize(o.name);
  if (!o.args.empty()) {
    std::vector<std::string> args;
    for (const auto& a : o.args) args.push_back(humanize(a));
    s += " (" + join_words(args, "and") + ")";
  }
  return s;
}

std::string targets_words(const sema::Model& m, const std::vector<sema::Target>& ts) {
  std::vector<std::string> parts;
  for (const auto& t : ts) parts.push_back(target_words(m, t));
  return join_words(parts, "and");
}

std::string target_text(const sema::Model& m, const sema::Target& t) {
  switch (t.kind) {
    case sema::Target::Kind::All: return "*";
    case sema::Target::Kind::Exact: return m.purposes.nodes[t.purpose].full;
    case sema::Target::Kind::Descendants: return m.purposes.nodes[t.purpose].full + ".*";
  }
  return "";
}

std::string roles_words(const sema::Model& m, const std::vector<std::uint32_t>& roles, std::string_view conj) {
  std::vector<std::string> parts;
  for (std::uint32_t r : roles) parts.push_back(role_name(m, r));
  return join_words(parts, conj);
}

std::string approval_words(const sema::Model& m, const sema::Rule& r) {
  std::string s = r.quorum > 1 ? std::to_string(r.quorum) + " different approvers, each a " : "the approval of a ";
  s += roles_words(m, r.by, "or");
  s += r.within ? ", given within " + duration_words(*r.within) : ", with no time limit";
  return s + "; the requester cannot approve their own request";
}

// What `signed` and `human` add to a rule's sentence ("" without them).
std::string approver_demands_words(const sema::Rule& r) {
  if (!r.signed_only && !r.human_only) return "";
  std::string who = r.human_only ? "human approvers" : "approvers";
  if (r.signed_only) return " Only approvals by " + who + " listed in the approver keys file, signed for this very request and policy version, count.";
  return " Only approvals by human approvers count.";
}

std::string rule_sentence(const sema::Model& m, const sema::Rule& r) {
  std::string what = targets_words(m, r.targets), cond = rule_condition_words(m, r);
  std::string tail = cond.empty() ? "" : ", " + cond;
  switch (r.effect) {
    case sema::Effect::Prohibit: return "Never: " + what + tail + ".";
    case sema::Effect::Permit: return "Allowed: " + what + tail + ".";
    case sema::Effect::RequireApproval:
      return "Needs approval: " + what + tail + ". It needs " + approval_words(m, r) + "." + approver_demands_words(r);
    case sema::Effect::Escalate: {
      std::string path = r.escalation >= 0 ? m.escalations[static_cast<std::size_t>(r.escalation)].title : "";
      if (path.empty() && r.escalation >= 0) path = humanize(m.escalations[static_cast<std::size_t>(r.escalation)].name);
      return "Escalated for review: " + what + tail + ". It goes to the review path “" + path + "”." + approver_demands_words(r);
    }
  }
  return "";
}

std::string effect_words(sema::Effect e) { return outcome_words(ast::outcome_of(e)); }

std::string outcome_words(sema::Outcome o) {
  switch (o) {
    case sema::Outcome::Allow: return "allowed";
    case sema::Outcome::RequireApproval: return "needs approval";
    case sema::Outcome::Escalate: return "escalated for review";
    case sema::Outcome::Deny: return "denied";
  }
  return "";
}

std::string outcome_label(sema::Outcome o) {
  switch (o) {
    case sema::Outcome::Allow: return "Allow";
    case sema::Outcome::RequireApproval: return "Approval";
    case sema::Outcome::Escalate: return "Escalate";
    case sema::Outcome::Deny: return "Deny";
  }
  return "";
}

std::string assertion_sentence(const sema::Model& m, const sema::Assertion& a) {
  std::string s = a.at_least && a.outcome != sema::Outcome::Deny ? "At least " + outcome_words(a.outcome) : "Always " + outcome_words(a.outcome);
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  s += ": " + targets_words(m, a.targets);
  if (a.when) s += ", when " + condition_words(m, *a.when);
  return s + ".";
}

std::string step_words(const sema::Model& m, const sema::Step& st) {
  std::string s = role_name(m, st.role);
  s += st.within ? " within " + duration_words(*st.within) : " (no time limit)";
  if (st.quorum > 1) s += ", " + std::to_string(st.quorum) + " different approvers";
  return s;
}

std::string timeout_words(const sema::Model& m, const sema::Escalation& e) {
  switch (e.on_timeout) {
    case ast::Escalation::Timeout::Deny: return "If no step decides in time, the request is denied.";
    case ast::Escalation::Timeout::EscalateTo: {
      const sema::Escalation& n = m.escalations[static_cast<std::size_t>(e.next)];
      return "If no step decides in time, the request moves to the review path “" + (n.title.empty() ? humanize(n.name) : n.title) + "”.";
    }
    case ast::Escalation::Timeout::None: break;
  }
  return "No timeout behaviour is set: the request stays pending until a step decides.";
}

}  // namespace redline::report
