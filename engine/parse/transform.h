// parse/transform.h — (internal to engine/parse) the typed transform from the
// ANTLR parse tree to ast::Module: one function per grammar rule. It decodes
// literals (RL1006, RL1008), reports clauses given twice (RL1012), checks
// `given` objects (RL1011) and list sizes (RL1015), and tolerates the holes
// error recovery leaves in the tree.
#pragma once

#include <memory>
#include <string_view>

#include "RedlineParser.h"
#include "ast/ast.h"
#include "diag/sink.h"
#include "parse/parse.h"
#include "parse/positions.h"

namespace redline::parse::detail {

using G = redline::grammar::RedlineParser;

/// Builds the AST of one file from its parse tree.
class Transform {
 public:
  /// `syntax_ok`: the parse reported no error (the tree has no holes).
  Transform(const Positions& pos, std::string_view text, diag::Sink& sink, const Limits& limits, bool syntax_ok)
      : pos_(pos), text_(text), sink_(sink), limits_(limits), syntax_ok_(syntax_ok) {}

  /// Fills `m` (imports, blocks, policies, order) from the tree of a whole file.
  void file(G::File_Context* c, ast::Module& m);

 private:
  // Leaves.
  std::string text(antlr4::tree::TerminalNode* t) const;
  std::string text(antlr4::ParserRuleContext* c) const;
  Span span(antlr4::tree::TerminalNode* t) const { return pos_.node(t); }
  Span span(antlr4::ParserRuleContext* c) const { return pos_.node(c); }
  ast::Ident ident(G::IdentContext* c) const;
  std::vector<ast::Ident> idents(G::IdentListContext* c);
  ast::Path path(G::PathContext* c) const;
  ast::StringLit string(antlr4::tree::TerminalNode* t, bool json = false);
  std::int64_t integer(antlr4::tree::TerminalNode* t);
  std::int64_t duration(antlr4::tree::TerminalNode* t);
  ast::Value value(G::ValueContext* c);
  std::vector<ast::Value> values(G::ValueListContext* c);
  ast::Pattern pattern(G::PatternContext* c) const;
  std::vector<ast::Pattern> targets(G::TargetsContext* c);
  ast::Obligation obligation(G::ObligationContext* c);
  std::vector<ast::Obligation> obligations(G::ObligationListContext* c);
  ast::Outcome outcome(G::OutcomeContext* c) const;
  // Expressions.
  std::unique_ptr<ast::Expr> expr(G::ExprContext* c);
  std::unique_ptr<ast::Expr> chain(G::ExprContext* c, ast::Expr::Kind kind);
  std::unique_ptr<ast::Expr> primary(G::PrimaryContext* c);
  // Declarations.
  ast::Import import_decl(G::ImportDeclContext* c);
  ast::PurposesBlock purposes(G::PurposesBlockContext* c);
  ast::PurposeNode purpose_node(G::PurposeNodeContext* c);
  ast::ContextBlock context(G::ContextBlockContext* c);
  ast::Type type(G::TypeSpecContext* c);
  ast::Policy policy(G::PolicyDeclContext* c);
  void member(G::MemberContext* c, ast::Policy& p);
  ast::Rule rule(G::RuleDeclContext* c);
  void clause(G::ClauseContext* c, ast::Rule& r);
  ast::Escalation escalation(G::EscalationDeclContext* c);
  ast::Step step(G::StepContext* c);
  ast::KillSwitch kill_switch(G::KillSwitchDeclContext* c);
  ast::Assertion assertion(G::AssertDeclContext* c);
  ast::Test test(G::TestDeclContext* c);
  void check_json(G::JsonObjectContext* c);
  // Diagnostics.
  void duplicate(antlr4::ParserRuleContext* clause, std::string_view keyword, std::string_view owner, std::string help = {});
  void check_count(std::size_t n, Span where, std::string_view what);

  const Positions& pos_;
  std::string_view text_;
  diag::Sink& sink_;
  const Limits& limits_;
  bool syntax_ok_;
  const std::vector<ast::Comment>* comments_ = nullptr;  // of the module being built (blanked out of `given` text)
};

}  // namespace redline::parse::detail
