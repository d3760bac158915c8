// verify/space.h — the finite request space of a verification problem. The
// decision for a request depends only on which value class each attribute
// falls in: missing; a bool, enum or level value (enum values no condition
// names share one class); for int, duration and timestamp the points and gaps
// between the constants the conditions mention; for strings each mentioned
// literal plus "any other string"; for tags, per mentioned tag present or
// absent (plus the attribute missing). A Space is built from the conditions a
// problem reads, and a Partial assigns some of its variables; conditions are
// evaluated over a Partial in a four-valued abstraction (the set of Kleene
// values its completions can give).
#pragma once

#include <cstdint>
#include <vector>

#include "sema/tri.h"
#include "sema/model.h"

namespace redline::verify {

/// A set of Kleene values: bit 0 false, bit 1 unknown, bit 2 true.
using TriSet = std::uint8_t;
inline constexpr TriSet kF = 1, kU = 2, kT = 4, kAnyTri = 7;

/// The set holding only `t`.
inline TriSet tri_set(sema::Tri t) { return static_cast<TriSet>(1u << static_cast<unsigned>(t)); }

/// One search variable: a scalar attribute's class (0 missing, k ≥ 1 the
/// (k-1)-th present class), a tags attribute's presence (0 missing, 1
/// present), or one mentioned tag of a tags attribute (0 absent, 1 present).
struct Var {
  enum class Kind : std::uint8_t { Scalar, TagsPresence, Tag };
  Kind kind = Kind::Scalar;
  std::uint32_t attr = 0;
  std::int64_t tag = 0;       ///< Tag: the tag's value index
  std::uint32_t size = 2;     ///< number of values
};

/// The value classes of the attributes a set of conditions reads.
class Space {
 public:
  /// Builds the classes from `conds` (null pointers are skipped); the
  /// attributes `first` reads are branched on before the others.
  Space(const sema::Model& model, const std::vector<const sema::Cond*>& conds, const sema::Cond* first = nullptr);

  const sema::Model& model() const { return *model_; }
  /// The variables, in branching order (most-read attributes first).
  const std::vector<Var>& vars() const { return vars_; }
  /// The encoded representative value of present class `k` (0-based) of a scalar attribute.
  std::int64_t rep(std::uint32_t attr, std::uint32_t k) const { return reps_[attr][k]; }
  /// The number of present classes of a scalar attribute.
  std::uint32_t classes(std::uint32_t attr) const { return static_cast<std::uint32_t>(reps_[attr].size()); }
  /// The attribute ids of `request.time` and `request.now` when both are read, else -1.
  std::int64_t time_attr() const { return time_; }
  std::int64_t now_attr() const { return now_; }

 private:
  const sema::Model* model_;
  std::vector<Var> vars_;
  std::vector<std::vector<std::int64_t>> reps_;   ///< per model attribute (scalars only)
  std::int64_t time_ = -1, now_ = -1;
};

/// A partial assignment of a Space's variables.
struct Partial {
  /// Per model attribute: -1 unassigned, 0 missing, k ≥ 1 present class k-1
  /// (tags attributes: 1 present).
  std::vector<std::int32_t> cls;
  /// Per model attribute and tag value: -1 unassigned, 0 absent, 1 present
  /// (sized only for tags attributes).
  std::vector<std::vector<std::int8_t>> tags;
  /// Per model rule that takes approvals: 0 pending (no approval counts), 1
  /// satisfied by the request's approvals, -1 either (unassigned). Only the
  /// semantic diff branches on it; analyses and assertions keep 0.
  std::vector<std::int8_t> approved;
  const Space* space = nullptr;

  /// An empty assignment over `s`.
  explicit Partial(const Space& s);
  /// Sets variable `v` to value `x`.
  void set(const Var& v, std::int32_t x);
  /// Unsets variable `v`.
  void unset(const Var& v);
};

/// The Kleene values the completions of `p` can give `c` (a superset).
/// INVARIANT: when every variable `c` reads is assigned, the set is a singleton
/// equal to sema::evaluate on the represented request.
TriSet eval_set(const sema::Cond& c, const Partial& p);

/// The set of `when and not unless` (absent parts are true).
TriSet rule_cond_set(const sema::Rule& r, const Partial& p);

/// Whether a rule may / must apply: bit 0 "may not apply", bit 1 "may apply".
using ApplySet = std::uint8_t;
inline constexpr ApplySet kNo = 1, kYes = 2;

/// The apply set of a condition set: restrictive rules apply unless false,
/// permits only when true (LANGUAGE.md §9).
inline ApplySet apply_set(TriSet cond, bool restrictive) {
  ApplySet s = 0;
  if (restrictive) {
    if (cond & (kT | kU)) s |= kYes;
    if (cond & kF) s |= kNo;
  } else {
    if (cond & kT) s |= kYes;
    if (cond & (kF | kU)) s |= kNo;
  }
  return s;
}

/// The apply set of rule `r` under `p`.
ApplySet rule_apply_set(const sema::Rule& r, const Partial& p);

}  // namespace redline::verify
