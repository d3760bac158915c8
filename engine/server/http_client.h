// server/http_client.h — redline's one outbound HTTP/1.1 client, for
// `http://` and `https://` URLs: one request per connection
// (`Connection: close`), a deadline over the whole exchange (connect, TLS
// handshake, request, answer), a cap on the answer's size, and an optional
// stop flag that abandons the exchange within ~100 ms. Used where redline
// talks to a server rather than being one: the webhook worker of
// `redline serve` (server/webhooks.cc) and `redline approve --case`.
//
// https verifies the server's certificate, always: against the system's
// trust store, or only the CAs of `ca_file` when one is given, with the
// URL's host checked against the certificate (DNS name or IP address) and
// sent as SNI; TLS 1.2 or later. There is no way to turn verification off.
//
// Nothing here throws. The TLS library stays inside http_client.cc.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redline::server {

/// An `http[s]://HOST[:PORT][/PATH]` URL, split.
struct HttpUrl {
  std::string scheme = "http";   ///< "http" or "https" (lowercase)
  std::string host;              ///< a name, an IPv4 address, or an IPv6 address (without brackets)
  std::uint16_t port = 80;       ///< 80 for http and 443 for https unless the URL names one
  std::string path = "/";        ///< with the query, if any
  bool https() const { return scheme == "https"; }
};

/// Splits `url`; false with `error` when it is not an http or https URL
/// this client can use (another scheme, userinfo, no host, a bad port).
bool parse_http_url(std::string_view url, HttpUrl& out, std::string& error);

struct HttpClientResponse {
  int status = 0;          ///< 0 when no answer was read
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;   ///< names lowercased
  std::string error;       ///< why there is no answer (connect, TLS, timeout, malformed)
  bool ok() const { return status != 0 && error.empty(); }
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10000};   ///< connect to last byte
  std::size_t max_body = 8u << 20;            ///< answers over this are an error
  std::string ca_file;                        ///< https: trust only the CA certificates of this PEM file ("" = the system store)
  std::string user_agent = "redline";
  /// Return once the status line is in, without reading headers or body
  /// (the webhook worker needs only the status).
  bool status_only = false;
  /// When set (checked at least every 100 ms), the exchange is abandoned
  /// with an error: a worker shutting down does not wait for a slow peer.
  const std::atomic<bool>* stop = nullptr;
};

/// Sends one request (`headers` are full "Name: value" lines without CRLF)
/// and reads the answer.
HttpClientResponse http_call(const HttpUrl& url, std::string_view method, std::string_view path_and_query,
                             const std::vector<std::string>& headers, std::string_view body, const HttpClientOptions& options = {});

/// Whether `path` is a readable PEM file with at least one certificate, as
/// `HttpClientOptions::ca_file` needs; false with `error` otherwise.
bool check_ca_file(const std::string& path, std::string& error);

}  // namespace redline::server
