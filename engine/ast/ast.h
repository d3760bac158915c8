// ast/ast.h — the abstract syntax tree of a .pol file, as the parser builds it
// and before any name is resolved. Every node carries its source span. No
// ANTLR type appears here; engine/parse builds these from the parse tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "source/source.h"

namespace redline::ast {

/// An identifier with its span.
struct Ident {
  std::string text;
  Span span;
};

/// A dotted path `a.b.c` (attribute path or purpose path).
struct Path {
  std::vector<Ident> parts;
  Span span;
  /// The parts joined with dots.
  std::string dotted() const;
};

/// A string literal, unescaped (UTF-8), with the span of the quoted text.
struct StringLit {
  std::string value;
  Span span;
};

/// A literal value in a condition: `ID | STRING | INT | DURATION`, or the
/// keywords `true` / `false` (kind Bool).
struct Value {
  enum class Kind : std::uint8_t { Ident, String, Int, Duration, Bool };
  Kind kind = Kind::Ident;
  std::string text;          ///< identifier name, unescaped string, or source text of a number
  std::int64_t number = 0;   ///< Int: the value; Duration: seconds; Bool: 0 or 1
  Span span;
};

/// A purpose pattern: `PATH`, `PATH.*` or `*`.
struct Pattern {
  enum class Kind : std::uint8_t { Path, Descendants, All };
  Kind kind = Kind::Path;
  Path path;  ///< empty for All
  Span span;
};

/// Comparison operators of conditions.
enum class CmpOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

/// A condition expression (LANGUAGE.md §8).
struct Expr {
  enum class Kind : std::uint8_t {
    Or, And, Not,       // kids
    Const,              // `true` / `false`: constant
    Compare,            // path op values[0]
    In,                 // path in [values]
    NotIn,              // path not in [values]: not (path in [values])
    Has,                // path has values[0]
    HasAny, HasAll,     // path has any/all [values]
    Present, Missing,   // path is present / missing
  };
  Kind kind = Kind::Const;
  bool constant = false;
  CmpOp op = CmpOp::Eq;
  Path path;
  std::vector<Value> values;
  std::vector<std::unique_ptr<Expr>> kids;  ///< Or/And: 2 or more (flattened); Not: 1
  bool parenthesized = false;               ///< written inside ( ) — kept for `fmt`
  Span span;
};

/// An obligation `name` or `name(arg, "arg")`.
struct Obligation {
  Ident name;
  struct Arg {
    std::string text;   ///< identifier or unescaped string
    bool quoted = false;
    Span span;
  };
  std::vector<Arg> args;
  Span span;
};

/// Rule effects.
enum class Effect : std::uint8_t { Permit, RequireApproval, Escalate, Prohibit };

/// Decision outcomes, ordered by severity.
enum class Outcome : std::uint8_t { Allow = 0, RequireApproval = 1, Escalate = 2, Deny = 3 };

/// A `rule NAME: effect targets clause* ;`. Clauses given more than once are
/// reported by the parser (RL1012); the first one is kept.
struct Rule {
  Ident name;
  Effect effect = Effect::Permit;
  Span effect_span;
  std::vector<Pattern> targets;
  std::unique_ptr<Expr> when, unless;
  std::vector<Ident> by;                    ///< `by` roles (empty when absent)
  std::optional<Span> by_span;
  std::optional<std::int64_t> quorum;  Span quorum_span;
  std::optional<std::int64_t> within;  Span within_span;   ///< seconds
  std::optional<Ident> to;                 ///< escalation path
  std::optional<Span> signed_span;         ///< the `signed` clause, when given
  std::optional<Span> human_span;          ///< the `human` clause, when given
  std::vector<Obligation> obligations;     ///< from every `oblige` clause, in order
  std::optional<StringLit> because, cite, owner;
  std::optional<StringLit> cite_version, cite_quote;   ///< `cite "…" version "…" quote "…"`
  std::optional<Span> red_line_span;       ///< the `red_line` clause, when given
  std::vector<Ident> acknowledged;         ///< `acknowledge RL4004, …`: warning codes accepted on purpose
  std::optional<Span> acknowledge_span;    ///< the `acknowledge` clause, when given
  Span span;
};

/// A `step ROLE quorum N within D` of an escalation path.
struct Step {
  Ident role;
  std::optional<std::int64_t> quorum;  Span quorum_span;
  std::optional<std::int64_t> within;  Span within_span;  ///< seconds
  Span span;
};

/// `escalation NAME "title" { step+ on_timeout ... }`.
struct Escalation {
  Ident name;
  std::optional<StringLit> title;
  std::vector<Step> steps;
  enum class Timeout : std::uint8_t { None, Deny, EscalateTo } on_timeout = Timeout::None;
  std::optional<Ident> timeout_target;   ///< for EscalateTo
  Span timeout_span;
  Span span;
};

/// `kill_switch NAME covers targets owner roles because "..." ;`.
struct KillSwitch {
  Ident name;
  std::vector<Pattern> covers;
  std::vector<Ident> owners;
  std::optional<StringLit> because;
  Span span;
};

/// `assert targets when expr is at least outcome ;`.
struct Assertion {
  std::vector<Pattern> targets;
  std::unique_ptr<Expr> when;
  bool at_least = false;
  Outcome outcome = Outcome::Deny;
  Span outcome_span;
  Span span;
};

/// `test "name" { given {json} expect outcome obliging obligations }`.
struct Test {
  StringLit name;
  std::string given_json;   ///< the exact source text of the JSON object
  Span given_span;
  Outcome expect = Outcome::Deny;
  Span expect_span;
  bool has_obliging = false;
  std::vector<Obligation> obliging;
  Span span;
};

/// A purpose node of a `purposes { }` block.
struct PurposeNode {
  Ident name;
  std::optional<StringLit> description;
  std::vector<PurposeNode> children;
  bool has_block = false;   ///< written with `{ }` (even if empty) — kept for `fmt`
  Span span;
};

/// A `purposes { ... }` block.
struct PurposesBlock {
  std::vector<PurposeNode> roots;
  Span span;
};

/// A declared attribute type (LANGUAGE.md §5).
struct Type {
  enum class Kind : std::uint8_t { Bool, Int, String, Duration, Enum, Level, Tags };
  Kind kind = Kind::String;
  std::vector<Ident> values;  ///< Enum/Tags: in order; Level: lowest first
  Span span;
};

/// One `PATH : type` entry of a context block.
struct AttributeDecl {
  Path path;
  Type type;
  Span span;
};

/// A `context { ... }` block.
struct ContextBlock {
  std::vector<AttributeDecl> attributes;
  Span span;
};

/// A `policy "name" version "v" extends "base" { member* }`.
struct Policy {
  StringLit name;
  std::optional<StringLit> version, extends;
  std::optional<StringLit> owner, description, effective;
  std::vector<StringLit> limits;          ///< every `limits "…"` member, in order
  std::optional<Effect> default_effect;   ///< Permit (allow) or Prohibit (deny)
  Span default_span;
  std::vector<PurposesBlock> purposes;
  std::vector<ContextBlock> contexts;
  std::vector<Rule> rules;
  std::vector<Escalation> escalations;
  std::vector<KillSwitch> kill_switches;
  std::vector<Assertion> assertions;
  std::vector<Test> tests;
  /// Every member in source order, for printers: kind and index into the vectors above.
  enum class MemberKind : std::uint8_t { Owner, Description, Effective, Limits, Default, Purposes, Context, Rule, Escalation, KillSwitch, Assertion, Test };
  std::vector<std::pair<MemberKind, std::uint32_t>> order;
  Span span;
};

/// An `import "path"`.
struct Import {
  StringLit path;
  Span span;
};

/// A comment kept for `fmt`: its exact text (with `//` or `/* */`) and span.
struct Comment {
  std::string text;
  Span span;
};

/// One parsed file.
struct Module {
  std::uint32_t file = 0;
  std::vector<Import> imports;
  std::vector<PurposesBlock> purposes;
  std::vector<ContextBlock> contexts;
  std::vector<Policy> policies;
  /// Top-level items in source order: kind and index into the vectors above.
  enum class ItemKind : std::uint8_t { Import, Purposes, Context, Policy };
  std::vector<std::pair<ItemKind, std::uint32_t>> order;
  std::vector<Comment> comments;  ///< every comment, in source order
};

/// The text of an outcome (`allow`, `require_approval`, `escalate`, `deny`).
const char* to_string(Outcome o);
/// The keyword text of an effect (`permit`, `require approval`, `escalate`, `prohibit`).
const char* to_string(Effect e);
/// The source text of a comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=`).
const char* to_string(CmpOp op);
/// The outcome an effect yields when its rule applies.
Outcome outcome_of(Effect e);

}  // namespace redline::ast
