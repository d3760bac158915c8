// server/log.cc — see log.h.
#include "server/log.h"

#include <cstdio>
#include <mutex>

#include "eval/json_out.h"
#include "state/state_dir.h"

namespace redline::server {

void log_event(std::string_view level, std::string_view event,
               std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string line;
  eval::JsonOut j(line);
  j.raw("{\"time\":");
  j.str(state::now_rfc3339());
  j.raw(",\"level\":");
  j.str(level);
  j.raw(",\"event\":");
  j.str(event);
  for (const auto& [k, v] : fields) {
    j.raw(',');
    j.key(k);
    j.str(v);
  }
  j.raw("}\n");
  static std::mutex mu;
  std::lock_guard lk(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace redline::server
