// verify/witness.h — turns an assignment found by the search into a real
// request in the JSON format of LANGUAGE.md §12: the full purpose path,
// attribute values by name, tags as arrays, durations like "90s", timestamps
// in RFC 3339. Attributes the assignment leaves open are omitted (missing).
#pragma once

#include <cstdint>
#include <string>

#include "verify/space.h"

namespace redline::verify {

/// The request that `p` represents for purpose `purpose`, as one-line JSON.
std::string request_json(const sema::Model& m, std::uint32_t purpose, const Partial& p);

/// A duration in seconds as a request string (`90s`, `10m`, `2h`, `1d`).
std::string format_duration(std::int64_t seconds);

/// Unix seconds as an RFC 3339 UTC timestamp (`2026-03-05T14:00:00Z`).
std::string format_rfc3339(std::int64_t seconds);

}  // namespace redline::verify
