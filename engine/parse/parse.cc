// parse/parse.cc — parse_file: checks the raw bytes (size, UTF-8, NUL), lexes,
// reports lexical errors and hostile nesting before any recursive parsing,
// parses with SLL prediction and falls back to full LL with our error
// strategy, then builds the AST. Nothing ANTLR throws escapes.
#include "parse/parse.h"

#include <antlr4-runtime.h>

#include "RedlineLexer.h"
#include "RedlineParser.h"
#include "parse/literals.h"
#include "parse/positions.h"
#include "parse/syntax_errors.h"
#include "parse/transform.h"

namespace redline::parse {
namespace {

using G = redline::grammar::RedlineParser;
using detail::Positions;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Size, encoding and NUL checks on the raw bytes; false when the file cannot be lexed.
bool check_bytes(std::string_view text, std::uint32_t file, diag::Sink& sink, const Limits& limits) {
  if (text.size() > limits.max_file_bytes) {
    sink.report(diag::Code::FileTooLarge, {file, 0, 0},
                "the file is larger than the limit of " + std::to_string(limits.max_file_bytes) + " bytes",
                "split the policy into several files joined by `import`");
    return false;
  }
  if (std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    static const char* hex = "0123456789ABCDEF";
    unsigned char b = static_cast<unsigned char>(text[bad]);
    std::string byte = {'0', 'x', hex[b >> 4], hex[b & 15]};
    auto at = static_cast<std::uint32_t>(bad);
    sink.report(diag::Code::InvalidUtf8, {file, at, at + 1}, "the file is not valid UTF-8: byte " + byte + " at offset " + std::to_string(bad),
                "save the file as UTF-8");
    return false;
  }
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    auto at = static_cast<std::uint32_t>(nul);
    sink.report(diag::Code::NulByte, {file, at, at + 1}, "the file contains a NUL byte", "is this a binary file?");
    return false;
  }
  return true;
}

std::string error_char_help(std::string_view chars) {
  unsigned char c = static_cast<unsigned char>(chars[0]);
  if (c >= 0x80) return "names are written with ASCII letters, digits and `_`";
  switch (c) {
    case '=': return "compare with `==`";
    case '!': return "`!=` compares; negation is written `not`";
    case '\'': return "strings are written in double quotes";
    case '#': return "comments start with `//`";
    case '&': return "write `and`";
    case '|': return "write `or`";
    case '-': return "a `-` can only start a negative integer";
    default: return {};
  }
}

// Everything after the byte checks, for one file.
class Driver {
 public:
  Driver(std::string_view text, std::uint32_t base, std::uint32_t file, diag::Sink& sink, const Limits& limits)
      : text_(text), file_(file), sink_(sink), limits_(limits),
        pos_(text.substr(base), base, file), input_(std::string(text.substr(base))), lexer_(&input_), tokens_(&lexer_),
        errors_(sink, pos_, tokens_, lexer_.getVocabulary(), text, limits.max_errors), listener_(errors_) {}

  void run(ast::Module& m) {
    lexer_.removeErrorListeners();
    lexer_.addErrorListener(&listener_);
    tokens_.fill();
    if (!scan(m)) return;
    parse(m);
  }

 private:
  // Collects comments and reports lexical errors and excessive nesting; false
  // when the parser must not run.
  bool scan(ast::Module& m) {
    std::size_t lexical = 0, depth = 0, nots = 0;
    bool anything = false;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      antlr4::Token* t = tokens_.get(i);
      std::size_t type = t->getType();
      Span s = pos_.token(t);
      if (type == G::LINE_COMMENT || type == G::BLOCK_COMMENT) {
        m.comments.push_back({std::string(text_.substr(s.begin, s.end - s.begin)), s});
        continue;
      }
      if (type == G::ERROR_CHAR || type == G::UNTERMINATED_STRING || type == G::UNTERMINATED_COMMENT) {
        if (lexical++ < limits_.max_errors) report_lexical(i, type, s);
        continue;
      }
      if (type == antlr4::Token::EOF) break;
      anything = true;
      if (type == G::LPAREN || type == G::LBRACK || type == G::LBRACE) ++depth;
      else if ((type == G::RPAREN || type == G::RBRACK || type == G::RBRACE) && depth > 0) --depth;
      nots = type == G::KW_NOT ? nots + 1 : type == G::LPAREN ? nots : 0;
      if (depth + nots > limits_.max_nesting) {
        sink_.report(diag::Code::NestingTooDeep, s,
                     "brackets, parentheses and `not` are nested more than " + std::to_string(limits_.max_nesting) + " deep",
                     "simplify the condition or the `given` object");
        return false;
      }
    }
    if (lexical > 0) return false;
    if (!anything) {
      sink_.report(diag::Code::EmptyFile, {file_, 0, 0}, "the file declares nothing");
      return false;
    }
    return true;
  }

  void report_lexical(std::size_t& i, std::size_t type, Span s) {
    if (type == G::UNTERMINATED_STRING) {
      sink_.report(diag::Code::UnterminatedString, s, "this string is not closed", "add a closing `\"` before the end of the line");
    } else if (type == G::UNTERMINATED_COMMENT) {
      sink_.report(diag::Code::UnterminatedComment, {s.file, s.begin, s.begin + 2}, "this block comment is not closed", "close it with `*/`");
    } else {
      // Adjacent stray characters (a non-ASCII word, say) make one diagnostic.
      while (i + 1 < tokens_.size() && tokens_.get(i + 1)->getType() == G::ERROR_CHAR && pos_.token(tokens_.get(i + 1)).begin == s.end)
        s.end = pos_.token(tokens_.get(++i)).end;
      std::string_view chars = text_.substr(s.begin, s.end - s.begin);
      sink_.report(diag::Code::InvalidCharacter, s,
                   std::string(chars.size() > 1 && (static_cast<unsigned char>(chars[0]) < 0x80 || chars.size() > 4) ? "unexpected characters " : "unexpected character ") +
                       diag::quote(chars),
                   error_char_help(chars));
    }
  }

  // SLL first (fast, bails at the first error); on failure, full LL with our
  // error strategy. The tree belongs to the parser, so the AST is built here.
  void parse(ast::Module& m) {
    G parser(&tokens_);
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    G::File_Context* tree = nullptr;
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      tokens_.seek(0);
      parser.reset();
      parser.setErrorHandler(std::make_shared<detail::ErrorStrategy>(errors_));
      parser.addErrorListener(&listener_);
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
      try {
        tree = parser.file_();
      } catch (const antlr4::ParseCancellationException&) {
        return;  // too many errors: stop here
      }
    }
    detail::Transform(pos_, text_, sink_, limits_, errors_.count() == 0).file(tree, m);
  }

  std::string_view text_;
  std::uint32_t file_;
  diag::Sink& sink_;
  const Limits& limits_;
  Positions pos_;
  antlr4::ANTLRInputStream input_;
  redline::grammar::RedlineLexer lexer_;
  antlr4::CommonTokenStream tokens_;
  detail::SyntaxErrors errors_;
  detail::ErrorListener listener_;
};

}  // namespace

ast::Module parse_file(const SourceManager& sources, std::uint32_t file, diag::Sink& sink, const Limits& limits) {
  ast::Module m;
  m.file = file;
  try {
    const std::string& text = sources.file(file).text();
    if (!check_bytes(text, file, sink, limits)) return m;
    std::uint32_t base = 0;
    while (std::string_view(text).substr(base, 3) == kBom) base += 3;
    Driver(text, base, file, sink, limits).run(m);
  } catch (const std::exception&) {
    sink.report(diag::Code::SyntaxError, {file, 0, 0}, "the parser stopped unexpectedly; the file could not be read completely");
  } catch (...) {
    sink.report(diag::Code::SyntaxError, {file, 0, 0}, "the parser stopped unexpectedly; the file could not be read completely");
  }
  return m;
}

}  // namespace redline::parse
