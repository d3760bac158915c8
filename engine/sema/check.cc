// sema/check.cc — sema::check: runs the semantic passes, in one ordered list,
// over the parsed modules of a compilation and returns the checked Model when
// none of them reported an error.
#include <algorithm>

#include "sema/context.h"
#include "sema/frontend.h"

namespace redline::sema {
namespace {

// INVARIANT: each pass only reads what the passes before it produced.
constexpr Pass kPasses[] = {
    {"purpose-tree", build_purpose_tree},
    {"schema", build_schema},
    {"layers", build_layers},
    {"escalations", resolve_escalations},
    {"rules", resolve_rules},
    {"kill-switches", resolve_kill_switches},
    {"assertions-and-tests", resolve_assertions_and_tests},
    {"lints", lint_conditions},
};

}  // namespace

std::string Context::where(const Span& span) const {
  if (span.file >= sources.size()) return "<unknown>";
  const SourceFile& f = sources.file(span.file);
  LineCol lc = f.line_col(span.begin);
  return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

std::unique_ptr<Model> check(const SourceManager& sources, const std::vector<ast::Module>& modules, diag::Sink& sink) {
  auto model = std::make_unique<Model>();
  Context ctx{sources, modules, sink, *model, {}, {}, {}, {}, false};
  const std::size_t errors_before = sink.errors();
  const std::size_t reported_before = sink.diagnostics().items.size();
  // Every pass runs even after errors: each recovers (drops what it cannot
  // resolve), so one run reports the errors of every phase.
  for (const Pass& pass : kPasses) pass.run(ctx);
  if (sink.diagnostics().items.size() != reported_before) sink.diagnostics().sort();
  if (sink.errors() > errors_before) return nullptr;
  return model;
}

}  // namespace redline::sema
