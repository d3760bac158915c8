// report/render.h — the report in its formats: one self-contained HTML file
// (inline CSS and SVG, no JavaScript, a print stylesheet), GitHub-flavoured
// Markdown (tables diff cleanly in git) and JSON (schema in docs/reports.md).
// Same report in, same bytes out.
#pragma once

#include <string>

#include "report/report_model.h"

namespace redline::report {

/// The report as GitHub-flavoured Markdown.
std::string to_markdown(const Report& r);

/// The report as one self-contained HTML document.
std::string to_html(const Report& r);

/// The report as JSON (pretty-printed, keys in a fixed order).
std::string to_json(const Report& r);

/// The version of the JSON report schema.
inline constexpr const char* kReportSchema = "redline-report/1";

}  // namespace redline::report
