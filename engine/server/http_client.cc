// server/http_client.cc — see http_client.h.
#include "server/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

namespace redline::server {
namespace {

using Clock = std::chrono::steady_clock;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

/// The reason of the last TLS library error of this thread ("" when there
/// is none); the thread's error queue is emptied.
std::string tls_reason() {
  unsigned long e = ERR_peek_last_error();
  std::string why;
  if (e != 0) {
    const char* r = ERR_reason_error_string(e);
    why = r ? r : "error " + std::to_string(e);
  }
  ERR_clear_error();
  return why;
}

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

/// One connection: a non-blocking socket and, for https, a TLS session over
/// it. The session reads and writes memory buffers that this class moves
/// to and from the socket itself, so every wait is one poll() in slices of
/// at most 100 ms (the deadline and the stop flag are always seen) and every
/// write is a send() with MSG_NOSIGNAL (a peer that went away is an error,
/// never SIGPIPE).
class Conn {
 public:
  Conn(Clock::time_point deadline, const std::atomic<bool>* stop) : deadline_(deadline), stop_(stop) {}
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  /// Connects to one of the host's addresses.
  bool connect(const HttpUrl& url, std::string& error);
  /// The TLS handshake, verifying the server's certificate for the URL's host.
  bool start_tls(const HttpUrl& url, const std::string& ca_file, std::string& error);
  bool write(std::string_view data, std::string& error);
  /// Up to `size` bytes into `buf`: how many, 0 at the end of the stream, -1 with `error`.
  long read(char* buf, std::size_t size, std::string& error);

 private:
  bool wait(int fd, short events, std::string& error) const;
  bool send_raw(std::string_view data, std::string& error);
  long recv_raw(char* buf, std::size_t size, std::string& error);
  bool flush_tls(std::string& error);       // the session's output to the socket
  long feed_tls(std::string& error);        // socket input to the session: as recv_raw
  int fd_ = -1;
  Clock::time_point deadline_;
  const std::atomic<bool>* stop_;
  std::unique_ptr<SSL_CTX, CtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  BIO* in_ = nullptr;    // owned by ssl_: bytes from the socket
  BIO* out_ = nullptr;   // owned by ssl_: bytes for the socket
};

bool Conn::wait(int fd, short events, std::string& error) const {
  for (;;) {
    if (stop_ && stop_->load(std::memory_order_acquire)) return error = "abandoned (stopping)", false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    if (left <= 0) return error = "timed out", false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return error = std::string("poll: ") + std::strerror(errno), false;
  }
}

bool Conn::connect(const HttpUrl& url, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return error = "cannot resolve `" + url.host + "`: " + ::gai_strerror(rc), false;
  error = "connect: no address for `" + url.host + "`";
  bool give_up = false;
  for (addrinfo* a = found; a && fd_ < 0 && !give_up; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::string("connect: socket: ") + std::strerror(errno);
      continue;
    }
    bool ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!ok && errno != EINPROGRESS) {
      error = std::string("connect: ") + std::strerror(errno);
    } else if (!ok) {
      std::string why;
      int e = 0;
      socklen_t len = sizeof e;
      if (!wait(fd, POLLOUT, why)) {
        error = "connect: " + why;
        give_up = (stop_ && stop_->load()) || Clock::now() >= deadline_;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0 || e != 0) {
        error = std::string("connect: ") + std::strerror(e ? e : errno);
      } else {
        ok = true;
      }
    }
    if (ok)
      fd_ = fd;
    else
      ::close(fd);
  }
  ::freeaddrinfo(found);
  return fd_ >= 0;
}

bool Conn::send_raw(std::string_view data, std::string& error) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return error = std::string("send: ") + std::strerror(errno), false;
    if (!wait(fd_, POLLOUT, error)) return error = "send: " + error, false;
  }
  return true;
}

long Conn::recv_raw(char* buf, std::size_t size, std::string& error) {
  for (;;) {
    ssize_t n = ::recv(fd_, buf, size, 0);
    if (n >= 0) return static_cast<long>(n);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return error = std::string("recv: ") + std::strerror(errno), -1;
    if (!wait(fd_, POLLIN, error)) return error = "no response: " + error, -1;
  }
}

bool Conn::flush_tls(std::string& error) {
  char buf[16384];
  while (BIO_ctrl_pending(out_) > 0) {
    int n = BIO_read(out_, buf, sizeof buf);
    if (n <= 0) break;
    if (!send_raw(std::string_view(buf, static_cast<std::size_t>(n)), error)) return false;
  }
  return true;
}

long Conn::feed_tls(std::string& error) {
  char buf[16384];
  long n = recv_raw(buf, sizeof buf, error);
  if (n > 0 && BIO_write(in_, buf, static_cast<int>(n)) != n) return error = "TLS: cannot buffer what was received", -1;
  return n;
}

bool Conn::start_tls(const HttpUrl& url, const std::string& ca_file, std::string& error) {
  ERR_clear_error();
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_) return error = "TLS: cannot set up a client: " + tls_reason(), false;
  SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  if (ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_.get()) != 1
                      : SSL_CTX_load_verify_locations(ctx_.get(), ca_file.c_str(), nullptr) != 1)
    return error = (ca_file.empty() ? std::string("TLS: cannot load the system's trust store: ") : "TLS: cannot load the CA file `" + ca_file + "`: ") +
                   tls_reason(),
           false;
  ssl_.reset(SSL_new(ctx_.get()));
  if (!ssl_) return error = "TLS: cannot set up a session: " + tls_reason(), false;
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (!in_ || !out_) {
    BIO_free(in_);
    BIO_free(out_);
    in_ = out_ = nullptr;
    return error = "TLS: cannot set up a session's buffers", false;
  }
  SSL_set_bio(ssl_.get(), in_, out_);
  // The certificate must name the URL's host: an IP address as an IP
  // address; a DNS name as such, which is also sent as SNI.
  unsigned char addr[16];
  const bool ip = ::inet_pton(AF_INET, url.host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, url.host.c_str(), addr) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  bool named = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) == 1
                  : SSL_set1_host(ssl_.get(), url.host.c_str()) == 1 && SSL_set_tlsext_host_name(ssl_.get(), url.host.c_str()) == 1;
  if (!named) return error = "TLS: cannot verify the host `" + url.host + "`: " + tls_reason(), false;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(ssl_.get());
    int e = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), rc);
    std::string why;
    // What the session wrote goes out first, an alert on failure included.
    bool sent = flush_tls(why);
    if (e == SSL_ERROR_NONE || e == SSL_ERROR_WANT_READ) {
      if (!sent) return error = "TLS handshake: " + why, false;
      if (e == SSL_ERROR_NONE) return true;
      long n = feed_tls(why);
      if (n < 0) return error = "TLS handshake: " + why, false;
      if (n == 0) return error = "TLS handshake: the server closed the connection", false;
      continue;
    }
    long verify = SSL_get_verify_result(ssl_.get());
    if (verify != X509_V_OK) {
      ERR_clear_error();
      return error = std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(verify) + " (host `" + url.host + "`)", false;
    }
    why = tls_reason();
    return error = "TLS handshake failed" + (why.empty() ? std::string() : ": " + why), false;
  }
}

bool Conn::write(std::string_view data, std::string& error) {
  if (!ssl_) return send_raw(data, error);
  while (!data.empty()) {
    ERR_clear_error();
    int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
    int e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), n);
    if (!flush_tls(error)) return false;
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (e == SSL_ERROR_WANT_READ) {
      long got = feed_tls(error);
      if (got < 0) return false;
      if (got == 0) return error = "send: the server closed the connection", false;
    } else {
      return error = "send: TLS: " + tls_reason(), false;
    }
  }
  return true;
}

long Conn::read(char* buf, std::size_t size, std::string& error) {
  if (!ssl_) return recv_raw(buf, size, error);
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), buf, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    if (n > 0) return n;
    int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    if (e != SSL_ERROR_WANT_READ) return error = "recv: TLS: " + tls_reason(), -1;
    if (!flush_tls(error)) return -1;   // e.g. a TLS 1.3 key update's answer
    long got = feed_tls(error);
    if (got <= 0) return got;   // a close without close_notify ends the stream too: the caller checks the length
  }
}

/// The status of an HTTP/1.x status line at the start of `in`, or 0.
int status_of(std::string_view in) {
  if (in.size() < 12 || in.substr(0, 7) != "HTTP/1." || in[8] != ' ') return 0;
  int v = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (in[i] < '0' || in[i] > '9') return 0;
    v = v * 10 + (in[i] - '0');
  }
  return v >= 100 && v <= 599 ? v : 0;
}

/// The size of the whole answer once its head is in `in` and gives a
/// Content-Length (and no Transfer-Encoding); npos while it is not known,
/// or when the answer runs to the end of the connection.
std::size_t answer_size(std::string_view in) {
  std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::string_view::npos;
  std::string head(in.substr(0, end + 2));
  for (char& c : head) c = lower(c);
  std::size_t at = head.find("\r\ncontent-length:");
  if (at == std::string::npos || head.find("\r\ntransfer-encoding:") != std::string::npos) return std::string_view::npos;
  at = head.find_first_not_of(" \t", at + 17);
  std::size_t length = 0;
  auto [p, ec] = std::from_chars(head.data() + std::min(at, head.size()), head.data() + head.size(), length);
  if (ec != std::errc() || (*p != '\r' && *p != ' ' && *p != '\t')) return std::string_view::npos;
  return end + 4 + length;
}

// Decodes a chunked body; false when malformed or incomplete.
bool dechunk(std::string_view in, std::string& out) {
  out.clear();
  for (;;) {
    std::size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) return false;
    std::size_t size = 0;
    std::string_view hex = in.substr(0, std::min(eol, in.find(';')));
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
    if (ec != std::errc() || p != hex.data() + hex.size()) return false;
    in.remove_prefix(eol + 2);
    if (size == 0) return true;
    if (in.size() < size + 2) return false;
    out.append(in.substr(0, size));
    in.remove_prefix(size + 2);
  }
}

}  // namespace

bool parse_http_url(std::string_view url, HttpUrl& out, std::string& error) {
  out = HttpUrl{};
  std::size_t sep = url.find("://");
  std::string_view scheme = sep == std::string_view::npos ? std::string_view() : url.substr(0, sep);
  if (iequals(scheme, "https")) {
    out.scheme = "https";
    out.port = 443;
  } else if (!iequals(scheme, "http")) {
    return error = "`" + std::string(url.substr(0, 200)) + "` is not an http:// or https:// URL", false;
  }
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(authority.size());
  if (authority.find('@') != std::string_view::npos) return error = "the URL must not carry a user name or password", false;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return error = "unbalanced `[` in the URL's host", false;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return error = "unexpected text after the URL's IPv6 host", false;
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else {
    std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return error = "the URL has no host", false;
  if (has_port) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535)
      return error = "the URL's port is not a number from 1 to 65535", false;
    out.port = static_cast<std::uint16_t>(n);
  }
  path = path.substr(0, path.find('#'));
  out.path = path.empty() ? "/" : (path.front() == '?' ? "/" + std::string(path) : std::string(path));
  return true;
}

bool check_ca_file(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return error = "cannot read `" + path + "`: " + std::strerror(errno), false;
  int certs = 0;
  while (X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr)) {
    ++certs;
    X509_free(x);
  }
  std::fclose(f);
  ERR_clear_error();   // the end of the file reads as an error
  if (certs == 0) return error = "`" + path + "` holds no PEM certificate", false;
  return true;
}

HttpClientResponse http_call(const HttpUrl& url, std::string_view method, std::string_view path_and_query,
                             const std::vector<std::string>& headers, std::string_view body, const HttpClientOptions& options) {
  HttpClientResponse r;
  Conn conn(Clock::now() + options.timeout, options.stop);
  if (!conn.connect(url, r.error)) return r;
  r.error.clear();
  if (url.https() && !conn.start_tls(url, options.ca_file, r.error)) return r;
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.https() ? 443 : 80)) host += ":" + std::to_string(url.port);
  std::string request = std::string(method) + " " + std::string(path_and_query.empty() ? "/" : path_and_query) + " HTTP/1.1\r\nHost: " + host +
                        "\r\nConnection: close\r\nUser-Agent: " + options.user_agent + "\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n";
  request += body;
  if (!conn.write(request, r.error)) return r;

  // Read to the end of the connection, to the Content-Length, or (status_only) to the status line's end.
  std::string in;
  std::size_t size = std::string::npos;
  char buf[16384];
  while (in.size() < size) {
    if (options.status_only && (in.find("\r\n") != std::string::npos || in.size() > 4096)) break;
    long n = conn.read(buf, sizeof buf, r.error);
    if (n < 0) return r;
    if (n == 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    if (in.size() > options.max_body + 65536) return r.error = "the answer is over the size limit", r;
    if (size == std::string::npos) size = answer_size(in);
  }
  if (in.empty()) return r.error = "the connection closed without a response", r;
  const int status = status_of(in);
  if (status == 0) return r.error = "the answer is not HTTP/1.x", r;
  if (options.status_only) return r.status = status, r;
  std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return r.error = "the answer's head is incomplete", r;
  if (size != std::string::npos && in.size() < size) return r.error = "the answer was cut short", r;
  std::string_view status_line = std::string_view(in).substr(0, in.find("\r\n"));
  bool chunked = false;
  std::string_view lines = std::string_view(in).substr(status_line.size() + 2, end - status_line.size());
  while (!lines.empty()) {
    std::string_view line = lines.substr(0, lines.find("\r\n"));
    lines.remove_prefix(std::min(lines.size(), line.size() + 2));
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = lower(c);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (name == "transfer-encoding" && iequals(value, "chunked")) chunked = true;
    r.headers.emplace_back(std::move(name), std::string(value));
  }
  std::string_view raw = std::string_view(in).substr(end + 4, size == std::string::npos ? std::string_view::npos : size - end - 4);
  if (chunked) {
    if (!dechunk(raw, r.body)) return r.error = "the answer's chunked body is malformed", r;
  } else {
    r.body = std::string(raw);
  }
  if (r.body.size() > options.max_body) return r.error = "the answer is over the size limit", r;
  r.status = status;
  return r;
}

}  // namespace redline::server
