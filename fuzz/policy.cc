// fuzz/policy.cc — the `.pol` front end on arbitrary bytes: parse, check,
// compile (compile_source, imports from the repository's stdlib/), render the
// diagnostics, and for text that parses, the formatter's promise (its output
// parses to the same AST and formats to itself). A policy that compiles is
// then asked once per purpose, and every decision must keep the invariants of
// fuzz_support.h. Never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ast/format.h"
#include "ast/printer.h"
#include "diag/sink.h"
#include "flat/program_impl.h"
#include "fuzz_support.h"
#include "parse/parse.h"

using namespace redline;

namespace {

// Parses `text` alone (no imports, no checking); the AST dump without spans, or "" on syntax errors.
std::string parse_only(const std::string& text, ast::Module& m) {
  SourceManager sm;
  std::uint32_t id = sm.add("fuzz.pol", "fuzz.pol", text);
  Diagnostics diags;
  diag::Sink sink(sm, diags);
  m = parse::parse_file(sm, id, sink);
  (void)diags.render();
  return diags.has_errors() ? std::string() : ast::print(m);
}

void formatter_round_trip(const std::string& text) {
  ast::Module m;
  std::string shape = parse_only(text, m);
  if (shape.empty()) return;
  std::string formatted = ast::format(m, text);
  ast::Module again;
  std::string shape_again = parse_only(formatted, again);
  fuzz::check(!shape_again.empty(), "the formatter's output does not parse", text);
  fuzz::check(shape_again == shape, "the formatter's output parses to a different AST", text);
  fuzz::check(ast::format(again, formatted) == formatted, "formatting is not idempotent", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  CompileOptions opts;
  opts.stdlib_root = fuzz::stdlib_root();
  CompileResult r = compile_source(text, "fuzz.pol", opts);
  (void)r.diagnostics.render();
  (void)r.diagnostics.to_json();
  fuzz::check(r.ok() != r.diagnostics.has_errors(), "a compilation failed without an error, or succeeded with one", text);
  formatter_round_trip(text);
  if (!r.ok()) return 0;
  const Program& prog = *r.program;
  const auto& purposes = ProgramAccess::impl(prog).model->purposes.nodes;
  for (std::size_t q = 0; q < purposes.size() && q < 16; ++q)
    fuzz::check_request(prog, "{\"purpose\":\"" + purposes[q].full + "\",\"actor\":{\"id\":\"u1\"}}");
  return 0;
}
