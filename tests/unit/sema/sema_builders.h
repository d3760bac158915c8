// tests/unit/sema/sema_builders.h — builds ast::Module values by hand for the
// semantic-checker tests (no parser needed): every token a builder makes is
// appended to the fixture's source text, so spans point at real text and
// diagnostics render with a caret under it.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "diag/sink.h"
#include "sema/frontend.h"
#include "sema/model.h"

namespace redline::testing {

/// The outcome of checking a fixture: the model (or null) and the diagnostics.
struct CheckResult {
  std::unique_ptr<sema::Model> model;
  Diagnostics diags;
  /// The codes reported, in order.
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diags.items) out.push_back(d.code);
    return out;
  }
  /// The number of diagnostics with `code`.
  std::size_t count(const std::string& code) const {
    return static_cast<std::size_t>(std::count_if(diags.items.begin(), diags.items.end(), [&](const Diagnostic& d) { return d.code == code; }));
  }
  /// The first diagnostic with `code` (fails the test when there is none).
  const Diagnostic& first(const std::string& code) const {
    for (const auto& d : diags.items)
      if (d.code == code) return d;
    FAIL("no diagnostic " << code << " in:\n" << diags.render());
    return diags.items.front();
  }
  /// Every diagnostic rendered, for failure messages.
  std::string text() const { return diags.render(); }
};

/// A compilation under construction: one or more files with modules.
class Fixture {
 public:
  // INVARIANT: capacities are reserved up front so references the builders
  // return stay valid while a test adds more (at most 8 files, 16 policies
  // per file, 32 members of each kind per policy).
  Fixture() {
    modules_.reserve(8);
    new_file("test.pol");
  }

  /// Starts a new file (and module); later builders put their tokens there.
  ast::Module& new_file(const std::string& name) {
    names_.push_back(name);
    texts_.emplace_back();
    modules_.emplace_back();
    modules_.back().file = static_cast<std::uint32_t>(modules_.size() - 1);
    modules_.back().policies.reserve(16);
    modules_.back().purposes.reserve(32);
    modules_.back().contexts.reserve(64);
    return modules_.back();
  }
  /// The module of the current file.
  ast::Module& mod() { return modules_.back(); }

  /// Appends `s` (and a space) to the current file's text; returns its span.
  Span tok(std::string_view s) {
    std::string& t = texts_.back();
    Span sp{static_cast<std::uint32_t>(texts_.size() - 1), static_cast<std::uint32_t>(t.size()), 0};
    t.append(s);
    sp.end = static_cast<std::uint32_t>(t.size());
    t += ' ';
    return sp;
  }
  /// Appends a line break to the current file's text.
  void nl() { texts_.back() += '\n'; }

  ast::Ident id(const std::string& s) { return {s, tok(s)}; }
  ast::StringLit str(const std::string& s) {
    Span sp = tok("\"" + s + "\"");
    return {s, sp};
  }
  ast::Path path(const std::string& dotted) {
    ast::Path p;
    std::size_t start = static_cast<std::uint32_t>(texts_.back().size());
    std::size_t b = 0;
    while (true) {
      std::size_t e = dotted.find('.', b);
      std::string part = dotted.substr(b, e == std::string::npos ? std::string::npos : e - b);
      std::string& t = texts_.back();
      Span sp{static_cast<std::uint32_t>(texts_.size() - 1), static_cast<std::uint32_t>(t.size()), 0};
      t += part;
      sp.end = static_cast<std::uint32_t>(t.size());
      p.parts.push_back({part, sp});
      if (e == std::string::npos) break;
      t += '.';
      b = e + 1;
    }
    p.span = {static_cast<std::uint32_t>(texts_.size() - 1), static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(texts_.back().size())};
    texts_.back() += ' ';
    return p;
  }
  /// `a.b`, `a.b.*` or `*`.
  ast::Pattern pat(const std::string& s) {
    ast::Pattern p;
    if (s == "*") {
      p.kind = ast::Pattern::Kind::All;
      p.span = tok("*");
      return p;
    }
    bool desc = s.size() > 2 && s.substr(s.size() - 2) == ".*";
    p.kind = desc ? ast::Pattern::Kind::Descendants : ast::Pattern::Kind::Path;
    p.path = path(desc ? s.substr(0, s.size() - 2) : s);
    p.span = p.path.span;
    if (desc) p.span.end += 2;
    return p;
  }
  std::vector<ast::Pattern> pats(std::initializer_list<const char*> ss) {
    std::vector<ast::Pattern> out;
    for (auto s : ss) out.push_back(pat(s));
    return out;
  }

  /// A `purposes { ... }` block from text such as `chat bio "desc" { face voice }`,
  /// added to `policy` when given, else to the current module.
  ast::PurposesBlock& purposes(const std::string& src, ast::Policy* policy = nullptr) {
    std::vector<std::string> toks;
    for (std::size_t i = 0; i < src.size();) {
      if (std::isspace(static_cast<unsigned char>(src[i]))) { ++i; continue; }
      if (src[i] == '{' || src[i] == '}') { toks.emplace_back(1, src[i++]); continue; }
      if (src[i] == '"') {
        std::size_t e = src.find('"', i + 1);
        toks.push_back(src.substr(i, e - i + 1));
        i = e + 1;
        continue;
      }
      std::size_t e = i;
      while (e < src.size() && !std::isspace(static_cast<unsigned char>(src[e])) && src[e] != '{' && src[e] != '}') ++e;
      toks.push_back(src.substr(i, e - i));
      i = e;
    }
    ast::PurposesBlock b;
    b.span = tok("purposes");
    std::size_t pos = 0;
    b.roots = nodes(toks, pos);
    auto& list = policy ? policy->purposes : mod().purposes;
    list.push_back(std::move(b));
    nl();
    return list.back();
  }

  /// A type: kind plus values (Enum/Tags/Level).
  ast::Type type(ast::Type::Kind k, std::initializer_list<const char*> values = {}) {
    ast::Type t;
    t.kind = k;
    t.span = tok(k == ast::Type::Kind::Enum ? "enum" : k == ast::Type::Kind::Level ? "level" : k == ast::Type::Kind::Tags ? "tags" : "type");
    for (auto v : values) t.values.push_back(id(v));
    t.span.end = static_cast<std::uint32_t>(texts_.back().size() - 1);
    return t;
  }
  /// Declares `path: type` in a context block (of `policy` when given).
  void attr(const std::string& p, ast::Type t, ast::Policy* policy = nullptr) {
    auto& list = policy ? policy->contexts : mod().contexts;
    ast::AttributeDecl d;
    d.path = path(p);
    d.type = std::move(t);
    d.span = d.path.span.to(d.type.span);
    ast::ContextBlock b;
    b.span = d.span;
    b.attributes.push_back(std::move(d));
    list.push_back(std::move(b));
    nl();
  }

  // ---- values and conditions ----
  ast::Value vid(const std::string& s) { return value(ast::Value::Kind::Ident, s, 0, s); }
  ast::Value vstr(const std::string& s) { return value(ast::Value::Kind::String, s, 0, "\"" + s + "\""); }
  ast::Value vint(std::int64_t n) { return value(ast::Value::Kind::Int, std::to_string(n), n, std::to_string(n)); }
  ast::Value vdur(const std::string& text, std::int64_t seconds) { return value(ast::Value::Kind::Duration, text, seconds, text); }
  ast::Value vbool(bool b) { return value(ast::Value::Kind::Bool, b ? "true" : "false", b, b ? "true" : "false"); }

  using E = std::unique_ptr<ast::Expr>;
  E cmp(const std::string& p, ast::CmpOp op, ast::Value v) { return atom(ast::Expr::Kind::Compare, p, {std::move(v)}, op); }
  E in(const std::string& p, std::vector<ast::Value> vs) { return atom(ast::Expr::Kind::In, p, std::move(vs)); }
  E has(const std::string& p, ast::Value v) { return atom(ast::Expr::Kind::Has, p, {std::move(v)}); }
  E has_any(const std::string& p, std::vector<ast::Value> vs) { return atom(ast::Expr::Kind::HasAny, p, std::move(vs)); }
  E has_all(const std::string& p, std::vector<ast::Value> vs) { return atom(ast::Expr::Kind::HasAll, p, std::move(vs)); }
  E present(const std::string& p) { return atom(ast::Expr::Kind::Present, p, {}); }
  E missing(const std::string& p) { return atom(ast::Expr::Kind::Missing, p, {}); }
  E k(bool b) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::Expr::Kind::Const;
    e->constant = b;
    e->span = tok(b ? "true" : "false");
    return e;
  }
  E logic(ast::Expr::Kind kind, E a, E b = nullptr) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->span = a->span;
    if (b) e->span = a->span.to(b->span);
    e->kids.push_back(std::move(a));
    if (b) e->kids.push_back(std::move(b));
    return e;
  }
  E and_(E a, E b) { return logic(ast::Expr::Kind::And, std::move(a), std::move(b)); }
  E or_(E a, E b) { return logic(ast::Expr::Kind::Or, std::move(a), std::move(b)); }
  E not_(E a) { return logic(ast::Expr::Kind::Not, std::move(a)); }

  // ---- policies and members ----
  /// A policy with an optional default (`allow`/`deny`/"" for none) and base.
  ast::Policy& policy(const std::string& name, const std::string& dflt = "deny", const std::string& extends = "") {
    nl();
    ast::Policy p;
    Span kw = tok("policy");
    p.name = str(name);
    if (!extends.empty()) {
      tok("extends");
      p.extends = str(extends);
    }
    if (!dflt.empty()) {
      p.default_span = tok("default");
      p.default_effect = dflt == "allow" ? Effect::Permit : Effect::Prohibit;
      tok(dflt);
    }
    p.span = kw;
    p.span.end = static_cast<std::uint32_t>(texts_.back().size());
    p.rules.reserve(32);
    p.escalations.reserve(32);
    p.kill_switches.reserve(32);
    p.assertions.reserve(32);
    p.tests.reserve(32);
    p.purposes.reserve(32);
    p.contexts.reserve(32);
    REQUIRE(mod().policies.size() < 16);
    mod().policies.push_back(std::move(p));
    nl();
    return mod().policies.back();
  }
  using Effect = ast::Effect;
  /// A rule `name: effect targets` appended to `p`; set further clauses on the result.
  ast::Rule& rule(ast::Policy& p, const std::string& name, Effect eff, std::initializer_list<const char*> targets) {
    ast::Rule r;
    Span kw = tok("rule");
    r.name = id(name);
    r.effect = eff;
    r.effect_span = tok(ast::to_string(eff));
    r.targets = pats(targets);
    r.span = kw;
    r.span.end = static_cast<std::uint32_t>(texts_.back().size());
    p.rules.push_back(std::move(r));
    nl();
    return p.rules.back();
  }
  /// `escalation name { step role... }` appended to `p`.
  ast::Escalation& escalation(ast::Policy& p, const std::string& name, std::initializer_list<const char*> roles) {
    ast::Escalation e;
    e.span = tok("escalation");
    e.name = id(name);
    for (auto r : roles) {
      ast::Step s;
      s.span = tok("step");
      s.role = id(r);
      e.steps.push_back(std::move(s));
    }
    p.escalations.push_back(std::move(e));
    nl();
    return p.escalations.back();
  }
  /// Sets `on_timeout escalate to target` on an escalation.
  void timeout_to(ast::Escalation& e, const std::string& target) {
    e.on_timeout = ast::Escalation::Timeout::EscalateTo;
    e.timeout_span = tok("on_timeout");
    e.timeout_target = id(target);
    e.timeout_span.end = e.timeout_target->span.end;
    nl();
  }
  ast::KillSwitch& kill_switch(ast::Policy& p, const std::string& name, std::initializer_list<const char*> covers,
                               std::initializer_list<const char*> owners) {
    ast::KillSwitch k;
    k.span = tok("kill_switch");
    k.name = id(name);
    tok("covers");
    k.covers = pats(covers);
    for (auto o : owners) k.owners.push_back(id(o));
    p.kill_switches.push_back(std::move(k));
    nl();
    return p.kill_switches.back();
  }
  ast::Assertion& assertion(ast::Policy& p, std::initializer_list<const char*> targets, ast::Outcome o, bool at_least = false) {
    ast::Assertion a;
    a.span = tok("assert");
    a.targets = pats(targets);
    a.at_least = at_least;
    a.outcome = o;
    a.outcome_span = tok(ast::to_string(o));
    p.assertions.push_back(std::move(a));
    nl();
    return p.assertions.back();
  }
  ast::Test& test(ast::Policy& p, const std::string& name, const std::string& json, ast::Outcome o) {
    ast::Test t;
    t.span = tok("test");
    t.name = str(name);
    t.given_json = json;
    t.given_span = tok(json);
    t.expect = o;
    t.expect_span = tok(ast::to_string(o));
    p.tests.push_back(std::move(t));
    nl();
    return p.tests.back();
  }
  ast::Obligation obligation(const std::string& name, std::vector<std::pair<std::string, bool>> args = {}) {
    ast::Obligation o;
    o.name = id(name);
    for (auto& [text, quoted] : args) o.args.push_back({text, quoted, tok(quoted ? "\"" + text + "\"" : text)});
    o.span = o.name.span;
    return o;
  }

  /// Runs sema::check over every file built so far.
  CheckResult run() {
    SourceManager sm;
    for (std::size_t i = 0; i < texts_.size(); ++i) sm.add(names_[i], names_[i], texts_[i]);
    CheckResult r;
    diag::Sink sink(sm, r.diags);
    r.model = sema::check(sm, modules_, sink);
    return r;
  }

 private:
  ast::Value value(ast::Value::Kind k, std::string text, std::int64_t n, const std::string& src) {
    ast::Value v;
    v.kind = k;
    v.text = std::move(text);
    v.number = n;
    v.span = tok(src);
    return v;
  }
  E atom(ast::Expr::Kind kind, const std::string& p, std::vector<ast::Value> vs, ast::CmpOp op = ast::CmpOp::Eq) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->op = op;
    e->path = path(p);
    e->values = std::move(vs);
    e->span = e->path.span;
    if (!e->values.empty()) e->span = e->span.to(e->values.back().span);
    return e;
  }
  std::vector<ast::PurposeNode> nodes(const std::vector<std::string>& toks, std::size_t& pos) {
    std::vector<ast::PurposeNode> out;
    while (pos < toks.size() && toks[pos] != "}") {
      ast::PurposeNode n;
      n.name = id(toks[pos++]);
      n.span = n.name.span;
      if (pos < toks.size() && toks[pos][0] == '"') {
        std::string s = toks[pos++];
        n.description = ast::StringLit{s.substr(1, s.size() - 2), tok(s)};
      }
      if (pos < toks.size() && toks[pos] == "{") {
        ++pos;
        tok("{");
        n.has_block = true;
        n.children = nodes(toks, pos);
        ++pos;  // '}'
        tok("}");
      }
      out.push_back(std::move(n));
    }
    return out;
  }

  std::vector<std::string> names_, texts_;
  std::vector<ast::Module> modules_;
};

}  // namespace redline::testing
