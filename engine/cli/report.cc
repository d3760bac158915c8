// cli/report.cc — `redline report FILE.pol... [--layer NAME] --format
// html|md|json|pdf -o OUT`: writes the reviewer report of the deciding stack
// (engine/report). Output is deterministic; the date shown comes from
// SOURCE_DATE_EPOCH when it is set.
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "report/external_tools.h"
#include "report/render.h"

namespace redline::cli {
namespace {

const char* kReportUsage =
    "usage: redline report [--layer NAME] --format html|md|json|pdf [-o OUT] [--stdlib DIR] [--no-graph] FILE...\n"
    "\n"
    "Writes the reviewer report of the policies: cover and provenance (SHA-256 of every\n"
    "source file and of the compiled policy), red lines in plain English, rule cards,\n"
    "decision tables, the decision graph, coverage, human oversight, kill switches,\n"
    "analysis findings, and test and assertion results. The same input always gives\n"
    "the same bytes; the date shown is SOURCE_DATE_EPOCH when set.\n"
    "\n"
    "options:\n"
    "  --format FMT    html (one self-contained file), md (GitHub Markdown), json, or\n"
    "                  pdf (rendered from the HTML by WeasyPrint, which must be installed)\n"
    "  -o, --output F  write to F (default: standard output; required for pdf)\n"
    "  --layer NAME    report the stack ending at policy NAME (default: the most-derived)\n"
    "  --stdlib DIR    the stdlib root for `import \"stdlib/...\"`\n"
    "  --no-graph      do not run Graphviz (the graph is then given as DOT text)\n"
    "\n"
    "exit status: 0 written, 1 the policies do not compile or the output cannot be\n"
    "written, 2 usage error\n";

// Unix seconds for the report date: SOURCE_DATE_EPOCH when set, else now.
std::int64_t report_time() {
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
    char* end = nullptr;
    long long v = std::strtoll(e, &end, 10);
    if (end && *end == '\0') return v;
  }
  return static_cast<std::int64_t>(std::time(nullptr));
}

bool write_out(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) std::cerr << "redline report: cannot write `" << path << "`\n";
  return static_cast<bool>(out);
}

}  // namespace

int cmd_report(const std::vector<std::string>& argv_in) {
  std::vector<std::string> argv = argv_in;
  for (auto& a : argv)
    if (a == "-o") a = "--output";
  auto args = parse_args(argv, {"format", "output", "layer", "stdlib"}, {"no-graph"}, "report");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kReportUsage;
    return 0;
  }
  const std::string format = args->get("format", "html");
  const std::string out = args->get("output");
  std::string problem = args->positional.empty() ? "no policy files given"
                        : (format != "html" && format != "md" && format != "json" && format != "pdf") ? "unknown format `" + format + "`"
                        : (format == "pdf" && (out.empty() || out == "-")) ? "pdf output needs -o FILE"
                                                                          : "";
  if (!problem.empty()) {
    std::cerr << "redline report: " << problem << "\n\n" << kReportUsage;
    return 2;
  }
  if (format == "pdf" && !report::program_available("weasyprint")) {
    std::cerr << "redline report: PDF output needs WeasyPrint, which is not installed (Debian: apt-get install weasyprint); "
                 "use --format html and print it instead\n";
    return 1;
  }
  report::ReportOptions opt;
  opt.compile.stdlib_root = args->get("stdlib", stdlib_root());
  opt.compile.layer = args->get("layer");
  opt.generated_at = report_time();
  opt.render_svg = !args->has("no-graph");
  Diagnostics diags;
  auto rep = report::build_report(args->positional, opt, diags);
  if (!rep) {
    print_diagnostics(diags, false);
    return 1;
  }
  if (format == "md") return write_out(out, report::to_markdown(*rep)) ? 0 : 1;
  if (format == "json") return write_out(out, report::to_json(*rep)) ? 0 : 1;
  if (format == "html") return write_out(out, report::to_html(*rep)) ? 0 : 1;
  std::string error;
  if (!report::html_to_pdf(report::to_html(*rep), out, error)) {
    std::cerr << "redline report: " << error << '\n';
    return 1;
  }
  return 0;
}

}  // namespace redline::cli
