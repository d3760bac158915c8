// server/http_client.cc — see http_client.h.
#include "server/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>

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

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Connects to one of `host`'s addresses before `deadline`; -1 with `error`.
int connect_to(const HttpUrl& url, Clock::time_point deadline, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    error = "cannot resolve `" + url.host + "`: " + gai_strerror(rc);
    return -1;
  }
  error = "cannot connect to " + url.host + ":" + port;
  int result = -1;
  for (addrinfo* a = found; a && result < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error += std::string(": ") + std::strerror(errno);
        ::close(fd);
        continue;
      }
      pollfd p{fd, POLLOUT, 0};
      int soerr = 0;
      socklen_t len = sizeof soerr;
      if (::poll(&p, 1, remaining_ms(deadline)) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
        error += soerr ? std::string(": ") + std::strerror(soerr) : std::string(": timed out");
        ::close(fd);
        continue;
      }
    }
    result = fd;
  }
  ::freeaddrinfo(found);
  return result;
}

bool send_all(int fd, std::string_view data, Clock::time_point deadline, std::string& error) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return error = std::string("send: ") + std::strerror(errno), false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) != 1) return error = "timed out sending the request", false;
  }
  return true;
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
  constexpr std::string_view scheme = "http://";
  if (url.size() < scheme.size() || !iequals(url.substr(0, scheme.size()), scheme)) {
    error = "`" + std::string(url.substr(0, 200)) + "` is not an http:// URL" +
            (url.substr(0, 8) == "https://" ? " (https is not supported here: put a TLS proxy in front)" : "");
    return false;
  }
  std::string_view rest = url.substr(scheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(authority.size());
  if (authority.find('@') != std::string_view::npos) return error = "the URL must not carry a user name or password", false;
  out = HttpUrl{};
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return error = "unbalanced `[` in the URL's host", false;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return error = "unexpected text after the URL's IPv6 host", false;
    if (!after.empty()) port = after.substr(1);
  } else {
    std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return error = "the URL has no host", false;
  if (!port.empty()) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535) return error = "the URL's port is not 1–65535", false;
    out.port = static_cast<std::uint16_t>(n);
  }
  path = path.substr(0, path.find('#'));
  out.path = path.empty() ? "/" : (path.front() == '?' ? "/" + std::string(path) : std::string(path));
  return true;
}

HttpClientResponse http_call(const HttpUrl& url, std::string_view method, std::string_view path_and_query,
                             const std::vector<std::string>& headers, std::string_view body, const HttpClientOptions& options) {
  HttpClientResponse r;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  Fd sock;
  sock.fd = connect_to(url, deadline, r.error);
  if (sock.fd < 0) return r;
  r.error.clear();
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != 80) host += ":" + std::to_string(url.port);
  std::string head = std::string(method) + " " + std::string(path_and_query.empty() ? "/" : path_and_query) + " HTTP/1.1\r\nHost: " + host +
                     "\r\nConnection: close\r\nUser-Agent: redline\r\n";
  for (const std::string& h : headers) head += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  head += "\r\n";
  if (!send_all(sock.fd, head, deadline, r.error) || !send_all(sock.fd, body, deadline, r.error)) return r;

  std::string in;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n > 0) {
      in.append(buf, static_cast<std::size_t>(n));
      if (in.size() > options.max_body + 65536) return r.error = "the answer is over the size limit", r;
      continue;
    }
    if (n == 0) break;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return r.error = std::string("recv: ") + std::strerror(errno), r;
    pollfd p{sock.fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) != 1) return r.error = "timed out waiting for the answer", r;
  }
  std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos || in.compare(0, 5, "HTTP/") != 0) return r.error = "the answer is not HTTP", r;
  std::string_view status_line = std::string_view(in).substr(0, in.find("\r\n"));
  std::size_t sp = status_line.find(' ');
  int status = 0;
  if (sp == std::string_view::npos) return r.error = "the answer has no status", r;
  auto [p, ec] = std::from_chars(status_line.data() + sp + 1, status_line.data() + status_line.size(), status);
  if (ec != std::errc() || status < 100 || status > 599) return r.error = "the answer's status is malformed", r;
  (void)p;
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
  std::string_view raw = std::string_view(in).substr(end + 4);
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
