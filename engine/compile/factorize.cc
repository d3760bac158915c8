// compile/factorize.cc — negation normal form and conjunct splitting for
// compile/factorize.h.
#include "compile/factorize.h"

#include <algorithm>
#include <set>

#include "sema/tri.h"

namespace redline::compile {
namespace {

using K = sema::Cond::Kind;

// Negation normal form: `not` only directly above atoms; And/Or flattened.
sema::Cond nnf(const sema::Cond& c, bool negate) {
  switch (c.kind) {
    case K::Const: {
      sema::Cond out = c;
      out.constant = negate ? !c.constant : c.constant;
      return out;
    }
    case K::Not: return nnf(c.kids[0], !negate);
    case K::And:
    case K::Or: {
      sema::Cond out;
      out.span = c.span;
      bool is_and = (c.kind == K::And) != negate;
      out.kind = is_and ? K::And : K::Or;
      for (const auto& k : c.kids) {
        sema::Cond n = nnf(k, negate);
        if (n.kind == out.kind) {
          for (auto& g : n.kids) out.kids.push_back(std::move(g));
        } else {
          out.kids.push_back(std::move(n));
        }
      }
      return out;
    }
    case K::Present:
    case K::Missing: {
      sema::Cond out = c;
      if (negate) out.kind = c.kind == K::Present ? K::Missing : K::Present;  // never unknown, so exact
      return out;
    }
    default: {
      if (!negate) return c;
      sema::Cond out;
      out.kind = K::Not;
      out.span = c.span;
      out.kids.push_back(c);
      return out;
    }
  }
}

std::set<std::uint32_t> attrs_of(const sema::Cond& c) {
  std::set<std::uint32_t> s;
  sema::for_each_attr(c, [&](std::uint32_t a) { s.insert(a); });
  return s;
}

// Appends the tag literals `c` is a conjunction of; false when it is not one.
bool as_tag_literals(const sema::Cond& c, std::vector<TagLiteral>& out) {
  const sema::Cond* atom = &c;
  bool positive = true;
  if (c.kind == K::Not) {
    atom = &c.kids[0];
    positive = false;
  }
  bool all = atom->kind == K::HasAll, any = atom->kind == K::HasAny;
  if (!all && !any) return false;
  // has all [a,b] = has a and has b; not has any [a,b] = not has a and not has b.
  bool conjunctive = atom->values.size() == 1 || (all && positive) || (any && !positive);
  if (!conjunctive) return false;
  for (std::int64_t t : atom->values) out.push_back({atom->attr, t, positive});
  return true;
}

}  // namespace

Factored factorize(const sema::Model& model, const sema::Rule& r, CondArena& arena) {
  Factored f;
  sema::Cond whole;
  whole.kind = K::And;
  if (r.when) whole.kids.push_back(*r.when);
  if (r.unless) {
    sema::Cond n;
    n.kind = K::Not;
    n.kids.push_back(*r.unless);
    whole.kids.push_back(std::move(n));
  }
  sema::Cond norm = nnf(whole, false);
  std::vector<sema::Cond> conjuncts;
  if (norm.kind == K::And) conjuncts = std::move(norm.kids);
  else conjuncts.push_back(std::move(norm));

  std::set<std::uint32_t> read;
  for (auto& c : conjuncts) {
    if (c.kind == K::Const) {
      if (!c.constant) f.never = true;
      continue;
    }
    std::set<std::uint32_t> attrs = attrs_of(c);
    read.insert(attrs.begin(), attrs.end());
    if (attrs.size() != 1) {
      f.residual.push_back(arena.keep(std::move(c)));
      continue;
    }
    std::uint32_t a = *attrs.begin();
    bool is_tags = model.schema.attrs[a].kind == sema::TypeKind::Tags;
    if (is_tags && as_tag_literals(c, f.tag_literals)) continue;
    bool presence_only = c.kind == K::Present || c.kind == K::Missing;
    if (is_tags && !presence_only) {
      f.residual.push_back(arena.keep(std::move(c)));
      continue;
    }
    auto it = std::find_if(f.factors.begin(), f.factors.end(), [a](const AttrFactor& x) { return x.attr == a; });
    if (it == f.factors.end()) {
      f.factors.push_back({a, {}});
      it = f.factors.end() - 1;
    }
    it->conjuncts.push_back(arena.keep(std::move(c)));
  }
  f.attrs_read.assign(read.begin(), read.end());
  return f;
}

}  // namespace redline::compile
