// server/server.h — the network core of `redline serve`: one Boost.Asio
// event loop per thread, each with its own listening socket on the same port
// (SO_REUSEPORT: the kernel spreads connections over the loops, and every
// connection lives on one thread, so the request path takes no lock); HTTP/1.1
// keep-alive and pipelining over server/http.h; requests that may wait on the
// disk handed to a small blocking pool; per-connection request and idle
// timeouts (the request timeout runs from a request's first byte); a
// connection cap, clamped to the descriptor limit, with a per-address share
// and a reserve kept for health and governance requests; and the process's signals: SIGHUP reloads the
// policy, SIGTERM/SIGINT drain (stop accepting, finish what is in flight,
// close idle connections, exit once all are closed or the drain timeout
// passes). docs/serve.md describes the behaviour; why Asio and not Beast or
// cpp-httplib is in bench/serve-alternatives/README.md (measured).
#pragma once

#include <memory>
#include <string>

#include "server/config.h"
#include "server/metrics.h"
#include "server/policy_host.h"
#include "server/service.h"

namespace redline::server {

/// The listening server.
class Server {
 public:
  Server(const ServeConfig& config, PolicyHost& host, Metrics& metrics, Service& service);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listening sockets; false with `error`.
  bool listen(std::string& error);
  /// "HOST:PORT" actually bound (the port is known even when 0 was asked for).
  std::string bound_address() const;
  /// Serves until SIGTERM or SIGINT, then drains; returns the exit status.
  int run();

  struct Impl;

 private:
  /// Fixes the connection budgets: max_connections clamped to the descriptor limit (logged).
  bool budget_connections(std::string& error);

  std::unique_ptr<Impl> impl_;
};

}  // namespace redline::server
