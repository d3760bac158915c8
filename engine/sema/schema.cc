// sema/schema.cc — the schema pass: merges every `context` block of the
// compilation into Model::schema. Built-ins come first: `request.id`
// (string), `request.time` and `request.now` (timestamps). `enum` and `tags`
// declarations of one attribute merge their values; a `level` may be restated
// or extended only in a way that keeps one total order (see merge_level). An
// attribute may not sit below another (RL2025).
#include <algorithm>
#include <set>

#include "sema/context.h"
#include "sema/suggest.h"

namespace redline::sema {
namespace {

constexpr const char* kRoots[] = {"actor", "data", "env", "request", "output"};

TypeKind kind_of(ast::Type::Kind k) {
  switch (k) {
    case ast::Type::Kind::Bool: return TypeKind::Bool;
    case ast::Type::Kind::Int: return TypeKind::Int;
    case ast::Type::Kind::String: return TypeKind::String;
    case ast::Type::Kind::Duration: return TypeKind::Duration;
    case ast::Type::Kind::Enum: return TypeKind::Enum;
    case ast::Type::Kind::Level: return TypeKind::Level;
    case ast::Type::Kind::Tags: return TypeKind::Tags;
  }
  return TypeKind::String;
}

bool has_values(TypeKind k) { return k == TypeKind::Enum || k == TypeKind::Level || k == TypeKind::Tags; }

void add_builtin(Schema& s, const char* path, TypeKind kind) {
  Attribute a;
  a.path = path;
  a.kind = kind;
  a.builtin = true;
  s.by_path.emplace(a.path, static_cast<std::uint32_t>(s.attrs.size()));
  s.attrs.push_back(std::move(a));
}

void reindex(Attribute& a) {
  a.value_index.clear();
  for (std::uint32_t i = 0; i < a.values.size(); ++i) a.value_index.emplace(a.values[i], i);
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(Context& ctx) : ctx_(ctx), schema_(ctx.model.schema) {}

  void declare(const ast::AttributeDecl& d) {
    if (!valid_path(d.path)) return;
    const TypeKind kind = kind_of(d.type.kind);
    std::vector<std::string> values = distinct_values(d);
    if (has_values(kind) && values.empty()) {
      ctx_.sink.report(diag::Code::EmptyDeclaration, d.type.span,
                       diag::quote(to_string(kind)) + " type of " + diag::quote(d.path.dotted()) + " has no values",
                       "list at least one value");
      return;
    }
    const std::string path = d.path.dotted();
    auto it = schema_.by_path.find(path);
    if (it == schema_.by_path.end()) {
      Attribute a;
      a.path = path;
      a.kind = kind;
      a.values = std::move(values);
      a.span = d.path.span;
      reindex(a);
      schema_.by_path.emplace(path, static_cast<std::uint32_t>(schema_.attrs.size()));
      schema_.attrs.push_back(std::move(a));
      return;
    }
    Attribute& a = schema_.attrs[it->second];
    if (a.kind != kind) return conflict(a, d, kind);
    if (kind == TypeKind::Level) return merge_level(a, d, values);
    for (auto& v : values)
      if (!a.value_index.count(v)) a.values.push_back(std::move(v));
    reindex(a);
  }

 private:
  // RL2019: an attribute path starts with one of the five roots and names something below it.
  bool valid_path(const ast::Path& p) {
    if (p.parts.empty()) return false;
    const std::string& root = p.parts[0].text;
    bool known = std::any_of(std::begin(kRoots), std::end(kRoots), [&](const char* r) { return root == r; });
    if (!known) {
      std::vector<std::string> roots(std::begin(kRoots), std::end(kRoots));
      std::string help = did_you_mean(root, roots);
      if (help.empty()) help = "attributes describe the actor, the data, the environment, the request or the output, e.g. `actor.role`";
      ctx_.sink.report(diag::Code::BadAttributeRoot, p.parts[0].span,
                       "attribute path " + diag::quote(p.dotted()) + " must start with `actor`, `data`, `env`, `request` or `output`",
                       help);
      return false;
    }
    if (p.parts.size() < 2) {
      ctx_.sink.report(diag::Code::BadAttributeRoot, p.span, "attribute path " + diag::quote(p.dotted()) + " names only a root",
                       "name an attribute below it, e.g. " + diag::quote(root + ".name"));
      return false;
    }
    return true;
  }

  // The declaration's values without repeats (RL2022 for each repeat).
  std::vector<std::string> distinct_values(const ast::AttributeDecl& d) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& v : d.type.values) {
      if (!seen.insert(v.text).second) {
        ctx_.sink.report(diag::Code::DuplicateValue, v.span, "value " + diag::quote(v.text) + " is listed twice", "remove the repeat");
        continue;
      }
      out.push_back(v.text);
    }
    return out;
  }

  void conflict(const Attribute& a, const ast::AttributeDecl& d, TypeKind kind) {
    std::string msg = "attribute " + diag::quote(a.path) + " is redeclared as " + diag::quote(to_string(kind)) + ", but it ";
    msg += a.builtin ? "is built in as " : "was declared as ";
    msg += diag::quote(to_string(a.kind));
    auto& diag = ctx_.sink.report(diag::Code::ConflictingType, d.type.span, msg,
                                  a.builtin ? "remove this declaration: built-in attributes need none" : "declare one type for an attribute");
    if (!a.builtin) diag.notes.push_back("first declared at " + ctx_.where(a.span));
  }

  // A level redeclaration must list the values it shares with the existing
  // order in the same relative order; one that adds values must list every
  // existing value too (so each new value's rank is known), and its order
  // becomes the level's order. Anything else is RL3002.
  void merge_level(Attribute& a, const ast::AttributeDecl& d, const std::vector<std::string>& values) {
    std::vector<std::string> shared_new, added;
    for (const auto& v : values) (a.value_index.count(v) ? shared_new : added).push_back(v);
    std::vector<std::string> shared_old;
    std::set<std::string> in_new(values.begin(), values.end());
    for (const auto& v : a.values)
      if (in_new.count(v)) shared_old.push_back(v);
    if (shared_new != shared_old) {
      // Find the first pair whose order differs, for the message.
      std::string x = shared_new.front(), y = shared_new.back();
      for (std::size_t i = 0; i < shared_new.size(); ++i)
        if (shared_new[i] != shared_old[i]) {
          x = shared_new[i];
          y = shared_old[i];
          break;
        }
      report_level(a, d, "level " + diag::quote(a.path) + " is redeclared with another order: " + diag::quote(x) +
                             " comes before " + diag::quote(y) + " here but after it in the first declaration");
      return;
    }
    if (added.empty()) return;
    if (shared_old.size() != a.values.size()) {
      std::vector<std::string> missing;
      for (const auto& v : a.values)
        if (!in_new.count(v)) missing.push_back(v);
      report_level(a, d, "level " + diag::quote(a.path) + " is redeclared with " + quoted_list(added) + " but without " +
                             quoted_list(missing) + ", so the order is ambiguous");
      return;
    }
    a.values = values;
    reindex(a);
  }

  void report_level(const Attribute& a, const ast::AttributeDecl& d, std::string msg) {
    std::string order;
    for (const auto& v : a.values) order += (order.empty() ? "" : " < ") + v;
    ctx_.sink.report(diag::Code::ConflictingLevel, d.type.span, std::move(msg),
                     "a redeclared level must keep the order `" + order + "` and list every value when it adds one")
        .notes.push_back("first declared at " + ctx_.where(a.span));
  }

  Context& ctx_;
  Schema& schema_;
};

// Every `context` block of a module, its own and its policies', in source order.
std::vector<const ast::ContextBlock*> blocks_of(const ast::Module& m) {
  std::vector<const ast::ContextBlock*> out;
  for (const auto& b : m.contexts) out.push_back(&b);
  for (const auto& p : m.policies)
    for (const auto& b : p.contexts) out.push_back(&b);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->span.begin < b->span.begin; });
  return out;
}

// RL2025: `actor.role.rank` beside `actor.role` — a request's `actor.role`
// cannot be both a value and an object holding `rank`.
void check_nesting(Context& ctx) {
  const Schema& s = ctx.model.schema;
  for (const auto& a : s.attrs) {
    for (std::size_t dot = a.path.rfind('.'); dot != std::string::npos && dot > 0; dot = a.path.rfind('.', dot - 1)) {
      std::int64_t outer = s.find(std::string_view(a.path).substr(0, dot));
      if (outer < 0) continue;
      const Attribute& o = s.attrs[static_cast<std::size_t>(outer)];
      std::string msg = "attribute " + diag::quote(a.path) + " is below " + diag::quote(o.path) + ", which is itself an attribute";
      auto& d = ctx.sink.report(diag::Code::AttributeUnderAttribute, a.span, msg,
                                "a request cannot hold both; rename one, e.g. " + diag::quote(o.path + "_" + a.path.substr(dot + 1)));
      if (!o.builtin) d.notes.push_back(diag::quote(o.path) + " is declared at " + ctx.where(o.span));
      break;
    }
  }
}

}  // namespace

void build_schema(Context& ctx) {
  Schema& s = ctx.model.schema;
  add_builtin(s, "request.id", TypeKind::String);
  add_builtin(s, "request.time", TypeKind::Timestamp);
  add_builtin(s, "request.now", TypeKind::Timestamp);
  SchemaBuilder b(ctx);
  for (const auto& m : ctx.modules)
    for (const auto* block : blocks_of(m))
      for (const auto& d : block->attributes) b.declare(d);
  check_nesting(ctx);
  std::int64_t role = s.find("actor.role");
  s.role_attr = role >= 0 && s.attrs[static_cast<std::size_t>(role)].kind == TypeKind::Enum ? role : -1;
}

}  // namespace redline::sema
