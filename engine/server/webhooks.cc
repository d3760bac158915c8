// server/webhooks.cc — case-event webhooks (docs/approvals.md
// "Notifications"): the request path only writes outbox rows to the case
// store (notify); one worker thread POSTs them, signed, and retries with
// backoff until they are delivered or out of attempts. Every row is in the
// store, so what is pending survives a restart and resumes.
#include "server/webhooks.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "crypto/sha256.h"
#include "diag/codes.h"
#include "server/log.h"
#include "server/service.h"

namespace redline::server {
namespace {

using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

/// A socket, closed at scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

/// Waits for `events` on `fd` until `deadline`, in slices so that `stop` is
/// seen; false with `error` on timeout or stop.
bool wait_for(int fd, short events, Clock::time_point deadline, const std::atomic<bool>& stop, std::string& error) {
  for (;;) {
    if (stop.load(std::memory_order_acquire)) return error = "the server is stopping", false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return error = "timed out", false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return error = std::string("poll: ") + std::strerror(errno), false;
  }
}

/// Connects to one of the host's addresses before `deadline`.
bool connect_to(const Webhook& w, Fd& sock, Clock::time_point deadline, const std::atomic<bool>& stop, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(w.port);
  int rc = ::getaddrinfo(w.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return error = "cannot resolve `" + w.host + "`: " + ::gai_strerror(rc), false;
  error = "no address for `" + w.host + "`";
  bool ok = false;
  for (addrinfo* a = found; a && !ok; a = a->ai_next) {
    Fd s;
    s.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s.fd < 0) {
      error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error = std::string("connect: ") + std::strerror(errno);
        continue;
      }
      if (!wait_for(s.fd, POLLOUT, deadline, stop, error)) {
        error = "connect: " + error;
        if (stop.load() || Clock::now() >= deadline) break;
        continue;
      }
      int e = 0;
      socklen_t len = sizeof e;
      if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0 || e != 0) {
        error = std::string("connect: ") + std::strerror(e ? e : errno);
        continue;
      }
    }
    std::swap(sock.fd, s.fd);
    ok = true;
  }
  ::freeaddrinfo(found);
  return ok;
}

/// The status of an HTTP/1.x status line at the start of `head`, or 0.
int parse_status(std::string_view head) {
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') return 0;
  int v = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return 0;
    v = v * 10 + (head[i] - '0');
  }
  return v >= 100 && v <= 599 ? v : 0;
}

std::mt19937_64& rng() {
  thread_local std::mt19937_64 g(static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()) ^
                                 std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return g;
}

/// The id of the delivery of case event `event` (at the case's `version`) to `url`.
std::string delivery_id(const cases::Case& c, std::string_view event, const std::string& url) {
  crypto::Sha256 h;
  std::string version = std::to_string(c.version);
  h.update("redline-delivery-v1\n").update(c.id).update("\n").update(event).update("\n").update(version).update("\n").update(url);
  crypto::Sha256Digest d = h.final();
  return "d-" + crypto::to_hex(std::span(d.data(), 16));
}

}  // namespace

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rfc3339_ms(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  std::string signed_text = t + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(signed_text.data()),
       signed_text.size(), mac, &len);
  return "t=" + t + ",v1=" + crypto::to_hex(std::span<const std::uint8_t>(mac, len));
}

std::chrono::milliseconds webhook_backoff(const Webhook& w, std::uint32_t attempts) {
  std::int64_t d = w.backoff.count();
  for (std::uint32_t i = 1; i < attempts && d < w.max_backoff.count(); ++i) d *= 2;
  d = std::min<std::int64_t>(d, w.max_backoff.count());
  std::int64_t jitter = d / 4 > 0 ? static_cast<std::int64_t>(rng()() % static_cast<std::uint64_t>(d / 4 + 1)) : 0;
  return std::chrono::milliseconds(std::max<std::int64_t>(1, d - jitter));
}

PostResult webhook_post(const Webhook& w, std::string_view headers, std::string_view body, const std::atomic<bool>& stop) {
  PostResult r;
  const auto deadline = Clock::now() + w.timeout;
  Fd sock;
  if (!connect_to(w, sock, deadline, stop, r.error)) return r;
  bool v6 = w.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + w.host + "]" : w.host;
  if (w.port != 80) host += ":" + std::to_string(w.port);
  std::string req = "POST " + w.target + " HTTP/1.1\r\nHost: " + host +
                    "\r\nUser-Agent: redline-webhooks\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n" + std::string(headers) + "\r\n" + std::string(body);
  std::string_view rest = req;
  while (!rest.empty()) {
    if (!wait_for(sock.fd, POLLOUT, deadline, stop, r.error)) return r.error = "send: " + r.error, r;
    ssize_t n = ::send(sock.fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return r.error = std::string("send: ") + std::strerror(errno), r;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  // Only the status line matters; the rest of the response is not read.
  std::string head;
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    if (!wait_for(sock.fd, POLLIN, deadline, stop, r.error)) return r.error = "no response: " + r.error, r;
    char buf[1024];
    ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return r.error = std::string("recv: ") + std::strerror(errno), r;
    if (n == 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  r.status = parse_status(head);
  if (r.status == 0) r.error = head.empty() ? "the connection closed without a response" : "the response is not HTTP/1.x";
  return r;
}

// ---- the Service's side ----

void Service::notify(std::string_view event, const cases::Case& c) {
  cases::CaseStore* store = host_.cases();
  if (!store || config_.webhooks.empty()) return;
  const std::int64_t now = unix_ms();
  std::vector<cases::Delivery> ds;
  for (const Webhook& w : config_.webhooks) {
    if (!w.wants(event)) continue;
    cases::Delivery d;
    d.id = delivery_id(c, event, w.url);
    d.case_id = c.id;
    d.event = std::string(event);
    d.url = w.url;
    ojson body;
    body["id"] = d.id;
    body["event"] = "case." + d.event;
    body["created_at"] = rfc3339_ms(now);
    body["case"] = {{"id", c.id},           {"url", "/v1/cases/" + c.id}, {"state", to_string(c.state)}, {"outcome", c.outcome},
                    {"roles", c.roles},     {"request_id", c.request_id}, {"version", c.version},        {"updated_at", c.updated_at}};
    d.body = dump(body);
    d.created_ms = d.next_attempt_ms = now;
    ds.push_back(std::move(d));
  }
  if (ds.empty()) return;
  std::string error;
  if (!store->enqueue(ds, error)) {
    log_event("error", "webhook_enqueue_failed", {{"case", c.id}, {"event", event}, {"reason", error}});
    return;
  }
  {
    std::lock_guard lk(webhook_mu_);
    webhook_kick_ = true;
  }
  webhook_cv_.notify_all();
}

std::string Service::deliveries_json(std::string_view case_id) const {
  std::vector<cases::Delivery> ds;
  std::string error;
  if (!host_.cases() || !host_.cases()->deliveries(case_id, ds, error)) return "[]";
  ojson arr = ojson::array();
  for (const cases::Delivery& d : ds) {
    ojson j;
    j["id"] = d.id;
    j["event"] = d.event;
    j["url"] = d.url;
    j["state"] = d.state;
    j["attempts"] = d.attempts;
    j["last_status"] = d.last_status ? ojson(d.last_status) : ojson(nullptr);
    j["last_error"] = d.last_error.empty() ? ojson(nullptr) : ojson(d.last_error);
    j["next_attempt_at"] = d.state == "pending" ? ojson(rfc3339_ms(d.next_attempt_ms)) : ojson(nullptr);
    j["delivered_at"] = d.delivered_ms ? ojson(rfc3339_ms(d.delivered_ms)) : ojson(nullptr);
    arr.push_back(std::move(j));
  }
  return dump(arr);
}

void Service::start_webhooks() {
  if (!host_.cases() || config_.webhooks.empty() || webhook_thread_.joinable()) return;
  webhook_thread_ = std::thread([this] {
    while (!webhook_stop_.load(std::memory_order_acquire)) {
      std::int64_t wait = deliver_due();
      std::unique_lock lk(webhook_mu_);
      webhook_cv_.wait_for(lk, std::chrono::milliseconds(wait), [&] { return webhook_kick_ || webhook_stop_.load(); });
      webhook_kick_ = false;
    }
  });
}

std::int64_t Service::deliver_due() {
  cases::CaseStore* store = host_.cases();
  if (!store) return 1000;
  std::chrono::milliseconds longest{0};
  for (const Webhook& w : config_.webhooks) longest = std::max(longest, w.timeout);
  for (;;) {
    if (webhook_stop_.load(std::memory_order_acquire)) return 0;
    std::vector<cases::Delivery> due;
    std::string error;
    const std::int64_t now = unix_ms();
    // Leased for longer than an attempt can take: a worker that dies
    // mid-attempt leaves the delivery to be tried again after that.
    if (!store->claim(now, now + longest.count() + 5000, 16, due, error)) {
      log_event("error", "webhook_store_failed", {{"reason", error}});
      return 1000;
    }
    if (due.empty()) break;
    for (const cases::Delivery& d : due) {
      if (webhook_stop_.load(std::memory_order_acquire)) return 0;
      const Webhook* w = nullptr;
      for (const Webhook& h : config_.webhooks)
        if (h.url == d.url) w = &h;
      cases::Attempt a;
      const std::uint32_t attempt = d.attempts + 1;
      if (!w) {
        a.state = "failed";
        a.error = "no webhook with this URL is configured any more";
      } else {
        const std::int64_t t = unix_ms() / 1000;
        std::string headers = "Redline-Webhook-Id: " + d.id + "\r\nRedline-Webhook-Event: case." + d.event +
                              "\r\nRedline-Webhook-Attempt: " + std::to_string(attempt) +
                              "\r\nRedline-Signature: " + webhook_signature(w->secret, t, d.body) + "\r\n";
        PostResult p = webhook_post(*w, headers, d.body, webhook_stop_);
        if (webhook_stop_.load(std::memory_order_acquire)) return 0;   // not an attempt: tried again after its lease
        a.status = p.status;
        if (p.status >= 200 && p.status < 300) {
          a.state = "delivered";
        } else {
          a.error = p.status ? "HTTP " + std::to_string(p.status) : p.error;
          a.state = attempt >= w->max_attempts ? "failed" : "pending";
          a.next_attempt_ms = unix_ms() + webhook_backoff(*w, attempt).count();
        }
      }
      a.at_ms = unix_ms();
      if (!store->record_attempt(d.id, a, error)) log_event("error", "webhook_store_failed", {{"reason", error}});
      if (a.state == "delivered") {
        metrics_.webhook(Metrics::WebhookResult::delivered);
      } else if (a.state == "pending") {
        metrics_.webhook(Metrics::WebhookResult::retry);
        log_event("warning", "webhook_retry", {{"delivery", d.id}, {"case", d.case_id}, {"url", d.url}, {"attempt", std::to_string(attempt)},
                                               {"reason", a.error}});
      } else {
        metrics_.webhook(Metrics::WebhookResult::failed);
        log_event("error", "webhook_failed", {{"code", diag::info(diag::Code::WebhookFailed).text}, {"delivery", d.id}, {"case", d.case_id}, {"url", d.url},
                                              {"attempts", std::to_string(attempt)}, {"reason", a.error}});
      }
    }
  }
  std::string error;
  std::int64_t next = store->next_due(error);
  if (next == 0) return 1000;
  return std::clamp<std::int64_t>(next - unix_ms(), 0, 1000);
}

}  // namespace redline::server
