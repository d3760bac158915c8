// server/server.cc — see server.h. Every Boost.Asio call uses its
// error_code overload: nothing here throws on a network failure.
#include "server/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <list>
#include <mutex>
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
using Clock = std::chrono::steady_clock;

/// Which budget a connection counts against. `general` connections serve
/// every endpoint; beyond `max_connections` (or the client address's share)
/// a connection may take one of the loop's `reserve` slots, which serve one
/// health, metrics or governance request and then close; beyond that it is
/// `refused` with a 503 (or 429), from a small budget of its own, or closed.
enum class Slot : std::uint8_t { general, reserve, refused };

/// One client connection. Lives on its worker's thread; only a request
/// handed to the blocking pool runs elsewhere, while the connection waits.
struct Conn : std::enable_shared_from_this<Conn> {
  Conn(Worker& w, tcp::socket s, std::string ip);
  void start();
  void read();
  void on_read(const error_code& ec, std::size_t n);
  void process();
  /// Answers the current request from `pool`: runs `partial`'s `then` when
  /// given, else the whole handler.
  void offload(std::size_t consumed, asio::thread_pool& pool, std::shared_ptr<Response> partial);
  void respond(const Response& r, bool keep_alive);
  void write();
  /// Sets the connection's deadline (request or idle timeout from now);
  /// one timer per connection runs lazily toward it, so answering a request
  /// costs no timer operation.
  void arm_timer();
  void set_deadline(Clock::time_point at);
  void start_timer();
  void on_timer(const error_code& ec, std::uint64_t gen);
  void on_timeout();
  void linger_close();
  void close();
  /// A reserve connection's request: governance is answered (then the
  /// connection closes); anything else is refused. False when refused.
  bool admit_reserved();
  /// Drain: close now if no request is under way, else after its response.
  void drain();

  Worker& w;
  tcp::socket sock;
  asio::steady_timer timer;
  std::string peer, ip;
  Slot slot = Slot::general;
  bool over_ip = false;         // reserve or refused because of the per-address cap (429, not 503)
  bool served = false;          // a reserve connection whose request is being answered: not evictable
  bool in_request = false;      // bytes of a request have arrived since the last answer
  Clock::time_point request_started;   // when its first byte arrived
  std::string in;               // bytes received: [0, used) valid, [0, head) already answered
  std::size_t used = 0, head = 0;
  std::string out;              // responses not yet written
  HttpRequest req;
  Response resp;
  Clock::time_point deadline;
  std::uint64_t timer_gen = 0;
  bool timer_running = false, lingering = false;
  bool writing = false, busy = false, closing = false, closed = false, sent_continue = false;
};

/// One event loop: its context, its listening socket, its connections.
struct Worker {
  Worker(Server::Impl& s) : srv(s), acceptor(io), pause(io) {}
  void accept();
  void admit(tcp::socket s);
  /// Closes the oldest reserve connection whose request has not arrived whole; false if none.
  bool evict_reserved();

  Server::Impl& srv;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::steady_timer pause;     // accepting stops for a moment when the process is out of descriptors
  std::unique_ptr<Scratch> scratch;
  std::unordered_map<Conn*, std::weak_ptr<Conn>> conns;
  std::list<std::weak_ptr<Conn>> reserve;   // this loop's reserve connections, oldest first
  std::size_t reserved = 0;
  std::thread thread;
};

}  // namespace

struct Server::Impl {
  Impl(const ServeConfig& c, PolicyHost& h, Metrics& m, Service& sv) : config(c), host(h), metrics(m), service(sv) {}
  const ServeConfig& config;
  PolicyHost& host;
  Metrics& metrics;
  Service& service;
  std::vector<std::unique_ptr<Worker>> workers;
  asio::thread_pool pool{config.blocking_threads};   // requests that wait on the disk (Service::blocking, Response::then)
  asio::thread_pool waiters{static_cast<std::size_t>(Service::kCaseWaiters)};   // case long-polls (Service::waits)
  tcp::endpoint bound;
  std::size_t max_buffer = 0;

  // Connection budgets, fixed by listen() (max_connections clamped to the descriptor limit).
  std::size_t max_general = 0, max_per_ip = 0, reserve_per_loop = 1, max_refusing = 1;
  std::atomic<std::size_t> general{0}, refusing{0};
  std::mutex ip_mu;
  std::unordered_map<std::string, std::size_t> per_ip;   // general connections by client address

  /// Counts a general connection from `ip`; false (counting nothing) when the address has its share.
  bool ip_acquire(const std::string& ip) {
    std::lock_guard lk(ip_mu);
    std::size_t& n = per_ip[ip];
    if (n >= max_per_ip) return false;
    ++n;
    return true;
  }
  void ip_release(const std::string& ip) {
    std::lock_guard lk(ip_mu);
    auto it = per_ip.find(ip);
    if (it != per_ip.end() && --it->second == 0) per_ip.erase(it);
  }
};

namespace {

/// Paths a reserve connection may ask for: health, metrics, and the
/// token-guarded governance endpoints (never a decision).
bool reserve_path(std::string_view path) { return path == "/healthz" || path == "/metrics" || Service::governance_path(path); }

// ---- connections ----

Conn::Conn(Worker& worker, tcp::socket s, std::string address) : w(worker), sock(std::move(s)), timer(w.io), ip(std::move(address)) {
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
      w.srv.service.bad_http(413, "request too large", r, std::string_view(in.data() + head, used - head));
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

void Conn::offload(std::size_t consumed, asio::thread_pool& pool, std::shared_ptr<Response> partial) {
  // Off the loop: `req` points into `in`, which stays untouched until the answer is back.
  busy = true;   // no deadline while the pool answers (on_timer ignores it)
  // The work guard keeps the loop running until the answer is back.
  asio::post(pool, [self = shared_from_this(), consumed, partial, guard = asio::make_work_guard(w.io)] {
    Scratch scratch(self->w.srv.host);
    std::shared_ptr<Response> answer = partial;
    if (answer) {
      auto then = std::move(answer->then);
      answer->then = nullptr;
      then(scratch, *answer);
    } else {
      answer = std::make_shared<Response>();
      self->w.srv.service.handle(self->req, self->peer, scratch, *answer);
    }
    asio::post(self->w.io, [self, answer, consumed] {
      self->busy = false;
      if (self->closed) return;
      self->respond(*answer, self->req.keep_alive);
      self->head += consumed;
      self->in_request = false;
      self->process();
    });
  });
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
      // A refusal on a governance path is an audit record too (the request line was read).
      if (!req.target.empty()) w.srv.service.record_refusal(req.method, req.path(), peer, r.http_status, r.error);
      w.srv.service.bad_http(r.http_status, r.error, resp, std::string_view(in.data() + head, used - head));
      respond(resp, false);
      break;
    }
    std::size_t consumed = r.consumed;
    sent_continue = false;
    if (slot == Slot::reserve && !admit_reserved()) break;
    if (w.srv.service.blocking(req)) {
      offload(consumed, w.srv.service.waits(req) ? w.srv.waiters : w.srv.pool, nullptr);
      break;
    }
    w.srv.service.handle(req, peer, *w.scratch, resp);
    if (resp.then) {   // the handler left disk work: finish it on the pool
      offload(consumed, w.srv.pool, std::make_shared<Response>(std::move(resp)));
      resp.clear();
      break;
    }
    respond(resp, req.keep_alive);
    head += consumed;
    in_request = false;
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

bool Conn::admit_reserved() {
  if (reserve_path(req.path())) {
    served = true;
    req.keep_alive = false;   // one request, then the slot is free again
    return true;
  }
  if (over_ip) w.srv.service.bad_http(429, "too many connections from " + ip + "; try again later", resp);
  else w.srv.service.bad_http(503, "too many connections; try again later", resp);
  resp.headers += "Retry-After: 1\r\n";
  w.srv.metrics.connection_refused();
  respond(resp, false);
  return false;
}

void Conn::arm_timer() {
  // The request timeout runs from a request's first byte, not from the last
  // one: a client trickling bytes cannot stretch it. Between requests the
  // idle timeout runs from the last answer.
  auto now = Clock::now();
  if (used == 0) {
    in_request = false;
    return set_deadline(now + w.srv.config.idle_timeout);
  }
  if (!in_request) {
    in_request = true;
    request_started = now;
  }
  set_deadline(request_started + w.srv.config.request_timeout);
}

void Conn::set_deadline(Clock::time_point at) {
  if (closed) return;
  deadline = at;
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
  if (Clock::now() < deadline) return start_timer();
  if (lingering) return close();
  on_timeout();
}

void Conn::on_timeout() {
  if (closed || busy) return;
  if (used > 0 && !closing && !writing) {
    // A request started but did not arrive in time (a slow or stalled client).
    w.srv.service.bad_http(408, "the request did not arrive within the request timeout", resp,
                            std::string_view(in.data() + head, used - head));
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
  set_deadline(Clock::now() + std::chrono::seconds(slot == Slot::refused ? 1 : 2));
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
  switch (slot) {
    case Slot::general:
      w.srv.general.fetch_sub(1, std::memory_order_relaxed);
      w.srv.ip_release(ip);
      break;
    case Slot::reserve:
      --w.reserved;
      break;
    case Slot::refused:
      w.srv.refusing.fetch_sub(1, std::memory_order_relaxed);
      break;
  }
}

void Conn::drain() {
  // Idle: close now. Otherwise the request under way is answered, and the
  // answer closes the connection (the service is draining).
  if (!closed && !busy && !writing && used == 0) close();
}

// ---- accepting ----

bool out_of_descriptors(const error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

void Worker::accept() {
  acceptor.async_accept(io, [this](const error_code& ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec && out_of_descriptors(ec)) {
      // Retrying at once would spin (the connection stays in the backlog and
      // accept fails again): stop accepting for a moment, while the
      // connections we have finish and free their descriptors.
      log_event("warning", "accept_paused", {{"reason", ec.message()}, {"pause_ms", "50"}});
      pause.expires_after(std::chrono::milliseconds(50));
      pause.async_wait([this](const error_code& e) {
        if (!e) accept();
      });
      return;
    }
    if (ec) log_event("warning", "accept_failed", {{"reason", ec.message()}});
    else admit(std::move(s));
    accept();
  });
}

void Worker::admit(tcp::socket s) {
  error_code ec;
  auto ep = s.remote_endpoint(ec);
  std::string ip = ec ? "unknown" : ep.address().to_string();
  // The address's share is what refused it only while general slots remain (then 429, else 503).
  bool ip_full = !srv.ip_acquire(ip);
  if (ip_full && srv.general.load(std::memory_order_relaxed) >= srv.max_general) ip_full = false;
  else if (!ip_full) {
    if (srv.general.fetch_add(1, std::memory_order_relaxed) < srv.max_general) {
      std::make_shared<Conn>(*this, std::move(s), std::move(ip))->start();
      return;
    }
    srv.general.fetch_sub(1, std::memory_order_relaxed);
    srv.ip_release(ip);
  }
  // Over a cap: a reserve slot, for health and governance only. When the
  // reserve is full, the oldest reserve connection still waiting for its
  // request gives way, so clients that hold slots without asking anything
  // cannot lock an operator out.
  reserve.remove_if([](const std::weak_ptr<Conn>& c) { return c.expired(); });
  if (reserved < srv.reserve_per_loop || evict_reserved()) {
    auto c = std::make_shared<Conn>(*this, std::move(s), std::move(ip));
    c->slot = Slot::reserve;
    c->over_ip = ip_full;
    ++reserved;
    reserve.push_back(c);
    c->start();
    return;
  }
  srv.metrics.connection_refused();
  if (srv.refusing.fetch_add(1, std::memory_order_relaxed) >= srv.max_refusing) {
    // Even the refusals have a budget (each holds a descriptor for a moment): close at once.
    srv.refusing.fetch_sub(1, std::memory_order_relaxed);
    s.close(ec);
    return;
  }
  auto c = std::make_shared<Conn>(*this, std::move(s), std::move(ip));
  c->slot = Slot::refused;
  c->over_ip = ip_full;
  c->start();
  if (ip_full) srv.service.bad_http(429, "too many connections from " + c->ip + "; try again later", c->resp);
  else srv.service.bad_http(503, "too many connections; try again later", c->resp);
  c->resp.headers += "Retry-After: 1\r\n";
  c->respond(c->resp, false);
  c->write();
}

bool Worker::evict_reserved() {
  for (auto it = reserve.begin(); it != reserve.end();) {
    auto c = it->lock();
    if (!c || c->closed) {
      it = reserve.erase(it);
      continue;
    }
    // Not yet asked (or trickling), or answered and only lingering before the close.
    if ((!c->served || c->lingering) && !c->busy && !c->writing) {
      log_event("warning", "connection_evicted", {{"peer", c->peer}, {"reason", "the governance reserve is full"}});
      reserve.erase(it);
      c->close();
      return true;
    }
    ++it;
  }
  return false;
}

}  // namespace

Server::Server(const ServeConfig& config, PolicyHost& host, Metrics& metrics, Service& service)
    : impl_(new Impl(config, host, metrics, service)) {
  const HttpLimits& l = config.http;
  impl_->max_buffer = l.max_header_bytes + l.max_body_bytes * 2 + 64 * 1024;   // chunked framing included
}

Server::~Server() {
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->io.stop(), w->thread.join();
  impl_->pool.join();
  impl_->waiters.join();
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
    w->scratch = std::make_unique<Scratch>(s.host, false);   // an event loop's: no disk waits
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
  return budget_connections(error);
}

bool Server::budget_connections(std::string& error) {
  Impl& s = *impl_;
  const std::size_t loops = s.workers.size();
  std::size_t reserve_per_loop = std::max<std::size_t>(1, (s.config.governance_connections + loops - 1) / loops);
  std::size_t refusing = 16;
  std::size_t general = s.config.max_connections;
  std::size_t need = general + reserve_per_loop * loops + refusing;

  // Every connection holds a descriptor. Raise the soft limit toward the hard
  // one as far as needed, then fit the connections under it, keeping
  // kFdReserve descriptors for the audit log, reloads, flips and the like: a
  // flood must never leave the process unable to open a file.
  constexpr std::size_t kFdReserve = 32;
  rlimit rl{};
  std::size_t limit = SIZE_MAX;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rlim_t want = static_cast<rlim_t>(need + 256);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(rl.rlim_max, want);
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    if (rl.rlim_cur != RLIM_INFINITY) limit = static_cast<std::size_t>(rl.rlim_cur);
  }
  std::size_t open_now = 0;
  std::error_code fec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", fec); !fec && it != std::filesystem::directory_iterator();
       it.increment(fec))
    ++open_now;
  std::size_t budget = limit > open_now + kFdReserve ? limit - open_now - kFdReserve : 0;
  if (need > budget) {
    refusing = std::clamp<std::size_t>(budget / 16, 1, 16);
    reserve_per_loop = std::clamp<std::size_t>(budget / 8 / loops, 1, reserve_per_loop);
    if (budget < reserve_per_loop * loops + refusing + 1)
      return error = "the open-file limit (" + std::to_string(limit) + " descriptors, " + std::to_string(open_now) +
                     " already open) leaves no room for connections; raise it (ulimit -n)",
             false;
    general = std::min(general, budget - reserve_per_loop * loops - refusing);
    log_event("warning", "max_connections_clamped",
              {{"configured", std::to_string(s.config.max_connections)}, {"effective", std::to_string(general)},
               {"governance_connections", std::to_string(reserve_per_loop * loops)}, {"fd_limit", std::to_string(limit)},
               {"reason", "the open-file limit (RLIMIT_NOFILE) is lower than the connections need; raise it (ulimit -n)"}});
  }
  s.max_general = general;
  s.max_per_ip = std::min(s.config.max_connections_per_ip, general);
  s.reserve_per_loop = reserve_per_loop;
  s.max_refusing = refusing;
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
  s.waiters.join();
  std::string error;
  if (s.host.has_state() && !s.host.log().flush(&error)) {
    log_event("error", "audit_flush_failed", {{"reason", error}});
    return 1;
  }
  log_event("info", "stopped", {{"decisions", std::to_string(s.metrics.decisions())}});
  return 0;
}

}  // namespace redline::server
