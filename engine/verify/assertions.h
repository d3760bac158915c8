// verify/assertions.h — the assertion prover's internals, shared with the
// analyses and the tests: refuting one assertion against a stack, and
// completing a partial assignment into a concrete request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "verify/stack.h"
#include "verify/verify.h"

namespace redline::verify {

/// A request that violates an assertion.
struct Counterexample {
  std::uint32_t purpose = 0;
  std::string request;                    ///< JSON (LANGUAGE.md §12)
  int decision = 0;                       ///< the outcome rank it gets
  std::optional<std::uint32_t> tripped;   ///< a model kill switch that must be tripped, if any
};

/// A request violating `a` under the stack `st`, or nullopt when `a` holds.
std::optional<Counterexample> refute(const Stack& st, const sema::Assertion& a);

/// The RL4010 finding of assertion `a`, the `index`-th of its policy (0-based).
Finding assertion_finding(const sema::Model& m, const sema::Assertion& a, std::size_t index, const Counterexample& cx);

/// Assigns every open variable of `p` (missing or absent first, realizable
/// values only) so the assignment names one concrete request.
void complete(Partial& p);

}  // namespace redline::verify
