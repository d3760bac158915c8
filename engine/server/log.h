// server/log.h — the operator's log of `redline serve`: one JSON object per
// line on stderr ({"time", "level", "event", ...fields}), written whole
// under a lock so lines of different threads never interleave.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace redline::server {

/// Writes one log line: `event` plus string fields.
void log_event(std::string_view level, std::string_view event,
               std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

}  // namespace redline::server
