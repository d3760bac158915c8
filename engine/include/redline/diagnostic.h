// redline/diagnostic.h — compile diagnostics as plain values: severity, stable
// code (RL1xxx syntax, RL2xxx names, RL3xxx types, RL4xxx analysis, RL5xxx
// requests), message, location and the source line, with text and JSON renderers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace redline {

/// How serious a diagnostic is; errors make a compilation fail.
enum class Severity : std::uint8_t { error, warning, note };

/// The lowercase name of a severity (`error`, `warning`, `note`).
const char* to_string(Severity s);

/// One diagnostic, located in a source file (line and column are 1-based;
/// columns count Unicode code points). A diagnostic without a file has line 0.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;          ///< stable code, e.g. "RL2003"
  std::string message;       ///< lowercase, one line, user text in backticks
  std::string file;          ///< path as given by the user (or "<input>")
  std::uint32_t line = 0, column = 0, end_line = 0, end_column = 0;
  std::string source_line;   ///< the text of `line`, without its newline
  std::string help;          ///< a suggested fix, or empty
  std::vector<std::string> notes;  ///< further context lines, or empty
};

/// An ordered collection of diagnostics from one compilation.
class Diagnostics {
 public:
  std::vector<Diagnostic> items;

  /// True when at least one item is an error.
  bool has_errors() const;
  /// The number of items with the given severity.
  std::size_t count(Severity s) const;
  /// Sorts by file, line, column, then code (stable).
  void sort();
  /// Renders every item as `file:line:col: error[CODE]: message`, the source
  /// line, a caret under the span and `help:`; colour when `color` is set.
  std::string render(bool color = false) const;
  /// Renders every item as a JSON array of objects (for editors and CI).
  std::string to_json() const;
};

/// Renders one diagnostic in the text format of Diagnostics::render.
std::string render(const Diagnostic& d, bool color = false);

}  // namespace redline
