// server/log.h — the operator's log of `redline serve`: one JSON object per
// line on stderr ({"time", "level", "event", ...fields}), written whole
// under a lock so lines of different threads never interleave. A line equal
// to one written less than kLogRepeatWindow ago (same level, event and
// fields; a peer's port aside) is not written; the next one written after
// the window says how many were left out ("repeated": "N").
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace redline::server {

/// How long identical lines are counted instead of written.
inline constexpr std::chrono::seconds kLogRepeatWindow{1};

/// Writes one log line: `event` plus string fields.
void log_event(std::string_view level, std::string_view event,
               std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

}  // namespace redline::server
