// server/http_client.h — a small blocking HTTP/1.1 client for plain
// `http://` URLs: one request per connection (`Connection: close`), a
// deadline over the whole exchange, a cap on the answer's size. Used where
// redline talks to a server rather than being one (`redline approve --case`).
//
// Nothing here throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redline::server {

/// An `http://HOST[:PORT][/PATH]` URL, split.
struct HttpUrl {
  std::string host;        ///< a name, an IPv4 address, or an IPv6 address (without brackets)
  std::uint16_t port = 80;
  std::string path = "/";  ///< with the query, if any
};

/// Splits `url`; false with `error` when it is not an http URL this client
/// can use (https, userinfo, no host, a bad port).
bool parse_http_url(std::string_view url, HttpUrl& out, std::string& error);

struct HttpClientResponse {
  int status = 0;          ///< 0 when no answer was read
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;   ///< names lowercased
  std::string error;       ///< why there is no answer (connect, timeout, malformed)
  bool ok() const { return status != 0 && error.empty(); }
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10000};   ///< connect to last byte
  std::size_t max_body = 8u << 20;            ///< answers over this are an error
};

/// Sends one request (`headers` are full "Name: value" lines without CRLF)
/// and reads the answer.
HttpClientResponse http_call(const HttpUrl& url, std::string_view method, std::string_view path_and_query,
                             const std::vector<std::string>& headers, std::string_view body, const HttpClientOptions& options = {});

}  // namespace redline::server
