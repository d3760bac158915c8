// bench/serve-alternatives/asio_server.cc — `redline serve`'s own network
// core (engine/server/server.cc: Asio event loops over server/http.h) behind
// the same small main as the alternatives. The benchmark runs `redline serve`
// itself; this binary is only here so that binary sizes compare like with
// like (the `redline` executable also holds every other verb).
#include "common.h"
#include "server/server.h"

int main(int argc, char** argv) {
  redline::bench_http::Options opts;
  if (!redline::bench_http::parse_options(argc, argv, "asio_server", opts)) return 2;
  auto backend = redline::bench_http::load_backend(opts);
  if (!backend) return 1;
  redline::server::Server srv(backend->config, backend->host, backend->metrics, backend->service);
  std::string error;
  if (!srv.listen(error)) return std::cerr << "asio_server: " << error << '\n', 1;
  std::cout << "listening on " << srv.bound_address() << std::endl;
  return srv.run();
}
