// diag/diagnostics.cc — the code table, the Sink, and the text and JSON
// renderers of redline/diagnostic.h.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "diag/codes.h"
#include "diag/sink.h"

namespace redline {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

namespace diag {
namespace {
const CodeInfo kTable[] = {
#define REDLINE_CODE(name, text, severity, summary) {Code::name, text, Severity::severity, summary},
#include "diag/codes.def"
#undef REDLINE_CODE
};
}  // namespace

const CodeInfo& info(Code c) { return kTable[static_cast<std::size_t>(c)]; }

const CodeInfo* all_codes(std::size_t* count) {
  *count = sizeof(kTable) / sizeof(kTable[0]);
  return kTable;
}

Diagnostic& Sink::report(Code code, Span span, std::string message, std::string help) {
  return report(info(code).severity, code, span, std::move(message), std::move(help));
}

Diagnostic& Sink::report(Severity sev, Code code, Span span, std::string message, std::string help) {
  Diagnostic d;
  d.severity = sev;
  d.code = std::string(info(code).text);
  d.message = std::move(message);
  d.help = std::move(help);
  if (span.file < sources_.size()) {
    const SourceFile& f = sources_.file(span.file);
    d.file = f.path();
    LineCol b = f.line_col(span.begin);
    LineCol e = f.line_col(std::max(span.end, span.begin));
    d.line = b.line;
    d.column = b.column;
    d.end_line = e.line;
    d.end_column = e.column;
    d.source_line = std::string(f.line_text(b.line));
  }
  out_.items.push_back(std::move(d));
  return out_.items.back();
}

Diagnostic& Sink::report_global(Code code, std::string file, std::string message, std::string help) {
  Diagnostic d;
  d.severity = info(code).severity;
  d.code = std::string(info(code).text);
  d.file = std::move(file);
  d.message = std::move(message);
  d.help = std::move(help);
  out_.items.push_back(std::move(d));
  return out_.items.back();
}

std::size_t Sink::errors() const { return out_.count(Severity::error); }

std::string quote(std::string_view text) {
  std::string s = "`";
  s.append(text);
  s += '`';
  return s;
}

}  // namespace diag

bool Diagnostics::has_errors() const { return count(Severity::error) > 0; }

std::size_t Diagnostics::count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(items.begin(), items.end(), [s](const Diagnostic& d) { return d.severity == s; }));
}

void Diagnostics::sort() {
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    if (a.column != b.column) return a.column < b.column;
    return a.code < b.code;
  });
}

namespace {

// The prefix of `line` up to code point column `col` (1-based), with every
// character but tabs replaced by spaces, so a caret lines up under it.
std::string pad_to_column(const std::string& line, std::uint32_t col) {
  std::string pad;
  std::uint32_t c = 1;
  for (std::size_t i = 0; i < line.size() && c < col; ++i) {
    unsigned char ch = static_cast<unsigned char>(line[i]);
    if ((ch & 0xC0) == 0x80) continue;
    pad += (ch == '\t') ? '\t' : ' ';
    ++c;
  }
  while (c < col) { pad += ' '; ++c; }
  return pad;
}

std::uint32_t code_points(const std::string& s) {
  std::uint32_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string render(const Diagnostic& d, bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  const char* sev_color = !color ? "" : d.severity == Severity::error ? "\x1b[1;31m" : d.severity == Severity::warning ? "\x1b[1;33m" : "\x1b[1;36m";
  std::ostringstream os;
  os << bold << (d.file.empty() ? "<input>" : d.file);
  if (d.line > 0) os << ':' << d.line << ':' << d.column;
  os << ": " << reset << sev_color << to_string(d.severity) << '[' << d.code << ']' << reset << bold << ": " << d.message << reset << '\n';
  if (d.line > 0) {
    std::string num = std::to_string(d.line);
    std::string gutter(num.size(), ' ');
    std::uint32_t width = 1;
    if (d.end_line == d.line && d.end_column > d.column) width = d.end_column - d.column;
    else if (d.end_line > d.line) width = std::max<std::uint32_t>(1, code_points(d.source_line) + 1 - d.column);
    os << ' ' << num << " | " << d.source_line << '\n';
    os << ' ' << gutter << " | " << pad_to_column(d.source_line, d.column) << sev_color << '^' << std::string(width - 1, '~') << reset << '\n';
  }
  for (const auto& n : d.notes) os << "note: " << n << '\n';
  if (!d.help.empty()) os << "help: " << d.help << '\n';
  return os.str();
}

std::string Diagnostics::render(bool color) const {
  std::string out;
  for (const auto& d : items) out += redline::render(d, color);
  return out;
}

std::string Diagnostics::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : items) {
    nlohmann::json j = {{"severity", to_string(d.severity)}, {"code", d.code}, {"message", d.message},
                        {"file", d.file}, {"line", d.line}, {"column", d.column},
                        {"end_line", d.end_line}, {"end_column", d.end_column}};
    if (!d.help.empty()) j["help"] = d.help;
    if (!d.notes.empty()) j["notes"] = d.notes;
    arr.push_back(std::move(j));
  }
  return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace redline
