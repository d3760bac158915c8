// flat/graph_to_program.h — flattens the decision graph into ProgramData.
#pragma once

#include "flat/program_data.h"

namespace redline::compile {
struct Compiled;   // compile/decision_graph.h (Boost.Graph): only the flattener sees it
}

namespace redline::flat {

/// Builds the flat arrays for every rule-set and leaf node of `c`'s graph.
ProgramData flatten(const compile::Compiled& c);

/// Lowers condition `c` to instructions appended to d.ops (pre-order, see
/// CondOp; its constants to d.cond_values). flat/cond_ops.h runs them.
void lower_cond(const sema::Cond& c, ProgramData& d);

/// The class index of a value for a Table (0 = missing). Shared by the
/// flattener (which enumerates classes) and the evaluator (which looks them up).
std::uint32_t classify(const Table& t, const ProgramData& d, bool present, std::int64_t value);

}  // namespace redline::flat
