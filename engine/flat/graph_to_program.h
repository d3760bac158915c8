// flat/graph_to_program.h — flattens the decision graph into ProgramData.
#pragma once

#include "compile/decision_graph.h"
#include "flat/program_data.h"

namespace redline::flat {

/// Builds the flat arrays for every rule-set and leaf node of `c`'s graph.
ProgramData flatten(const compile::Compiled& c);

/// The class index of a value for a Table (0 = missing). Shared by the
/// flattener (which enumerates classes) and the evaluator (which looks them up).
std::uint32_t classify(const Table& t, const ProgramData& d, bool present, std::int64_t value);

}  // namespace redline::flat
