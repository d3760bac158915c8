// cli/dump.cc — `redline dump --stage=STAGE FILE...`: prints one stage of the
// pipeline: `ast` the parsed AST of each file (ast/printer.h); `graph` and
// `dot` the decision graph (compile/decision_graph.h); `program` the flat
// Program (flat/program_printer.h).
#include <fstream>
#include <iostream>
#include <sstream>

#include "ast/printer.h"
#include "cli/cli.h"
#include "compile/decision_graph.h"
#include "diag/sink.h"
#include "flat/program_impl.h"
#include "flat/program_printer.h"
#include "parse/parse.h"

namespace redline::cli {
namespace {

const char* kUsage =
    "usage: redline dump --stage=ast|graph|dot|program [--no-spans] [--layer NAME] FILE...\n"
    "\n"
    "Prints a stage of the compilation on stdout.\n"
    "\n"
    "stages:\n"
    "  ast       the syntax tree of each file, as parsed (no imports followed)\n"
    "  graph     the decision graph of the deciding stack, as text\n"
    "  dot       the decision graph in Graphviz DOT (red lines in red)\n"
    "  program   the flat program the evaluator walks\n"
    "\n"
    "options:\n"
    "  --stage=STAGE   what to print (default: ast)\n"
    "  --no-spans      leave out the `@line:col-line:col` of each node\n"
    "  --layer NAME    the layer whose stack is compiled (default: the unique most-derived one)\n"
    "  --stdlib DIR    the stdlib folder\n"
    "\n"
    "exit status: 0 ok, 1 errors in the input, 2 usage error\n";

// Prints the AST of each file; 1 when a file cannot be read or has syntax errors.
int dump_ast(const std::vector<std::string>& files, bool spans) {
  int status = 0;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "redline dump: cannot read `" << path << "`\n";
      status = 1;
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    SourceManager sm;
    std::uint32_t id = sm.add(path, path, ss.str());
    Diagnostics diags;
    diag::Sink sink(sm, diags);
    ast::Module m = parse::parse_file(sm, id, sink);
    print_diagnostics(diags, false);
    if (diags.has_errors()) status = 1;
    ast::PrintOptions options;
    if (spans) options.source = &sm.file(id);
    if (files.size() > 1) std::cout << "// " << path << '\n';
    std::cout << ast::print(m, options);
  }
  return status;
}

}  // namespace

int cmd_dump(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"stage", "layer", "stdlib"}, {"no-spans"}, "dump");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (args->positional.empty()) {
    std::cerr << "redline dump: no policy files given\n\n" << kUsage;
    return 2;
  }
  const std::string stage = args->get("stage", "ast");
  if (stage == "ast") return dump_ast(args->positional, !args->has("no-spans"));
  if (stage == "graph" || stage == "dot" || stage == "program") {
    CompileOptions opts;
    opts.layer = args->get("layer");
    opts.stdlib_root = args->get("stdlib", stdlib_root());
    CompileResult r = compile_files(args->positional, opts);
    print_diagnostics(r.diagnostics, false);
    if (!r.ok()) return 1;
    const ProgramImpl& p = ProgramAccess::impl(*r.program);
    if (stage == "program") {
      std::cout << flat::to_text(p.data, *p.model);
      return 0;
    }
    // The Program keeps no decision graph: lower the stack again (deterministic).
    auto graph = compile::build_graph(*p.model, p.data.top);
    std::cout << (stage == "graph" ? compile::to_text(*graph) : compile::to_dot(*graph));
    return 0;
  }
  std::cerr << "redline dump: unknown stage `" << stage << "` (use `ast`, `graph`, `dot` or `program`)\n";
  return 2;
}

}  // namespace redline::cli
