// flat/cond_ops.h — runs a residual condition's instructions (CondOp, laid out
// in pre-order) in Kleene logic over any attribute accessor, with the
// semantics of sema::evaluate on the condition they were lowered from: a
// comparison reading a missing attribute is unknown; `is present` and
// `is missing` never are; `and`/`or` stop at the first false/true operand.
#pragma once

#include <algorithm>
#include <cstdint>

#include "flat/program_data.h"
#include "sema/tri.h"

namespace redline::flat {

/// Evaluates the condition starting at `d.ops[pc]`. `Access` is as for
/// sema::evaluate: present(attr), value(attr), has_tag(attr, tag).
template <class Access>
sema::Tri run_cond(const ProgramData& d, std::uint32_t pc, const Access& a) {
  using K = CondOp::Kind;
  using sema::Tri;
  const CondOp& op = d.ops[pc];
  switch (op.kind) {
    case K::False: return Tri::F;
    case K::True: return Tri::T;
    case K::And: {
      Tri r = Tri::T;
      for (std::uint32_t k = pc + 1; k < op.end && r != Tri::F; k = d.ops[k].end) r = sema::tri_and(r, run_cond(d, k, a));
      return r;
    }
    case K::Or: {
      Tri r = Tri::F;
      for (std::uint32_t k = pc + 1; k < op.end && r != Tri::T; k = d.ops[k].end) r = sema::tri_or(r, run_cond(d, k, a));
      return r;
    }
    case K::Not: return sema::tri_not(run_cond(d, pc + 1, a));
    case K::Present: return sema::tri_of(a.present(op.attr));
    case K::Missing: return sema::tri_of(!a.present(op.attr));
    default: break;
  }
  if (!a.present(op.attr)) return Tri::U;
  const std::int64_t* vb = d.cond_values.data() + op.values_begin;
  const std::int64_t* ve = d.cond_values.data() + op.values_end;
  switch (op.kind) {
    case K::Compare: return sema::tri_of(sema::compare(a.value(op.attr), op.cmp, *vb));
    case K::In: return sema::tri_of(std::find(vb, ve, a.value(op.attr)) != ve);
    case K::HasAny: return sema::tri_of(std::any_of(vb, ve, [&](std::int64_t t) { return a.has_tag(op.attr, t); }));
    case K::HasAll: return sema::tri_of(std::all_of(vb, ve, [&](std::int64_t t) { return a.has_tag(op.attr, t); }));
    default: return Tri::U;
  }
}

/// The conjunction of the conditions in [begin, end) (a residual).
template <class Access>
sema::Tri run_conjunction(const ProgramData& d, std::uint32_t begin, std::uint32_t end, const Access& a) {
  sema::Tri r = sema::Tri::T;
  for (std::uint32_t k = begin; k < end && r != sema::Tri::F; k = d.ops[k].end) r = sema::tri_and(r, run_cond(d, k, a));
  return r;
}

}  // namespace redline::flat
