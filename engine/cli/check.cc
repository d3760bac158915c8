// cli/check.cc — `redline check [--format text|json] [--stdlib DIR] FILE|DIR...`:
// loads and checks policies (the files named as one compilation, each file
// found in a folder on its own: cli.h compilations()), prints the
// diagnostics, then a one-line summary per compilation. Exit 0 without
// errors, 1 with errors, 2 on usage errors.
#include <iostream>
#include <set>
#include <sstream>

#include "cli/cli.h"
#include "sema/frontend.h"
#include "sema/suggest.h"
#include "verify/verify.h"

namespace redline::cli {
namespace {

const char* kUsage =
    "usage: redline check [--format text|json] [--stdlib DIR] FILE.pol|DIR...\n"
    "\n"
    "Parses and checks policy files (and the files they import): purposes,\n"
    "context schema, rules, escalation paths, kill switches, layers, tests,\n"
    "assertions and the rule analyses.\n"
    "The files named are compiled together, as one compilation (as `eval`, `verify`\n"
    "and `test` do); each *.pol file found in a folder (recursively) is compiled on\n"
    "its own, with its imports.\n"
    "Prints diagnostics (on stderr as text, or on stdout as one JSON array with\n"
    "--format json), each once, then a summary line per compilation (stdout for\n"
    "text, stderr for json).\n"
    "\n"
    "options:\n"
    "  --format text|json   diagnostics format (default: text)\n"
    "  --stdlib DIR         the stdlib root for `import \"stdlib/...\"`\n"
    "                       (default: $REDLINE_STDLIB or the built-in one)\n"
    "\n"
    "exit status: 0 no errors, 1 errors, 2 usage error\n";

// "a ← b ← c" for each chain of layers, chains separated by commas.
std::string chains(const sema::Model& m) {
  std::string out;
  for (auto leaf : m.leaves()) {
    if (!out.empty()) out += ", ";
    std::string chain;
    for (auto l : m.chain(leaf)) chain += (chain.empty() ? "" : " ← ") + m.layers[l].name;
    out += chain;
  }
  return out;
}

std::string summary(const std::vector<std::string>& files, const sema::Model* m, const Diagnostics& diags) {
  std::ostringstream os;
  for (std::size_t i = 0; i < files.size(); ++i) os << (i ? ", " : "") << files[i];
  os << ": ";
  if (m) {
    std::size_t declared = 0;
    for (const auto& a : m->schema.attrs) declared += !a.builtin;
    os << sema::plural(m->layers.size(), "layer");
    if (!m->layers.empty()) os << " (" << chains(*m) << ")";
    os << ", " << sema::plural(m->purposes.nodes.size(), "purpose") << ", " << sema::plural(declared, "attribute") << ", "
       << sema::plural(m->rules.size(), "rule") << ", " << sema::plural(m->escalations.size(), "escalation path") << ", "
       << sema::plural(m->switches.size(), "kill switch", "kill switches") << ", " << sema::plural(m->assertions.size(), "assertion")
       << ", " << sema::plural(m->tests.size(), "test") << "; ";
  }
  os << sema::plural(diags.count(Severity::error), "error") << ", " << sema::plural(diags.count(Severity::warning), "warning");
  return os.str();
}

}  // namespace

int cmd_check(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"format", "stdlib"}, {}, "check");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kUsage;
    return 0;
  }
  const std::string format = args->get("format", "text");
  if (format != "text" && format != "json") {
    std::cerr << "redline check: unknown format `" << format << "` (use `text` or `json`)\n";
    return 2;
  }
  if (args->positional.empty()) {
    std::cerr << "redline check: no policy files given\n\n" << kUsage;
    return 2;
  }
  bool bad = false;
  const auto units = compilations(args->positional, "check", bad);
  if (bad) return 2;
  sema::LoadOptions options;
  options.stdlib_root = args->has("stdlib") ? args->get("stdlib") : stdlib_root();
  // Every compilation is checked; a diagnostic that several of them report
  // (a file that a folder holds and another of its files imports) is printed once.
  Diagnostics all;
  std::set<std::string> seen;
  std::vector<std::string> summaries;
  bool errors = false;
  for (const auto& files : units) {
    Diagnostics diags;
    auto frontend = sema::load_and_check(files, options, diags);
    if (frontend && frontend->model && !diags.has_errors()) {   // assertions (errors) and analyses (warnings)
      diag::Sink sink(frontend->sources, diags);
      verify::check_all(*frontend->model, sink);
    }
    errors = errors || diags.has_errors();
    const sema::Model* model = frontend && !diags.has_errors() ? frontend->model.get() : nullptr;
    summaries.push_back(summary(files, model, diags));
    for (auto& d : diags.items)
      if (seen.insert(render(d)).second) all.items.push_back(std::move(d));
  }
  all.sort();
  const bool json = format == "json";
  print_diagnostics(all, json);
  for (const auto& line : summaries) (json ? std::cerr : std::cout) << line << '\n';
  return errors ? 1 : 0;
}

}  // namespace redline::cli
