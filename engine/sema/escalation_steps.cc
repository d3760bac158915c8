// sema/escalation_steps.cc — chained escalation steps and their deadlines.
#include "sema/escalation_steps.h"

#include <set>

namespace redline::sema {

std::vector<StepWindow> step_windows(const Model& m, const Rule& r, std::optional<std::int64_t> time) {
  std::vector<StepWindow> out;
  std::optional<std::int64_t> start = time;
  std::set<std::int32_t> seen;
  for (std::int32_t e = r.escalation; e >= 0 && seen.insert(e).second;) {
    const Escalation& path = m.escalations[static_cast<std::size_t>(e)];
    for (std::uint32_t i = 0; i < path.steps.size(); ++i) {
      const Step& s = path.steps[i];
      std::optional<std::int64_t> deadline;
      if (start && s.within) deadline = *start + *s.within;
      out.push_back({static_cast<std::uint32_t>(e), i, s.role, s.quorum, deadline});
      start = deadline;   // the next step's window starts when this one ends (none: no limit)
    }
    if (path.on_timeout != ast::Escalation::Timeout::EscalateTo || !start) break;
    e = path.next;
  }
  return out;
}

bool can_time_out(const Model& m, const Rule& r) {
  if (r.effect != Effect::Escalate || r.escalation < 0) return false;
  auto steps = step_windows(m, r, std::int64_t{0});
  if (steps.empty() || !steps.back().deadline) return false;
  return m.escalations[steps.back().escalation].on_timeout == ast::Escalation::Timeout::Deny;
}

}  // namespace redline::sema
