// sema/link_cycles.h — the cycles of a graph in which every node links to at
// most one other (a layer's `extends`, an escalation path's `on_timeout
// escalate to`). Both checks report each cycle once, at its earliest-declared
// member, and break it there; this finds them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace redline::sema {

/// Every cycle of the links `next(i)` (a node index, or a negative number for
/// none) over nodes 0..n-1, each once, as its members in link order starting
/// at its smallest index; cycles in order of that index.
template <class Next>
std::vector<std::vector<std::uint32_t>> link_cycles(std::size_t n, Next next) {
  enum : std::uint8_t { kNew, kOnWalk, kDone };
  std::vector<std::uint8_t> state(n, kNew);
  std::vector<std::vector<std::uint32_t>> cycles;
  for (std::uint32_t start = 0; start < n; ++start) {
    std::vector<std::uint32_t> walk;
    std::int64_t at = start;
    while (at >= 0 && state[static_cast<std::size_t>(at)] == kNew) {
      state[static_cast<std::size_t>(at)] = kOnWalk;
      walk.push_back(static_cast<std::uint32_t>(at));
      at = next(static_cast<std::uint32_t>(at));
    }
    if (at >= 0 && state[static_cast<std::size_t>(at)] == kOnWalk) {
      std::vector<std::uint32_t> cycle(std::find(walk.begin(), walk.end(), static_cast<std::uint32_t>(at)), walk.end());
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      cycles.push_back(std::move(cycle));
    }
    for (auto w : walk) state[w] = kDone;
  }
  std::sort(cycles.begin(), cycles.end());
  return cycles;
}

}  // namespace redline::sema
