// server/metrics.h — the counters of `redline serve`, updated lock-free from
// every event loop, and their Prometheus text exposition (version 0.0.4):
// decisions by outcome, request errors, HTTP responses by class, a
// decision-latency histogram, auth failures, reloads, connections.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "redline/decision.h"

namespace redline::server {

/// Server-wide counters.
class Metrics {
 public:
  /// Upper bounds of the latency buckets, in microseconds.
  static constexpr std::array<std::uint64_t, 12> kBucketsUs = {10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000, 250000};

  /// Counts one decision and its handling latency (request parsed → response ready).
  void decision(Outcome outcome, bool request_error, std::uint64_t latency_ns);
  /// Counts one HTTP response by status.
  void response(int status);
  void auth_failure() { auth_failures_.fetch_add(1, std::memory_order_relaxed); }
  void reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed), accepted_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_refused() { refused_.fetch_add(1, std::memory_order_relaxed); }
  /// Counts one webhook delivery attempt by what it came to.
  enum class WebhookResult : std::uint8_t { delivered, retry, failed };
  void webhook(WebhookResult r) { webhooks_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
  std::int64_t connections() const { return connections_.load(std::memory_order_relaxed); }
  std::uint64_t decisions() const;

  /// The exposition text of these counters (the caller appends per-policy gauges).
  std::string render() const;

 private:
  std::array<std::atomic<std::uint64_t>, 4> by_outcome_{};
  std::atomic<std::uint64_t> request_errors_{0};
  std::array<std::atomic<std::uint64_t>, kBucketsUs.size() + 1> buckets_{};   // last: +Inf
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::array<std::atomic<std::uint64_t>, 6> by_class_{};   // 1xx..5xx, other
  std::atomic<std::uint64_t> auth_failures_{0}, reloads_ok_{0}, reloads_failed_{0}, accepted_{0}, refused_{0};
  std::atomic<std::int64_t> connections_{0};
  std::array<std::atomic<std::uint64_t>, 3> webhooks_{};   // by WebhookResult
};

}  // namespace redline::server
