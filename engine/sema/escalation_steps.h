// sema/escalation_steps.h — the reviewer steps of an escalation path after
// chaining (`on_timeout escalate to`), with their deadlines, and whether a
// rule can time out into `deny`: properties of the checked model, read by the
// flattener (which rules need the timeout path) and by approval judging.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sema/model.h"

namespace redline::sema {

/// One reviewer step of an escalation, with its deadline, after chaining
/// paths through `on_timeout escalate to`.
struct StepWindow {
  std::uint32_t escalation = 0;   ///< model escalation index
  std::uint32_t step = 0;         ///< index within that path
  std::uint32_t role = 0;
  std::uint32_t quorum = 1;
  std::optional<std::int64_t> deadline;   ///< Unix seconds; none = no limit (or no request.time)
};

/// The steps of rule `r`'s escalation path and the paths it chains to.
std::vector<StepWindow> step_windows(const Model& m, const Rule& r, std::optional<std::int64_t> time);

/// True when rule `r` can become `deny` without any approval: an escalation
/// whose (chained) path ends in `on_timeout deny` after finite deadlines.
bool can_time_out(const Model& m, const Rule& r);

}  // namespace redline::sema
