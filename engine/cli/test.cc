// cli/test.cc — `redline test FILE|DIR...`: runs every `test` block against
// the stack that ends at the test's own policy (as assertions are checked),
// prints each failure with the expected and actual decision and the
// explanation, and ends with `N passed, N failed`.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "cli/cli.h"
#include "flat/program_impl.h"
#include "sema/frontend.h"
#include "redline/engine.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline test [--stdlib DIR] [--verbose] FILE.pol|DIR...\n"
    "\n"
    "Runs the `test` blocks of the policies (directories are searched for *.pol files).\n"
    "Each test is decided by the stack that ends at its own policy. A test that several\n"
    "files import is run once. Ends with a line `N passed, N failed`.\n"
    "Exit status: 0 when every test passed; 1 when a test failed or a policy does not\n"
    "compile; 2 on usage errors.\n";

std::vector<std::string> collect(const std::vector<std::string>& operands, bool& bad) {
  std::vector<std::string> files;
  for (const auto& o : operands) {
    std::error_code ec;
    if (std::filesystem::is_directory(o, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(o, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".pol") found.push_back(it->path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(o, ec)) {
      files.push_back(o);
    } else {
      std::cerr << "redline test: no such file or directory `" << o << "`\n";
      bad = true;
    }
  }
  return files;
}

// Runs one test; prints a failure with the expected and actual decision and the explanation.
bool run_one(const Program& prog, const sema::TestCase& t, const SourceFile& src, const std::string& layer, bool verbose) {
  Request req = Request::from_json(t.given_json);
  Decision d = prog.evaluate(req);
  std::vector<std::string> obligations = d.obligations();
  bool ok = static_cast<int>(d.outcome()) == static_cast<int>(t.expect) && (!t.has_obliging || obligations == t.obliging);
  std::string loc = src.path() + ":" + std::to_string(src.line_col(t.span.begin).line);
  if (ok) {
    if (verbose) std::cout << "ok    " << loc << ": " << t.name << '\n';
    return true;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s + "]";
  };
  std::cout << "FAIL  " << loc << ": test \"" << t.name << "\" (policy `" << layer << "`)\n  expected " << ast::to_string(t.expect);
  if (t.has_obliging) std::cout << " obliging " << list(t.obliging);
  std::cout << ", got " << to_string(d.outcome()) << " obliging " << list(obligations) << '\n';
  if (d.error()) std::cout << "  request error " << d.error()->code << ": " << d.error()->message << '\n';
  std::string ex = prog.explain(req);
  for (std::size_t pos = 0; pos < ex.size();) {
    auto nl = ex.find('\n', pos);
    std::cout << "    " << ex.substr(pos, nl - pos) << '\n';
    pos = nl == std::string::npos ? ex.size() : nl + 1;
  }
  return false;
}

}  // namespace

int cmd_test(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"stdlib"}, {"verbose"}, "test");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  bool bad = false;
  std::vector<std::string> files = collect(args->positional, bad);
  if (bad || files.empty()) {
    if (files.empty() && !bad) std::cerr << "redline test: no policy files given\n" << kHelp;
    return 2;
  }
  CompileOptions opts;
  opts.stdlib_root = args->get("stdlib", stdlib_root());
  std::set<std::string> done;   // "canonical file\0test name"
  std::size_t passed = 0, failed = 0, broken = 0;
  for (const auto& file : files) {
    sema::LoadOptions lo;
    lo.stdlib_root = opts.stdlib_root;
    Diagnostics diags;
    std::shared_ptr<const sema::Frontend> fe = sema::load_and_check({file}, lo, diags);
    if (diags.has_errors() || !fe || !fe->model) {
      print_diagnostics(diags, false);
      ++broken;
      continue;
    }
    const sema::Model& m = *fe->model;
    std::map<std::uint32_t, std::shared_ptr<const Program>> by_layer;   // one Program per layer with tests
    for (const sema::TestCase& t : m.tests) {
      const SourceFile& src = fe->sources.file(t.span.file);
      if (!done.insert(src.canonical() + '\0' + t.name).second) continue;
      auto& prog = by_layer[t.layer];
      if (!prog) {
        CompileOptions o = opts;
        o.layer = m.layers[t.layer].name;
        CompileResult r = compile_files({file}, o);
        if (!r.ok()) {
          print_diagnostics(r.diagnostics, false);
          ++broken;
          break;
        }
        prog = r.program;
      }
      if (run_one(*prog, t, src, m.layers[t.layer].name, args->has("verbose"))) ++passed;
      else ++failed;
    }
  }
  if (broken) std::cout << broken << " file(s) did not compile\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return (failed || broken) ? 1 : 0;
}

}  // namespace redline::cli
