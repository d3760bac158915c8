// server/webhooks.h — the pieces of case-event webhooks (docs/approvals.md
// "Notifications") that need no Service: the signature scheme, the retry
// schedule, and one POST to a webhook over the outbound HTTP client
// (server/http_client.h: http or https, one deadline for connect, TLS
// handshake, send and the status line). The Service's delivery worker
// (webhooks.cc) drives them from its own thread, so a slow or dead receiver
// never holds a decision, a case action or the case scheduler.
//
// Nothing here throws.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "server/http_client.h"

namespace redline::server {

/// `t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "UNIX_SECONDS.body"))`, the
/// value of the Redline-Signature header.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

/// The wait before attempt `attempts + 1` after `attempts` failed ones:
/// backoff * 2^(attempts-1), at most max_backoff, less up to a quarter of
/// it at random (jitter, so that receivers coming back are not hit by every
/// retry at once).
std::chrono::milliseconds webhook_backoff(const Webhook& w, std::uint32_t attempts);

/// POSTs `body` with the extra `headers` ("Name: value" lines) to the
/// webhook, waiting at most its timeout in all (connect, TLS handshake,
/// send, the response's status line) and giving up early once `stop` is
/// set. Only the status is read: the result has `status` (0 when there was
/// none) or `error`.
HttpClientResponse webhook_post(const Webhook& w, const std::vector<std::string>& headers, std::string_view body, const std::atomic<bool>& stop);

/// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds.
std::string rfc3339_ms(std::int64_t ms);
/// Now, in milliseconds since the Unix epoch.
std::int64_t unix_ms();

}  // namespace redline::server
