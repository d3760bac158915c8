// verify/search.h — the exact search over a Space: depth-first over its
// variables, asking a predicate at every node whether no completion, every
// completion, or only some completions of the partial assignment are
// solutions, and branching only in the last case. Because the abstraction of
// verify/space.h is exact once every variable is assigned, the search finds a
// solution exactly when one exists.
#pragma once

#include <cstdint>

#include "verify/space.h"

namespace redline::verify {

/// What a predicate knows about the completions of a partial assignment.
enum class Verdict : std::uint8_t {
  None,   ///< no completion is a solution: prune
  All,    ///< every completion is a solution: stop
  Open,   ///< undecided: branch
};

/// Nodes visited by every search so far (for benchmarks and docs).
std::uint64_t nodes_visited();
/// Adds to the node counter.
void count_nodes(std::uint64_t n);

namespace detail {

/// Whether variable `v` needs no branching under `p`: already assigned, or a
/// tag of a missing tags attribute.
inline bool skip(const Var& v, const Partial& p) {
  if (v.kind != Var::Kind::Tag) return p.cls[v.attr] >= 0;
  return p.cls[v.attr] == 0 || p.tags[v.attr][static_cast<std::size_t>(v.tag)] >= 0;
}

/// The `k`-th value to try for `v`: present values first, missing last; tags absent first.
inline std::int32_t value_at(const Var& v, std::uint32_t k) {
  if (v.kind == Var::Kind::Tag) return static_cast<std::int32_t>(k);
  return static_cast<std::int32_t>((k + 1) % v.size);
}

/// False for assignments no request realizes: `request.now` defaults to
/// `request.time`, so it cannot be missing while the time is present.
inline bool realizable(const Space& s, const Partial& p, const Var& v, std::int32_t x) {
  if (s.now_attr() < 0 || v.kind != Var::Kind::Scalar) return true;
  auto now = static_cast<std::uint32_t>(s.now_attr()), time = static_cast<std::uint32_t>(s.time_attr());
  if (v.attr == now && x == 0) return p.cls[time] <= 0;
  if (v.attr == time && x > 0) return p.cls[now] != 0;
  return true;
}

template <class Pred>
bool search_from(const Space& s, Partial& p, std::size_t i, Pred& pred, std::uint64_t& nodes) {
  ++nodes;
  Verdict verdict = pred(static_cast<const Partial&>(p));
  if (verdict != Verdict::Open) return verdict == Verdict::All;
  const auto& vars = s.vars();
  while (i < vars.size() && skip(vars[i], p)) ++i;
  // INVARIANT: with every variable assigned the predicate is decided, so i < size here.
  if (i == vars.size()) return false;
  const Var& var = vars[i];
  for (std::uint32_t k = 0; k < var.size; ++k) {
    std::int32_t x = value_at(var, k);
    if (!realizable(s, p, var, x)) continue;
    p.set(var, x);
    if (search_from(s, p, i + 1, pred, nodes)) return true;
  }
  p.unset(var);
  return false;
}

}  // namespace detail

/// Searches the completions of `p` for a solution of `pred`, a callable
/// `Verdict(const Partial&)` that must be decided (None or All) when every
/// variable is assigned. On success returns true and leaves in `p` an
/// assignment whose every completion is a solution; otherwise restores `p`.
template <class Pred>
bool search(const Space& s, Partial& p, Pred&& pred) {
  std::uint64_t nodes = 0;
  bool found = detail::search_from(s, p, 0, pred, nodes);
  count_nodes(nodes);
  return found;
}

}  // namespace redline::verify
