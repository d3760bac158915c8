// server/log.cc — see log.h.
#include "server/log.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <unordered_map>

#include "eval/json_out.h"
#include "state/state_dir.h"

namespace redline::server {
namespace {

/// The line's identity for rate limiting: level, event and fields, with a
/// peer's port dropped (a flood comes from many ports of one address).
std::string signature(std::string_view level, std::string_view event,
                      std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string sig;
  sig.append(level).push_back('\0');
  sig.append(event);
  for (const auto& [k, v] : fields) {
    sig.push_back('\0');
    sig.append(k).push_back('=');
    std::string_view value = v;
    if (k == "peer") {
      std::size_t colon = value.rfind(':');
      if (colon != std::string_view::npos) value = value.substr(0, colon);
    }
    sig.append(value);
  }
  return sig;
}

struct Window {
  std::chrono::steady_clock::time_point start;
  std::uint64_t suppressed = 0;
};

}  // namespace

void log_event(std::string_view level, std::string_view event,
               std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  static std::mutex mu;
  static std::unordered_map<std::string, Window> windows;
  std::string sig = signature(level, event, fields);
  std::uint64_t repeated = 0;
  {
    std::lock_guard lk(mu);
    auto now = std::chrono::steady_clock::now();
    if (windows.size() > 4096) windows.clear();   // bounded: at worst an extra line per signature
    auto [it, fresh] = windows.try_emplace(std::move(sig), Window{now, 0});
    if (!fresh) {
      if (now - it->second.start < kLogRepeatWindow) {
        ++it->second.suppressed;
        return;
      }
      repeated = it->second.suppressed;
      it->second = Window{now, 0};
    }
  }
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
  if (repeated > 0) {
    j.raw(",\"repeated\":");
    j.str(std::to_string(repeated));
  }
  j.raw("}\n");
  std::lock_guard lk(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace redline::server
