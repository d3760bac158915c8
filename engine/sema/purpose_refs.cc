// sema/purpose_refs.cc — resolves purpose patterns in rules, kill switches and
// assertions: a full dotted path, or any suffix of one that names exactly one
// purpose; `P.*`; `*`. Unknown names get a "did you mean" (RL2003), suffixes
// naming several purposes list them (RL2004).
#include <algorithm>

#include "sema/context.h"
#include "sema/suggest.h"

namespace redline::sema {
namespace {

// Names a purpose can be written as, for suggestions: every full path, then
// every suffix that names exactly one purpose.
std::vector<std::string> writable_names(const Context& ctx) {
  std::vector<std::string> out;
  for (const auto& p : ctx.model.purposes.nodes) out.push_back(p.full);
  std::vector<std::string> suffixes;
  for (const auto& [suffix, ids] : ctx.purpose_suffixes)
    if (ids.size() == 1 && ctx.model.purposes.nodes[ids[0]].full != suffix) suffixes.push_back(suffix);
  std::sort(suffixes.begin(), suffixes.end());
  out.insert(out.end(), suffixes.begin(), suffixes.end());
  return out;
}

void report_unknown(Context& ctx, const ast::Path& path) {
  const std::string name = path.dotted();
  std::string help = did_you_mean(name, writable_names(ctx));
  if (help.empty() && ctx.model.purposes.nodes.empty()) help = "no purposes are declared; declare them in a `purposes { }` block or import a taxonomy";
  ctx.sink.report(diag::Code::UnknownPurpose, path.span, "unknown purpose " + diag::quote(name), help);
}

void report_ambiguous(Context& ctx, const ast::Path& path, const std::vector<std::uint32_t>& ids) {
  std::vector<std::string> fulls;
  for (auto id : ids) fulls.push_back(ctx.model.purposes.nodes[id].full);
  ctx.sink.report(diag::Code::AmbiguousPurpose, path.span,
                  "purpose " + diag::quote(path.dotted()) + " is ambiguous: it may be " + quoted_list(fulls),
                  "write the full path, e.g. " + diag::quote(fulls.front()));
}

}  // namespace

std::optional<Target> resolve_pattern(Context& ctx, const ast::Pattern& pattern) {
  Target t;
  t.span = pattern.span;
  if (pattern.kind == ast::Pattern::Kind::All) {
    t.kind = Target::Kind::All;
    return t;
  }
  t.kind = pattern.kind == ast::Pattern::Kind::Descendants ? Target::Kind::Descendants : Target::Kind::Exact;
  const std::string name = pattern.path.dotted();
  // A full path wins over a suffix of a longer path that happens to be equal.
  if (auto full = ctx.model.purposes.find(name); full >= 0) {
    t.purpose = static_cast<std::uint32_t>(full);
    return t;
  }
  auto it = ctx.purpose_suffixes.find(name);
  if (it == ctx.purpose_suffixes.end()) {
    report_unknown(ctx, pattern.path);
    return std::nullopt;
  }
  if (it->second.size() > 1) {
    report_ambiguous(ctx, pattern.path, it->second);
    return std::nullopt;
  }
  t.purpose = it->second.front();
  return t;
}

std::vector<Target> resolve_targets(Context& ctx, const std::vector<ast::Pattern>& patterns) {
  std::vector<Target> out;
  for (const auto& p : patterns)
    if (auto t = resolve_pattern(ctx, p)) out.push_back(*t);
  return out;
}

}  // namespace redline::sema
