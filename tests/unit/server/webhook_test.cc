// Case-event webhooks against the real `redline serve --state`: a receiver
// in this test (a small HTTP server on loopback) checks the HMAC signature
// of every delivery with the shared secret and answers the first attempts
// with 500, so the service retries and then delivers; the case's
// `deliveries` and /metrics show it. A dead receiver and one that never
// answers hold up no decision and no case action, and their deliveries end
// `failed` after max_attempts. What is pending survives a restart. Webhook
// config errors carry RL5030/RL5031. Over https (a receiver speaking TLS
// with certificates made here by the `openssl` command), a webhook with its
// private CA in `ca_file` delivers, and a certificate that does not verify
// (an unknown CA, another host name) is a failed attempt, retried, never a
// request sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "audit/audit_support.h"
#include "server/config.h"
#include "server/http_client.h"
#include "state/state_dir.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;

namespace {

const char* kPolicy =
    "purposes {\n  intel { bulk }\n  chat\n}\n"
    "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer, cdao }\n}\n"
    "policy \"svc\" version \"1\" {\n  default allow\n"
    "  rule bulk_review: require approval intel.bulk by lawyer, cdao quorum 2 within 1h because \"Bulk needs two sign-offs.\";\n"
    "}\n";

const char* kLawyerToken = "lawyer-token-0123456789";
const char* kCdaoToken = "cdao-token-0123456789";
const char* kSecret = "whsec-test-secret-0123456789";

/// A `redline serve` process (as in serve_cases_test.cc).
class Serve {
 public:
  Serve(const TempDir& tmp, std::vector<std::string> extra) : err_(tmp / "serve.err") {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> args = {REDLINE_CLI_PATH, "serve", "--listen", "127.0.0.1:0", "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(e, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::setenv("REDLINE_STDLIB", (source_dir() / "stdlib").c_str(), 1);
      ::setenv("TEST_WEBHOOK_SECRET", kSecret, 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    auto at = line.find("listening on 127.0.0.1:");
    REQUIRE_MESSAGE(at != std::string::npos, "serve did not start: " << line << read_file(err_));
    port_ = std::stoi(line.substr(at + 23));
  }
  ~Serve() { stop(SIGKILL); }
  int port() const { return port_; }
  std::string log() const { return read_file(err_); }
  /// Sends `sig` and waits for the process to end.
  void stop(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string err_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// One HTTP request on a fresh connection; {status, body}.
std::pair<int, std::string> http(int port, const std::string& method, const std::string& path, const std::string& body = "",
                                 const std::string& headers = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ::close(fd), std::pair{0, std::string()};
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" + headers;
  if (method == "POST") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string got;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    char b[65536];
    ssize_t n = ::recv(fd, b, sizeof b, 0);
    if (n <= 0) break;
    got.append(b, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto end = got.find("\r\n\r\n");
  if (got.size() < 12 || end == std::string::npos) return {0, got};
  return {std::stoi(got.substr(9, 3)), got.substr(end + 4)};
}

std::string bearer(const char* token) { return std::string("Authorization: Bearer ") + token + "\r\n"; }

std::string bulk_request(const std::string& id) {
  return json({{"purpose", "intel.bulk"}, {"actor", {{"id", "u1"}, {"role", "analyst"}}},
               {"request", {{"id", id}, {"time", state::now_rfc3339()}}}})
      .dump();
}

/// A listening loopback socket on a free port (0 for the port on failure).
int listen_socket(int& port, int wanted = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(wanted));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) return ::close(fd), port = 0, -1;
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

/// A port nothing listens on.
int dead_port() {
  int port = 0;
  int fd = listen_socket(port);
  ::close(fd);
  return port;
}

std::string hex(const unsigned char* p, unsigned n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

/// The receiver's own check of a Redline-Signature header, as docs/approvals.md tells a receiver to do it.
bool signature_ok(const std::string& header, const std::string& body, const std::string& secret, long long& t) {
  auto comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  std::string ts = header.substr(2, comma - 2), v1 = header.substr(comma + 4);
  t = std::stoll(ts);
  std::string text = ts + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &len);
  return hex(mac, len) == v1;
}

/// A webhook receiver: answers each delivery id's first `failures` attempts
/// with 500, then 200; records every request. Given a certificate and its
/// key (PEM files), it speaks https: each connection's TLS handshake comes
/// first, and one that fails (the client refused the certificate) is counted.
class Receiver {
 public:
  struct Got {
    std::string line;                              // the request line
    std::map<std::string, std::string> headers;   // lower-case names
    std::string body;
    std::string sni;                               // the server name the client sent (https)
    int answered = 0;
  };
  explicit Receiver(int failures, int port = 0, const std::string& cert = "", const std::string& key = "") : failures_(failures) {
    if (!cert.empty()) {
      tls_ = SSL_CTX_new(TLS_server_method());
      REQUIRE(tls_);
      REQUIRE(SSL_CTX_use_certificate_chain_file(tls_, cert.c_str()) == 1);
      REQUIRE(SSL_CTX_use_PrivateKey_file(tls_, key.c_str(), SSL_FILETYPE_PEM) == 1);
    }
    fd_ = listen_socket(port_, port);
    REQUIRE(fd_ >= 0);
    thread_ = std::thread([this] { run(); });
  }
  ~Receiver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(tls_);
  }
  int port() const { return port_; }
  std::vector<Got> got() {
    std::lock_guard lk(mu_);
    return got_;
  }
  int failed_handshakes() const { return failed_handshakes_.load(); }

 private:
  void run() {
    // A TLS write to a client that has gone raises SIGPIPE in the writing
    // thread: blocked here, the write fails instead.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Got g;
      SSL* ssl = nullptr;
      if (tls_) {
        timeval five{5, 0};   // blocking TLS reads and writes, but never for ever
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
        ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &five, sizeof five);
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) != 1) {
          ++failed_handshakes_;
          SSL_free(ssl);
          ::close(c);
          continue;
        }
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        g.sni = sni ? sni : "";
      }
      auto read_some = [&](char* b, int size) -> long {
        if (ssl) return SSL_read(ssl, b, size);
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 5000) <= 0) return -1;
        return ::recv(c, b, static_cast<std::size_t>(size), 0);
      };
      std::string buf;
      std::size_t need = std::string::npos;
      while (buf.size() < need) {
        char b[4096];
        long n = read_some(b, sizeof b);
        if (n <= 0) break;
        buf.append(b, static_cast<std::size_t>(n));
        auto end = buf.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          std::string head = buf.substr(0, end);
          std::size_t at = head.find("\r\n");
          g.line = head.substr(0, at);
          while (at != std::string::npos) {
            std::size_t next = head.find("\r\n", at + 2);
            std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
            auto colon = line.find(':');
            if (colon != std::string::npos) {
              std::string name = line.substr(0, colon);
              for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
              g.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
            }
            at = next;
          }
          need = end + 4 + std::stoul(g.headers.count("content-length") ? g.headers["content-length"] : "0");
        }
      }
      if (need != std::string::npos && buf.size() >= need) g.body = buf.substr(buf.find("\r\n\r\n") + 4);
      int seen = 0;
      {
        std::lock_guard lk(mu_);
        for (const Got& o : got_) seen += o.headers.count("redline-webhook-id") && o.headers.at("redline-webhook-id") == g.headers["redline-webhook-id"];
        g.answered = seen < failures_ ? 500 : 200;
        got_.push_back(g);
      }
      std::string resp = g.answered == 200 ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                           : "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope";
      if (ssl) {
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
        SSL_shutdown(ssl);
        SSL_free(ssl);
      } else {
        ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
  int failures_;
  SSL_CTX* tls_ = nullptr;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_handshakes_{0};
  std::mutex mu_;
  std::vector<Got> got_;
  std::thread thread_;
};

struct Fixture {
  TempDir tmp;
  std::string policy = tmp / "svc.pol", config = tmp / "config.json", state = tmp / "state", secret = tmp / "hook.secret";
  explicit Fixture(const json& webhooks) {
    write_file(policy, kPolicy);
    write_file(secret, std::string(kSecret) + "\n");
    json c = {{"tokens", json::array({{{"token", kLawyerToken}, {"actor", "l1"}, {"roles", {"lawyer"}}},
                                      {{"token", kCdaoToken}, {"actor", "c1"}, {"roles", {"cdao"}}}})},
              {"reload", {{"watch_interval_ms", 0}}},
              {"webhooks", webhooks}};
    write_file(config, c.dump(2));
  }
  std::vector<std::string> args() const { return {"--state", state, "--config", config, policy}; }
};

/// Polls the case until no delivery is pending (up to 60 s); the case.
json settled(int port, const std::string& id) {
  json c;
  for (int i = 0; i < 600; ++i) {
    auto [status, body] = http(port, "GET", "/v1/cases/" + id);
    c = json::parse(body, nullptr, false);
    bool pending = !c.is_object() || !c.contains("deliveries") || c["deliveries"].empty();
    if (!pending)
      for (const json& d : c["deliveries"]) pending = pending || d["state"] == "pending";
    if (!pending) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return c;
}

long long metric(const std::string& text, const std::string& name) {
  auto at = text.find(name + " ");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size() + 1));
}

// /metrics once counter `name` reaches `want` (or after 5 s): the worker
// counts an attempt just after storing its outcome, which is what
// settled() waits for.
std::string metrics_once(int port, const std::string& name, long long want) {
  std::string m = http(port, "GET", "/metrics").second;
  for (int i = 0; i < 50 && metric(m, name) < want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    m = http(port, "GET", "/metrics").second;
  }
  return m;
}

}  // namespace

TEST_CASE("webhook config: URLs, events, secrets and keys are checked, each error with its RL code") {
  TempDir tmp;
  write_file(tmp / "s", std::string(kSecret) + "\n");
  auto parse = [&](json hook, std::string& error) {
    server::ServeConfig c;
    return server::parse_config(json({{"webhooks", json::array({hook})}}).dump(), c, error);
  };
  auto refused = [&](json hook) {
    std::string error;
    CHECK_FALSE(parse(hook, error));
    return error;
  };
  json ok = {{"url", "http://127.0.0.1:9/hooks?x=1"}, {"secret_file", tmp / "s"}};
  {
    server::ServeConfig c;
    std::string error;
    REQUIRE_MESSAGE(server::parse_config(json({{"webhooks", json::array({ok})}}).dump(), c, error), error);
    REQUIRE(c.webhooks.size() == 1);
    const server::Webhook& w = c.webhooks[0];
    CHECK(w.host == "127.0.0.1");
    CHECK(w.port == 9);
    CHECK(w.target == "/hooks?x=1");
    CHECK(w.secret == kSecret);   // the trailing newline of the file is not part of it
    CHECK(w.events == std::vector<std::string>{"opened", "advanced", "decided", "expired"});
    CHECK(w.max_attempts == 8);
  }
  json h = ok;
  h["url"] = "ftp://x";
  CHECK(refused(h).starts_with("RL5030"));
  h["url"] = "http://user:pw@h/";
  std::string userinfo = refused(h);
  CHECK(userinfo.starts_with("RL5030"));
  CHECK(userinfo.find("userinfo") != std::string::npos);
  CHECK(userinfo.find("pw") == std::string::npos);   // the password is not echoed into logs
  h["url"] = "http:///path";
  CHECK(refused(h).starts_with("RL5030"));
  h["url"] = "http://h:0/";
  CHECK(refused(h).starts_with("RL5030"));
  h["url"] = "https://hooks.example.com/";
  {
    server::ServeConfig c;
    std::string error;
    REQUIRE_MESSAGE(parse(h, error), error);   // https is delivered (the certificate verified): see the https tests below
  }
  h["url"] = "gopher://hooks.example.com/";
  CHECK(refused(h).starts_with("RL5030"));
  h["url"] = 42;
  CHECK(refused(h).starts_with("RL5030"));
  h = ok;
  h["events"] = {"opened", "reopened"};
  std::string unknown_event = refused(h);
  CHECK(unknown_event.starts_with("RL5031"));
  CHECK(unknown_event.find("reopened") != std::string::npos);
  h = ok;
  h["secret"] = kSecret;   // no inline secrets: an unknown key
  std::string unknown_key = refused(h);
  CHECK(unknown_key.starts_with("RL5031"));
  CHECK(unknown_key.find("unknown key `secret`") != std::string::npos);
  h = ok;
  h.erase("secret_file");
  CHECK(refused(h).starts_with("RL5031"));   // no secret at all
  h["secret_env"] = "REDLINE_TEST_NO_SUCH_VARIABLE";
  CHECK(refused(h).starts_with("RL5031"));
  h = ok;
  h["secret_file"] = tmp / "missing";
  CHECK(refused(h).starts_with("RL5031"));
  h = ok;
  h["max_attempts"] = 0;
  CHECK(refused(h).starts_with("RL5031"));
  {
    server::ServeConfig c;
    std::string error;
    CHECK_FALSE(server::parse_config(json({{"webhooks", json::array({ok, ok})}}).dump(), c, error));
    CHECK(error.starts_with("RL5031"));
    CHECK_FALSE(server::parse_config(R"({"webhooks": {"url": "http://h/"}})", c, error));
    CHECK(error.starts_with("RL5031"));
  }

  // `redline serve` refuses such a config and starts nothing.
  write_file(tmp / "p.pol", kPolicy);
  write_file(tmp / "bad.json", json({{"webhooks", json::array({{{"url", "ftp://x"}, {"secret_file", tmp / "s"}}})}}).dump());
  std::string cmd = std::string(REDLINE_CLI_PATH) + " serve --listen 127.0.0.1:0 --state " + tmp / "state" + " --config " + tmp / "bad.json" +
                    " " + tmp / "p.pol" + " 2>" + tmp / "err";
  int rc = std::system(cmd.c_str());
  CHECK(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) == 1);
  CHECK(read_file(tmp / "err").find("RL5030") != std::string::npos);
}

TEST_CASE("webhook deliveries: signed, retried after 500s, then delivered; the case and /metrics show it") {
  Receiver rx(2);   // each delivery's first two attempts get a 500
  Fixture f(json::array({{{"url", "http://127.0.0.1:" + std::to_string(rx.port()) + "/hooks"},
                          {"events", {"opened", "decided"}},
                          {"secret_env", "TEST_WEBHOOK_SECRET"},
                          {"backoff_ms", 50}}}));
  Serve s(f.tmp, f.args());

  auto [st, opened] = http(s.port(), "POST", "/v1/decide", bulk_request("chg-1"));
  REQUIRE(st == 200);
  std::string id = json::parse(opened)["case"]["id"].get<std::string>();
  CHECK(http(s.port(), "POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken)).first == 200);
  auto [ast, acted] = http(s.port(), "POST", "/v1/cases/" + id + "/approve", "", bearer(kCdaoToken));
  REQUIRE(ast == 200);
  CHECK(json::parse(acted)["state"] == "decided");

  json cs = settled(s.port(), id);
  REQUIRE(cs["deliveries"].size() == 2);
  for (const json& d : cs["deliveries"]) {
    CHECK(d["state"] == "delivered");
    CHECK(d["attempts"] == 3);
    CHECK(d["last_status"] == 200);
    CHECK(d["url"] == "http://127.0.0.1:" + std::to_string(rx.port()) + "/hooks");
    CHECK(d["delivered_at"].is_string());
    CHECK(d["next_attempt_at"].is_null());
  }
  CHECK(cs["deliveries"][0]["event"] == "opened");
  CHECK(cs["deliveries"][1]["event"] == "decided");

  // What the receiver got: every request signed with the secret, fresh, its id in the body.
  auto got = rx.got();
  CHECK(got.size() == 6);
  std::map<std::string, int> events;
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& g : got) {
    long long t = 0;
    REQUIRE(g.headers.count("redline-signature"));
    CHECK_MESSAGE(signature_ok(g.headers.at("redline-signature"), g.body, kSecret, t), g.headers.at("redline-signature"));
    long long ignored = 0;
    CHECK_FALSE(signature_ok(g.headers.at("redline-signature"), g.body + " ", kSecret, ignored));   // a changed body fails
    CHECK_FALSE(signature_ok(g.headers.at("redline-signature"), g.body, "another-secret-0123456789", ignored));
    CHECK(std::llabs(now - t) < 300);   // the receiver's tolerance
    CHECK(g.headers.at("content-type") == "application/json");
    json b = json::parse(g.body, nullptr, false);
    REQUIRE(b.is_object());
    CHECK(b["id"] == g.headers.at("redline-webhook-id"));
    CHECK(b["event"] == g.headers.at("redline-webhook-event"));
    CHECK(b["case"]["id"] == id);
    CHECK(b["case"]["url"] == "/v1/cases/" + id);
    ++events[b["event"].get<std::string>()];
    if (b["event"] == "case.decided") {
      CHECK(b["case"]["state"] == "decided");
      CHECK(b["case"]["outcome"] == "allow");
    } else {
      CHECK(b["case"]["state"] == "open");
      CHECK(b["case"]["roles"] == json::array({"cdao", "lawyer"}));
    }
  }
  CHECK(events == std::map<std::string, int>{{"case.decided", 3}, {"case.opened", 3}});

  std::string m = metrics_once(s.port(), "redline_webhook_deliveries_total{result=\"delivered\"}", 2);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"delivered\"}") == 2);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"retry\"}") == 4);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"failed\"}") == 0);
}

TEST_CASE("webhook deliveries: a dead or silent receiver holds up no decision or action, and ends failed") {
  int silent_port = 0;
  int silent = listen_socket(silent_port);   // accepts (the kernel does) but never answers
  REQUIRE(silent >= 0);
  const int dead = dead_port();
  Fixture f(json::array({{{"url", "http://127.0.0.1:" + std::to_string(silent_port) + "/"},
                          {"secret_env", "TEST_WEBHOOK_SECRET"},
                          {"max_attempts", 1},
                          {"timeout_ms", 3000}},
                         {{"url", "http://127.0.0.1:" + std::to_string(dead) + "/"},
                          {"secret_env", "TEST_WEBHOOK_SECRET"},
                          {"max_attempts", 3},
                          {"backoff_ms", 20}}}));
  Serve s(f.tmp, f.args());

  // The decision that opens the case, and both actions, are answered while
  // the silent receiver's deliveries are still pending: nobody waits on them.
  auto [st, opened] = http(s.port(), "POST", "/v1/decide", bulk_request("chg-2"));
  REQUIRE(st == 200);
  CHECK(json::parse(opened)["decision"] == "require_approval");
  std::string id = json::parse(opened)["case"]["id"].get<std::string>();
  CHECK(http(s.port(), "POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken)).first == 200);
  auto [ast, acted] = http(s.port(), "POST", "/v1/cases/" + id + "/approve", "", bearer(kCdaoToken));
  REQUIRE(ast == 200);
  json after = json::parse(acted);
  CHECK(after["state"] == "decided");
  REQUIRE(after["deliveries"].size() == 4);   // opened and decided, to each of the two
  int silent_pending = 0;
  for (const json& d : after["deliveries"])
    if (d["url"] == "http://127.0.0.1:" + std::to_string(silent_port) + "/" && d["event"] == "decided") silent_pending += d["state"] == "pending";
  CHECK(silent_pending == 1);

  json cs = settled(s.port(), id);
  REQUIRE(cs["deliveries"].size() == 4);
  for (const json& d : cs["deliveries"]) {
    CHECK(d["state"] == "failed");
    CHECK(d["last_status"].is_null());
    CHECK(d["last_error"].is_string());
    if (d["url"] == "http://127.0.0.1:" + std::to_string(dead) + "/") {
      CHECK(d["attempts"] == 3);
      CHECK(d["last_error"].get<std::string>().find("connect") != std::string::npos);
    } else {
      CHECK(d["attempts"] == 1);
      CHECK(d["last_error"].get<std::string>().find("timed out") != std::string::npos);
    }
  }
  std::string m = metrics_once(s.port(), "redline_webhook_deliveries_total{result=\"failed\"}", 4);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"failed\"}") == 4);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"retry\"}") == 4);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"delivered\"}") == 0);
  CHECK(s.log().find("RL5032") != std::string::npos);   // each final failure is logged with its code
  ::close(silent);
}

TEST_CASE("webhook deliveries: what is pending survives a restart and is delivered after it") {
  const int port = dead_port();
  Fixture f(json::array({{{"url", "http://127.0.0.1:" + std::to_string(port) + "/"}, {"secret_env", "TEST_WEBHOOK_SECRET"},
                          {"backoff_ms", 100}, {"max_backoff_ms", 200}, {"max_attempts", 100}}}));
  std::string id;
  {
    Serve s(f.tmp, f.args());
    auto [st, opened] = http(s.port(), "POST", "/v1/decide", bulk_request("chg-3"));
    REQUIRE(st == 200);
    id = json::parse(opened)["case"]["id"].get<std::string>();
    // Wait for a failed attempt, then stop the server with the delivery pending.
    json d;
    for (int i = 0; i < 300; ++i) {
      d = json::parse(http(s.port(), "GET", "/v1/cases/" + id).second)["deliveries"][0];
      if (d["attempts"] >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(d["state"] == "pending");
    CHECK(d["attempts"] >= 1);
    s.stop(SIGTERM);
  }
  Receiver rx(0, port);   // the receiver comes up where the webhook points
  REQUIRE(rx.port() == port);
  Serve s(f.tmp, f.args());
  json cs = settled(s.port(), id);
  REQUIRE(cs["deliveries"].size() == 1);
  CHECK(cs["deliveries"][0]["state"] == "delivered");
  CHECK(cs["deliveries"][0]["attempts"] >= 2);
  REQUIRE(rx.got().size() == 1);
  CHECK(json::parse(rx.got()[0].body)["event"] == "case.opened");
}

namespace {

/// A throwaway PKI made with the `openssl` command: a CA, a certificate it
/// signs for localhost and 127.0.0.1, and one it signs for another host only.
struct TestPki {
  TempDir tmp;
  std::string ca = tmp / "ca.pem", cert = tmp / "server.pem", key = tmp / "server.key", other_cert = tmp / "other.pem",
              other_key = tmp / "other.key";
  TestPki() {
    write_file(tmp / "pki.cnf",
               "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = redline test\n"
               "[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n"
               "[server]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n"
               "subjectAltName = DNS:localhost,IP:127.0.0.1\n"
               "[other]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n"
               "subjectAltName = DNS:hooks.example.com\n");
    const std::string cnf = tmp / "pki.cnf", log = " >>" + tmp / "openssl.log" + " 2>&1";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    run("openssl req -x509 -new -config " + cnf + " -extensions ca" + ec + " -keyout " + tmp / "ca.key" + " -out " + ca +
        " -days 2 -subj /CN=redline-test-ca" + log);
    for (auto [name, crt, k] : {std::tuple{"server", cert, key}, std::tuple{"other", other_cert, other_key}}) {
      run("openssl req -new -config " + cnf + ec + " -keyout " + k + " -out " + tmp / (std::string(name) + ".csr") + " -subj /CN=" + name + log);
      run("openssl x509 -req -in " + tmp / (std::string(name) + ".csr") + " -CA " + ca + " -CAkey " + tmp / "ca.key" +
          " -CAcreateserial -days 2 -extfile " + cnf + " -extensions " + name + " -out " + crt + log);
    }
  }
  void run(const std::string& cmd) {
    int rc = std::system(cmd.c_str());
    REQUIRE_MESSAGE(rc == 0, cmd << "\n" << read_file(tmp / "openssl.log"));
  }
};

json hook(const std::string& url, const std::string& ca_file = "") {
  json h = {{"url", url}, {"secret_env", "TEST_WEBHOOK_SECRET"}, {"events", {"opened"}}, {"max_attempts", 2}, {"backoff_ms", 20}};
  if (!ca_file.empty()) h["ca_file"] = ca_file;
  return h;
}

}  // namespace

TEST_CASE("webhook config: https URLs and ca_file") {
  TempDir tmp;
  write_file(tmp / "s", std::string(kSecret) + "\n");
  write_file(tmp / "not.pem", "not a certificate\n");
  TestPki pki;
  auto parse = [&](json h, server::ServeConfig& c, std::string& error) {
    h["secret_file"] = tmp / "s";
    h.erase("secret_env");
    return server::parse_config(json({{"webhooks", json::array({h})}}).dump(), c, error);
  };
  server::ServeConfig c;
  std::string error;
  REQUIRE_MESSAGE(parse(hook("https://hooks.example.com/in?x=1", pki.ca), c, error), error);
  CHECK(c.webhooks[0].scheme == "https");
  CHECK(c.webhooks[0].port == 443);
  CHECK(c.webhooks[0].target == "/in?x=1");
  CHECK(c.webhooks[0].ca_file == pki.ca);
  c = {};
  REQUIRE_MESSAGE(parse(hook("https://[::1]:8443"), c, error), error);
  CHECK(c.webhooks[0].host == "::1");
  CHECK(c.webhooks[0].port == 8443);
  CHECK(c.webhooks[0].ca_file.empty());   // the system's trust store
  for (const json& bad : {hook("https://h/", tmp / "missing.pem"), hook("https://h/", tmp / "not.pem"), hook("http://h/", pki.ca)}) {
    c = {};
    CHECK_FALSE(parse(bad, c, error));
    CHECK_MESSAGE(error.starts_with("RL5031"), error);
    CHECK_MESSAGE(error.find("ca_file") != std::string::npos, error);
  }
  c = {};
  json off = hook("https://h/");
  off["verify"] = false;   // there is no such switch: an unknown key
  CHECK_FALSE(parse(off, c, error));
  CHECK(error.find("unknown key `verify`") != std::string::npos);
}

TEST_CASE("webhook deliveries over https: verified with the webhook's ca_file, signed, SNI for a host name") {
  TestPki pki;
  Receiver rx(1, 0, pki.cert, pki.key);   // each delivery's first attempt gets a 500
  const std::string ip_url = "https://127.0.0.1:" + std::to_string(rx.port()) + "/hooks",
                    name_url = "https://localhost:" + std::to_string(rx.port()) + "/named";
  Fixture f(json::array({hook(ip_url, pki.ca), hook(name_url, pki.ca)}));
  Serve s(f.tmp, f.args());
  auto [st, opened] = http(s.port(), "POST", "/v1/decide", bulk_request("tls-1"));
  REQUIRE(st == 200);
  std::string id = json::parse(opened)["case"]["id"].get<std::string>();

  json cs = settled(s.port(), id);
  REQUIRE(cs["deliveries"].size() == 2);
  for (const json& d : cs["deliveries"]) {
    CHECK_MESSAGE(d["state"] == "delivered", d.dump());
    CHECK(d["attempts"] == 2);
    CHECK(d["last_status"] == 200);
  }
  auto got = rx.got();
  REQUIRE(got.size() == 4);
  CHECK(rx.failed_handshakes() == 0);
  std::map<std::string, int> by_line;
  for (const auto& g : got) {
    ++by_line[g.line];
    long long t = 0;
    REQUIRE(g.headers.count("redline-signature"));
    CHECK_MESSAGE(signature_ok(g.headers.at("redline-signature"), g.body, kSecret, t), g.headers.at("redline-signature"));
    CHECK_FALSE(signature_ok(g.headers.at("redline-signature"), g.body + " ", kSecret, t));
    json b = json::parse(g.body, nullptr, false);
    REQUIRE(b.is_object());
    CHECK(b["event"] == "case.opened");
    CHECK(b["case"]["id"] == id);
    CHECK(b["id"] == g.headers.at("redline-webhook-id"));
    if (g.line == "POST /named HTTP/1.1") {
      CHECK(g.sni == "localhost");
      CHECK(g.headers.at("host") == "localhost:" + std::to_string(rx.port()));
    } else {
      CHECK(g.sni.empty());   // no SNI for an IP address
    }
  }
  CHECK(by_line == std::map<std::string, int>{{"POST /hooks HTTP/1.1", 2}, {"POST /named HTTP/1.1", 2}});
}

TEST_CASE("webhook deliveries over https: a certificate that does not verify is a failed attempt, retried, and nothing is sent") {
  TestPki pki;
  Receiver ours(0, 0, pki.cert, pki.key);            // a certificate of a CA the system does not trust
  Receiver other(0, 0, pki.other_cert, pki.other_key);   // a trusted CA, but for hooks.example.com
  const std::string untrusted = "https://127.0.0.1:" + std::to_string(ours.port()) + "/",
                    wrong_ip = "https://127.0.0.1:" + std::to_string(other.port()) + "/",
                    wrong_name = "https://localhost:" + std::to_string(other.port()) + "/";
  Fixture f(json::array({hook(untrusted), hook(wrong_ip, pki.ca), hook(wrong_name, pki.ca)}));
  Serve s(f.tmp, f.args());

  auto [st, opened] = http(s.port(), "POST", "/v1/decide", bulk_request("tls-2"));
  REQUIRE(st == 200);   // nobody waits on the deliveries
  CHECK(json::parse(opened)["decision"] == "require_approval");
  std::string id = json::parse(opened)["case"]["id"].get<std::string>();

  json cs = settled(s.port(), id);
  REQUIRE(cs["deliveries"].size() == 3);
  for (const json& d : cs["deliveries"]) {
    INFO(d.dump());
    CHECK(d["state"] == "failed");
    CHECK(d["attempts"] == 2);   // retried with the normal backoff
    CHECK(d["last_status"].is_null());
    REQUIRE(d["last_error"].is_string());
    const std::string e = d["last_error"];
    CHECK(e.starts_with("TLS: certificate verify failed: "));
    if (d["url"] == untrusted) {
      CHECK(e.find("local issuer") != std::string::npos);
    } else {
      CHECK(e.find("mismatch") != std::string::npos);   // hostname mismatch / IP address mismatch
    }
  }
  CHECK(ours.got().empty());
  CHECK(other.got().empty());
  // The receivers see each refused handshake a moment after the client gives up on it.
  for (int i = 0; i < 50 && (ours.failed_handshakes() < 2 || other.failed_handshakes() < 4); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(ours.failed_handshakes() == 2);
  CHECK(other.failed_handshakes() == 4);
  std::string m = metrics_once(s.port(), "redline_webhook_deliveries_total{result=\"failed\"}", 3);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"retry\"}") == 3);
  CHECK(metric(m, "redline_webhook_deliveries_total{result=\"failed\"}") == 3);
  CHECK(s.log().find("certificate verify failed") != std::string::npos);
}

TEST_CASE("http client: https with a private CA, a refused certificate, a stop flag; `redline approve --server https://`") {
  TestPki pki;
  Receiver rx(0, 0, pki.cert, pki.key);
  server::HttpUrl url;
  std::string error;
  REQUIRE(server::parse_http_url("HTTPS://127.0.0.1:" + std::to_string(rx.port()) + "/base?q=1#frag", url, error));
  CHECK(url.scheme == "https");
  CHECK(url.path == "/base?q=1");
  server::HttpUrl dflt;
  REQUIRE(server::parse_http_url("https://example.com", dflt, error));
  CHECK(dflt.port == 443);
  CHECK(dflt.path == "/");
  CHECK_FALSE(server::parse_http_url("http://h:/", dflt, error));
  CHECK_FALSE(server::parse_http_url("ftp://h/", dflt, error));

  server::HttpClientOptions options;
  options.ca_file = pki.ca;
  server::HttpClientResponse r = server::http_call(url, "POST", "/in", {"Content-Type: text/plain"}, "hello", options);
  CHECK_MESSAGE(r.ok(), r.error);
  CHECK(r.status == 200);
  CHECK(r.body == "ok");
  REQUIRE(rx.got().size() == 1);
  CHECK(rx.got()[0].line == "POST /in HTTP/1.1");
  CHECK(rx.got()[0].body == "hello");

  r = server::http_call(url, "GET", "/", {}, "", {});   // the system store does not know the test CA
  CHECK(r.status == 0);
  CHECK_MESSAGE(r.error.starts_with("TLS: certificate verify failed"), r.error);
  CHECK(rx.got().size() == 1);

  // A peer that never answers the handshake: the stop flag ends the wait long before the timeout.
  int silent_port = 0;
  int silent = listen_socket(silent_port);
  REQUIRE(silent >= 0);
  server::HttpUrl quiet;
  REQUIRE(server::parse_http_url("https://127.0.0.1:" + std::to_string(silent_port) + "/", quiet, error));
  std::atomic<bool> stop{false};
  options.timeout = std::chrono::seconds(20);
  options.stop = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  r = server::http_call(quiet, "GET", "/", {}, "", options);
  auto took = std::chrono::steady_clock::now() - t0;
  stopper.join();
  CHECK(r.status == 0);
  CHECK_MESSAGE(r.error.find("abandoned") != std::string::npos, r.error);
  CHECK(took < std::chrono::seconds(3));
  ::close(silent);

  // `redline approve --case` over https: with --ca-file the exchange gets past TLS (this receiver is no redline, so
  // its "ok" is not the JSON approve wants); without, the certificate is refused.
  TempDir tmp;
  write_file(tmp / "token", "some-token-0123456789\n");
  write_file(tmp / "approver.key", "c2VlZHNlZWRzZWVkc2VlZHNlZWRzZWVkc2VlZHNlZWQ=\n");
  std::string base = std::string(REDLINE_CLI_PATH) + " approve --case c-1 --server https://localhost:" + std::to_string(rx.port()) +
                     " --token-file " + tmp / "token" + " --key " + tmp / "approver.key";
  int rc = std::system((base + " --ca-file " + pki.ca + " 2>" + tmp / "with").c_str());
  CHECK(WEXITSTATUS(rc) == 1);
  CHECK_MESSAGE(read_file(tmp / "with").find("/v1/whoami: the answer is not a JSON object") != std::string::npos, read_file(tmp / "with"));
  CHECK(rx.got().back().line == "GET /v1/whoami HTTP/1.1");
  rc = std::system((base + " 2>" + tmp / "without").c_str());
  CHECK(WEXITSTATUS(rc) == 1);
  CHECK_MESSAGE(read_file(tmp / "without").find("certificate verify failed") != std::string::npos, read_file(tmp / "without"));
}
