// report/external_tools.h — the programs a report may call: Graphviz `dot`
// (the decision graph as SVG) and WeasyPrint (PDF from the HTML report). Both
// are optional; when one is missing the caller gets a clear error instead.
#pragma once

#include <string>

namespace redline::report {

/// Whether a program can be found on $PATH.
bool program_available(const std::string& name);

/// Renders DOT to a standalone, deterministic SVG fragment (no XML prolog, no
/// comments) with Graphviz `dot`; on failure returns "" and sets `error`.
std::string dot_to_svg(const std::string& dot, std::string& error);

/// Renders HTML to a PDF file at `out_path` with `weasyprint`; on failure
/// returns false and sets `error` (e.g. when WeasyPrint is not installed).
bool html_to_pdf(const std::string& html, const std::string& out_path, std::string& error);

}  // namespace redline::report
