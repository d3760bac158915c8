// parse/transform.cc — parse tree to AST, one function per grammar rule (see
// parse/transform.h). Every node's span runs from its first token to its last.
#include "parse/transform.h"

#include "ast/literals.h"

#include <nlohmann/json.hpp>

#include "parse/literals.h"

namespace redline::parse::detail {
namespace {

using ast::Expr;

std::unique_ptr<Expr> placeholder(Span s) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::Const;
  e->span = s;
  return e;
}

ast::CmpOp cmp_op(G::CmpOpContext* c) {
  if (!c) return ast::CmpOp::Eq;
  if (c->NE()) return ast::CmpOp::Ne;
  if (c->LT()) return ast::CmpOp::Lt;
  if (c->LE()) return ast::CmpOp::Le;
  if (c->GT()) return ast::CmpOp::Gt;
  if (c->GE()) return ast::CmpOp::Ge;
  return ast::CmpOp::Eq;
}

}  // namespace

// ---------------------------------------------------------------- leaves

std::string Transform::text(antlr4::tree::TerminalNode* t) const {
  Span s = span(t);
  return std::string(text_.substr(s.begin, s.end - s.begin));
}

std::string Transform::text(antlr4::ParserRuleContext* c) const {
  Span s = span(c);
  return std::string(text_.substr(s.begin, s.end - s.begin));
}

ast::Ident Transform::ident(G::IdentContext* c) const {
  if (!c || !Positions::real(c->getStart())) return {{}, span(c)};
  return {text(c), span(c)};
}

std::vector<ast::Ident> Transform::idents(G::IdentListContext* c) {
  std::vector<ast::Ident> out;
  if (!c) return out;
  for (auto* i : c->ident()) out.push_back(ident(i));
  check_count(out.size(), span(c), "names in one list");
  return out;
}

ast::Path Transform::path(G::PathContext* c) const {
  ast::Path p;
  p.span = span(c);
  if (!c) return p;
  for (auto* i : c->ident()) p.parts.push_back(ident(i));
  return p;
}

ast::StringLit Transform::string(antlr4::tree::TerminalNode* t, bool json) {
  ast::StringLit s;
  s.span = span(t);
  if (!t || !Positions::real(t->getSymbol())) return s;
  LiteralError err;
  if (!unescape_string(text(t), s.value, err, json)) {
    Span at{s.span.file, s.span.begin + err.offset, s.span.begin + err.offset + err.length};
    sink_.report(json ? diag::Code::InvalidTestJson : diag::Code::InvalidEscape, at,
                 json ? "invalid JSON in the `given` object: " + err.message : err.message, err.help);
  }
  return s;
}

std::int64_t Transform::integer(antlr4::tree::TerminalNode* t) {
  if (!t || !Positions::real(t->getSymbol())) return 0;
  std::int64_t v = 0;
  std::string s = text(t);
  if (!parse_int(s, v))
    sink_.report(diag::Code::IntegerOutOfRange, span(t), "the integer " + diag::quote(s) + " does not fit in 64 bits",
                 "integers range from -9223372036854775808 to 9223372036854775807");
  return v;
}

std::int64_t Transform::duration(antlr4::tree::TerminalNode* t) {
  if (!t || !Positions::real(t->getSymbol())) return 0;
  std::string s = text(t);
  std::optional<std::int64_t> v = redline::parse_duration(s);   // the lexer guarantees digits + one unit
  if (!v)
    sink_.report(diag::Code::IntegerOutOfRange, span(t), "the duration " + diag::quote(s) + " does not fit in 64 bits of seconds");
  return v.value_or(0);
}

ast::Value Transform::value(G::ValueContext* c) {
  ast::Value v;
  v.span = span(c);
  if (!c) return v;
  if (c->ident()) {
    v.kind = ast::Value::Kind::Ident;
    v.text = ident(c->ident()).text;
  } else if (c->STRING()) {
    v.kind = ast::Value::Kind::String;
    v.text = string(c->STRING()).value;
  } else if (c->INTEGER()) {
    v.kind = ast::Value::Kind::Int;
    v.text = text(c->INTEGER());
    v.number = integer(c->INTEGER());
  } else if (c->DURATION()) {
    v.kind = ast::Value::Kind::Duration;
    v.text = text(c->DURATION());
    v.number = duration(c->DURATION());
  } else {
    v.kind = ast::Value::Kind::Bool;
    v.number = c->KW_TRUE() ? 1 : 0;
    v.text = c->KW_TRUE() ? "true" : "false";
  }
  return v;
}

std::vector<ast::Value> Transform::values(G::ValueListContext* c) {
  std::vector<ast::Value> out;
  if (!c) return out;
  for (auto* v : c->value()) out.push_back(value(v));
  check_count(out.size(), span(c), "values in one list");
  return out;
}

ast::Pattern Transform::pattern(G::PatternContext* c) const {
  ast::Pattern p;
  p.span = span(c);
  if (!c) return p;
  if (!c->path()) {
    p.kind = ast::Pattern::Kind::All;
    return p;
  }
  p.path = path(c->path());
  p.kind = c->STAR() ? ast::Pattern::Kind::Descendants : ast::Pattern::Kind::Path;
  return p;
}

std::vector<ast::Pattern> Transform::targets(G::TargetsContext* c) {
  std::vector<ast::Pattern> out;
  if (!c) return out;
  for (auto* p : c->pattern()) out.push_back(pattern(p));
  check_count(out.size(), span(c), "targets");
  return out;
}

ast::Obligation Transform::obligation(G::ObligationContext* c) {
  ast::Obligation o;
  o.span = span(c);
  if (!c) return o;
  o.name = ident(c->ident());
  for (auto* a : c->obligationArg()) {
    ast::Obligation::Arg arg;
    arg.span = span(a);
    arg.quoted = a->STRING() != nullptr;
    arg.text = arg.quoted ? string(a->STRING()).value : ident(a->ident()).text;
    o.args.push_back(std::move(arg));
  }
  return o;
}

std::vector<ast::Obligation> Transform::obligations(G::ObligationListContext* c) {
  std::vector<ast::Obligation> out;
  if (!c) return out;
  for (auto* o : c->obligation()) out.push_back(obligation(o));
  check_count(out.size(), span(c), "obligations");
  return out;
}

ast::Outcome Transform::outcome(G::OutcomeContext* c) const {
  if (!c || c->KW_DENY()) return ast::Outcome::Deny;
  if (c->KW_ALLOW()) return ast::Outcome::Allow;
  if (c->KW_REQUIRE_APPROVAL()) return ast::Outcome::RequireApproval;
  return ast::Outcome::Escalate;
}

// ---------------------------------------------------------------- expressions

std::unique_ptr<Expr> Transform::expr(G::ExprContext* c) {
  if (!c) return placeholder(span(c));
  if (dynamic_cast<G::OrExprContext*>(c)) return chain(c, Expr::Kind::Or);
  if (dynamic_cast<G::AndExprContext*>(c)) return chain(c, Expr::Kind::And);
  if (auto* n = dynamic_cast<G::NotExprContext*>(c)) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Not;
    e->span = span(c);
    e->kids.push_back(expr(n->expr()));
    return e;
  }
  if (auto* p = dynamic_cast<G::PrimaryExprContext*>(c)) return primary(p->primary());
  return placeholder(span(c));
}

// `a or b or c` is a left spine in the tree; walk it without recursion so a
// long chain cannot exhaust the stack, and flatten it into one node.
std::unique_ptr<Expr> Transform::chain(G::ExprContext* c, Expr::Kind kind) {
  std::vector<G::ExprContext*> operands;
  G::ExprContext* cur = c;
  for (;;) {
    G::ExprContext *left = nullptr, *right = nullptr;
    if (auto* o = kind == Expr::Kind::Or ? dynamic_cast<G::OrExprContext*>(cur) : nullptr) {
      left = o->expr(0);
      right = o->expr(1);
    } else if (auto* a = kind == Expr::Kind::And ? dynamic_cast<G::AndExprContext*>(cur) : nullptr) {
      left = a->expr(0);
      right = a->expr(1);
    } else {
      break;
    }
    operands.push_back(right);
    cur = left;
  }
  operands.push_back(cur);
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = span(c);
  for (auto it = operands.rbegin(); it != operands.rend(); ++it) {
    auto k = expr(*it);
    if (k->kind == kind && !k->parenthesized) {
      for (auto& kk : k->kids) e->kids.push_back(std::move(kk));
    } else {
      e->kids.push_back(std::move(k));
    }
  }
  check_count(e->kids.size(), e->span, kind == Expr::Kind::Or ? "operands of `or`" : "operands of `and`");
  return e;
}

std::unique_ptr<Expr> Transform::primary(G::PrimaryContext* c) {
  if (auto* p = dynamic_cast<G::ParenExprContext*>(c)) {
    auto e = expr(p->expr());
    e->parenthesized = true;
    e->span = span(c);
    return e;
  }
  auto e = std::make_unique<Expr>();
  e->span = span(c);
  if (auto* k = dynamic_cast<G::ConstExprContext*>(c)) {
    e->kind = Expr::Kind::Const;
    e->constant = k->KW_TRUE() != nullptr;
  } else if (auto* cmp = dynamic_cast<G::CompareExprContext*>(c)) {
    e->kind = Expr::Kind::Compare;
    e->path = path(cmp->path());
    e->op = cmp_op(cmp->cmpOp());
    e->values.push_back(value(cmp->value()));
  } else if (auto* in = dynamic_cast<G::InExprContext*>(c)) {
    e->kind = Expr::Kind::In;
    e->path = path(in->path());
    e->values = values(in->valueList());
  } else if (auto* nin = dynamic_cast<G::NotInExprContext*>(c)) {
    e->kind = Expr::Kind::NotIn;
    e->path = path(nin->path());
    e->values = values(nin->valueList());
  } else if (auto* hs = dynamic_cast<G::HasSetExprContext*>(c)) {
    e->kind = hs->KW_ALL() ? Expr::Kind::HasAll : Expr::Kind::HasAny;
    e->path = path(hs->path());
    e->values = values(hs->valueList());
  } else if (auto* h = dynamic_cast<G::HasExprContext*>(c)) {
    e->kind = Expr::Kind::Has;
    e->path = path(h->path());
    e->values.push_back(value(h->value()));
  } else if (auto* is = dynamic_cast<G::IsExprContext*>(c)) {
    e->kind = is->KW_MISSING() ? Expr::Kind::Missing : Expr::Kind::Present;
    e->path = path(is->path());
  }
  return e;
}

// ---------------------------------------------------------------- diagnostics

void Transform::duplicate(antlr4::ParserRuleContext* clause, std::string_view keyword, std::string_view owner, std::string help) {
  if (help.empty()) help = "keep one of them";
  sink_.report(diag::Code::DuplicateClause, span(clause),
               std::string(owner) + " has two " + diag::quote(keyword) + " clauses", std::move(help));
}

void Transform::check_count(std::size_t n, Span where, std::string_view what) {
  if (n <= limits_.max_items) return;
  sink_.report(diag::Code::TooManyItems, where,
               "too many " + std::string(what) + ": " + std::to_string(n) + ", more than the limit of " + std::to_string(limits_.max_items));
}

}  // namespace redline::parse::detail
