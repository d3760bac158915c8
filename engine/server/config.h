// server/config.h — the configuration of `redline serve`: where to listen,
// how many event loops, which endpoints need a bearer token, the tokens
// (each bound to an actor id and roles; stored as SHA-256 digests so a
// config file need not hold the secrets), HTTP limits and timeouts, policy
// reloading and audit options. Read from a JSON file (docs/serve.md); every
// unknown key is an error, so a typo cannot silently open an endpoint.
//
// Nothing here throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/sha256.h"
#include "server/http.h"

namespace redline::server {

/// A bearer token: its SHA-256, who presents it, and the roles they act in.
struct Token {
  crypto::Sha256Digest digest{};
  std::string actor;
  std::vector<std::string> roles;
};

/// A webhook that approval-case events are POSTed to (docs/approvals.md
/// "Notifications"), over http or https (the server's certificate verified;
/// server/http_client.h).
struct Webhook {
  std::string url;                      ///< as configured: http[s]://host[:port][/path]
  std::string scheme = "http";          ///< "http" or "https"
  std::string host;                     ///< without brackets for IPv6
  std::uint16_t port = 80;              ///< 443 for https unless the URL names a port
  std::string target = "/";             ///< path and query sent in the request line
  std::vector<std::string> events;      ///< of kWebhookEvents; every one when the config names none
  std::string secret;                   ///< the HMAC-SHA256 key, read from `secret_file` or `secret_env`
  std::string ca_file;                  ///< https: a PEM file of the CAs to trust instead of the system store ("" = the system store)
  unsigned max_attempts = 8;            ///< attempts before a delivery is `failed`
  std::chrono::milliseconds timeout{10000};        ///< connect + TLS handshake + send + first response line
  std::chrono::milliseconds backoff{1000};         ///< the wait after the first failed attempt (doubles)
  std::chrono::milliseconds max_backoff{3600000};  ///< the longest wait between attempts
  bool wants(std::string_view event) const;
};

/// The case events a webhook may subscribe to.
inline constexpr std::string_view kWebhookEvents[] = {"opened", "advanced", "decided", "expired"};

/// Everything `redline serve` can be configured with.
struct ServeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8181;
  unsigned threads = 0;                 ///< event loops; 0 = one per core
  bool decisions_open = true;           ///< decision endpoints without a token
  bool metrics_open = true;             ///< /metrics without a token
  std::vector<Token> tokens;
  HttpLimits http;
  std::chrono::milliseconds request_timeout{10000};   ///< a started request must be complete within this
  std::chrono::milliseconds idle_timeout{60000};      ///< a keep-alive connection may idle this long
  std::chrono::milliseconds drain_timeout{10000};     ///< SIGTERM: in-flight requests get this long
  std::size_t max_connections = 10000;               ///< connections for any endpoint (clamped to the fd limit at start)
  std::size_t max_connections_per_ip = 1000;          ///< of those, from one client address
  std::size_t governance_connections = 16;            ///< extra slots that serve only health, metrics and governance
  std::size_t max_batch = 1000;                       ///< requests per /v1/decide/batch
  std::size_t blocking_threads = 16;                  ///< threads for requests that wait on the disk (their waits overlap: group commit)
  std::chrono::milliseconds watch_interval{1000};     ///< policy file polling; 0 = only SIGHUP
  std::chrono::milliseconds case_sweep_interval{1000};   ///< how often open approval cases are re-decided as time passes; 0 = never
  bool strict_audit = false;                          ///< acknowledge a decision once its record is durable
  std::string audit_durability;                       ///< "buffered", "written" or "durable"; "" for the default (written)
  std::optional<std::uint64_t> audit_segment_mb;      ///< seal the active audit segment at this size (0: never); unset: 256
  std::vector<std::string> mask;                      ///< JSON pointers masked in audit records
  bool authzen_context = true;                        ///< AuthZEN decisions carry `context` (outcome, redline decision)
  std::string authzen_pdp;                            ///< AuthZEN metadata's `policy_decision_point` ("" = from Host)
  std::vector<Webhook> webhooks;                      ///< where case events are POSTed (needs --state)
};

/// Reads a JSON config into `out` (defaults for what it leaves out); false with `error`.
bool parse_config(std::string_view json, ServeConfig& out, std::string& error);

/// Parses a webhook URL (http[s]://host[:port][/path][?query]) into `w`'s
/// url, scheme, host, port and target; false with `error` (which names
/// RL5030) when it is neither http nor https, has no host, has userinfo or a
/// fragment.
bool parse_webhook_url(std::string_view url, Webhook& w, std::string& error);

/// Parses "HOST:PORT" (IPv4, or [IPv6]:PORT); false with `error`.
bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port, std::string& error);

/// The token presented in an `Authorization: Bearer ...` value, if it is
/// configured (compared in constant time); null otherwise.
const Token* find_token(const ServeConfig& config, std::string_view authorization);

}  // namespace redline::server
