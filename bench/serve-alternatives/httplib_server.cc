// bench/serve-alternatives/httplib_server.cc — the decision service behind a
// cpp-httplib front end (Debian's libcpp-httplib-dev 0.11), for comparison
// with `redline serve` (README.md here). cpp-httplib is not event-driven:
// one listening thread accepts and hands each connection to a thread pool,
// whose thread then blocks on that connection (poll + recv) for as long as
// it is kept alive. `--threads N` is the pool size, so N is also the number
// of connections served at once; more connections wait for a free thread.
//
// POST /v1/decide goes to Service::handle; so does every other GET or POST
// (so that /healthz etc. answer too, for the cross-check). Settings that
// differ from cpp-httplib's defaults, to compare like with like:
// keep-alive is not limited to 5 requests per connection, TCP_NODELAY is on
// (as in `redline serve`), bodies are limited to 1 MiB.
#include <httplib.h>

#include <memory>

#include "common.h"

namespace {

using namespace redline;

struct Front {
  bench_http::Backend& backend;

  void serve(const httplib::Request& req, httplib::Response& res) {
    // One Scratch per pool thread, as `redline serve` has one per event loop.
    thread_local std::unique_ptr<server::Scratch> scratch;
    thread_local server::HttpRequest view;
    thread_local server::Response out;
    if (!scratch) scratch = std::make_unique<server::Scratch>(backend.host);

    view.method = req.method;
    view.target = req.target;
    view.minor_version = req.version == "HTTP/1.0" ? 0 : 1;
    view.header_count = 0;
    for (const auto& [name, value] : req.headers) {
      if (view.header_count == view.headers.size()) break;
      view.headers[view.header_count++] = {name, value};
    }
    view.body = req.body;
    auto connection = req.headers.find("Connection");
    view.keep_alive = view.minor_version >= 1 ? !(connection != req.headers.end() && connection->second == "close")
                                             : (connection != req.headers.end() && connection->second == "keep-alive");
    auto ct = req.headers.find("Content-Type");
    view.content_type = ct == req.headers.end() ? std::string_view{} : std::string_view(ct->second);
    auto auth = req.headers.find("Authorization");
    view.authorization = auth == req.headers.end() ? std::string_view{} : std::string_view(auth->second);
    view.expect_continue = false;

    backend.service.handle(view, req.remote_addr, *scratch, out);

    res.status = out.status;
    res.body = std::move(out.body);
    res.set_header("Content-Type", std::string(out.content_type));
    std::string_view extra = out.headers;
    while (!extra.empty()) {
      std::size_t eol = extra.find("\r\n");
      std::string_view line = extra.substr(0, eol);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        res.set_header(std::string(line.substr(0, colon)), std::string(value));
      }
      if (eol == std::string_view::npos) break;
      extra.remove_prefix(eol + 2);
    }
    if (out.close) res.set_header("Connection", "close");
    backend.metrics.response(out.status);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench_http::Options opts;
  if (!bench_http::parse_options(argc, argv, "httplib_server", opts)) return 2;
  auto backend = bench_http::load_backend(opts);
  if (!backend) return 1;

  Front front{*backend};
  httplib::Server svr;
  unsigned pool = opts.threads;
  svr.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
  svr.set_keep_alive_max_count(std::size_t(1) << 40);
  svr.set_tcp_nodelay(true);
  svr.set_payload_max_length(backend->config.http.max_body_bytes);
  auto handler = [&front](const httplib::Request& req, httplib::Response& res) { front.serve(req, res); };
  svr.Post("/v1/decide", handler);
  svr.Post(".*", handler);
  svr.Get(".*", handler);

  int port = opts.config.port;
  if (port == 0) {
    port = svr.bind_to_any_port(opts.config.host);
    if (port < 0) return std::cerr << "httplib_server: cannot listen\n", 1;
  } else if (!svr.bind_to_port(opts.config.host, port)) {
    return std::cerr << "httplib_server: cannot listen\n", 1;
  }
  std::cout << "listening on " << opts.config.host << ':' << port << std::endl;
  return svr.listen_after_bind() ? 0 : 1;
}
