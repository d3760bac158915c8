// sema/timestamp.h — RFC 3339 timestamps ("2026-03-05T14:00:00Z",
// "2026-03-05T14:00:00.250+01:00") to Unix seconds, for timestamp literals in
// conditions and for request binding.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace redline::sema {

/// Unix seconds of an RFC 3339 date-time (fractions truncated toward the past,
/// a leap second `:60` read as the next second); nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace redline::sema
