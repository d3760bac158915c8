// audit/replay.h — `audit replay`: re-evaluates every logged decision with
// the exact policy version that made it (from the content-addressed store)
// and the kill switches that were tripped when it was made, and reports
// every difference. A record whose request had masked fields cannot always
// be reproduced: when it differs it is counted as unverifiable, not as a
// difference.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "state/state_dir.h"

namespace redline::audit {

/// What replaying found.
struct ReplayReport {
  bool ok = false;               ///< no difference and no record that could not be replayed
  std::string error;             ///< the log could not be read
  std::uint64_t decisions = 0, same = 0, differ = 0, masked = 0, unreplayable = 0;
};

/// Replays every decision record; `report(line)` receives one line per
/// difference or failure, naming the record.
ReplayReport replay_log(const state::StateDir& dir, const std::function<void(const std::string&)>& report);

}  // namespace redline::audit
