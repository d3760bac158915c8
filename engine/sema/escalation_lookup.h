// sema/escalation_lookup.h — finding an escalation path by name from a layer
// (its own paths first, then those of the layers it extends); internal to
// engine/sema, shared by the escalation and rule passes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sema/context.h"

namespace redline::sema {

/// The index of the path `name` seen from `layer`, or nullopt.
std::optional<std::uint32_t> find_escalation(const Context& ctx, std::uint32_t layer, const std::string& name);
/// Every path name seen from `layer`, nearest layer first (for suggestions).
std::vector<std::string> visible_escalations(const Context& ctx, std::uint32_t layer);
/// Reports RL2009 for `name` used in `layer`, with "did you mean".
void report_unknown_escalation(Context& ctx, std::uint32_t layer, const ast::Ident& name);

}  // namespace redline::sema
