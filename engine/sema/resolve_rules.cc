// sema/resolve_rules.cc — the rules pass: unique names per policy (RL2006),
// qualified "policy/rule"; targets; `when` / `unless`; the clauses each
// effect allows (`by`, `quorum`, `within` only on `require approval`, which
// needs `by`; `to` only on `escalate`, which needs it; `signed` and `human`
// only on those two: RL3007–RL3010, RL2009);
// roles; obligations in canonical text; `acknowledge` codes (RL3015).
#include <algorithm>
#include <map>

#include "sema/context.h"
#include "sema/escalation_lookup.h"
#include "sema/suggest.h"

namespace redline::sema {

Obligation resolve_obligation(const ast::Obligation& o) {
  Obligation out;
  out.name = o.name.text;
  out.text = o.name.text;
  for (const auto& a : o.args) out.args.push_back(a.text);
  if (!o.args.empty()) {
    out.text += '(';
    for (std::size_t i = 0; i < out.args.size(); ++i) out.text += (i ? ", " : "") + out.args[i];
    out.text += ')';
  }
  return out;
}

namespace {

const char* effect_text(Effect e) { return ast::to_string(e); }

// RL3009 for a clause the rule's effect does not take.
void misplaced(Context& ctx, const ast::Rule& r, const char* clause, Span span, const char* belongs) {
  ctx.sink.report(diag::Code::ClauseNotForEffect, span,
                  diag::quote(clause) + " does not apply to a " + diag::quote(effect_text(r.effect)) + " rule",
                  std::string("`") + clause + "` belongs to " + belongs + " rules; remove it");
}

void check_approval(Context& ctx, const ast::Rule& r, Rule& out) {
  if (r.effect != Effect::RequireApproval) {
    if (r.by_span) misplaced(ctx, r, "by", *r.by_span, "`require approval`");
    if (r.quorum) misplaced(ctx, r, "quorum", r.quorum_span, "`require approval`");
    if (r.within) misplaced(ctx, r, "within", r.within_span, "`require approval`");
    return;
  }
  if (!r.by_span && r.by.empty())
    ctx.sink.report(diag::Code::ApprovalWithoutBy, r.effect_span, "`require approval` needs `by` naming who may approve",
                    "add `by ROLE` (and optionally `quorum N` and `within DURATION`)");
  out.by = resolve_roles(ctx, r.by);
  if (r.quorum) {
    if (*r.quorum < 1) ctx.sink.report(diag::Code::BadQuorum, r.quorum_span, "quorum must be at least 1", "write `quorum 1` or more");
    else out.quorum = static_cast<std::uint32_t>(std::min<std::int64_t>(*r.quorum, UINT32_MAX));
  }
  out.within = r.within;
}

void check_escalate(Context& ctx, const ast::Rule& r, Rule& out) {
  if (r.effect != Effect::Escalate) {
    if (r.to) misplaced(ctx, r, "to", r.to->span, "`escalate`");
    return;
  }
  if (!r.to) {
    ctx.sink.report(diag::Code::EscalateWithoutTo, r.effect_span, "`escalate` needs `to` naming an escalation path",
                    "add `to PATH`, where `escalation PATH { step ROLE ... }` is declared in this policy or one it extends");
    return;
  }
  if (auto path = find_escalation(ctx, out.layer, r.to->text)) out.escalation = static_cast<std::int32_t>(*path);
  else report_unknown_escalation(ctx, out.layer, *r.to);
}

// `signed` and `human` say which approvals count, so they belong to the
// rules that take approvals.
void check_approvers(Context& ctx, const ast::Rule& r, Rule& out) {
  if (r.effect != Effect::RequireApproval && r.effect != Effect::Escalate) {
    if (r.signed_span) misplaced(ctx, r, "signed", *r.signed_span, "`require approval` and `escalate`");
    if (r.human_span) misplaced(ctx, r, "human", *r.human_span, "`require approval` and `escalate`");
    return;
  }
  out.signed_only = r.signed_span.has_value();
  out.human_only = r.human_span.has_value();
}

// `acknowledge CODE, …`: only the warnings the analyses give about a rule
// (RL4001-RL4004) can be acknowledged on it; anything else is RL3015.
void check_acknowledged(Context& ctx, const ast::Rule& r, Rule& out) {
  if (!r.acknowledge_span) return;
  out.acknowledge_span = *r.acknowledge_span;
  static const std::vector<std::string> kRuleWarnings = {"RL4001", "RL4002", "RL4003", "RL4004"};
  for (const auto& code : r.acknowledged) {
    if (std::find(kRuleWarnings.begin(), kRuleWarnings.end(), code.text) == kRuleWarnings.end()) {
      std::string hint = did_you_mean(code.text, kRuleWarnings);
      ctx.sink.report(diag::Code::BadAcknowledgement, code.span,
                      "rule " + diag::quote(r.name.text) + " acknowledges " + diag::quote(code.text) + ", which is not a warning about a rule",
                      hint.empty() ? "a rule may acknowledge RL4001 (dead), RL4002 (shadowed), RL4003 (overridden permit) or RL4004 (conflicting intent)" : hint);
      continue;
    }
    if (std::find(out.acknowledged.begin(), out.acknowledged.end(), code.text) == out.acknowledged.end()) out.acknowledged.push_back(code.text);
  }
}

Rule make_rule(Context& ctx, std::uint32_t layer, const ast::Rule& r) {
  Rule out;
  out.name = r.name.text;
  out.qualified = ctx.model.layers[layer].name + "/" + r.name.text;
  out.layer = layer;
  out.effect = r.effect;
  out.span = r.span;
  out.name_span = r.name.span;
  out.targets = resolve_targets(ctx, r.targets);
  if (r.when) out.when = resolve_condition(ctx, *r.when);
  if (r.unless) out.unless = resolve_condition(ctx, *r.unless);
  check_approval(ctx, r, out);
  check_escalate(ctx, r, out);
  check_approvers(ctx, r, out);
  for (const auto& o : r.obligations) out.obligations.push_back(resolve_obligation(o));
  if (r.because) out.because = r.because->value;
  if (r.cite) out.cite = r.cite->value;
  if (r.cite_version) out.cite_version = r.cite_version->value;
  if (r.cite_quote) out.cite_quote = r.cite_quote->value;
  out.red_line = r.red_line_span.has_value();
  if (r.owner) out.owner = r.owner->value;
  check_acknowledged(ctx, r, out);
  return out;
}

}  // namespace

void resolve_rules(Context& ctx) {
  for (std::uint32_t l = 0; l < ctx.policies.size(); ++l) {
    std::map<std::string, Span> names;
    for (const auto& r : ctx.policies[l]->rules) {
      if (auto [it, fresh] = names.emplace(r.name.text, r.name.span); !fresh) {
        ctx.sink.report(diag::Code::DuplicateRule, r.name.span,
                        "rule " + diag::quote(r.name.text) + " is already defined in policy " + diag::quote(ctx.model.layers[l].name),
                        "rule names are unique within a policy: rename one of them")
            .notes.push_back("first defined at " + ctx.where(it->second));
      }
      ctx.model.layers[l].rules.push_back(static_cast<std::uint32_t>(ctx.model.rules.size()));
      ctx.model.rules.push_back(make_rule(ctx, l, r));
    }
  }
}

}  // namespace redline::sema
