// parse/positions.h — (internal to engine/parse) turns ANTLR token positions
// into byte spans. ANTLR indexes characters of its UTF-32 stream; spans are
// byte offsets into the UTF-8 source, so non-ASCII text needs a table.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "RedlineParser.h"
#include "source/source.h"

namespace redline::parse::detail {

/// Byte offsets of code point indexes, and spans of tokens and contexts.
class Positions {
 public:
  /// `text` is what the lexer saw; it starts at byte `base` of file `file`.
  Positions(std::string_view text, std::uint32_t base, std::uint32_t file);
  /// The byte offset (in the file) of code point index `cp` of the lexer's input.
  std::uint32_t byte(std::size_t cp) const;
  /// The span of a token; a token the parser conjured has an empty span at `fallback`.
  Span token(const antlr4::Token* t, std::uint32_t fallback = 0) const;
  /// The span of a terminal node (empty at 0 when null).
  Span node(antlr4::tree::TerminalNode* t) const { return token(t ? t->getSymbol() : nullptr); }
  /// The span from a context's first token to its last.
  Span node(antlr4::ParserRuleContext* c) const;
  /// True when the token came from the input (not conjured by error recovery).
  static bool real(const antlr4::Token* t) { return t && t->getStartIndex() != INVALID_INDEX && t->getTokenIndex() != INVALID_INDEX; }
  std::uint32_t file() const { return file_; }

 private:
  std::uint32_t base_, file_;
  std::vector<std::uint32_t> cp_to_byte_;  // INVARIANT: empty when the input is ASCII (identity)
};

}  // namespace redline::parse::detail
