// tests/unit/parse/parse_helpers.h — parses a string as a .pol file for the
// parser, formatter and printer tests.
#pragma once

#include <string>

#include "ast/ast.h"
#include "ast/printer.h"
#include "diag/sink.h"
#include "parse/parse.h"

namespace redline::testing {

/// A parsed text with its source manager and diagnostics.
struct Parsed {
  SourceManager sources;
  Diagnostics diags;
  ast::Module module;
  /// The codes of every diagnostic, space-separated ("RL1001 RL1012").
  std::string codes() const {
    std::string s;
    for (const auto& d : diags.items) s += (s.empty() ? "" : " ") + d.code;
    return s;
  }
  /// The rendered diagnostics.
  std::string rendered() const { return diags.render(false); }
};

/// Parses `text` as file `path`.
inline std::unique_ptr<Parsed> parse_text(const std::string& text, const parse::Limits& limits = {}, const std::string& path = "t.pol") {
  auto p = std::make_unique<Parsed>();
  std::uint32_t id = p->sources.add(path, path, text);
  diag::Sink sink(p->sources, p->diags);
  p->module = parse::parse_file(p->sources, id, sink, limits);
  return p;
}

/// Wraps policy members in a policy with a default.
inline std::string in_policy(const std::string& members) { return "policy \"p\" {\n  default deny\n" + members + "\n}\n"; }

}  // namespace redline::testing
