// cli/fmt.cc — `redline fmt [--check] [--stdout] FILE...`: formats policy
// files canonically (ast/format.h), in place by default. Files with syntax
// errors are left alone. Before writing, the output is parsed again and must
// give the same AST, so a formatter bug can never change a policy's meaning.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ast/format.h"
#include "ast/printer.h"
#include "cli/cli.h"
#include "diag/sink.h"
#include "parse/parse.h"

namespace redline::cli {
namespace {

const char* kUsage =
    "usage: redline fmt [--check | --stdout] FILE...\n"
    "\n"
    "Formats policy files canonically: 2-space indentation, one rule clause\n"
    "per line, canonical spacing and clause order, comments kept.\n"
    "\n"
    "options:\n"
    "  --check    change nothing; print the files that are not formatted and\n"
    "             exit 1 if there are any\n"
    "  --stdout   print the formatted text instead of rewriting the files\n"
    "\n"
    "exit status: 0 ok, 1 syntax errors (or unformatted files with --check),\n"
    "2 usage error\n";

enum class Mode { InPlace, Check, Stdout };

bool read_text(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

bool write_text(const std::string& path, const std::string& text) {
  std::string tmp = path + ".redline-fmt.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// The AST dump without spans: equal dumps mean equal meaning (and comments).
std::string shape(const std::string& path, const std::string& text, Diagnostics& diags) {
  SourceManager sm;
  std::uint32_t id = sm.add(path, path, text);
  diag::Sink sink(sm, diags);
  ast::Module m = parse::parse_file(sm, id, sink);
  return ast::print(m);
}

// Formats one file; returns 0 (nothing to report), 1 (error or unformatted).
int format_one(const std::string& path, Mode mode) {
  std::string text;
  if (!read_text(path, text)) {
    std::cerr << "redline fmt: cannot read `" << path << "`\n";
    return 1;
  }
  SourceManager sm;
  std::uint32_t id = sm.add(path, path, text);
  Diagnostics diags;
  diag::Sink sink(sm, diags);
  ast::Module m = parse::parse_file(sm, id, sink);
  if (diags.has_errors()) {
    print_diagnostics(diags, false);
    return 1;
  }
  std::string formatted = ast::format(m, text);
  Diagnostics again;
  if (shape(path, formatted, again) != ast::print(m) || again.has_errors()) {
    std::cerr << "redline fmt: internal error: formatting `" << path << "` would change its meaning; the file is left unchanged\n";
    return 1;
  }
  if (mode == Mode::Stdout) {
    std::cout << formatted;
    return 0;
  }
  if (formatted == text) return 0;
  if (mode == Mode::Check) {
    std::cout << path << '\n';
    return 1;
  }
  if (!write_text(path, formatted)) {
    std::cerr << "redline fmt: cannot write `" << path << "`\n";
    return 1;
  }
  return 0;
}

}  // namespace

int cmd_fmt(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {}, {"check", "stdout"}, "fmt");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (args->has("check") && args->has("stdout")) {
    std::cerr << "redline fmt: `--check` and `--stdout` cannot be combined\n";
    return 2;
  }
  if (args->positional.empty()) {
    std::cerr << "redline fmt: no policy files given\n\n" << kUsage;
    return 2;
  }
  Mode mode = args->has("check") ? Mode::Check : args->has("stdout") ? Mode::Stdout : Mode::InPlace;
  int status = 0;
  for (const auto& path : args->positional) status |= format_one(path, mode);
  return status;
}

}  // namespace redline::cli
