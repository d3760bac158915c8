// parse/parse.h — the parser's entry point: source text to ast::Module, with
// syntax errors as diagnostics. The only module that includes ANTLR.
#pragma once

#include <cstddef>

#include "ast/ast.h"
#include "diag/sink.h"
#include "source/source.h"

namespace redline::parse {

/// Limits that keep hostile input from exhausting memory or stack.
struct Limits {
  std::size_t max_file_bytes = 16u << 20;  ///< larger files: RL1010
  std::size_t max_nesting = 200;           ///< (), [], {} nesting (and chains of `not`): RL1009
  std::size_t max_items = 1000000;         ///< rules in a policy, values in a list, operands of `and`/`or`: RL1015
  std::size_t max_errors = 10;             ///< syntax errors reported per file before giving up
};

/// Parses file `file` of `sources`. Never throws; syntax errors go to `sink`
/// and the module holds whatever could be recovered.
ast::Module parse_file(const SourceManager& sources, std::uint32_t file, diag::Sink& sink, const Limits& limits = {});

}  // namespace redline::parse
