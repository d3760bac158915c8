// ast/format.h — the canonical formatter behind `redline fmt`: 2-space
// indentation, one rule clause per line, canonical spacing and clause order,
// strings re-escaped, conditions with the fewest parentheses their precedence
// needs (plus every pair the author wrote), blank lines between members kept
// (at most one), and every comment kept. Formatting is idempotent and keeps
// the meaning: parsing the output gives the same AST, spans aside.
#pragma once

#include <string>
#include <string_view>

#include "ast/ast.h"

namespace redline::ast {

/// The canonical text of a module; `source` is the text it was parsed from
/// (for comments, blank lines and the spelling of durations).
std::string format(const Module& m, std::string_view source);

/// A string literal: quoted, with `"`, `\`, newlines, tabs and control characters escaped.
std::string quote(std::string_view value);
/// A condition with minimal parentheses (those the author wrote are kept).
std::string format_expr(const Expr& e);
/// A literal value as written in a condition.
std::string format_value(const Value& v);
/// A purpose pattern: `a.b`, `a.*` or `*`.
std::string format_pattern(const Pattern& p);
/// An obligation: `name` or `name(a, "b")`.
std::string format_obligation(const Obligation& o);
/// An attribute type: `bool`, `enum { a, b }`, `level { a < b }`, ...
std::string format_type(const Type& t);
/// A number of seconds as a duration literal in the largest exact unit (`90s`, `10m`, `72h` → `3d`).
std::string format_duration(std::int64_t seconds);

}  // namespace redline::ast
