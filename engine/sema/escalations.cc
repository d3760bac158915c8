// sema/escalations.cc — the escalation-paths pass: unique names per policy
// (RL2007), step roles (RL2010), step quorums (RL3010), `on_timeout escalate
// to X` naming a path of the same policy or of a layer it extends (RL2009),
// and chains of paths that loop (RL2017, naming the cycle). Also offers the
// look-up of a path name from a layer, which rules use for `to`.
#include <algorithm>

#include "sema/context.h"
#include "sema/escalation_lookup.h"
#include "sema/link_cycles.h"
#include "sema/suggest.h"

namespace redline::sema {

std::optional<std::uint32_t> find_escalation(const Context& ctx, std::uint32_t layer, const std::string& name) {
  // INVARIANT: layer parents are acyclic here (the layers pass broke cycles).
  for (std::int64_t l = layer; l >= 0; l = ctx.model.layers[static_cast<std::size_t>(l)].parent) {
    const auto& names = ctx.escalation_names[static_cast<std::size_t>(l)];
    if (auto it = names.find(name); it != names.end()) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> visible_escalations(const Context& ctx, std::uint32_t layer) {
  std::vector<std::string> out;
  for (std::int64_t l = layer; l >= 0; l = ctx.model.layers[static_cast<std::size_t>(l)].parent) {
    for (auto index : ctx.model.layers[static_cast<std::size_t>(l)].escalations) out.push_back(ctx.model.escalations[index].name);
  }
  return out;
}

void report_unknown_escalation(Context& ctx, std::uint32_t layer, const ast::Ident& name) {
  std::string help = did_you_mean(name.text, visible_escalations(ctx, layer));
  if (help.empty())
    help = "declare `escalation " + name.text + " { step ROLE }` in policy " + diag::quote(ctx.model.layers[layer].name) +
           " or in a policy it extends";
  ctx.sink.report(diag::Code::UnknownEscalation, name.span, "unknown escalation path " + diag::quote(name.text), help);
}

namespace {

Step make_step(Context& ctx, const ast::Step& s) {
  Step out;
  out.span = s.span;
  if (auto role = resolve_role(ctx, s.role)) out.role = *role;
  if (s.quorum) {
    if (*s.quorum < 1) ctx.sink.report(diag::Code::BadQuorum, s.quorum_span, "quorum must be at least 1", "write `quorum 1` or more");
    else out.quorum = static_cast<std::uint32_t>(std::min<std::int64_t>(*s.quorum, UINT32_MAX));
  }
  out.within = s.within;
  return out;
}

void declare(Context& ctx, std::uint32_t layer, const ast::Escalation& e, const std::vector<const ast::Escalation*>& earlier) {
  auto& names = ctx.escalation_names[layer];
  const auto index = static_cast<std::uint32_t>(ctx.model.escalations.size());
  if (auto [it, fresh] = names.emplace(e.name.text, index); !fresh) {
    ctx.sink.report(diag::Code::DuplicateEscalation, e.name.span,
                    "escalation path " + diag::quote(e.name.text) + " is already defined in policy " +
                        diag::quote(ctx.model.layers[layer].name),
                    "rename one of them")
        .notes.push_back("first defined at " + ctx.where(earlier[it->second]->name.span));
  }
  Escalation out;
  out.name = e.name.text;
  if (e.title) out.title = e.title->value;
  out.layer = layer;
  out.on_timeout = e.on_timeout;
  out.span = e.span;
  for (const auto& s : e.steps) out.steps.push_back(make_step(ctx, s));
  ctx.model.escalations.push_back(std::move(out));
  ctx.model.layers[layer].escalations.push_back(index);
}

// Reports each cycle of `next` links once, at the `on_timeout` of its
// earliest-declared path, and breaks it there.
void break_cycles(Context& ctx, const std::vector<const ast::Escalation*>& asts) {
  auto& paths = ctx.model.escalations;
  for (const auto& cycle : link_cycles(paths.size(), [&](std::uint32_t p) { return paths[p].next; })) {
    const std::uint32_t first = cycle.front();
    std::string text = diag::quote(paths[first].name);
    for (std::size_t k = 1; k <= cycle.size(); ++k) text += " → " + diag::quote(paths[cycle[k % cycle.size()]].name);
    ctx.sink.report(diag::Code::EscalationCycle, asts[first]->timeout_span, "escalation paths chain in a cycle: " + text,
                    "end the chain with `on_timeout deny` (or no `on_timeout`)");
    paths[first].next = -1;
  }
}

}  // namespace

void resolve_escalations(Context& ctx) {
  ctx.escalation_names.assign(ctx.model.layers.size(), {});
  std::vector<const ast::Escalation*> asts;  // by escalation index
  for (std::uint32_t l = 0; l < ctx.policies.size(); ++l)
    for (const auto& e : ctx.policies[l]->escalations) {
      declare(ctx, l, e, asts);
      asts.push_back(&e);
    }
  for (std::uint32_t i = 0; i < asts.size(); ++i) {
    const ast::Escalation& e = *asts[i];
    if (e.on_timeout != ast::Escalation::Timeout::EscalateTo || !e.timeout_target) continue;
    if (auto target = find_escalation(ctx, ctx.model.escalations[i].layer, e.timeout_target->text))
      ctx.model.escalations[i].next = static_cast<std::int32_t>(*target);
    else
      report_unknown_escalation(ctx, ctx.model.escalations[i].layer, *e.timeout_target);
  }
  break_cycles(ctx, asts);
}

}  // namespace redline::sema
