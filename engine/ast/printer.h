// ast/printer.h — a readable, indented dump of an AST (`redline dump
// --stage=ast`), stable enough for golden tests. Without a source file the
// dump leaves out spans, so two ASTs that differ only in layout print alike.
#pragma once

#include <string>

#include "ast/ast.h"
#include "source/source.h"

namespace redline::ast {

/// What the dump shows.
struct PrintOptions {
  /// When set, every node is followed by its span as `@line:col-line:col`.
  const SourceFile* source = nullptr;
  /// When false, comments are left out.
  bool comments = true;
};

/// The dump of a whole module.
std::string print(const Module& m, const PrintOptions& options = {});

/// The dump of one expression (indented by `depth` levels).
std::string print(const Expr& e, const PrintOptions& options = {}, int depth = 0);

}  // namespace redline::ast
