// sema/lints.cc — cheap, certain warnings on checked conditions: a `when`,
// `unless` or assertion condition whose value is the same for every request
// (RL3014), found by folding constants with Kleene's tables (`x or true` is
// true even when `x` is unknown).
#include "sema/context.h"

namespace redline::sema {
namespace {

// The value of a condition when it is the same for every request.
std::optional<bool> fold(const Cond& c) {
  switch (c.kind) {
    case Cond::Kind::Const: return c.constant;
    case Cond::Kind::Not: {
      auto k = fold(c.kids.front());
      return k ? std::optional<bool>(!*k) : std::nullopt;
    }
    case Cond::Kind::And:
    case Cond::Kind::Or: {
      const bool absorbing = c.kind == Cond::Kind::Or;  // true absorbs `or`, false absorbs `and`
      bool all_constant = true;
      for (const auto& k : c.kids) {
        auto v = fold(k);
        if (v && *v == absorbing) return absorbing;
        if (!v) all_constant = false;
      }
      return all_constant ? std::optional<bool>(!absorbing) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

void lint(Context& ctx, const std::optional<Cond>& c, const char* clause, bool rule_clause) {
  if (!c) return;
  auto v = fold(*c);
  if (!v) return;
  const bool never = (std::string_view(clause) == "when") != *v;  // `when false` or `unless true`
  std::string help;
  if (!rule_clause) help = *v ? "remove the `when` clause" : "the assertion constrains no request; fix or remove the condition";
  else if (never) help = "the rule never applies; remove it or fix the condition";
  else help = std::string("the `") + clause + "` clause has no effect; remove it";
  ctx.sink.report(diag::Code::ConstantCondition, c->span, std::string("condition is always ") + (*v ? "true" : "false"), help);
}

}  // namespace

void lint_conditions(Context& ctx) {
  for (const auto& r : ctx.model.rules) {
    lint(ctx, r.when, "when", true);
    lint(ctx, r.unless, "unless", true);
  }
  for (const auto& a : ctx.model.assertions) lint(ctx, a.when, "when", false);
}

}  // namespace redline::sema
