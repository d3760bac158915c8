// sema/layers.cc — the layers pass: every policy becomes a layer, in
// declaration order (modules in order, policies in source order). Checks
// unique policy names (RL2014), exactly one `default` (RL2015 missing, RL2016
// twice — the parser keeps the first and lists every one in Policy::order),
// and `extends`: unknown (RL2011),
// cycles (RL2012, broken after reporting so later passes terminate) and a
// policy extended by two others (RL2013).
#include <algorithm>
#include <cctype>
#include <map>

#include "ast/literals.h"
#include "sema/context.h"
#include "sema/link_cycles.h"
#include "sema/suggest.h"

namespace redline::sema {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The spans of the `default allow|deny` clauses written directly in a
// policy's braces (not in nested blocks, strings or comments). The AST keeps
// only the first clause's span, so a second one is found in the text.
std::vector<Span> default_clauses(const Context& ctx, const ast::Policy& p) {
  std::vector<Span> out;
  if (p.span.file >= ctx.sources.size()) return out;
  const std::string& text = ctx.sources.file(p.span.file).text();
  const std::size_t end = std::min<std::size_t>(p.span.end, text.size());
  int depth = 0;
  std::size_t i = p.span.begin;
  auto skip_space = [&](std::size_t k) {
    while (k < end) {
      if (std::isspace(static_cast<unsigned char>(text[k]))) ++k;
      else if (text.compare(k, 2, "//") == 0) k = std::min(end, text.find('\n', k) == std::string::npos ? end : text.find('\n', k));
      else if (text.compare(k, 2, "/*") == 0) k = std::min(end, text.find("*/", k + 2) == std::string::npos ? end : text.find("*/", k + 2) + 2);
      else break;
    }
    return k;
  };
  while (i < end) {
    i = skip_space(i);
    if (i >= end) break;
    char c = text[i];
    if (c == '"') {
      for (++i; i < end && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else if (c == '{' || c == '}') {
      depth += c == '{' ? 1 : -1;
      ++i;
    } else if (ident_char(c)) {
      std::size_t e = i;
      while (e < end && ident_char(text[e])) ++e;
      if (depth == 1 && text.compare(i, e - i, "default") == 0) {
        std::size_t v = skip_space(e), ve = v;
        while (ve < end && ident_char(text[ve])) ++ve;
        std::string_view word(text.data() + v, ve - v);
        if (word == "allow" || word == "deny") out.push_back({p.span.file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(ve)});
      }
      i = e;
    } else {
      ++i;
    }
  }
  return out;
}

// RL2016 for every `default` after the first.
void check_second_default(Context& ctx, const ast::Policy& p) {
  auto defaults = std::count_if(p.order.begin(), p.order.end(), [](const auto& m) { return m.first == ast::Policy::MemberKind::Default; });
  if (defaults < 2) return;
  std::vector<Span> spans = default_clauses(ctx, p);
  if (spans.size() < 2) spans.assign(2, p.default_span);  // text not found: point at the first
  for (std::size_t i = 1; i < spans.size(); ++i) {
    ctx.sink.report(diag::Code::DuplicateDefault, spans[i], "policy " + diag::quote(p.name.value) + " has a second `default`",
                    "keep one `default` per policy")
        .notes.push_back("first `default` at " + ctx.where(p.default_span));
  }
}

Layer make_layer(Context& ctx, const ast::Module& m, const ast::Policy& p) {
  Layer l;
  l.name = p.name.value;
  if (p.version) l.version = p.version->value;
  if (p.owner) l.owner = p.owner->value;
  if (p.description) l.description = p.description->value;
  if (p.effective) {
    l.effective = p.effective->value;
    l.effective_at = parse_rfc3339_date_or_time(l.effective);
    if (!l.effective_at)
      ctx.sink.report(diag::Code::BadTimestamp, p.effective->span,
                      "the `effective` date " + diag::quote("\"" + l.effective + "\"") + " of policy " + diag::quote(l.name) +
                          " is not an RFC 3339 date",
                      "write a date such as \"2026-04-01\" (from midnight UTC) or a date-time such as \"2026-04-01T09:00:00+02:00\"");
  }
  for (const auto& x : p.limits) l.limits.push_back(x.value);
  l.file = m.file;
  l.span = p.span;
  if (!p.default_effect) {
    ctx.sink.report(diag::Code::MissingDefault, p.name.span, "policy " + diag::quote(l.name) + " has no `default`",
                    "add `default deny` (or `default allow`) to the policy");
  } else {
    l.default_outcome = *p.default_effect == Effect::Permit ? Outcome::Allow : Outcome::Deny;
    check_second_default(ctx, p);
  }
  return l;
}

// Sets each layer's parent from its `extends`; unknown names are RL2011 and
// a second extender of one policy is RL2013 (the first keeps it).
void link_parents(Context& ctx, const std::map<std::string, std::uint32_t>& by_name) {
  std::vector<std::string> names;
  for (const auto& l : ctx.model.layers) names.push_back(l.name);
  std::map<std::uint32_t, std::uint32_t> extended_by;  // base -> first extender
  for (std::uint32_t i = 0; i < ctx.policies.size(); ++i) {
    const ast::Policy& p = *ctx.policies[i];
    if (!p.extends) continue;
    auto it = by_name.find(p.extends->value);
    if (it == by_name.end()) {
      ctx.sink.report(diag::Code::UnknownLayer, p.extends->span,
                      "policy " + diag::quote(p.name.value) + " extends unknown policy " + diag::quote(p.extends->value),
                      did_you_mean(p.extends->value, names));
      continue;
    }
    const std::uint32_t base = it->second;
    if (auto [first, fresh] = extended_by.emplace(base, i); !fresh && base != i) {
      const std::string& other = ctx.model.layers[first->second].name;
      ctx.sink.report(diag::Code::LayerForked, p.extends->span,
                      "policy " + diag::quote(p.extends->value) + " is extended by both " + diag::quote(other) + " and " +
                          diag::quote(p.name.value),
                      "layers form one chain: let " + diag::quote(p.name.value) + " extend " + diag::quote(other) + " instead")
          .notes.push_back(diag::quote(other) + " extends it at " + ctx.where(ctx.policies[first->second]->extends->span));
      continue;
    }
    ctx.model.layers[i].parent = static_cast<std::int32_t>(base);
  }
}

// Finds every cycle of parent links, reports it once (at the `extends` of
// its earliest-declared member) and breaks it there.
void break_cycles(Context& ctx) {
  auto& layers = ctx.model.layers;
  for (const auto& cycle : link_cycles(layers.size(), [&](std::uint32_t l) { return layers[l].parent; })) {
    const std::uint32_t first = cycle.front();
    std::string text = diag::quote(layers[first].name);
    for (std::size_t k = 1; k <= cycle.size(); ++k) text += " → " + diag::quote(layers[cycle[k % cycle.size()]].name);
    ctx.sink.report(diag::Code::LayerCycle, ctx.policies[first]->extends->span, "policies extend each other in a cycle: " + text,
                    "a chain of layers must end in a policy that extends none");
    layers[first].parent = -1;
  }
}

}  // namespace

void build_layers(Context& ctx) {
  std::map<std::string, std::uint32_t> by_name;
  for (const auto& m : ctx.modules) {
    for (const auto& p : m.policies) {
      const auto index = static_cast<std::uint32_t>(ctx.model.layers.size());
      if (auto [it, fresh] = by_name.emplace(p.name.value, index); !fresh) {
        ctx.sink.report(diag::Code::DuplicatePolicy, p.name.span, "policy " + diag::quote(p.name.value) + " is already defined",
                        "give each policy its own name")
            .notes.push_back("first defined at " + ctx.where(ctx.policies[it->second]->name.span));
      }
      ctx.model.layers.push_back(make_layer(ctx, m, p));
      ctx.policies.push_back(&p);
    }
  }
  link_parents(ctx, by_name);
  break_cycles(ctx);
}

}  // namespace redline::sema
