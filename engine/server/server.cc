// server/server.cc — see server.h. Every Boost.Asio call uses its
// error_code overload: nothing here throws on a network failure.
#include "server/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstring>
#include <functional>
#include <thread>
#include <unordered_map>

#include "server/log.h"

namespace redline::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

struct Worker;

/// One client connection. Lives on its worker's thread; only a request
/// handed to the blocking pool runs elsewhere, while the connection waits.
struct Conn : std::enable_shared_from_this<Conn> {
  Conn(Worker& w, tcp::socket s);
  void start();
  void read();
  void on_read(const error_code& ec, std::size_t n);
  void process();
  void respond(const Response& r, bool keep_alive);
  void write();
  /// Sets the connection's deadline (request or idle timeout from now);
  /// one timer per connection runs lazily toward it, so answering a request
  /// costs no timer operation.
  void arm_timer();
  void set_deadline(std::chrono::steady_clock::duration d);
  void start_timer();
  void on_timer(const error_code& ec, std::uint64_t gen);
  void on_timeout();
  void linger_close();
  void close();
  /// Drain: close now if no request is under way, else after its response.
  void drain();

  Worker& w;
  tcp::socket sock;
  asio::steady_timer timer;
  std::string peer;
  std::string in;               // bytes received: [0, used) valid, [0, head) already answered
  std::size_t used = 0, head = 0;
  std::string out;              // responses not yet written
  HttpRequest req;
  Response resp;
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t timer_gen = 0;
  bool timer_running = false, lingering = false;
  bool writing = false, busy = false, closing = false, closed = false, sent_continue = false;
};

/// One event loop: its context, its listening socket, its connections.
struct Worker {
  Worker(Server::Impl& s) : srv(s), acceptor(io) {}
  void accept();

  Server::Impl& srv;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::unique_ptr<Scratch> scratch;
  std::unordered_map<Conn*, std::weak_ptr<Conn>> conns;
  std::thread thread;
};

}  // namespace

struct Server::Impl {
  const ServeConfig& config;
  PolicyHost& host;
  Metrics& metrics;
  Service& service;
  std::vector<std::unique_ptr<Worker>> workers;
  asio::thread_pool pool{2};
  tcp::endpoint bound;
  std::size_t max_buffer = 0;
};

namespace {

// ---- connections ----

Conn::Conn(Worker& worker, tcp::socket s) : w(worker), sock(std::move(s)), timer(w.io) {
  error_code ec;
  auto ep = sock.remote_endpoint(ec);
  peer = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  sock.set_option(tcp::no_delay(true), ec);
}

void Conn::start() {
  w.conns.emplace(this, weak_from_this());
  w.srv.metrics.connection_opened();
  arm_timer();
  read();
}

void Conn::read() {
  if (closing || closed) return;
  if (in.size() - used < 1024) {
    std::size_t want = std::max<std::size_t>(in.size() * 2, 4096);
    if (want > w.srv.max_buffer) want = w.srv.max_buffer;
    if (want <= used) {   // the parser's limits stop a request before this; be safe anyway
      Response r;
      w.srv.service.bad_http(413, "request too large", r);
      return respond(r, false), write();
    }
    in.resize(want);
  }
  sock.async_read_some(asio::buffer(in.data() + used, in.size() - used),
                       [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void Conn::on_read(const error_code& ec, std::size_t n) {
  if (closed) return;
  if (ec) return close();
  used += n;
  process();
}

void Conn::respond(const Response& r, bool keep_alive) {
  keep_alive = keep_alive && !r.close && !w.srv.service.draining();
  write_response(out, r.status, r.content_type, r.body, keep_alive, r.headers);
  w.srv.metrics.response(r.status);
  if (!keep_alive) closing = true;
}

void Conn::process() {
  const HttpLimits& limits = w.srv.config.http;
  while (!closing && !busy && head < used) {
    ParseResult r = parse_request(std::string_view(in.data() + head, used - head), limits, req);
    if (r.status == ParseStatus::Incomplete) {
      if (r.headers_done && req.expect_continue && !sent_continue) {
        out += "HTTP/1.1 100 Continue\r\n\r\n";
        sent_continue = true;
      }
      break;
    }
    if (r.status == ParseStatus::Error) {
      log_event("warning", "bad_http", {{"peer", peer}, {"status", std::to_string(r.http_status)}, {"reason", r.error}});
      w.srv.service.bad_http(r.http_status, r.error, resp);
      respond(resp, false);
      break;
    }
    std::size_t consumed = r.consumed;
    sent_continue = false;
    if (w.srv.service.blocking(req)) {
      // Off the loop: `req` points into `in`, which stays untouched until the answer is back.
      busy = true;   // no deadline while the pool answers (on_timer ignores it)
      // The work guard keeps the loop running until the answer is back.
      asio::post(w.srv.pool, [self = shared_from_this(), consumed, guard = asio::make_work_guard(w.io)] {
        Scratch scratch(self->w.srv.host);
        auto answer = std::make_shared<Response>();
        self->w.srv.service.handle(self->req, self->peer, scratch, *answer);
        asio::post(self->w.io, [self, answer, consumed] {
          self->busy = false;
          if (self->closed) return;
          self->respond(*answer, self->req.keep_alive);
          self->head += consumed;
          self->process();
        });
      });
      break;
    }
    w.srv.service.handle(req, peer, *w.scratch, resp);
    respond(resp, req.keep_alive);
    head += consumed;
  }
  if (busy) {
    if (!out.empty() && !writing) write();
    return;
  }
  // Keep only the unanswered bytes.
  if (head > 0) {
    std::memmove(in.data(), in.data() + head, used - head);
    used -= head;
    head = 0;
  }
  if (closing) used = 0;
  arm_timer();
  if (!out.empty()) {
    if (!writing) write();
  } else if (!closing) {
    read();
  } else {
    linger_close();
  }
}

void Conn::write() {
  writing = true;
  asio::async_write(sock, asio::buffer(out), [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->writing = false;
    self->out.clear();
    if (self->closed) return;
    if (ec) return self->close();
    if (self->busy) return;
    if (self->closing) return self->linger_close();
    self->read();
  });
}

void Conn::arm_timer() { set_deadline(used > 0 ? w.srv.config.request_timeout : w.srv.config.idle_timeout); }

void Conn::set_deadline(std::chrono::steady_clock::duration d) {
  if (closed) return;
  deadline = std::chrono::steady_clock::now() + d;
  // A running timer due no later than the deadline fires, sees the later deadline and waits again.
  if (timer_running && timer.expiry() <= deadline) return;
  start_timer();
}

void Conn::start_timer() {
  timer.expires_at(deadline);   // cancels a pending wait, whose handler then sees a stale generation
  timer_running = true;
  timer.async_wait([self = shared_from_this(), gen = ++timer_gen](const error_code& ec) { self->on_timer(ec, gen); });
}

void Conn::on_timer(const error_code& ec, std::uint64_t gen) {
  if (gen != timer_gen) return;
  timer_running = false;
  if (ec || closed || busy) return;
  if (std::chrono::steady_clock::now() < deadline) return start_timer();
  if (lingering) return close();
  on_timeout();
}

void Conn::on_timeout() {
  if (closed || busy) return;
  if (used > 0 && !closing && !writing) {
    // A request started but did not arrive in time (a slow or stalled client).
    w.srv.service.bad_http(408, "the request did not arrive within the request timeout", resp);
    respond(resp, false);
    used = 0;
    write();
    return;
  }
  close();
}

void Conn::linger_close() {
  // Half-close and read what the client still sends for a moment, so it sees
  // our last response instead of a reset.
  if (closed) return;
  error_code ec;
  sock.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close();
  lingering = true;
  set_deadline(std::chrono::seconds(2));
  if (in.size() < 4096) in.resize(4096);
  auto drain = std::make_shared<std::function<void(const error_code&, std::size_t)>>();
  *drain = [self = shared_from_this(), drain](const error_code& e, std::size_t) {
    if (e || self->closed) {
      self->close();
      *drain = nullptr;   // break the cycle
      return;
    }
    self->sock.async_read_some(asio::buffer(self->in.data(), 4096), *drain);
  };
  sock.async_read_some(asio::buffer(in.data(), 4096), *drain);
}

void Conn::close() {
  if (closed) return;
  closed = true;
  timer.cancel();
  error_code ec;
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  w.conns.erase(this);
  w.srv.metrics.connection_closed();
}

void Conn::drain() {
  // Idle: close now. Otherwise the request under way is answered, and the
  // answer closes the connection (the service is draining).
  if (!closed && !busy && !writing && used == 0) close();
}

// ---- accepting ----

void Worker::accept() {
  acceptor.async_accept(io, [this](const error_code& ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      if (static_cast<std::size_t>(srv.metrics.connections()) >= srv.config.max_connections) {
        srv.metrics.connection_refused();
        auto c = std::make_shared<Conn>(*this, std::move(s));
        c->start();
        srv.service.bad_http(503, "too many connections; try again later", c->resp);
        c->respond(c->resp, false);
        c->write();
      } else {
        std::make_shared<Conn>(*this, std::move(s))->start();
      }
    } else {
      log_event("warning", "accept_failed", {{"reason", ec.message()}});
    }
    accept();
  });
}

}  // namespace

Server::Server(const ServeConfig& config, PolicyHost& host, Metrics& metrics, Service& service)
    : impl_(new Impl{config, host, metrics, service, {}, {}, {}, 0}) {
  const HttpLimits& l = config.http;
  impl_->max_buffer = l.max_header_bytes + l.max_body_bytes * 2 + 64 * 1024;   // chunked framing included
}

Server::~Server() {
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->io.stop(), w->thread.join();
  impl_->pool.join();
}

bool Server::listen(std::string& error) {
  Impl& s = *impl_;
  error_code ec;
  auto addr = asio::ip::make_address(s.config.host, ec);
  if (ec) return error = "`" + s.config.host + "` is not an IP address", false;
  tcp::endpoint ep(addr, s.config.port);
  unsigned n = s.config.threads ? s.config.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>(s);
    w->scratch = std::make_unique<Scratch>(s.host);
    w->acceptor.open(ep.protocol(), ec);
    if (!ec) w->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) w->acceptor.set_option(reuse_port(true), ec);
    if (!ec) w->acceptor.bind(ep, ec);
    if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return error = "cannot listen on " + s.config.host + ":" + std::to_string(ep.port()) + ": " + ec.message(), false;
    if (i == 0) ep = w->acceptor.local_endpoint(ec);   // port 0: every loop takes the port the first got
    s.workers.push_back(std::move(w));
  }
  s.bound = ep;
  return true;
}

std::string Server::bound_address() const {
  std::string host = impl_->bound.address().to_string();
  if (impl_->bound.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(impl_->bound.port());
}

int Server::run() {
  Impl& s = *impl_;
  for (auto& w : s.workers) {
    w->accept();
    w->thread = std::thread([wp = w.get()] {
      wp->io.run();
      wp->scratch->version.clear();
    });
  }
  asio::io_context control{1};
  asio::signal_set signals(control);
  error_code ec;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) signals.add(sig, ec);
  asio::steady_timer watch(control);
  asio::steady_timer drain_deadline(control);
  bool draining = false;
  std::thread joiner;

  std::function<void()> arm_watch = [&] {
    if (s.config.watch_interval.count() == 0 || draining) return;
    watch.expires_after(s.config.watch_interval);
    watch.async_wait([&](const error_code& e) {
      if (e) return;
      if (s.host.files_changed()) s.metrics.reload(s.host.reload("file change").ok);
      arm_watch();
    });
  };
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const error_code& e, int sig) {
      if (e) return;
      if (sig == SIGHUP) {
        s.metrics.reload(s.host.reload("SIGHUP").ok);
        return wait_signal();
      }
      if (draining) {   // a second signal: stop now
        log_event("warning", "stopping", {{"connections", std::to_string(s.metrics.connections())}});
        for (auto& w : s.workers) w->io.stop();
        return;
      }
      log_event("info", "draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                                      {"connections", std::to_string(s.metrics.connections())}});
      draining = true;
      s.service.set_draining();
      watch.cancel();
      for (auto& w : s.workers)
        asio::post(w->io, [wp = w.get()] {
          error_code ignored;
          wp->acceptor.close(ignored);
          std::vector<std::shared_ptr<Conn>> live;
          for (auto& [p, weak] : wp->conns)
            if (auto c = weak.lock()) live.push_back(c);
          for (auto& c : live) c->drain();
        });
      drain_deadline.expires_after(s.config.drain_timeout);
      drain_deadline.async_wait([&](const error_code& e2) {
        if (e2) return;
        log_event("warning", "drain_timeout", {{"connections", std::to_string(s.metrics.connections())}});
        for (auto& w : s.workers) w->io.stop();
      });
      // Stop waiting as soon as every loop has finished.
      joiner = std::thread([&s, &control, &drain_deadline, &signals] {
        for (auto& w : s.workers) w->thread.join();
        asio::post(control, [&drain_deadline, &signals] {
          drain_deadline.cancel();
          error_code ignored;
          signals.cancel(ignored);
        });
      });
      wait_signal();
    });
  };
  wait_signal();
  arm_watch();
  log_event("info", "listening", {{"address", bound_address()}, {"threads", std::to_string(s.workers.size())}});
  control.run();
  if (joiner.joinable()) joiner.join();
  s.pool.join();
  std::string error;
  if (s.host.has_state() && !s.host.log().flush(&error)) {
    log_event("error", "audit_flush_failed", {{"reason", error}});
    return 1;
  }
  log_event("info", "stopped", {{"decisions", std::to_string(s.metrics.decisions())}});
  return 0;
}

}  // namespace redline::server
