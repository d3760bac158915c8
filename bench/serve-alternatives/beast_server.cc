// bench/serve-alternatives/beast_server.cc — the decision service behind a
// Boost.Beast front end, for comparison with `redline serve` (README.md here).
// Same threading model as engine/server/server.cc: one io_context per
// thread, each with its own SO_REUSEPORT listener, every connection on one
// thread, a per-thread Scratch. Per connection: http::async_read into a
// flat_buffer and an http::request<string_body>, Service::handle, then
// http::async_write, keep-alive. Beast's request parser has its defaults
// (8 KiB header section, 1 MiB body).
//
// Not a production server: no connection cap, no drain, no blocking pool
// (run it without --state). Timeouts are off unless --timeouts, which puts
// a deadline on every read the way Beast's examples do
// (tcp_stream::expires_after before each async_read).
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "common.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
using namespace redline;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

struct Loop {
  Loop(redline::bench_http::Backend& b, bool t) : backend(b), timeouts(t), acceptor(io), scratch(b.host) {}
  void accept();

  redline::bench_http::Backend& backend;
  bool timeouts;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  server::Scratch scratch;
  std::thread thread;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Loop& loop, tcp::socket s) : loop_(loop), stream_(std::move(s)) {
    error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    loop_.backend.metrics.connection_opened();
  }
  ~Session() { loop_.backend.metrics.connection_closed(); }

  void read() {
    req_ = {};
    if (loop_.timeouts) stream_.expires_after(loop_.backend.config.request_timeout);
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(const error_code& ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec) {
      if (ec.category() != http::make_error_code(http::error::need_more).category()) return close();   // a socket error
      // Malformed HTTP: answer as `redline serve` does (deny, RL5010), then close.
      int status = ec == http::error::body_limit ? 413 : ec == http::error::header_limit ? 431 : 400;
      loop_.backend.service.bad_http(status, ec.message(), out_);
      return respond(false);
    }
    // The Beast message as the Service's request (views into req_).
    req_view_.method = sv(req_.method_string());
    req_view_.target = sv(req_.target());
    req_view_.minor_version = static_cast<int>(req_.version() % 10);
    req_view_.header_count = 0;
    for (const auto& f : req_) {
      if (req_view_.header_count == req_view_.headers.size()) break;
      req_view_.headers[req_view_.header_count++] = {sv(f.name_string()), sv(f.value())};
    }
    req_view_.body = req_.body();
    req_view_.keep_alive = req_.keep_alive();
    req_view_.content_type = sv(req_[http::field::content_type]);
    req_view_.authorization = sv(req_[http::field::authorization]);
    req_view_.expect_continue = false;
    loop_.backend.service.handle(req_view_, peer_, loop_.scratch, out_);
    respond(req_.keep_alive());
  }

  void respond(bool keep_alive) {
    keep_alive = keep_alive && !out_.close;
    // The response message is reused, and the bodies swapped rather than
    // moved, so that neither side reallocates its body for every request.
    res_.clear();
    res_.body().swap(out_.body);
    res_.version(11);
    res_.result(static_cast<unsigned>(out_.status));
    res_.set(http::field::content_type, bsv(out_.content_type));
    // Extra header lines ("Name: value\r\n" each), e.g. Allow, WWW-Authenticate.
    std::string_view extra = out_.headers;
    while (!extra.empty()) {
      std::size_t eol = extra.find("\r\n");
      std::string_view line = extra.substr(0, eol);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        res_.insert(bsv(line.substr(0, colon)), bsv(value));
      }
      if (eol == std::string_view::npos) break;
      extra.remove_prefix(eol + 2);
    }
    res_.keep_alive(keep_alive);
    res_.prepare_payload();
    loop_.backend.metrics.response(out_.status);
    http::async_write(stream_, res_, [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t) {
      if (ec) return self->close();
      if (!keep_alive) return self->close();
      self->read();
    });
  }

  void close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  Loop& loop_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  server::HttpRequest req_view_;
  server::Response out_;
  std::string peer_;
};

void Loop::accept() {
  acceptor.async_accept(io, [this](const error_code& ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(*this, std::move(s))->read();
    accept();
  });
}

}  // namespace

int main(int argc, char** argv) {
  redline::bench_http::Options opts;
  if (!redline::bench_http::parse_options(argc, argv, "beast_server", opts)) return 2;
  auto backend = redline::bench_http::load_backend(opts);
  if (!backend) return 1;

  error_code ec;
  auto addr = asio::ip::make_address(opts.config.host, ec);
  if (ec) return std::cerr << "beast_server: bad address\n", 1;
  tcp::endpoint ep(addr, opts.config.port);
  std::vector<std::unique_ptr<Loop>> loops;
  for (unsigned i = 0; i < opts.threads; ++i) {
    auto l = std::make_unique<Loop>(*backend, opts.timeouts);
    l->acceptor.open(ep.protocol(), ec);
    if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) l->acceptor.set_option(reuse_port(true), ec);
    if (!ec) l->acceptor.bind(ep, ec);
    if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return std::cerr << "beast_server: cannot listen: " << ec.message() << '\n', 1;
    if (i == 0) ep = l->acceptor.local_endpoint(ec);   // port 0: the others take the port the first got
    loops.push_back(std::move(l));
  }
  std::cout << "listening on " << ep.address().to_string() << ':' << ep.port() << std::endl;
  for (auto& l : loops) {
    l->accept();
    l->thread = std::thread([lp = l.get()] { lp->io.run(); });
  }
  for (auto& l : loops) l->thread.join();   // until killed
  return 0;
}
