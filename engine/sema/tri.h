// sema/tri.h — three-valued (Kleene) truth values and the evaluation of a
// resolved condition over any attribute accessor (LANGUAGE.md §8).
#pragma once

#include <algorithm>
#include <cstdint>

#include "sema/model.h"

namespace redline::sema {

/// Kleene truth: false < unknown < true, so `and` is min and `or` is max.
enum class Tri : std::uint8_t { F = 0, U = 1, T = 2 };

inline Tri tri_and(Tri a, Tri b) { return std::min(a, b); }
inline Tri tri_or(Tri a, Tri b) { return std::max(a, b); }
inline Tri tri_not(Tri a) { return static_cast<Tri>(2 - static_cast<int>(a)); }
inline Tri tri_of(bool b) { return b ? Tri::T : Tri::F; }

/// Compares two encoded values with `op`.
inline bool compare(std::int64_t lhs, CmpOp op, std::int64_t rhs) {
  switch (op) {
    case CmpOp::Eq: return lhs == rhs;
    case CmpOp::Ne: return lhs != rhs;
    case CmpOp::Lt: return lhs < rhs;
    case CmpOp::Le: return lhs <= rhs;
    case CmpOp::Gt: return lhs > rhs;
    case CmpOp::Ge: return lhs >= rhs;
  }
  return false;
}

/// Evaluates `c` in Kleene logic. `Access` provides
///   bool present(uint32_t attr), int64_t value(uint32_t attr),
///   bool has_tag(uint32_t attr, int64_t tag).
/// A comparison that reads a missing attribute is unknown; `is present` and
/// `is missing` never are. String values that match no literal are encoded
/// as -1, so they equal no literal.
template <class Access>
Tri evaluate(const Cond& c, const Access& a) {
  using K = Cond::Kind;
  switch (c.kind) {
    case K::Const: return tri_of(c.constant);
    case K::And: {
      Tri r = Tri::T;
      for (const auto& k : c.kids) {
        r = tri_and(r, evaluate(k, a));
        if (r == Tri::F) break;
      }
      return r;
    }
    case K::Or: {
      Tri r = Tri::F;
      for (const auto& k : c.kids) {
        r = tri_or(r, evaluate(k, a));
        if (r == Tri::T) break;
      }
      return r;
    }
    case K::Not: return tri_not(evaluate(c.kids[0], a));
    case K::Present: return tri_of(a.present(c.attr));
    case K::Missing: return tri_of(!a.present(c.attr));
    default: break;
  }
  if (!a.present(c.attr)) return Tri::U;
  switch (c.kind) {
    case K::Compare: return tri_of(compare(a.value(c.attr), c.op, c.values[0]));
    case K::In: {
      std::int64_t v = a.value(c.attr);
      return tri_of(std::find(c.values.begin(), c.values.end(), v) != c.values.end());
    }
    case K::HasAny:
      return tri_of(std::any_of(c.values.begin(), c.values.end(), [&](std::int64_t t) { return a.has_tag(c.attr, t); }));
    case K::HasAll:
      return tri_of(std::all_of(c.values.begin(), c.values.end(), [&](std::int64_t t) { return a.has_tag(c.attr, t); }));
    default: return Tri::U;
  }
}

/// A rule's condition: `when` holds and `unless` does not (either may be absent).
template <class Access>
Tri rule_condition(const Rule& r, const Access& a) {
  Tri cond = Tri::T;
  if (r.when) cond = tri_and(cond, evaluate(*r.when, a));
  if (r.unless) cond = tri_and(cond, tri_not(evaluate(*r.unless, a)));
  return cond;
}

/// Calls `f(attr)` for every attribute `c` reads.
template <class F>
void for_each_attr(const Cond& c, F&& f) {
  if (c.kind == Cond::Kind::Const) return;
  if (c.kind == Cond::Kind::And || c.kind == Cond::Kind::Or || c.kind == Cond::Kind::Not) {
    for (const auto& k : c.kids) for_each_attr(k, f);
    return;
  }
  f(c.attr);
}

}  // namespace redline::sema
