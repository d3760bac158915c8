// server/webhooks.cc — case-event webhooks (docs/approvals.md
// "Notifications"): the request path only writes outbox rows to the case
// store (notify); one worker thread POSTs them, signed, and retries with
// backoff until they are delivered or out of attempts. Every row is in the
// store, so what is pending survives a restart and resumes.
#include "server/webhooks.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
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

HttpClientResponse webhook_post(const Webhook& w, const std::vector<std::string>& headers, std::string_view body, const std::atomic<bool>& stop) {
  HttpUrl url;
  url.scheme = w.scheme;
  url.host = w.host;
  url.port = w.port;
  url.path = w.target;
  HttpClientOptions options;
  options.timeout = w.timeout;
  options.ca_file = w.ca_file;
  options.user_agent = "redline-webhooks";
  options.status_only = true;
  options.stop = &stop;
  std::vector<std::string> all = {"Content-Type: application/json"};
  all.insert(all.end(), headers.begin(), headers.end());
  return http_call(url, "POST", w.target, all, body, options);
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
        const std::vector<std::string> headers = {"Redline-Webhook-Id: " + d.id, "Redline-Webhook-Event: case." + d.event,
                                                  "Redline-Webhook-Attempt: " + std::to_string(attempt),
                                                  "Redline-Signature: " + webhook_signature(w->secret, t, d.body)};
        HttpClientResponse p = webhook_post(*w, headers, d.body, webhook_stop_);
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
