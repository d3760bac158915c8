// compile/factorize.h — splits a rule's condition (`when and not unless`) into
// conjuncts that each read one attribute, so the compiler can precompute, for
// every value class of that attribute, the rules it makes true / false /
// unknown. Conjuncts on a `tags` attribute that are single-tag literals become
// tag literals; conjuncts that read several attributes stay as a residual
// condition evaluated at run time. The split is exact in Kleene logic:
// negations are pushed to the atoms by De Morgan, which holds in it.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sema/model.h"

namespace redline::compile {

/// Conjuncts of one rule that read only attribute `attr`.
struct AttrFactor {
  std::uint32_t attr = 0;
  std::vector<const sema::Cond*> conjuncts;  ///< their conjunction is the factor
};

/// `has tag` (positive) or `not has tag` on a tags attribute.
struct TagLiteral {
  std::uint32_t attr = 0;
  std::int64_t tag = 0;
  bool positive = true;
};

/// A rule's condition, split.
struct Factored {
  bool never = false;                       ///< a conjunct is constantly false
  std::vector<AttrFactor> factors;          ///< one per attribute (scalar, or presence tests of tags)
  std::vector<TagLiteral> tag_literals;
  std::vector<const sema::Cond*> residual;  ///< conjuncts reading several attributes, or other tag tests
  std::vector<std::uint32_t> attrs_read;    ///< every attribute the condition reads, sorted
};

/// Owns the negation-normal-form copies that Factored points into.
class CondArena {
 public:
  /// Stores a condition and returns a stable pointer to it.
  const sema::Cond* keep(sema::Cond c) { return &store_.emplace_back(std::move(c)); }

 private:
  std::deque<sema::Cond> store_;
};

/// Splits rule `r` of `model`; pointers in the result live in `arena`.
Factored factorize(const sema::Model& model, const sema::Rule& r, CondArena& arena);

}  // namespace redline::compile
