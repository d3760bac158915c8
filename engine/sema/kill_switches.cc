// sema/kill_switches.cc — the kill-switch pass: unique names per policy
// (RL2008), qualified "policy/name"; covered purposes resolved like rule
// targets; owners resolved as roles of `actor.role`.
#include <map>

#include "sema/context.h"

namespace redline::sema {

void resolve_kill_switches(Context& ctx) {
  for (std::uint32_t l = 0; l < ctx.policies.size(); ++l) {
    std::map<std::string, Span> names;
    for (const auto& k : ctx.policies[l]->kill_switches) {
      if (auto [it, fresh] = names.emplace(k.name.text, k.name.span); !fresh) {
        ctx.sink.report(diag::Code::DuplicateSwitch, k.name.span,
                        "kill switch " + diag::quote(k.name.text) + " is already defined in policy " + diag::quote(ctx.model.layers[l].name),
                        "rename one of them")
            .notes.push_back("first defined at " + ctx.where(it->second));
      }
      KillSwitch out;
      out.name = k.name.text;
      out.qualified = ctx.model.layers[l].name + "/" + k.name.text;
      out.layer = l;
      out.covers = resolve_targets(ctx, k.covers);
      out.owners = resolve_roles(ctx, k.owners);
      if (k.because) out.because = k.because->value;
      out.span = k.span;
      ctx.model.layers[l].switches.push_back(static_cast<std::uint32_t>(ctx.model.switches.size()));
      ctx.model.switches.push_back(std::move(out));
    }
  }
}

}  // namespace redline::sema
