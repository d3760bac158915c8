// sema/roles.cc — resolves role names of `by`, `step` and `owner` clauses to
// value indices of the `actor.role` enum (RL2010 with "did you mean"; RL2021,
// once per compilation, when `actor.role` is not declared as an enum).
#include "sema/context.h"
#include "sema/suggest.h"

namespace redline::sema {
namespace {

void report_no_role_attr(Context& ctx, const ast::Ident& role) {
  if (ctx.reported_no_role_attr) return;
  ctx.reported_no_role_attr = true;
  const Schema& s = ctx.model.schema;
  std::int64_t declared = s.find("actor.role");
  std::string msg = "role " + diag::quote(role.text) + " is named, but `actor.role` ";
  msg += declared >= 0 ? "is declared as " + std::string(diag::quote(to_string(s.attrs[static_cast<std::size_t>(declared)].kind))) + ", not as an enum"
                       : "is not declared";
  ctx.sink.report(diag::Code::NoRoleAttribute, role.span, msg,
                  "declare the roles: `context { actor.role: enum { " + role.text + ", ... } }`");
}

}  // namespace

std::optional<std::uint32_t> resolve_role(Context& ctx, const ast::Ident& role) {
  const Schema& s = ctx.model.schema;
  if (s.role_attr < 0) {
    report_no_role_attr(ctx, role);
    return std::nullopt;
  }
  const Attribute& a = s.attrs[static_cast<std::size_t>(s.role_attr)];
  if (auto it = a.value_index.find(role.text); it != a.value_index.end()) return it->second;
  std::string help = did_you_mean(role.text, a.values);
  if (help.empty()) help = "add it to the roles: `context { actor.role: enum { " + role.text + " } }`";
  ctx.sink.report(diag::Code::UnknownRole, role.span, "unknown role " + diag::quote(role.text) + ": it is not a value of `actor.role`", help);
  return std::nullopt;
}

std::vector<std::uint32_t> resolve_roles(Context& ctx, const std::vector<ast::Ident>& roles) {
  std::vector<std::uint32_t> out;
  for (const auto& r : roles)
    if (auto v = resolve_role(ctx, r)) out.push_back(*v);
  return out;
}

}  // namespace redline::sema
