// diag/sink.h — where compiler phases report diagnostics: resolves a Span to
// file, line, column and source line at the moment of the report.
#pragma once

#include <string>

#include "diag/codes.h"
#include "redline/diagnostic.h"
#include "source/source.h"

namespace redline::diag {

/// Collects diagnostics for one compilation.
class Sink {
 public:
  Sink(const SourceManager& sources, Diagnostics& out) : sources_(sources), out_(out) {}

  /// Reports `code` at `span` with its default severity; returns the stored
  /// diagnostic so callers can add notes.
  Diagnostic& report(Code code, Span span, std::string message, std::string help = {});
  /// Reports with an explicit severity.
  Diagnostic& report(Severity sev, Code code, Span span, std::string message, std::string help = {});
  /// Reports a diagnostic that has no source location (e.g. a missing root file).
  Diagnostic& report_global(Code code, std::string file, std::string message, std::string help = {});
  /// The number of errors reported so far.
  std::size_t errors() const;
  const SourceManager& sources() const { return sources_; }
  Diagnostics& diagnostics() { return out_; }

 private:
  const SourceManager& sources_;
  Diagnostics& out_;
};

/// Puts `text` in backticks for a message (user text is always quoted so).
std::string quote(std::string_view text);

}  // namespace redline::diag
