// bench/serve-alternatives/common.h — what the alternative front ends share:
// their command line (POLICY.pol --listen HOST:PORT --threads N) and the
// decision service behind them, built exactly as `redline serve` builds it
// (engine/cli/serve.cc) so that every front end serves the same Service.
#pragma once

#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "server/config.h"
#include "server/metrics.h"
#include "server/policy_host.h"
#include "server/service.h"

namespace redline::bench_http {

struct Options {
  std::string policy;
  server::ServeConfig config;
  unsigned threads = 2;
  bool timeouts = false;   ///< beast_server: a deadline on every read (Beast's idiom)
};

/// Parses `POLICY.pol --listen HOST:PORT --threads N [--timeouts]`; false
/// (after printing the usage) on a mistake.
inline bool parse_options(int argc, char** argv, const char* name, Options& out) {
  auto usage = [&] {
    std::cerr << "usage: " << name << " POLICY.pol [--listen HOST:PORT] [--threads N] [--timeouts]\n";
    return false;
  };
  out.config.host = "127.0.0.1";
  out.config.port = 8181;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "--listen" || a == "--threads") && i + 1 >= argc) return usage();
    if (a == "--listen") {
      std::string error;
      if (!server::parse_listen(argv[++i], out.config.host, out.config.port, error)) {
        std::cerr << name << ": " << error << '\n';
        return false;
      }
    } else if (a == "--threads") {
      std::string_view v = argv[++i];
      unsigned n = 0;
      for (char c : v) {
        if (c < '0' || c > '9' || n > 1000) return usage();
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      if (n < 1 || n > 1024) return usage();
      out.threads = n;
    } else if (a == "--timeouts") {
      out.timeouts = true;
    } else if (!a.empty() && a[0] != '-' && out.policy.empty()) {
      out.policy = a;
    } else {
      return usage();
    }
  }
  if (out.policy.empty()) return usage();
  out.config.threads = out.threads;
  return true;
}

/// The decision service: policy, counters, endpoints (as `redline serve` has them).
struct Backend {
  explicit Backend(const Options& o) : config(o.config), host({o.policy}, CompileOptions{}), service(config, host, metrics) {}
  server::ServeConfig config;
  server::PolicyHost host;
  server::Metrics metrics;
  server::Service service;
};

/// Compiles the policy; null (with the diagnostics on stderr) when it does not compile.
inline std::unique_ptr<Backend> load_backend(const Options& o) {
  auto b = std::make_unique<Backend>(o);
  server::ReloadReport first = b->host.reload("start");
  if (!first.ok) {
    std::cerr << first.message;
    return nullptr;
  }
  return b;
}

}  // namespace redline::bench_http
