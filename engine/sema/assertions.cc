// sema/assertions.cc — the assertions-and-tests pass: assertion targets and
// conditions resolved like a rule's; tests named uniquely per policy (RL2020)
// with their expected obligations in canonical text. Proving assertions and
// running tests belong to engine/compile and `redline test`.
#include <map>

#include "sema/context.h"

namespace redline::sema {
namespace {

void resolve_assertions(Context& ctx, std::uint32_t l) {
  for (const auto& a : ctx.policies[l]->assertions) {
    Assertion out;
    out.layer = l;
    out.targets = resolve_targets(ctx, a.targets);
    if (a.when) out.when = resolve_condition(ctx, *a.when);
    out.at_least = a.at_least;
    out.outcome = a.outcome;
    out.span = a.span;
    ctx.model.layers[l].assertions.push_back(static_cast<std::uint32_t>(ctx.model.assertions.size()));
    ctx.model.assertions.push_back(std::move(out));
  }
}

void resolve_tests(Context& ctx, std::uint32_t l) {
  std::map<std::string, Span> names;
  for (const auto& t : ctx.policies[l]->tests) {
    if (auto [it, fresh] = names.emplace(t.name.value, t.name.span); !fresh) {
      ctx.sink.report(diag::Code::DuplicateTest, t.name.span,
                      "test " + diag::quote(t.name.value) + " is already defined in policy " + diag::quote(ctx.model.layers[l].name),
                      "test names are unique within a policy: rename one of them")
          .notes.push_back("first defined at " + ctx.where(it->second));
    }
    ctx.model.layers[l].tests.push_back(static_cast<std::uint32_t>(ctx.model.tests.size()));
    TestCase& out = ctx.model.tests.emplace_back();
    out.layer = l;
    out.name = t.name.value;
    out.given_json = t.given_json;
    out.given_span = t.given_span;
    out.expect = t.expect;
    out.has_obliging = t.has_obliging;
    for (const auto& o : t.obliging) out.obliging.push_back(resolve_obligation(o).text);
    out.span = t.span;
  }
}

}  // namespace

void resolve_assertions_and_tests(Context& ctx) {
  for (std::uint32_t l = 0; l < ctx.policies.size(); ++l) {
    resolve_assertions(ctx, l);
    resolve_tests(ctx, l);
  }
}

}  // namespace redline::sema
