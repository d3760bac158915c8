// sema/coverage.h — when a rule's target covers a request's purpose, and when
// the purpose is vaguer than the target (LANGUAGE.md §9). Shared by the
// compiler and the reference interpreter so both read the spec the same way.
#pragma once

#include <cstdint>
#include <vector>

#include "sema/model.h"

namespace redline::sema {

/// True when `t` covers purpose `q`: `P` covers P and its descendants, `P.*`
/// only the descendants, `*` every purpose.
inline bool covers(const PurposeTree& tree, const Target& t, std::uint32_t q) {
  switch (t.kind) {
    case Target::Kind::All: return true;
    case Target::Kind::Exact: return tree.is_ancestor_or_self(t.purpose, q);
    case Target::Kind::Descendants: return q != t.purpose && tree.is_ancestor_or_self(t.purpose, q);
  }
  return false;
}

/// True when `q` is not covered by `t` but is vaguer than it: an ancestor of
/// `P` for `P`; P itself or an ancestor for `P.*`. Only restrictive rules and
/// kill switches apply through vagueness.
inline bool vaguer(const PurposeTree& tree, const Target& t, std::uint32_t q) {
  switch (t.kind) {
    case Target::Kind::All: return false;
    case Target::Kind::Exact: return q != t.purpose && tree.is_ancestor_or_self(q, t.purpose);
    case Target::Kind::Descendants: return tree.is_ancestor_or_self(q, t.purpose);
  }
  return false;
}

/// True when any of `targets` covers `q`, or (when `restrictive`) `q` is vaguer than one.
inline bool reaches(const PurposeTree& tree, const std::vector<Target>& targets, std::uint32_t q, bool restrictive) {
  for (const auto& t : targets) {
    if (covers(tree, t, q)) return true;
    if (restrictive && vaguer(tree, t, q)) return true;
  }
  return false;
}

/// True for prohibit, require approval and escalate.
inline bool is_restrictive(Effect e) { return e != Effect::Permit; }

}  // namespace redline::sema
