// server/metrics.cc — see metrics.h.
#include "server/metrics.h"

#include <cstdio>

namespace redline::server {

void Metrics::decision(Outcome outcome, bool request_error, std::uint64_t latency_ns) {
  by_outcome_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  if (request_error) request_errors_.fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  std::uint64_t us = latency_ns / 1000;
  while (b < kBucketsUs.size() && us > kBucketsUs[b]) ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(latency_ns, std::memory_order_relaxed);
}

void Metrics::response(int status) {
  std::size_t c = status >= 100 && status < 600 ? static_cast<std::size_t>(status / 100 - 1) : 5;
  by_class_[c].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::decisions() const {
  std::uint64_t n = 0;
  for (const auto& c : by_outcome_) n += c.load(std::memory_order_relaxed);
  return n;
}

std::string Metrics::render() const {
  std::string out;
  auto line = [&out](const char* fmt, auto... args) {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, fmt, args...);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf - 1);
  };
  auto u = [](const std::atomic<std::uint64_t>& a) { return static_cast<unsigned long long>(a.load(std::memory_order_relaxed)); };
  out += "# HELP redline_decisions_total Decisions made, by outcome.\n# TYPE redline_decisions_total counter\n";
  for (int o = 0; o < 4; ++o)
    line("redline_decisions_total{outcome=\"%s\"} %llu\n", to_string(static_cast<Outcome>(o)), u(by_outcome_[static_cast<std::size_t>(o)]));
  out += "# HELP redline_request_errors_total Requests that could not be decided (denied with an error).\n"
         "# TYPE redline_request_errors_total counter\n";
  line("redline_request_errors_total %llu\n", u(request_errors_));
  out += "# HELP redline_decision_latency_seconds Time from a parsed HTTP request to its decision's response.\n"
         "# TYPE redline_decision_latency_seconds histogram\n";
  unsigned long long cumulative = 0;
  for (std::size_t b = 0; b < kBucketsUs.size(); ++b) {
    cumulative += u(buckets_[b]);
    line("redline_decision_latency_seconds_bucket{le=\"%g\"} %llu\n", static_cast<double>(kBucketsUs[b]) / 1e6, cumulative);
  }
  cumulative += u(buckets_[kBucketsUs.size()]);
  line("redline_decision_latency_seconds_bucket{le=\"+Inf\"} %llu\n", cumulative);
  line("redline_decision_latency_seconds_sum %.9f\n", static_cast<double>(u(latency_sum_ns_)) / 1e9);
  line("redline_decision_latency_seconds_count %llu\n", cumulative);
  out += "# HELP redline_http_responses_total HTTP responses, by status class.\n# TYPE redline_http_responses_total counter\n";
  const char* classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  for (std::size_t c = 0; c < 6; ++c) line("redline_http_responses_total{class=\"%s\"} %llu\n", classes[c], u(by_class_[c]));
  out += "# HELP redline_auth_failures_total Requests refused for a missing or wrong token or role (401/403).\n"
         "# TYPE redline_auth_failures_total counter\n";
  line("redline_auth_failures_total %llu\n", u(auth_failures_));
  out += "# HELP redline_policy_reloads_total Policy reloads, by result.\n# TYPE redline_policy_reloads_total counter\n";
  line("redline_policy_reloads_total{result=\"ok\"} %llu\n", u(reloads_ok_));
  line("redline_policy_reloads_total{result=\"refused\"} %llu\n", u(reloads_failed_));
  out += "# HELP redline_connections Open client connections.\n# TYPE redline_connections gauge\n";
  line("redline_connections %lld\n", static_cast<long long>(connections_.load(std::memory_order_relaxed)));
  out += "# HELP redline_connections_accepted_total Connections accepted.\n# TYPE redline_connections_accepted_total counter\n";
  line("redline_connections_accepted_total %llu\n", u(accepted_));
  out += "# HELP redline_connections_refused_total Connections refused at the connection cap.\n"
         "# TYPE redline_connections_refused_total counter\n";
  line("redline_connections_refused_total %llu\n", u(refused_));
  out += "# HELP redline_webhook_deliveries_total Webhook delivery attempts, by result (retry: failed, to be tried again).\n"
         "# TYPE redline_webhook_deliveries_total counter\n";
  const char* results[] = {"delivered", "retry", "failed"};
  for (std::size_t r = 0; r < 3; ++r) line("redline_webhook_deliveries_total{result=\"%s\"} %llu\n", results[r], u(webhooks_[r]));
  return out;
}

}  // namespace redline::server
