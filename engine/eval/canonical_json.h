// eval/canonical_json.h — the canonical JSON text redline hashes when it
// binds a signature to a request (docs/approvals.md "Request digest"):
// strings with only the escapes JSON requires, integers in decimal, other
// numbers in their shortest round-trip form, members sorted by key bytes,
// no insignificant whitespace. One writer, so every caller hashes alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "redline/request.h"

namespace redline::eval {

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as
/// \b \f \n \r \t or \u00xx (lowercase hex), every other byte as it is.
void append_json_string(std::string& out, std::string_view s);

/// Appends an integer in decimal.
void append_json_integer(std::string& out, std::int64_t v);

/// Appends a non-integer JSON number: the shortest text that reads back as
/// the same double (std::to_chars), with ".0" added when that text has
/// neither a fraction nor an exponent, so `1.0` stays apart from `1`.
void append_json_number(std::string& out, double v);

/// The canonical text of a request value; "" for Null and Object, which
/// have none of their own (an object is the sum of its leaves).
std::string canonical_value(const RequestValue& v);

/// The canonical form of a request: one JSON object mapping "purpose" and the
/// dotted path of every leaf attribute to its canonical value, sorted by key
/// bytes (then value, for a path given twice), with `request.now`, nulls,
/// objects and approvals left out.
std::string canonical_request(const Request& r);

}  // namespace redline::eval
