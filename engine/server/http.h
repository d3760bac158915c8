// server/http.h — the HTTP/1.1 request parser and response writer of
// `redline serve` (RFC 9112). The parser is incremental in the simplest way:
// it is handed everything buffered so far and either finds one complete
// request at its start, asks for more bytes, or rejects the bytes with the
// status to answer. It never allocates for a request with a Content-Length
// body (the request's views point into the caller's buffer); a chunked body
// is decoded into the request's own storage. Limits are enforced while
// parsing, so a hostile peer cannot make the buffer grow past them.
//
// Nothing here throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace redline::server {

/// Parser limits (defaults as documented in docs/serve.md).
struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;   ///< request line + headers, CRLFs included
  std::size_t max_body_bytes = 1024 * 1024;   ///< decoded body
  std::size_t max_headers = 64;
};

/// One header field, name as sent (compare case-insensitively).
struct HttpHeader {
  std::string_view name, value;
};

/// A parsed request. Views point into the parser's input (or `chunked_body`).
struct HttpRequest {
  std::string_view method, target;
  int minor_version = 1;                 ///< HTTP/1.minor
  std::array<HttpHeader, 64> headers{};
  std::size_t header_count = 0;
  std::string_view body;
  std::string chunked_body;              ///< storage of a decoded chunked body
  bool keep_alive = true;                ///< after this request (Connection, version)
  std::string_view content_type, authorization;
  bool expect_continue = false;

  /// The value of the first header named `name` (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
  /// The target's path (without the query).
  std::string_view path() const;
};

enum class ParseStatus : std::uint8_t { Complete, Incomplete, Error };

/// What parsing found.
struct ParseResult {
  ParseStatus status = ParseStatus::Incomplete;
  std::size_t consumed = 0;      ///< bytes of the complete request (Complete)
  int http_status = 0;           ///< Error: 400, 413, 414, 431, 501 or 505
  std::string_view error;        ///< Error: one lowercase line (static text)
  /// Incomplete: whether the header section is complete (the body is still arriving).
  bool headers_done = false;
};

/// Parses the request at the start of `input` into `out` (which is reset).
ParseResult parse_request(std::string_view input, const HttpLimits& limits, HttpRequest& out);

/// The reason phrase of a status code ("OK", "Bad Request", ...).
std::string_view reason_phrase(int status);

/// Appends a complete response to `out`: status line, Content-Type,
/// Content-Length, Connection, any `extra_headers` (each ending in CRLF), body.
void write_response(std::string& out, int status, std::string_view content_type, std::string_view body, bool keep_alive,
                    std::string_view extra_headers = {});

/// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b);

}  // namespace redline::server
