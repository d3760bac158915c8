// sema/model.h — the checked model: what semantic analysis produces from the
// ASTs of a compilation and what the compiler, the reference interpreter, the
// reports and the analyses consume. Names are resolved to dense indices,
// literals to typed values; nothing here refers back to the AST.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "source/source.h"

namespace redline::sema {

using ast::CmpOp;
using ast::Effect;
using ast::Outcome;

/// A purpose; purposes are numbered in pre-order, so the descendants of `p`
/// are exactly the ids in (p, p.last_descendant].
struct Purpose {
  std::string name;          ///< last segment
  std::string full;          ///< dotted path from its root
  std::string description;   ///< may be empty
  std::int32_t parent = -1;
  std::uint32_t depth = 0;   ///< roots have depth 0
  std::uint32_t last_descendant = 0;  ///< INVARIANT: >= own id
  std::vector<std::uint32_t> children;
  Span span;                 ///< first declaration
};

/// The merged purpose tree of a compilation.
struct PurposeTree {
  std::vector<Purpose> nodes;  ///< INVARIANT: pre-order
  std::unordered_map<std::string, std::uint32_t> by_full;
  /// The id of a full dotted path, or -1.
  std::int64_t find(std::string_view full) const;
  /// True when `a` is `d` or an ancestor of `d`.
  bool is_ancestor_or_self(std::uint32_t a, std::uint32_t d) const {
    return a <= d && d <= nodes[a].last_descendant;
  }
};

/// Attribute types (LANGUAGE.md §5); Timestamp is the built-in type of
/// `request.time` and `request.now` (values are Unix seconds).
enum class TypeKind : std::uint8_t { Bool, Int, String, Duration, Timestamp, Enum, Level, Tags };

/// The keyword of a type kind (`bool`, `int`, ..., `timestamp`, `tags`).
const char* to_string(TypeKind k);

/// A declared (or built-in) attribute.
struct Attribute {
  std::string path;                 ///< e.g. "actor.role"
  TypeKind kind = TypeKind::String;
  std::vector<std::string> values;  ///< Enum/Tags: declaration order; Level: lowest first
  std::unordered_map<std::string, std::uint32_t> value_index;
  bool builtin = false;
  Span span;                        ///< first declaration (empty for built-ins)
};

/// The merged context schema.
struct Schema {
  std::vector<Attribute> attrs;
  std::unordered_map<std::string, std::uint32_t> by_path;
  /// The index of an attribute path, or -1.
  std::int64_t find(std::string_view path) const;
  /// The index of `actor.role` when declared as an enum, or -1.
  std::int64_t role_attr = -1;
};

/// A resolved purpose pattern. Exact covers the purpose and its descendants;
/// Descendants (`P.*`) covers only the descendants; All (`*`) covers every purpose.
struct Target {
  enum class Kind : std::uint8_t { Exact, Descendants, All };
  Kind kind = Kind::Exact;
  std::uint32_t purpose = 0;   ///< unused for All
  Span span;
};

/// A resolved condition. Values are encoded per the attribute's type:
/// Enum/Level/Tags: value index (Level index = rank); Int: the integer;
/// Duration/Timestamp: seconds; Bool: 0/1; String: an index into Model::strings.
struct Cond {
  enum class Kind : std::uint8_t { Const, And, Or, Not, Compare, In, HasAny, HasAll, Present, Missing };
  Kind kind = Kind::Const;
  bool constant = false;            ///< Const
  CmpOp op = CmpOp::Eq;             ///< Compare
  std::uint32_t attr = 0;           ///< Compare/In/Has*/Present/Missing
  std::vector<std::int64_t> values; ///< Compare: 1; In/HasAny/HasAll: 1 or more (`has x` is HasAll [x])
  std::vector<Cond> kids;           ///< And/Or: 2+; Not: 1
  Span span;
};

/// A resolved obligation; `text` is its canonical rendering `name` or
/// `name(a, b)`, which is what decisions return and tests compare.
struct Obligation {
  std::string name;
  std::vector<std::string> args;
  std::string text;
};

/// A checked rule. Its condition is `when and not unless` (either may be absent).
struct Rule {
  std::string name;
  std::string qualified;          ///< "policy/rule"
  std::uint32_t layer = 0;
  Effect effect = Effect::Permit;
  std::vector<Target> targets;
  std::optional<Cond> when, unless;
  std::vector<std::uint32_t> by;  ///< role value indices of actor.role (require approval)
  std::uint32_t quorum = 1;
  std::optional<std::int64_t> within;   ///< seconds
  std::int32_t escalation = -1;   ///< index into Model::escalations (escalate)
  bool signed_only = false;       ///< `signed`: only approvals with a verified signature count
  bool human_only = false;        ///< `human`: only approvals by human approvers count
  std::vector<Obligation> obligations;
  std::string because, cite, owner;
  std::string cite_version, cite_quote;   ///< the cited document's version and the clause's text, when given
  bool red_line = false;          ///< marked `red_line` by its author (a contract red line, not a deployment guard)
  std::vector<std::string> acknowledged;   ///< warning codes its authors accept on purpose (`acknowledge RL4004`)
  Span acknowledge_span;          ///< the `acknowledge` clause (empty without one)
  Span span;
  Span name_span;
};

/// One reviewer step of an escalation path.
struct Step {
  std::uint32_t role = 0;         ///< role value index
  std::uint32_t quorum = 1;
  std::optional<std::int64_t> within;  ///< seconds
  Span span;
};

/// A checked escalation path.
struct Escalation {
  std::string name, title;
  std::uint32_t layer = 0;
  std::vector<Step> steps;
  ast::Escalation::Timeout on_timeout = ast::Escalation::Timeout::None;
  std::int32_t next = -1;         ///< EscalateTo: index into Model::escalations
  Span span;
};

/// A checked kill switch.
struct KillSwitch {
  std::string name;
  std::string qualified;          ///< "policy/name"
  std::uint32_t layer = 0;
  std::vector<Target> covers;
  std::vector<std::uint32_t> owners;  ///< role value indices
  std::string because;
  Span span;
};

/// A checked assertion (proved by the compiler against its layer's stack).
struct Assertion {
  std::uint32_t layer = 0;
  std::vector<Target> targets;
  std::optional<Cond> when;
  bool at_least = false;
  Outcome outcome = Outcome::Deny;
  Span span;
};

/// A checked test (run by `redline test`).
struct TestCase {
  std::uint32_t layer = 0;
  std::string name;
  std::string given_json;
  Span given_span;
  Outcome expect = Outcome::Deny;
  bool has_obliging = false;
  std::vector<std::string> obliging;  ///< canonical obligation texts
  Span span;
};

/// A policy layer.
struct Layer {
  std::string name, version, owner, description, effective;
  /// `effective` as Unix seconds (a date alone is midnight UTC); unset without
  /// `effective` or when it did not parse (RL3012). The stack is in force
  /// only from the latest of its layers' dates (docs/language.md §15).
  std::optional<std::int64_t> effective_at;
  std::vector<std::string> limits;   ///< what the authors say the policy does not model (`limits "…"`)
  Outcome default_outcome = Outcome::Deny;
  std::int32_t parent = -1;       ///< the layer it extends, or -1
  std::vector<std::uint32_t> rules, escalations, switches, assertions, tests;  ///< indices, source order
  std::uint32_t file = 0;
  Span span;
};

/// Everything a compilation declares, resolved and type-checked.
struct Model {
  PurposeTree purposes;
  Schema schema;
  std::vector<std::string> strings;   ///< string literals used in conditions, interned
  std::vector<Layer> layers;          ///< declaration order
  std::vector<Rule> rules;            ///< grouped by layer, source order within a layer
  std::vector<Escalation> escalations;
  std::vector<KillSwitch> switches;
  std::vector<Assertion> assertions;
  std::vector<TestCase> tests;

  /// The index of a layer by policy name, or -1.
  std::int64_t find_layer(std::string_view name) const;
  /// The layers from the root down to `top` (inclusive).
  std::vector<std::uint32_t> chain(std::uint32_t top) const;
  /// The layers no other layer extends.
  std::vector<std::uint32_t> leaves() const;
  /// The index of an interned string literal, or -1.
  std::int64_t find_string(std::string_view s) const;
};

}  // namespace redline::sema
