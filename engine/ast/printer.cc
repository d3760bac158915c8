// ast/printer.cc — the AST dump of ast/printer.h: one node per line, children
// indented by two spaces, literals as written by `fmt`.
#include "ast/printer.h"

#include <sstream>

#include "ast/format.h"

namespace redline::ast {
namespace {

class Printer {
 public:
  explicit Printer(const PrintOptions& o) : o_(o) {}

  void module(const Module& m) {
    line(0, "module", {});
    for (auto [kind, i] : m.order) {
      switch (kind) {
        case Module::ItemKind::Import: line(1, "import " + quote(m.imports[i].path.value), m.imports[i].span); break;
        case Module::ItemKind::Purposes: purposes(1, m.purposes[i]); break;
        case Module::ItemKind::Context: context(1, m.contexts[i]); break;
        case Module::ItemKind::Policy: policy(1, m.policies[i]); break;
      }
    }
    if (o_.comments)
      for (const auto& c : m.comments) line(1, "comment " + quote(c.text), c.span);
  }

  void expr(int d, const Expr& e) {
    std::string head = kind_name(e);
    if (e.parenthesized) head += " (parenthesized)";
    line(d, head, e.span);
    for (const auto& k : e.kids) expr(d + 1, *k);
  }

  std::string str() const { return out_.str(); }

 private:
  std::string span_text(Span s) const {
    if (!o_.source) return {};
    LineCol b = o_.source->line_col(s.begin), e = o_.source->line_col(s.end);
    return " @" + std::to_string(b.line) + ':' + std::to_string(b.column) + '-' + std::to_string(e.line) + ':' + std::to_string(e.column);
  }

  void line(int d, const std::string& text, std::optional<Span> s) {
    out_ << std::string(static_cast<std::size_t>(d) * 2, ' ') << text;
    if (s) out_ << span_text(*s);
    out_ << '\n';
  }

  std::string kind_name(const Expr& e) const {
    std::string p = e.path.dotted();
    switch (e.kind) {
      case Expr::Kind::Or: return "or";
      case Expr::Kind::And: return "and";
      case Expr::Kind::Not: return "not";
      case Expr::Kind::Const: return e.constant ? "const true" : "const false";
      case Expr::Kind::Compare: return "compare " + p + ' ' + ast::to_string(e.op) + ' ' + values(e.values);
      case Expr::Kind::In: return "in " + p + " [" + values(e.values) + ']';
      case Expr::Kind::NotIn: return "not-in " + p + " [" + values(e.values) + ']';
      case Expr::Kind::Has: return "has " + p + ' ' + values(e.values);
      case Expr::Kind::HasAny: return "has any " + p + " [" + values(e.values) + ']';
      case Expr::Kind::HasAll: return "has all " + p + " [" + values(e.values) + ']';
      case Expr::Kind::Present: return "present " + p;
      case Expr::Kind::Missing: return "missing " + p;
    }
    return "?";
  }

  static std::string value(const Value& v) {
    switch (v.kind) {
      case Value::Kind::Ident: return "ident " + v.text;
      case Value::Kind::String: return "string " + quote(v.text);
      case Value::Kind::Int: return "int " + std::to_string(v.number);
      case Value::Kind::Duration: return "duration " + std::to_string(v.number) + "s";
      case Value::Kind::Bool: return v.number ? "bool true" : "bool false";
    }
    return "?";
  }

  static std::string values(const std::vector<Value>& vs) {
    std::string s;
    for (std::size_t i = 0; i < vs.size(); ++i) s += (i ? ", " : "") + value(vs[i]);
    return s;
  }

  static std::string idents(const std::vector<Ident>& ids) {
    std::string s;
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + ids[i].text;
    return s;
  }

  static std::string patterns(const std::vector<Pattern>& ps) {
    std::string s;
    for (std::size_t i = 0; i < ps.size(); ++i) s += (i ? ", " : "") + format_pattern(ps[i]);
    return s;
  }

  static std::string obligations(const std::vector<Obligation>& os) {
    std::string s;
    for (std::size_t i = 0; i < os.size(); ++i) s += (i ? ", " : "") + format_obligation(os[i]);
    return s;
  }

  void purpose(int d, const PurposeNode& n) {
    std::string t = "purpose " + n.name.text;
    if (n.description) t += ' ' + quote(n.description->value);
    if (n.has_block) t += " {}";
    line(d, t, n.span);
    for (const auto& k : n.children) purpose(d + 1, k);
  }

  void purposes(int d, const PurposesBlock& b) {
    line(d, "purposes", b.span);
    for (const auto& n : b.roots) purpose(d + 1, n);
  }

  void context(int d, const ContextBlock& b) {
    line(d, "context", b.span);
    for (const auto& a : b.attributes) line(d + 1, "attribute " + a.path.dotted() + ": " + format_type(a.type), a.span);
  }

  void policy(int d, const Policy& p) {
    std::string head = "policy " + quote(p.name.value);
    if (p.version) head += " version " + quote(p.version->value);
    if (p.extends) head += " extends " + quote(p.extends->value);
    line(d, head, p.span);
    for (auto [kind, i] : p.order) member(d + 1, p, kind, i);
  }

  void member(int d, const Policy& p, Policy::MemberKind kind, std::uint32_t i) {
    using MK = Policy::MemberKind;
    switch (kind) {
      case MK::Owner: line(d, "owner " + quote(p.owner->value), p.owner->span); break;
      case MK::Description: line(d, "description " + quote(p.description->value), p.description->span); break;
      case MK::Effective: line(d, "effective " + quote(p.effective->value), p.effective->span); break;
      case MK::Limits: line(d, "limits " + quote(p.limits[i].value), p.limits[i].span); break;
      case MK::Default:
        line(d, std::string("default ") + (p.default_effect == Effect::Permit ? "allow" : "deny"), p.default_span);
        break;
      case MK::Purposes: purposes(d, p.purposes[i]); break;
      case MK::Context: context(d, p.contexts[i]); break;
      case MK::Rule: rule(d, p.rules[i]); break;
      case MK::Escalation: escalation(d, p.escalations[i]); break;
      case MK::KillSwitch: kill_switch(d, p.kill_switches[i]); break;
      case MK::Assertion: assertion(d, p.assertions[i]); break;
      case MK::Test: test(d, p.tests[i]); break;
    }
  }

  void rule(int d, const Rule& r) {
    line(d, "rule " + r.name.text, r.span);
    line(d + 1, std::string("effect ") + to_string(r.effect), r.effect_span);
    line(d + 1, "targets " + patterns(r.targets), {});
    if (r.when) { line(d + 1, "when", {}); expr(d + 2, *r.when); }
    if (r.unless) { line(d + 1, "unless", {}); expr(d + 2, *r.unless); }
    if (r.by_span) line(d + 1, "by " + idents(r.by), *r.by_span);
    if (r.quorum) line(d + 1, "quorum " + std::to_string(*r.quorum), r.quorum_span);
    if (r.within) line(d + 1, "within " + std::to_string(*r.within) + "s", r.within_span);
    if (r.to) line(d + 1, "to " + r.to->text, r.to->span);
    if (r.signed_span) line(d + 1, "signed", *r.signed_span);
    if (r.human_span) line(d + 1, "human", *r.human_span);
    if (!r.obligations.empty()) line(d + 1, "oblige " + obligations(r.obligations), {});
    if (r.because) line(d + 1, "because " + quote(r.because->value), r.because->span);
    if (r.cite) line(d + 1, "cite " + quote(r.cite->value), r.cite->span);
    if (r.cite_version) line(d + 2, "version " + quote(r.cite_version->value), r.cite_version->span);
    if (r.cite_quote) line(d + 2, "quote " + quote(r.cite_quote->value), r.cite_quote->span);
    if (r.red_line_span) line(d + 1, "red_line", *r.red_line_span);
    if (r.acknowledge_span) line(d + 1, "acknowledge " + idents(r.acknowledged), *r.acknowledge_span);
    if (r.owner) line(d + 1, "owner " + quote(r.owner->value), r.owner->span);
  }

  void escalation(int d, const Escalation& e) {
    line(d, "escalation " + e.name.text + (e.title ? ' ' + quote(e.title->value) : std::string()), e.span);
    for (const auto& s : e.steps) {
      std::string t = "step " + s.role.text;
      if (s.quorum) t += " quorum " + std::to_string(*s.quorum);
      if (s.within) t += " within " + std::to_string(*s.within) + "s";
      line(d + 1, t, s.span);
    }
    if (e.on_timeout == Escalation::Timeout::Deny) line(d + 1, "on_timeout deny", e.timeout_span);
    if (e.on_timeout == Escalation::Timeout::EscalateTo)
      line(d + 1, "on_timeout escalate to " + (e.timeout_target ? e.timeout_target->text : std::string()), e.timeout_span);
  }

  void kill_switch(int d, const KillSwitch& k) {
    line(d, "kill_switch " + k.name.text, k.span);
    line(d + 1, "covers " + patterns(k.covers), {});
    if (!k.owners.empty()) line(d + 1, "owner " + idents(k.owners), {});
    if (k.because) line(d + 1, "because " + quote(k.because->value), k.because->span);
  }

  void assertion(int d, const Assertion& a) {
    line(d, "assert " + patterns(a.targets) + " is " + (a.at_least ? "at least " : "") + to_string(a.outcome), a.span);
    if (a.when) { line(d + 1, "when", {}); expr(d + 2, *a.when); }
  }

  void test(int d, const Test& t) {
    line(d, "test " + quote(t.name.value), t.span);
    line(d + 1, "given " + quote(t.given_json), t.given_span);
    line(d + 1, std::string("expect ") + to_string(t.expect), t.expect_span);
    if (t.has_obliging) line(d + 1, "obliging " + obligations(t.obliging), {});
  }

  const PrintOptions& o_;
  std::ostringstream out_;
};

}  // namespace

std::string print(const Module& m, const PrintOptions& options) {
  Printer p(options);
  p.module(m);
  return p.str();
}

std::string print(const Expr& e, const PrintOptions& options, int depth) {
  Printer p(options);
  p.expr(depth, e);
  return p.str();
}

}  // namespace redline::ast
