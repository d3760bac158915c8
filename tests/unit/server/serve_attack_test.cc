// Integration tests of `redline serve` under attack: the real binary on a free
// loopback port, driven over raw sockets. Slow clients are cut off at the
// request timeout counted from a request's first byte; a flood of slow
// connections (the connection cap, or one address's share, filled) leaves
// /healthz and a kill-switch trip reachable; under a descriptor limit far below
// max_connections a flood neither spins nor breaks the audit log, and the
// server decides and audits again once the flood is gone; a decision whose
// record cannot be written is a 503; refused governance requests are audit
// records. No assertion here is on a duration: each checks what happened.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit/audit_support.h"
#include "audit/verify.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;

namespace {

/// The RL code of a refusal: redline's shape (`error.code`), or the AuthZEN
/// refusal (`context.redline.error.code`) that a connection refused before its
/// request line arrived gets, since its path cannot be known (docs/serve.md).
std::string refusal_code(const nlohmann::json& j) {
  if (j.contains("error") && j["error"].is_object()) return j["error"].value("code", "");
  if (j.contains("context") && j["context"].contains("redline") && j["context"]["redline"].contains("error"))
    return j["context"]["redline"]["error"].value("code", "");
  return "";
}

const char* kPolicy =
    "purposes {\n  weapons { targeting engagement }\n  chat\n}\n"
    "context { actor.role: enum { analyst, safety } }\n"
    "policy \"svc\" version \"1\" {\n  default allow\n"
    "  kill_switch weapons_stop covers weapons owner safety because \"Stop all weapons-related use at once.\";\n"
    "}\n";

const char* kSafetyToken = "safety-token-0123456789";
const char* kAllow = R"({"purpose":"chat","actor":{"id":"u1","role":"analyst"}})";
const char* kCovered = R"({"purpose":"weapons.targeting","actor":{"id":"u1","role":"analyst"}})";

/// A `redline serve` process (optionally under a descriptor limit).
class Serve {
 public:
  Serve(const std::string& err, std::vector<std::string> extra, rlim_t nofile = 0) : err_(err) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> args = {REDLINE_CLI_PATH, "serve", "--listen", "127.0.0.1:0", "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(e, 2);
      ::close(out[0]);
      if (nofile) {
        rlimit rl{nofile, nofile};
        ::setrlimit(RLIMIT_NOFILE, &rl);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::setenv("REDLINE_STDLIB", (source_dir() / "stdlib").c_str(), 1);
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
  ~Serve() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  /// SIGTERM, then the exit status (-1 when it does not exit within 20 s).
  int stop() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string log() const { return read_file(err_); }

 private:
  std::string err_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// A client connection.
class Conn {
 public:
  explicit Conn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~Conn() { ::close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  /// False once the peer is gone.
  bool send(std::string_view bytes) const {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  struct Resp {
    int status = 0;
    std::string head, body;
    bool closes() const { return head.find("Connection: close") != std::string::npos; }
    json j() const { return json::parse(body, nullptr, false); }
  };
  /// Reads one response (status 0 when the connection closed first or it timed out).
  Resp read(int timeout_ms = 10000) {
    Resp r;
    for (;;) {
      auto end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        r.head = buf_.substr(0, end + 2);
        std::size_t len = 0;
        auto cl = r.head.find("Content-Length: ");
        if (cl != std::string::npos) len = std::stoul(r.head.substr(cl + 16));
        if (buf_.size() >= end + 4 + len) {
          r.status = std::stoi(r.head.substr(9, 3));
          r.body = buf_.substr(end + 4, len);
          buf_.erase(0, end + 4 + len);
          return r;
        }
      }
      if (!fill(timeout_ms)) return Resp{};
    }
  }
  /// Whether anything (bytes or EOF) is waiting to be read now.
  bool answered() {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  /// True when the server closed the connection (EOF) within `timeout_ms`.
  bool closed(int timeout_ms = 5000) {
    while (fill(timeout_ms)) {
    }
    return eof_;
  }
  Resp request(const std::string& method, const std::string& path, const std::string& body = "", const std::string& headers = "") {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + headers;
    if (!body.empty() || method == "POST")
      req += (headers.find("Content-Type") == std::string::npos ? "Content-Type: application/json\r\n" : "") +
             std::string("Content-Length: ") + std::to_string(body.size()) + "\r\n";
    send(req + "\r\n" + body);
    return read();
  }

 private:
  bool fill(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return eof_ = true, false;
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

std::string bearer(const char* token) { return std::string("Authorization: Bearer ") + token + "\r\n"; }

struct Fixture {
  TempDir tmp;
  std::string policy = tmp / "svc.pol", config = tmp / "config.json", state = tmp / "state", err = tmp / "serve.err";
  explicit Fixture(const json& limits) {
    write_file(policy, kPolicy);
    json c = {{"tokens", json::array({{{"token", kSafetyToken}, {"actor", "s1"}, {"roles", {"safety"}}}})},
              {"limits", limits},
              {"reload", {{"watch_interval_ms", 0}}}};
    write_file(config, c.dump(2));
  }
  std::vector<std::string> args() const { return {"--state", state, "--config", config, policy}; }
};

template <class F>
bool eventually(F pred, int seconds = 10) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// Every audit record of a state folder, as JSON.
std::vector<json> records(const std::string& state) {
  std::vector<json> out;
  std::string error;
  audit::for_each_record(open_state(state), [&](std::uint64_t, std::string_view rec) {
    out.push_back(json::parse(rec, nullptr, false));
    return true;
  }, error);
  return out;
}

/// The start of a decision request that never completes.
const std::string kStalledHead = "POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";

}  // namespace

TEST_CASE("serve attack: a client trickling a request is cut off at the request timeout, counted from its first byte") {
  Fixture f(json{{"request_timeout_ms", 300}, {"idle_timeout_ms", 300}});
  Serve s(f.err, f.args());
  Conn c(s.port());
  // One byte every 50 ms: each arrives well within 300 ms of the one before,
  // so only a bound from the first byte can end this. The server must answer
  // 408 long before the 200 bytes (10 s) are through.
  std::string trickle = kStalledHead + "X-Pad: " + std::string(200, 'a');
  std::size_t sent = 0;
  for (; sent < trickle.size() && !c.answered(); ++sent) {
    if (!c.send(trickle.substr(sent, 1))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK_MESSAGE(sent < trickle.size(), "the trickling client was never cut off");
  auto r = c.read();
  CHECK(r.status == 408);
  CHECK(refusal_code(r.j()) == "RL5010");
  CHECK(c.closed());

  // Between requests the idle timeout applies: a keep-alive connection that
  // says nothing more is closed.
  Conn idle(s.port());
  CHECK(idle.request("POST", "/v1/decide", kAllow).status == 200);
  CHECK(idle.closed());
}

TEST_CASE("serve attack: with every connection slot held by slow clients, /healthz and a kill-switch trip still get through") {
  Fixture f(json{{"max_connections", 6}, {"request_timeout_ms", 60000}});
  Serve s(f.err, f.args());
  // Far more stalled decision requests than there are slots (6, and the 16 of the reserve).
  std::vector<std::unique_ptr<Conn>> stalled;
  for (int i = 0; i < 40; ++i) {
    stalled.push_back(std::make_unique<Conn>(s.port()));
    stalled.back()->send(kStalledHead);
  }
  {
    Conn c(s.port());
    auto h = c.request("GET", "/healthz");
    CHECK(h.status == 200);
    CHECK(h.j()["status"] == "ok");
    CHECK(h.closes());   // a reserve slot serves one request
  }
  {
    Conn c(s.port());
    auto trip = c.request("POST", "/v1/switches/weapons_stop/trip", R"({"because":"flood drill"})", bearer(kSafetyToken));
    CHECK(trip.status == 200);
    CHECK(trip.j()["tripped"] == true);
  }
  {
    // A decision does not get a reserve slot.
    Conn c(s.port());
    auto d = c.request("POST", "/v1/decide", kAllow);
    CHECK(d.status == 503);
    CHECK(d.j()["decision"] != true);
    CHECK(refusal_code(d.j()) == "RL5010");
  }
  stalled.clear();
  REQUIRE(eventually([&] {
    Conn c(s.port());
    return c.request("POST", "/v1/decide", kAllow).status == 200;
  }));
  Conn d(s.port());
  auto covered = d.request("POST", "/v1/decide", kCovered);
  CHECK(covered.status == 200);
  CHECK(covered.j()["killed_by"] == "svc/weapons_stop");   // the trip took effect
}

TEST_CASE("serve attack: one client address gets at most max_connections_per_ip; the rest of it only reaches governance") {
  Fixture f(json{{"max_connections", 50}, {"max_connections_per_ip", 3}, {"request_timeout_ms", 60000}});
  Serve s(f.err, f.args());
  std::vector<std::unique_ptr<Conn>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Conn>(s.port()));
    CHECK(held.back()->request("POST", "/v1/decide", kAllow).status == 200);   // kept alive
  }
  Conn over(s.port());
  auto r = over.request("POST", "/v1/decide", kAllow);
  CHECK(r.status == 429);
  CHECK(refusal_code(r.j()) == "RL5010");
  CHECK(r.closes());
  Conn health(s.port());
  CHECK(health.request("GET", "/healthz").status == 200);
  held.pop_back();   // a slot of this address is free again
  REQUIRE(eventually([&] {
    Conn again(s.port());
    return again.request("POST", "/v1/decide", kAllow).status == 200;
  }));
}

TEST_CASE("serve attack: under a descriptor limit far below max_connections a flood neither spins nor breaks auditing") {
  Fixture f(json{{"request_timeout_ms", 60000}});   // max_connections stays 10,000
  Serve s(f.err, f.args(), /*nofile=*/128);
  CHECK(s.log().find("\"event\":\"max_connections_clamped\"") != std::string::npos);
  {
    std::vector<std::unique_ptr<Conn>> flood;
    for (int i = 0; i < 400; ++i) {
      flood.push_back(std::make_unique<Conn>(s.port()));
      flood.back()->send(kStalledHead);
    }
    // While the flood holds every slot, the server stays reachable for health.
    Conn h(s.port());
    auto health = h.request("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(health.j()["status"] == "ok");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));   // let a spinning accept loop show itself
  }
  // The flood is gone: decisions are allowed and audited again, without a restart.
  REQUIRE(eventually([&] {
    Conn c(s.port());
    return c.request("POST", "/v1/decide", kAllow).status == 200;
  }));
  Conn c(s.port());
  for (int i = 0; i < 10; ++i) {
    auto d = c.request("POST", "/v1/decide", kAllow);
    CHECK(d.status == 200);
    CHECK(d.j()["decision"] == "allow");
    CHECK(d.j()["error"].is_null());
  }
  CHECK(c.request("GET", "/healthz").j()["status"] == "ok");
  std::string log = s.log();
  REQUIRE(s.stop() == 0);
  std::size_t allowed = 0;
  for (const json& r : records(f.state)) allowed += r.value("type", "") == "decision" && r.value("decision", "") == "allow";
  CHECK(allowed >= 10);
  CHECK(audit::verify_log(open_state(f.state)).ok);
  // The server's log stayed small: no line per failed accept, and nothing about "too many open files".
  std::size_t lines = static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n'));
  CHECK_MESSAGE(lines < 100, "the server wrote " << lines << " log lines during the flood");
  CHECK(log.find("too many open files") == std::string::npos);
  CHECK(log.find("Too many open files") == std::string::npos);
}

TEST_CASE("serve attack: a decision whose audit record cannot be written is a 503 deny with RL5009") {
  Fixture f(json::object());
  Serve s(f.err, f.args());
  Conn c(s.port());
  REQUIRE(c.request("POST", "/v1/decide", kAllow).status == 200);
  // Cut the log underneath the server: its next write fails and the log stops.
  std::filesystem::resize_file(f.state + "/audit.log", 0);
  Conn::Resp d;
  REQUIRE(eventually([&] {
    d = c.request("POST", "/v1/decide", kAllow);
    return d.j()["error"].is_object();
  }));
  CHECK(d.status == 503);
  CHECK(d.j()["decision"] == "deny");
  CHECK(d.j()["error"]["code"] == "RL5009");
  auto batch = c.request("POST", "/v1/decide/batch", std::string("[") + kAllow + "]");
  CHECK(batch.status == 503);
  CHECK(batch.j()[0]["error"]["code"] == "RL5009");
  CHECK(c.request("GET", "/healthz").status == 503);
}

TEST_CASE("serve attack: refused governance requests are audit records, without the token") {
  Fixture f(json::object());
  {
    Serve s(f.err, f.args());
    Conn c(s.port());
    CHECK(c.request("GET", "/v1/policy").status == 401);
    CHECK(c.request("POST", "/v1/switches/weapons_stop/trip", "", bearer("wrong-token-0123456789")).status == 401);
    CHECK(c.request("POST", "/v1/switches/no_such/trip", "", bearer(kSafetyToken)).status == 404);
    CHECK(c.request("GET", "/healthz").status == 200);   // open endpoints and decisions are not access records
    CHECK(c.request("POST", "/v1/decide", kAllow).status == 200);
    Conn dup(s.port());
    auto r = dup.request("POST", "/v1/switches/weapons_stop/trip", "",
                         bearer(kSafetyToken) + "Content-Type: application/json\r\nContent-Type: text/plain\r\n");
    CHECK(r.status == 400);
    CHECK(refusal_code(r.j()) == "RL5010");
    REQUIRE(s.stop() == 0);
  }
  std::vector<json> denied;
  for (const json& r : records(f.state))
    if (r.value("type", "") == "access_denied") denied.push_back(r);
  REQUIRE(denied.size() == 4);
  CHECK(denied[0]["method"] == "GET");
  CHECK(denied[0]["path"] == "/v1/policy");
  CHECK(denied[0]["status"] == 401);
  CHECK(denied[0]["peer"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK_FALSE(denied[0].contains("actor"));
  CHECK(denied[1]["path"] == "/v1/switches/weapons_stop/trip");
  CHECK(denied[1]["reason"] == "the bearer token is not valid");
  CHECK(denied[2]["status"] == 404);
  CHECK(denied[2]["actor"] == "s1");
  CHECK(denied[3]["status"] == 400);
  CHECK(denied[3]["reason"] == "more than one Content-Type field");
  std::string log_bytes = read_file(f.state + "/audit.log");
  CHECK(log_bytes.find("wrong-token-0123456789") == std::string::npos);
  CHECK(log_bytes.find(kSafetyToken) == std::string::npos);
  CHECK(audit::verify_log(open_state(f.state)).ok);
}
