// sema/conditions.cc — resolves and type-checks `when` / `unless` / `assert
// ... when` conditions into sema::Cond: attributes must be declared (RL2018,
// with "did you mean"), operators must fit the attribute's type (RL3004,
// RL3005, RL3011), literals must be of its kind (RL3006) and, for enum, level
// and tags, one of its values (RL3003). Literals are encoded per model.h.
#include "sema/context.h"
#include "sema/suggest.h"
#include "ast/literals.h"

namespace redline::sema {
namespace {

using EK = ast::Expr::Kind;
using VK = ast::Value::Kind;

// How a literal is described in messages: "string `\"x\"`", "identifier `x`".
std::string describe(const ast::Value& v) {
  switch (v.kind) {
    case VK::Ident: return "identifier " + diag::quote(v.text);
    case VK::String: return "string " + diag::quote("\"" + v.text + "\"");
    case VK::Int: return "integer " + diag::quote(v.text);
    case VK::Duration: return "duration " + diag::quote(v.text);
    case VK::Bool: return diag::quote(v.number ? "true" : "false");
  }
  return diag::quote(v.text);
}

std::string a_type(TypeKind k) {
  const char* t = to_string(k);
  return (k == TypeKind::Int || k == TypeKind::Enum) ? std::string("an ") + t : std::string("a ") + t;
}

class ConditionResolver {
 public:
  explicit ConditionResolver(Context& ctx) : ctx_(ctx), schema_(ctx.model.schema) {}

  std::optional<Cond> resolve(const ast::Expr& e) {
    Cond c;
    c.span = e.span;
    switch (e.kind) {
      case EK::Const:
        c.kind = Cond::Kind::Const;
        c.constant = e.constant;
        return c;
      case EK::Or:
      case EK::And:
      case EK::Not: return resolve_logic(e, std::move(c));
      default: return resolve_atom(e, std::move(c));
    }
  }

 private:
  std::optional<Cond> resolve_logic(const ast::Expr& e, Cond c) {
    c.kind = e.kind == EK::Or ? Cond::Kind::Or : e.kind == EK::And ? Cond::Kind::And : Cond::Kind::Not;
    bool ok = true;
    for (const auto& kid : e.kids) {
      if (!kid) { ok = false; continue; }
      auto k = resolve(*kid);  // resolve every kid, to report every error
      if (k) c.kids.push_back(std::move(*k));
      else ok = false;
    }
    if (!ok || c.kids.empty()) return std::nullopt;
    return c;
  }

  std::optional<Cond> resolve_atom(const ast::Expr& e, Cond c) {
    auto attr = find_attribute(e.path);
    if (!attr) return std::nullopt;
    c.attr = *attr;
    const Attribute& a = schema_.attrs[*attr];
    switch (e.kind) {
      case EK::Present:
      case EK::Missing:
        c.kind = e.kind == EK::Present ? Cond::Kind::Present : Cond::Kind::Missing;
        return c;
      case EK::Compare:
        c.kind = Cond::Kind::Compare;
        c.op = e.op;
        if (!compare_fits(e, a)) return std::nullopt;
        break;
      case EK::In:
      case EK::NotIn:
        c.kind = Cond::Kind::In;
        if (a.kind == TypeKind::Tags) return set_misuse(e, a, e.kind == EK::In ? "in" : "not in");
        break;
      case EK::Has:
      case EK::HasAny:
      case EK::HasAll:
        c.kind = e.kind == EK::HasAny ? Cond::Kind::HasAny : Cond::Kind::HasAll;  // `has x` is HasAll [x]
        if (a.kind != TypeKind::Tags) {
          const char* what = e.kind == EK::Has ? "has" : e.kind == EK::HasAny ? "has any" : "has all";
          ctx_.sink.report(diag::Code::HasOnNonSet, e.span,
                           diag::quote(what) + " needs a `tags` attribute, but " + diag::quote(a.path) + " is " + a_type(a.kind),
                           a.kind == TypeKind::Enum || a.kind == TypeKind::Level ? "use `==` or `in [...]`" : "");
          return std::nullopt;
        }
        break;
      default: return std::nullopt;
    }
    bool ok = true;
    for (const auto& v : e.values) {
      auto enc = encode(v, a);
      if (enc) c.values.push_back(*enc);
      else ok = false;
    }
    if (!ok || c.values.empty()) return std::nullopt;
    if (e.kind == EK::NotIn) {   // `x not in [...]` is `not (x in [...])`: unknown when x is missing
      Cond n;
      n.kind = Cond::Kind::Not;
      n.span = c.span;
      n.kids.push_back(std::move(c));
      return n;
    }
    return c;
  }

  std::optional<std::uint32_t> find_attribute(const ast::Path& p) {
    const std::string path = p.dotted();
    if (auto i = schema_.find(path); i >= 0) return static_cast<std::uint32_t>(i);
    static const std::vector<std::string> kRoots = {"actor", "data", "env", "request", "output"};
    const std::string root = p.parts.empty() ? path : p.parts[0].text;
    bool root_ok = false;
    for (const auto& r : kRoots) root_ok = root_ok || r == root;
    std::vector<std::string> declared;
    for (const auto& a : schema_.attrs) declared.push_back(a.path);
    std::string help = did_you_mean(path, declared);
    if (!root_ok) {
      ctx_.sink.report(diag::Code::BadAttributeRoot, p.span,
                       "attribute path " + diag::quote(path) + " must start with `actor`, `data`, `env`, `request` or `output`", help);
      return std::nullopt;
    }
    if (help.empty()) help = "declare it in a `context { }` block, e.g. " + diag::quote(path + ": string");
    ctx_.sink.report(diag::Code::UnknownAttribute, p.span, "unknown attribute " + diag::quote(path), help);
    return std::nullopt;
  }

  // Operators per type: order only on int, duration, level, timestamp; tags never compare.
  bool compare_fits(const ast::Expr& e, const Attribute& a) {
    if (a.kind == TypeKind::Tags) return set_misuse(e, a, ast::to_string(e.op)).has_value();
    const bool ordered = a.kind == TypeKind::Int || a.kind == TypeKind::Duration || a.kind == TypeKind::Level || a.kind == TypeKind::Timestamp;
    if (e.op == CmpOp::Eq || e.op == CmpOp::Ne || ordered) return true;
    std::string help = a.kind == TypeKind::Enum ? "use `==`, `!=` or `in [...]`; to compare by rank declare it as a `level`"
                                                : "use `==` or `!=`";
    ctx_.sink.report(diag::Code::UnorderedComparison, e.span,
                     diag::quote(ast::to_string(e.op)) + " needs an ordered attribute, but " + diag::quote(a.path) + " is " + a_type(a.kind), help);
    return false;
  }

  // RL3011: `==`, `<`, `in` ... on a tags attribute. Always nullopt.
  std::optional<Cond> set_misuse(const ast::Expr& e, const Attribute& a, const char* op) {
    ctx_.sink.report(diag::Code::SetComparison, e.span,
                     diag::quote(op) + " cannot compare " + diag::quote(a.path) + ", a set of tags",
                     "use `has TAG`, `has any [...]` or `has all [...]`");
    return std::nullopt;
  }

  std::optional<std::int64_t> encode(const ast::Value& v, const Attribute& a) {
    switch (a.kind) {
      case TypeKind::Bool:
        if (v.kind == VK::Bool) return v.number ? 1 : 0;
        return mismatch(v, a, "compare with `true` or `false`");
      case TypeKind::Int:
        if (v.kind == VK::Int) return v.number;
        return mismatch(v, a, v.kind == VK::String ? "write the number without quotes" : "write an integer");
      case TypeKind::Duration:
        if (v.kind == VK::Duration || v.kind == VK::Int) return v.number;
        return mismatch(v, a, "write a duration such as `90s`, `10m`, `4h` or `7d`, or a number of seconds");
      case TypeKind::String:
        if (v.kind == VK::String) return intern(v.text);
        return mismatch(v, a, v.kind == VK::Ident ? "quote it: " + diag::quote("\"" + v.text + "\"") : "write a string literal");
      case TypeKind::Timestamp: {
        if (v.kind != VK::String) return mismatch(v, a, "write an RFC 3339 timestamp such as `\"2026-03-05T14:00:00Z\"`");
        if (auto t = parse_rfc3339(v.text)) return *t;
        ctx_.sink.report(diag::Code::BadTimestamp, v.span, diag::quote("\"" + v.text + "\"") + " is not an RFC 3339 timestamp",
                         "write e.g. `\"2026-03-05T14:00:00Z\"` or `\"2026-03-05T14:00:00+01:00\"`");
        return std::nullopt;
      }
      case TypeKind::Enum:
      case TypeKind::Level:
      case TypeKind::Tags: return value_of(v, a);
    }
    return std::nullopt;
  }

  std::optional<std::int64_t> value_of(const ast::Value& v, const Attribute& a) {
    if (v.kind != VK::Ident)
      return mismatch(v, a, v.kind == VK::String ? "write the value without quotes: " + diag::quote(v.text) : "name one of its values");
    if (auto it = a.value_index.find(v.text); it != a.value_index.end()) return it->second;
    std::string help = did_you_mean(v.text, a.values);
    if (help.empty()) help = "its values are " + quoted_list(a.values);
    ctx_.sink.report(diag::Code::UnknownValue, v.span, diag::quote(v.text) + " is not a value of " + diag::quote(a.path), help);
    return std::nullopt;
  }

  std::optional<std::int64_t> mismatch(const ast::Value& v, const Attribute& a, std::string help) {
    ctx_.sink.report(diag::Code::LiteralTypeMismatch, v.span,
                     diag::quote(a.path) + " is " + a_type(a.kind) + ", but " + describe(v) + " is not", std::move(help));
    return std::nullopt;
  }

  std::int64_t intern(const std::string& s) {
    auto& strings = ctx_.model.strings;
    auto [it, fresh] = ctx_.string_ids.emplace(s, static_cast<std::uint32_t>(strings.size()));
    if (fresh) strings.push_back(s);
    return it->second;
  }

  Context& ctx_;
  const Schema& schema_;
};

}  // namespace

std::optional<Cond> resolve_condition(Context& ctx, const ast::Expr& expr) { return ConditionResolver(ctx).resolve(expr); }

}  // namespace redline::sema
