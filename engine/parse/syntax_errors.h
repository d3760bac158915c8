// parse/syntax_errors.h — (internal to engine/parse) our replacement for
// ANTLR's error reporting: an error strategy and listeners that phrase every
// syntax error for humans ("expected `;` after the rule `x`"), pick its
// RL1xxx code, suppress cascades and stop after a handful of errors. No
// ANTLR message text ever reaches a user.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "RedlineParser.h"
#include "diag/sink.h"
#include "parse/positions.h"

namespace redline::parse::detail {

/// How the parser noticed the error.
enum class ErrorKind { Mismatch, NoViable, Unwanted, Missing, Other };

/// Composes and reports syntax errors for one file.
class SyntaxErrors {
 public:
  SyntaxErrors(diag::Sink& sink, const Positions& pos, antlr4::TokenStream& tokens, const antlr4::dfa::Vocabulary& vocab,
               std::string_view text, std::size_t max_errors)
      : sink_(sink), pos_(pos), tokens_(tokens), vocab_(vocab), text_(text), max_(max_errors) {}

  /// Reports an error at `offending` in rule context `ctx`, given the tokens
  /// that would have been accepted. Throws antlr4::ParseCancellationException
  /// once the limit of errors is reached, to stop the parse.
  void report(antlr4::ParserRuleContext* ctx, antlr4::Token* offending, const antlr4::misc::IntervalSet& expected, ErrorKind kind);
  /// Reports an error the strategy did not classify (a fallback; never expected).
  void report_plain(antlr4::Token* offending);
  /// The number of errors reported.
  std::size_t count() const { return count_; }

 private:
  struct Message {
    diag::Code code = diag::Code::SyntaxError;
    std::string text, help;
  };
  Message compose(antlr4::ParserRuleContext* ctx, antlr4::Token* offending, const antlr4::misc::IntervalSet& expected, ErrorKind kind) const;
  std::string found(antlr4::Token* t) const;
  std::string text_of(antlr4::Token* t) const;
  std::string describe(antlr4::ParserRuleContext* ctx, const antlr4::misc::IntervalSet& expected) const;
  antlr4::Token* previous(antlr4::Token* t) const;
  Span where(antlr4::Token* t) const;
  void emit(antlr4::Token* offending, Message m);

  diag::Sink& sink_;
  const Positions& pos_;
  antlr4::TokenStream& tokens_;
  const antlr4::dfa::Vocabulary& vocab_;
  std::string_view text_;
  std::size_t max_, count_ = 0;
  std::size_t quiet_until_ = 0;  // errors at token indexes <= this are cascades, not reported
  bool any_ = false;
};

/// DefaultErrorStrategy's recovery with our reporting.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit ErrorStrategy(SyntaxErrors& errors) : errors_(errors) {}

 protected:
  void reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* p) override;
  void reportMissingToken(antlr4::Parser* p) override;

 private:
  SyntaxErrors& errors_;
};

/// Catches whatever still reaches an error listener (lexer or parser) and reports it plainly.
class ErrorListener : public antlr4::BaseErrorListener {
 public:
  explicit ErrorListener(SyntaxErrors& errors) : errors_(errors) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t column,
                   const std::string& msg, std::exception_ptr e) override;

 private:
  SyntaxErrors& errors_;
};

/// Keywords and suggestions shared with the transform: the closest of
/// `candidates` to `word` within a small edit distance, or empty.
std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates);

}  // namespace redline::parse::detail
