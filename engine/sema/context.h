// sema/context.h — the state the semantic passes share while they build a
// Model (internal to engine/sema): the inputs, the sink, the model under
// construction and the side tables one pass builds for the next (the layer's
// AST policy, the purpose suffix index, escalation names). Also declares the
// passes and the resolvers several passes use (purposes, conditions, roles).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "diag/sink.h"
#include "sema/model.h"
#include "source/source.h"

namespace redline::sema {

/// Everything a pass reads and writes.
struct Context {
  const SourceManager& sources;
  const std::vector<ast::Module>& modules;
  diag::Sink& sink;
  Model& model;

  /// The AST policy of each layer, by layer index (filled by the layers pass).
  std::vector<const ast::Policy*> policies;
  /// Every suffix of every purpose's full path (the full path included) to
  /// the purposes it names, in pre-order (filled by the purpose-tree pass).
  std::unordered_map<std::string, std::vector<std::uint32_t>> purpose_suffixes;
  /// Escalation path names of each layer to their index in Model::escalations.
  std::vector<std::unordered_map<std::string, std::uint32_t>> escalation_names;
  /// Model::strings to their index (interning without a linear search).
  std::unordered_map<std::string, std::uint32_t> string_ids;
  /// Set once RL2021 (roles without an `actor.role` enum) has been reported.
  bool reported_no_role_attr = false;

  /// "file:line:col" of a span, for notes that point at an earlier declaration.
  std::string where(const Span& span) const;
};

/// A named step of semantic analysis; check() runs them in one ordered list.
struct Pass {
  const char* name;
  void (*run)(Context&);
};

// ---- passes, in the order check() runs them ----

/// Merges every `purposes` block into Model::purposes, numbered in pre-order.
void build_purpose_tree(Context& ctx);
/// Merges every `context` block into Model::schema, with the built-ins.
void build_schema(Context& ctx);
/// Turns every policy into a layer: names, defaults, `extends`, cycles, forks.
void build_layers(Context& ctx);
/// Checks escalation paths: names, step roles, `on_timeout` chains and cycles.
void resolve_escalations(Context& ctx);
/// Checks rules: names, targets, conditions, clauses per effect, roles, obligations.
void resolve_rules(Context& ctx);
/// Checks kill switches: names, covered purposes, owner roles.
void resolve_kill_switches(Context& ctx);
/// Checks assertions and tests: targets, conditions, outcomes, test names.
void resolve_assertions_and_tests(Context& ctx);
/// Warns about conditions that are constant (RL3014).
void lint_conditions(Context& ctx);

// ---- resolvers shared by the passes ----

/// Resolves a purpose pattern (full path, unique suffix, `P.*`, `*`);
/// reports RL2003 / RL2004 and returns nullopt when it names no single purpose.
std::optional<Target> resolve_pattern(Context& ctx, const ast::Pattern& pattern);
/// Resolves every pattern of a target list (errors reported, bad ones dropped).
std::vector<Target> resolve_targets(Context& ctx, const std::vector<ast::Pattern>& patterns);
/// Resolves and type-checks a condition; reports every error in it and
/// returns nullopt when there was one.
std::optional<Cond> resolve_condition(Context& ctx, const ast::Expr& expr);
/// Resolves a role name to its value index in `actor.role` (RL2010 / RL2021).
std::optional<std::uint32_t> resolve_role(Context& ctx, const ast::Ident& role);
/// Resolves every role of a list (errors reported, bad ones dropped).
std::vector<std::uint32_t> resolve_roles(Context& ctx, const std::vector<ast::Ident>& roles);
/// An obligation with its canonical text `name` or `name(a, b)`.
Obligation resolve_obligation(const ast::Obligation& obligation);

}  // namespace redline::sema
