// ast/literals.h — parsing of the literal forms shared by policies and
// requests: durations ("90s", "10m", "72h", "1d") and RFC 3339 timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace redline {

/// Seconds of a duration written as digits followed by one unit s, m, h or d;
/// nullopt when malformed or out of range.
std::optional<std::int64_t> parse_duration(std::string_view text);

/// Unix seconds of an RFC 3339 timestamp ("2026-03-05T14:00:00Z", fractional
/// seconds and numeric offsets allowed; fractions truncated); nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

/// Unix seconds of an RFC 3339 full-date ("2026-04-01", the start of that day
/// in UTC) or date-time (as parse_rfc3339); nullopt when it is neither.
std::optional<std::int64_t> parse_rfc3339_date_or_time(std::string_view text);

/// The RFC 3339 UTC text of Unix seconds ("2026-03-05T14:00:00Z").
std::string format_rfc3339(std::int64_t unix_seconds);

/// A duration in its shortest exact form ("90s" → "90s", 3600 → "1h").
std::string format_duration(std::int64_t seconds);

}  // namespace redline
