// cli/test.cc — `redline test FILE|DIR...`: runs every `test` block against
// the stack that ends at the test's own policy (as assertions are checked),
// in the compilations of cli.h compilations() (the same as `check`'s),
// prints each failure with the expected and actual decision and the
// explanation, and ends with `N passed, N failed`.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "flat/program_impl.h"
#include "sema/frontend.h"
#include "sema/semantic_text.h"
#include "sema/suggest.h"
#include "redline/engine.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline test [--stdlib DIR] [--verbose] FILE.pol|DIR...\n"
    "\n"
    "Runs the `test` blocks of the policies. The files named are compiled together, as\n"
    "one compilation (as `check`, `eval` and `verify` do); each *.pol file found in a\n"
    "folder (recursively) is compiled on its own, with its imports. Each test is decided\n"
    "by the stack that ends at its own policy. A test that several compilations hold is\n"
    "run once. Ends with a line `N passed, N failed`.\n"
    "Exit status: 0 when every test passed; 1 when a test failed or a policy does not\n"
    "compile; 2 on usage errors.\n";

// The leaf members of the attribute objects of a test's request that the
// schema does not declare: the engine ignores them (docs/language.md §15),
// so in a test they are most likely misspelled.
void undeclared(const sema::Model& m, const nlohmann::json& j, const std::string& path, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) undeclared(m, it.value(), path + "." + it.key(), out);
    return;
  }
  if (m.schema.find(path) >= 0) return;
  out.push_back(path);
}

void warn_undeclared(const sema::Model& m, const sema::TestCase& t, const std::string& loc) {
  auto j = nlohmann::json::parse(t.given_json, nullptr, false);
  if (!j.is_object()) return;
  std::vector<std::string> paths, declared;
  for (const char* top : {"actor", "data", "env", "request", "output"})
    if (j.contains(top) && j[top].is_object()) undeclared(m, j[top], top, paths);
  for (const auto& a : m.schema.attrs) declared.push_back(a.path);
  for (const auto& p : paths) {
    std::string hint = sema::did_you_mean(p, declared);
    std::cout << "warning: " << loc << ": test \"" << t.name << "\" gives `" << p
              << "`, which the context schema does not declare, so no rule reads it" << (hint.empty() ? "" : "; " + hint) << '\n';
  }
}

// Runs one test; prints a failure with the expected and actual decision and the explanation.
// A request error fails a test unless the test expects exactly that error (`expect error RL5xxx`).
bool run_one(const Program& prog, const sema::TestCase& t, const SourceFile& src, const std::string& layer, bool verbose) {
  Request req = Request::from_json(t.given_json);
  Decision d = prog.evaluate(req);
  std::vector<std::string> obligations = d.obligations();
  const std::string expect_error = sema::expected_error(src.text(), t);
  bool ok = expect_error.empty()
                ? !d.error() && static_cast<int>(d.outcome()) == static_cast<int>(t.expect) && (!t.has_obliging || obligations == t.obliging)
                : d.error() && d.error()->code == expect_error && (!t.has_obliging || obligations == t.obliging);
  std::string loc = src.path() + ":" + std::to_string(src.line_col(t.span.begin).line);
  warn_undeclared(*ProgramAccess::impl(prog).model, t, loc);
  if (ok) {
    if (verbose) std::cout << "ok    " << loc << ": " << t.name << '\n';
    return true;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s + "]";
  };
  std::cout << "FAIL  " << loc << ": test \"" << t.name << "\" (policy `" << layer << "`)\n  expected "
            << (expect_error.empty() ? std::string(ast::to_string(t.expect)) : "error " + expect_error);
  if (t.has_obliging) std::cout << " obliging " << list(t.obliging);
  std::cout << ", got " << to_string(d.outcome()) << " obliging " << list(obligations) << '\n';
  if (d.error())
    std::cout << "  request error " << d.error()->code << ": " << d.error()->message
              << (expect_error.empty() ? " (a test whose request is malformed fails; write `expect error " + d.error()->code + "` if that is the point)" : "")
              << '\n';
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
  if (args->positional.empty()) {
    std::cerr << "redline test: no policy files given\n" << kHelp;
    return 2;
  }
  bool bad = false;
  const auto units = compilations(args->positional, "test", bad);
  if (bad) return 2;
  CompileOptions opts;
  opts.stdlib_root = args->get("stdlib", stdlib_root());
  std::set<std::string> done;   // "canonical file\0test name"
  std::size_t passed = 0, failed = 0, broken = 0;
  for (const auto& files : units) {
    sema::LoadOptions lo;
    lo.stdlib_root = opts.stdlib_root;
    Diagnostics diags;
    std::shared_ptr<const sema::Frontend> fe = sema::load_and_check(files, lo, diags);
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
        CompileResult r = compile_files(files, o);
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
  if (broken) std::cout << broken << (broken == 1 ? " compilation has" : " compilations have") << " errors\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return (failed || broken) ? 1 : 0;
}

}  // namespace redline::cli
