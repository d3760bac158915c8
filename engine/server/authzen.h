// server/authzen.h — helpers of the AuthZEN front (authzen.cc) that the rest
// of the service calls: which paths are AuthZEN's, the fail-closed body every
// answer on those paths carries, and the X-Request-ID echo.
#pragma once

#include <string>
#include <string_view>

namespace redline::server {

struct Response;

/// Whether `path` belongs to the AuthZEN API (`/access/v1` and below).
bool is_authzen_path(std::string_view path);

/// What the first bytes of a connection say about the request's path:
/// `Unknown` when no complete request line arrived (nothing to tell by),
/// `Authzen` when its target is an AuthZEN path, `Other` otherwise.
enum class RawPath { Unknown, Authzen, Other };
RawPath classify_raw_request(std::string_view raw);

/// An AuthZEN refusal: `out` gets `status` and the body
/// {"decision": false, "context": {"outcome": "deny", "error": {"status",
/// "code", "message"}, "redline": <redline_json>}} — `redline_json` being
/// the redline `deny` decision with the same error (or "" to leave it out).
void authzen_refusal(Response& out, int status, std::string_view code, std::string_view message, std::string_view redline_json);

/// The X-Request-ID value in a request's raw bytes (complete header lines
/// only), or "": for answers to requests that could not be parsed.
std::string_view raw_request_id(std::string_view raw);

/// Adds `X-Request-ID: value` to `out` when `value` is a non-empty header
/// value that is safe to send back (no control characters, at most 1 KiB).
void echo_request_id(std::string_view value, Response& out);

}  // namespace redline::server
