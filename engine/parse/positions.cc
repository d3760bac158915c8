// parse/positions.cc — code point index to byte offset mapping of parse/positions.h.
#include "parse/positions.h"

namespace redline::parse::detail {

Positions::Positions(std::string_view text, std::uint32_t base, std::uint32_t file) : base_(base), file_(file) {
  bool ascii = true;
  for (unsigned char c : text) {
    if (c >= 0x80) { ascii = false; break; }
  }
  if (ascii) return;
  cp_to_byte_.reserve(text.size() + 1);
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) cp_to_byte_.push_back(i);
  }
  cp_to_byte_.push_back(static_cast<std::uint32_t>(text.size()));
}

std::uint32_t Positions::byte(std::size_t cp) const {
  if (cp_to_byte_.empty()) return base_ + static_cast<std::uint32_t>(cp);
  if (cp >= cp_to_byte_.size()) return base_ + cp_to_byte_.back();
  return base_ + cp_to_byte_[cp];
}

Span Positions::token(const antlr4::Token* t, std::uint32_t fallback) const {
  if (!real(t)) return {file_, fallback, fallback};
  if (t->getType() == antlr4::Token::EOF) {
    std::uint32_t b = byte(t->getStartIndex());
    return {file_, b, b};
  }
  return {file_, byte(t->getStartIndex()), byte(t->getStopIndex() + 1)};
}

Span Positions::node(antlr4::ParserRuleContext* c) const {
  if (!c) return {file_, 0, 0};
  Span s = token(c->getStart());
  const antlr4::Token* stop = c->getStop();
  if (real(stop) && c->getStart() && stop->getTokenIndex() >= c->getStart()->getTokenIndex()) {
    Span e = token(stop);
    if (e.end > s.end) s.end = e.end;
  }
  return s;
}

}  // namespace redline::parse::detail
