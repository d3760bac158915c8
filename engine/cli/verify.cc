// cli/verify.cc — `redline verify [--layer NAME] [--format text|json]
// [--stdlib DIR] FILE...`: proves every assertion over all requests and runs
// the rule analyses (dead, shadowed, overridden permits, conflicting intent,
// gaps), printing each finding with an example or counterexample request.
// Exit 0 when every assertion holds, 1 when one fails or the policies do not
// check, 2 on usage errors.
#include <algorithm>
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "sema/frontend.h"
#include "sema/suggest.h"
#include "verify/verify.h"

namespace redline::cli {
namespace {

const char* kVerifyUsage =
    "usage: redline verify [--layer NAME] [--format text|json] [--stdlib DIR] FILE...\n"
    "\n"
    "Proves every `assert` of the policies over all requests (every purpose the\n"
    "targets cover or are vaguer than, every attribute value, present or missing,\n"
    "every kill-switch state, no approvals), printing a counterexample request\n"
    "for each one that fails (RL4010), and runs the rule analyses: dead rules\n"
    "(RL4001), shadowed rules (RL4002), permits that never decide (RL4003),\n"
    "permits a prohibit of their own policy always overrides on one of their\n"
    "targets (RL4004), purposes decided only by the default (RL4005) and stale\n"
    "`acknowledge` clauses (RL4006). Each finding comes with an example request.\n"
    "Findings a rule acknowledges (`acknowledge RL4004`) are left out of the text\n"
    "and marked \"acknowledged\": true in JSON.\n"
    "\n"
    "options:\n"
    "  --layer NAME         analyze the stack ending at policy NAME (default: every stack)\n"
    "  --format text|json   text diagnostics on stdout (default), or a JSON array\n"
    "  --stdlib DIR         the stdlib root for `import \"stdlib/...\"`\n"
    "\n"
    "exit status: 0 every assertion holds, 1 an assertion fails or the policies\n"
    "have errors, 2 usage error\n";

// The findings of the chosen stack (every stack when `top` is absent).
std::vector<verify::Finding> run(const sema::Model& m, std::optional<std::uint32_t> top) {
  std::vector<verify::Finding> out;
  std::vector<std::uint32_t> chain = top ? m.chain(*top) : std::vector<std::uint32_t>{};
  for (verify::Finding& f : verify::check_assertions(m)) {
    bool in_stack = !top || std::find_if(chain.begin(), chain.end(), [&](std::uint32_t l) { return m.layers[l].name == f.layer; }) != chain.end();
    if (in_stack) out.push_back(std::move(f));
  }
  for (verify::Finding& f : verify::analyze(m, top)) out.push_back(std::move(f));
  return out;
}

void print_text(const std::vector<verify::Finding>& findings, const SourceManager& sources, std::size_t assertions) {
  Diagnostics diags;
  diag::Sink sink(sources, diags);
  verify::report(findings, sink);
  diags.sort();
  std::cout << diags.render(false);
  std::size_t failed = diags.count(Severity::error);
  std::cout << sema::plural(assertions - failed, "assertion") << " proved, " << failed << " failed; "
            << sema::plural(diags.count(Severity::warning), "warning") << ", " << sema::plural(diags.count(Severity::note), "note") << '\n';
}

}  // namespace

int cmd_verify(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"format", "stdlib", "layer"}, {}, "verify");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kVerifyUsage;
    return 0;
  }
  const std::string format = args->get("format", "text");
  if ((format != "text" && format != "json") || args->positional.empty()) {
    std::cerr << "redline verify: " << (args->positional.empty() ? "no policy files given" : "unknown format `" + format + "`") << "\n\n"
              << kVerifyUsage;
    return 2;
  }
  sema::LoadOptions options;
  options.stdlib_root = args->has("stdlib") ? args->get("stdlib") : stdlib_root();
  Diagnostics diags;
  auto fe = sema::load_and_check(args->positional, options, diags);
  if (!fe || !fe->model || diags.has_errors()) {
    print_diagnostics(diags, format == "json");
    return 1;
  }
  const sema::Model& m = *fe->model;
  std::optional<std::uint32_t> top;
  if (args->has("layer")) {
    std::int64_t l = m.find_layer(args->get("layer"));
    if (l < 0) {
      std::cerr << "redline verify: no policy named `" << args->get("layer") << "`\n";
      return 2;
    }
    top = static_cast<std::uint32_t>(l);
  }
  std::vector<verify::Finding> findings = run(m, top);
  std::size_t assertions = 0;
  for (const auto& a : m.assertions) assertions += !top || m.chain(*top).end() != std::find(m.chain(*top).begin(), m.chain(*top).end(), a.layer);
  if (format == "json") std::cout << verify::to_json(findings, fe->sources) << '\n';
  else print_text(findings, fe->sources, assertions);
  for (const auto& f : findings)
    if (f.code == diag::Code::AssertionFailed) return 1;
  return 0;
}

}  // namespace redline::cli
