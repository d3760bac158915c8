// Integration tests of `redline serve`: the real binary started on a free
// loopback port (port 0, read back from its stdout), driven over raw sockets.
// Every endpoint, decisions equal to the embedded engine's byte for byte,
// authentication failures (401/403, logged), kill switches, the audit log
// and its proofs, AuthZEN, hot reload (good, bad, failing assertions, file
// change), limits and timeouts, malformed HTTP and JSON, and SIGTERM draining.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit/audit_support.h"
#include "redline/approval_hash.h"
#include "audit/verify.h"
#include "killswitch/switch_state.h"
#include "redline/approvers.h"
#include "redline/engine.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;

namespace {

const char* kPolicy =
    "purposes {\n  weapons { targeting engagement }\n  intel { targeting_support bulk }\n  chat\n}\n"
    "context { actor.role: enum { analyst, safety, cdao } }\n"
    "policy \"svc\" version \"1\" {\n  default allow\n"
    "  rule no_engage: prohibit weapons.engagement when actor.role == analyst because \"No engagement.\";\n"
    "  rule bulk_review: require approval intel.bulk by cdao within 1h because \"Bulk needs sign-off.\";\n"
    "  kill_switch weapons_stop covers weapons, intel.targeting_support\n"
    "    owner safety, cdao because \"Stop all weapons-related use at once.\";\n"
    "  assert weapons.engagement is at least allow;\n"
    "}\n";

// The tokens of the config (plain; the config may also give their SHA-256).
const char* kSafetyToken = "safety-token-0123456789";
const char* kAnalystToken = "analyst-token-0123456789";
const char* kDecideToken = "decide-token-0123456789";

std::string config_json(bool decisions_open, int extra_request_timeout_ms, int watch_ms) {
  json c = {{"decisions", decisions_open ? "open" : "token"},
            {"tokens", json::array({{{"token", kSafetyToken}, {"actor", "s1"}, {"roles", {"analyst", "safety"}}},
                                    {{"token", kAnalystToken}, {"actor", "a1"}, {"roles", {"analyst"}}},
                                    {{"sha256", "5e3ad8e5e3d0bb9ec7e8a44b46a4d49b5d6f2b3d4d36de0a3b3b5a9ec1d1f9a0"}, {"actor", "x"}},
                                    {{"token", kDecideToken}, {"actor", "pep"}, {"roles", json::array()}}})},
            {"limits", {{"max_body_bytes", 4096}, {"request_timeout_ms", extra_request_timeout_ms}, {"max_connections", 8}, {"max_batch", 4}}},
            {"reload", {{"watch_interval_ms", watch_ms}}}};
  return c.dump(2);
}

/// A `redline serve` process.
class Serve {
 public:
  Serve(const TempDir& tmp, std::vector<std::string> extra = {}) : err_(tmp / "serve.err") {
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
  void signal(int sig) const { ::kill(pid_, sig); }
  /// Waits for the process to exit (up to `seconds`); its exit status, or -1.
  int wait(int seconds = 20) {
    for (int i = 0; i < seconds * 50; ++i) {
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
  void send(std::string_view bytes) const {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
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

const char* kAllow = R"({"purpose":"chat","actor":{"id":"u1","role":"analyst"}})";
const char* kDeny = R"({"purpose":"weapons.engagement","actor":{"id":"u1","role":"analyst"}})";
const char* kCovered = R"({"purpose":"weapons.targeting","actor":{"id":"u1","role":"safety"}})";
const char* kPending = R"({"purpose":"intel.bulk","actor":{"id":"u1","role":"analyst"},"request":{"time":"2026-11-23T10:00:00Z"}})";

struct Fixture {
  TempDir tmp;
  std::string policy = tmp / "svc.pol", config = tmp / "config.json", state = tmp / "state";
  explicit Fixture(bool decisions_open = true, int request_timeout_ms = 10000, int watch_ms = 0) {
    write_file(policy, kPolicy);
    write_file(config, config_json(decisions_open, request_timeout_ms, watch_ms));
  }
  std::vector<std::string> args() const { return {"--state", state, "--config", config, policy}; }
};

/// Waits until `pred` holds (bounded; returns whether it did).
template <class F>
bool eventually(F pred, int seconds = 10) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("serve: decisions equal the embedded engine's, byte for byte, on one keep-alive connection") {
  Fixture f;
  Serve s(f.tmp, f.args());
  CompileOptions opts;
  opts.stdlib_root = (source_dir() / "stdlib").string();
  CompileResult r = compile_files({f.policy}, opts);
  REQUIRE(r.ok());
  Conn c(s.port());
  for (const char* req : {kAllow, kDeny, kCovered, kPending}) {
    auto resp = c.request("POST", "/v1/decide", req);
    CHECK(resp.status == 200);
    CHECK_FALSE(resp.closes());
    std::string body = resp.body;
    if (req == kPending) {
      // With --state a paused request opens an approval case, named as the
      // decision's last member; the rest is the engine's decision, byte for byte.
      auto at = body.rfind(",\"case\":{");
      REQUIRE(at != std::string::npos);
      body = body.substr(0, at) + "}";
    }
    CHECK(body == r.program->evaluate_json(req).to_json());
  }
  auto p = c.request("POST", "/v1/decide", kPending).j();
  CHECK(p["decision"] == "require_approval");
  CHECK(p["pending"]["rules"][0]["roles"] == json::array({"cdao"}));
  // A request error: 400, `deny` with the engine's error.
  auto bad = c.request("POST", "/v1/decide", R"({"purpose":"no.such"})");
  CHECK(bad.status == 400);
  CHECK(bad.j()["decision"] == "deny");
  CHECK(bad.j()["error"]["code"] == "RL5003");
  auto invalid = c.request("POST", "/v1/decide", "{not json");
  CHECK(invalid.status == 400);
  CHECK(invalid.j()["error"]["code"] == "RL5001");
  CHECK(s.log().find("\"event\":\"listening\"") != std::string::npos);
}

TEST_CASE("serve: batches, pipelining, chunked bodies and Expect: 100-continue") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  auto b = c.request("POST", "/v1/decide/batch", std::string("[") + kAllow + "," + kDeny + ",{\"purpose\":1}]");
  REQUIRE(b.status == 200);
  json arr = b.j();
  REQUIRE(arr.size() == 3);
  CHECK(arr[0]["decision"] == "allow");
  CHECK(arr[1]["decision"] == "deny");
  CHECK(arr[2]["error"]["code"] == "RL5004");
  auto not_array = c.request("POST", "/v1/decide/batch", kAllow);
  CHECK(not_array.status == 400);
  CHECK(not_array.j()["decision"] == "deny");
  auto too_many = c.request("POST", "/v1/decide/batch", std::string("[") + kAllow + "," + kAllow + "," + kAllow + "," + kAllow + "," + kAllow + "]");
  CHECK(too_many.status == 413);
  CHECK(too_many.j()["error"]["code"] == "RL5008");

  // Two requests in one write: two answers, in order.
  std::string one = std::string("POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ") +
                    std::to_string(std::strlen(kDeny)) + "\r\n\r\n" + kDeny;
  c.send(one + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(c.read().j()["decision"] == "deny");
  CHECK(c.read().j()["status"] == "ok");

  std::string allow = kAllow;
  c.send("POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n" +
         allow.substr(0, 5) + "\r\n" + [&] {
           char hex[16];
           std::snprintf(hex, sizeof hex, "%zx", allow.size() - 5);
           return std::string(hex);
         }() + "\r\n" + allow.substr(5) + "\r\n0\r\n\r\n");
  CHECK(c.read().j()["decision"] == "allow");

  c.send(std::string("POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ") +
         std::to_string(std::strlen(kAllow)) + "\r\n\r\n");
  auto cont = c.read();
  CHECK(cont.status == 100);
  c.send(kAllow);
  CHECK(c.read().j()["decision"] == "allow");
}

TEST_CASE("serve: malformed HTTP gets a 4xx whose body is a deny with an error, and nothing crashes") {
  Fixture f;
  Serve s(f.tmp, f.args());
  struct Case {
    std::string bytes;
    int status;
  };
  std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400},
      {"POST /v1/decide HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400},   // no Host
      {"POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 413},
      {"POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505},
      {"GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(20000, 'x') + "\r\n\r\n", 431},
      {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(100, '\x07') + "\r\n\r\n", 400},   // TLS hello
  };
  for (const Case& k : cases) {
    Conn c(s.port());
    c.send(k.bytes);
    auto r = c.read();
    CHECK_MESSAGE(r.status == k.status, k.bytes.substr(0, 40));
    CHECK(r.closes());
    CHECK(r.j()["decision"] == "deny");
    CHECK(r.j()["error"]["code"] == "RL5010");
    CHECK(c.closed());
  }
  Conn c(s.port());
  CHECK(c.request("GET", "/nope").status == 404);
  auto m = c.request("GET", "/v1/decide");
  CHECK(m.status == 405);
  CHECK(m.j()["decision"] == "deny");
  CHECK(m.head.find("Allow: POST") != std::string::npos);
  auto ct = c.request("POST", "/v1/decide", kAllow, "Content-Type: text/plain\r\n");
  CHECK(ct.status == 415);
  CHECK(ct.j()["error"]["code"] == "RL5010");
  CHECK(c.request("GET", "/healthz").status == 200);   // the server is still up and this connection still open
  CHECK(s.log().find("\"event\":\"bad_http\"") != std::string::npos);
}

TEST_CASE("serve: tokens guard governance endpoints (and decisions when configured); failures are 401/403 and logged") {
  Fixture f(/*decisions_open=*/false);
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  auto none = c.request("POST", "/v1/decide", kAllow);
  CHECK(none.status == 401);
  CHECK(none.j()["decision"] == "deny");
  CHECK(none.j()["error"]["code"] == "RL5011");
  CHECK(none.head.find("WWW-Authenticate: Bearer") != std::string::npos);
  CHECK(c.request("POST", "/v1/decide", kAllow, bearer("wrong-token-0123456789")).status == 401);
  CHECK(c.request("POST", "/v1/decide", kAllow, bearer(kDecideToken)).j()["decision"] == "allow");
  CHECK(c.request("POST", "/access/v1/evaluation", "{}").status == 401);

  CHECK(c.request("GET", "/v1/policy").status == 401);
  CHECK(c.request("GET", "/v1/switches", "", bearer("nope-nope-nope-nope")).status == 401);
  CHECK(c.request("GET", "/v1/audit/checkpoint").status == 401);
  auto pol = c.request("GET", "/v1/policy", "", bearer(kAnalystToken));
  REQUIRE(pol.status == 200);
  CHECK(pol.j()["layers"][0]["name"] == "svc");
  CHECK(pol.j()["layers"][0]["version"] == "1");
  CHECK(pol.j()["generation"] == 1);
  CHECK(pol.j()["hash"].get<std::string>().rfind("sha256:", 0) == 0);

  // An analyst may not trip the switch: 403, and the refusal is in the audit log.
  auto refused = c.request("POST", "/v1/switches/weapons_stop/trip", R"({"because":"test"})", bearer(kAnalystToken));
  CHECK(refused.status == 403);
  CHECK(refused.j()["error"]["message"].get<std::string>().find("not an owner") != std::string::npos);
  CHECK(c.request("POST", "/v1/switches/nothing/trip", "", bearer(kSafetyToken)).status == 404);
  CHECK(c.request("GET", "/metrics").status == 200);   // open by default
  std::string log = s.log();
  CHECK(log.find("\"event\":\"auth_failure\"") != std::string::npos);
  CHECK(log.find("\"event\":\"switch_refused\"") != std::string::npos);
  CHECK(log.find(kAnalystToken) == std::string::npos);   // tokens never reach the log
}

TEST_CASE("serve: kill switches trip and reset over HTTP, take effect at once, and are audited") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  CHECK(c.request("POST", "/v1/decide", kCovered).j()["decision"] == "allow");
  auto trip = c.request("POST", "/v1/switches/svc%2Fweapons_stop/trip", R"({"because":"incident 7"})", bearer(kSafetyToken));
  REQUIRE(trip.status == 200);
  CHECK(trip.j()["switch"] == "svc/weapons_stop");
  CHECK(trip.j()["role"] == "safety");   // the token's first owner role
  CHECK(trip.j()["record"].is_number());
  auto d = c.request("POST", "/v1/decide", kCovered).j();
  CHECK(d["decision"] == "deny");
  CHECK(d["killed_by"] == "svc/weapons_stop");
  auto list = c.request("GET", "/v1/switches", "", bearer(kAnalystToken)).j();
  REQUIRE(list["switches"].size() == 1);
  CHECK(list["switches"][0]["tripped"] == true);
  CHECK(list["switches"][0]["by"] == "s1");
  CHECK(list["switches"][0]["because"] == "incident 7");
  auto metrics = c.request("GET", "/metrics").body;
  CHECK(metrics.find("redline_switch_tripped{switch=\"svc/weapons_stop\"} 1") != std::string::npos);
  REQUIRE(c.request("POST", "/v1/switches/weapons_stop/reset", "", bearer(kSafetyToken)).status == 200);
  CHECK(c.request("POST", "/v1/decide", kCovered).j()["decision"] == "allow");
  // The persisted state agrees (what `redline switch status` reads).
  auto st = killswitch::read_switch_state(open_state(f.state));
  REQUIRE(st.ok());
  CHECK(st.value->switches.at("svc/weapons_stop").tripped == false);
}

TEST_CASE("serve: every decision is in the audit log, with checkpoints and inclusion proofs over HTTP") {
  Fixture f;
  {
    Serve s(f.tmp, f.args());
    Conn c(s.port());
    for (int i = 0; i < 20; ++i) c.request("POST", "/v1/decide", i % 2 ? kAllow : kDeny);
    auto ck = c.request("GET", "/v1/audit/checkpoint", "", bearer(kAnalystToken));
    REQUIRE(ck.status == 200);
    CHECK(ck.head.find("text/plain") != std::string::npos);
    CHECK(ck.body.find("\n\xe2\x80\x94 ") != std::string::npos);   // a signed note: "— name signature"
    auto proof = c.request("GET", "/v1/audit/proof/1", "", bearer(kAnalystToken));
    REQUIRE(proof.status == 200);
    CHECK(proof.j()["seq"] == 1);
    CHECK(proof.j()["tree_size"].get<std::uint64_t>() >= 21);
    CHECK(proof.j()["record"].get<std::string>().find("\"type\":\"decision\"") != std::string::npos);
    CHECK(c.request("GET", "/v1/audit/proof/x", "", bearer(kAnalystToken)).status == 400);
    CHECK(c.request("GET", "/v1/audit/proof/999999", "", bearer(kAnalystToken)).status == 404);
    s.signal(SIGTERM);
    CHECK(s.wait() == 0);
  }
  auto dir = open_state(f.state);
  audit::VerifyReport v = audit::verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  std::size_t decisions = 0;
  std::string error;
  audit::for_each_record(dir, [&](std::uint64_t, std::string_view rec) {
    decisions += rec.find("\"type\":\"decision\"") != std::string_view::npos;
    return true;
  }, error);
  CHECK(decisions == 20);
}

TEST_CASE("serve: the AuthZEN evaluation API maps onto purpose, actor, data and env") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  auto allow = c.request("POST", "/access/v1/evaluation",
                         R"({"subject":{"type":"user","id":"u1","properties":{"role":"analyst"}},"action":{"name":"chat"},"resource":{"type":"doc","id":"d1"}})");
  REQUIRE(allow.status == 200);
  CHECK(allow.j()["decision"] == true);
  CHECK(allow.j()["context"]["outcome"] == "allow");
  auto deny = c.request("POST", "/access/v1/evaluation", R"({"subject":{"type":"user","id":"u1","properties":{"role":"analyst"}},"action":{"name":"weapons.engagement"},"resource":{"type":"doc","id":"d1"}})");
  CHECK(deny.j()["decision"] == false);
  CHECK(deny.j()["context"]["redline"]["reasons"][0]["rule"] == "svc/no_engage");
  auto pending = c.request("POST", "/access/v1/evaluation",
                           R"({"subject":{"type":"user","id":"u1"},"action":{"name":"intel.bulk"},"resource":{"type":"doc","id":"d1"},"context":{"request":{"time":"2026-11-23T10:00:00Z"}}})");
  CHECK(pending.j()["decision"] == false);
  CHECK(pending.j()["context"]["outcome"] == "require_approval");
  auto many = c.request("POST", "/access/v1/evaluations",
                        R"({"subject":{"type":"user","id":"u1","properties":{"role":"analyst"}},"resource":{"type":"doc","id":"d1"},"evaluations":[{"action":{"name":"chat"}},{"action":{"name":"weapons.engagement"}}]})");
  REQUIRE(many.status == 200);
  CHECK(many.j()["evaluations"][0]["decision"] == true);
  CHECK(many.j()["evaluations"][1]["decision"] == false);
  auto bad = c.request("POST", "/access/v1/evaluation", R"({"subject":{"id":"u1"}})");
  CHECK(bad.status == 400);
  CHECK(bad.j()["decision"] == false);
  CHECK(bad.j()["context"]["redline"]["error"]["code"] == "RL5010");
}

TEST_CASE("serve: hot reload swaps good versions and refuses bad ones while the old one keeps serving") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  // -1 while no answer came (a slow reload on a loaded machine): eventually() asks again.
  auto generation = [&] {
    auto j = c.request("GET", "/v1/policy", "", bearer(kAnalystToken)).j();
    return j.is_object() && j.contains("generation") ? j["generation"].get<int>() : -1;
  };
  CHECK(c.request("POST", "/v1/decide", kAllow).j()["decision"] == "allow");

  // A good new version (chat now prohibited), picked up by SIGHUP or the file watcher.
  std::string v2 = std::string(kPolicy);
  v2.replace(v2.find("  default allow\n"), 16, "  default allow\n  rule no_chat: prohibit chat;\n");
  write_file(f.policy, v2);
  s.signal(SIGHUP);
  REQUIRE(eventually([&] { return generation() == 2; }));
  CHECK(c.request("POST", "/v1/decide", kAllow).j()["decision"] == "deny");

  // A version with a syntax error: refused, logged, the old one still serves.
  write_file(f.policy, v2 + "\npolicy broken {");
  s.signal(SIGHUP);
  REQUIRE(eventually([&] { return s.log().find("\"event\":\"policy_refused\"") != std::string::npos; }));
  auto info = c.request("GET", "/v1/policy", "", bearer(kAnalystToken)).j();
  CHECK(info["generation"] == 2);
  CHECK(info["last_reload"]["ok"] == false);
  CHECK(info["last_reload"]["diagnostics"].get<std::string>().find("error") != std::string::npos);
  CHECK(c.request("POST", "/v1/decide", kAllow).j()["decision"] == "deny");

  // A version whose assertion fails is refused too.
  std::string failing = std::string(kPolicy);
  failing.replace(failing.find("  assert weapons.engagement is at least allow;"), 46, "  assert chat is deny;");
  write_file(f.policy, failing);
  s.signal(SIGHUP);
  REQUIRE(eventually([&] {
    auto l = s.log();
    return l.find("RL4010") != std::string::npos;
  }));
  CHECK(generation() == 2);

  auto m = c.request("GET", "/metrics").body;
  CHECK(m.find("redline_policy_reloads_total{result=\"ok\"} 1") != std::string::npos);
  CHECK(m.find("redline_policy_reloads_total{result=\"refused\"} 2") != std::string::npos);
}

TEST_CASE("serve: a changed policy file is reloaded without a signal") {
  Fixture f(true, 10000, /*watch_ms=*/100);
  Serve s(f.tmp, f.args());
  Conn c(s.port());
  // -1 while no answer came (a slow reload on a loaded machine): eventually() asks again.
  auto generation = [&] {
    auto j = c.request("GET", "/v1/policy", "", bearer(kAnalystToken)).j();
    return j.is_object() && j.contains("generation") ? j["generation"].get<int>() : -1;
  };
  CHECK(c.request("POST", "/v1/decide", kAllow).j()["decision"] == "allow");
  std::string v2 = std::string(kPolicy);
  v2.replace(v2.find("  default allow\n"), 16, "  default allow\n  rule no_chat: prohibit chat;\n");
  write_file(f.policy, v2);
  REQUIRE(eventually([&] { return generation() >= 2 && c.request("POST", "/v1/decide", kAllow).j()["decision"] == "deny"; }));
  CHECK(s.log().find("\"trigger\":\"file change\"") != std::string::npos);
}

TEST_CASE("serve: SIGTERM drains: in-flight requests are answered, idle connections closed, exit 0") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn idle(s.port());
  CHECK(idle.request("GET", "/healthz").status == 200);
  Conn busy(s.port());
  std::string body = kDeny;
  busy.send("POST /v1/decide HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.signal(SIGTERM);
  CHECK(idle.closed());
  busy.send(body.substr(10));
  auto r = busy.read();
  CHECK(r.status == 200);
  CHECK(r.j()["decision"] == "deny");
  CHECK(r.closes());
  CHECK(s.wait() == 0);
  CHECK(s.log().find("\"event\":\"stopped\"") != std::string::npos);
}

TEST_CASE("serve: request timeouts, connection caps, metrics and health") {
  Fixture f(true, /*request_timeout_ms=*/300);
  Serve s(f.tmp, f.args());
  {
    Conn slow(s.port());
    slow.send("POST /v1/decide HTTP/1.1\r\nHost: t\r\n");   // and then nothing
    auto r = slow.read();
    CHECK(r.status == 408);
    CHECK(r.j()["decision"] == "deny");
    CHECK(slow.closed());
  }
  {
    // The cap is 8 connections: among 10 held open, the last ones are refused
    // with 503 (beyond the cap only health and governance requests are served).
    std::vector<std::unique_ptr<Conn>> held;
    int ok = 0, refused = 0;
    for (int i = 0; i < 10; ++i) {
      held.push_back(std::make_unique<Conn>(s.port()));
      int st = held.back()->request("GET", "/nope").status;
      ok += st == 404;
      refused += st == 503;
    }
    CHECK(ok >= 7);
    CHECK(ok <= 8);
    CHECK(refused == 10 - ok);
  }
  Conn c(s.port());
  REQUIRE(eventually([&] { return c.request("GET", "/healthz").status == 200; }));
  for (int i = 0; i < 3; ++i) c.request("POST", "/v1/decide", kDeny);
  auto m = c.request("GET", "/metrics");
  CHECK(m.head.find("text/plain; version=0.0.4") != std::string::npos);
  CHECK(m.body.find("redline_decisions_total{outcome=\"deny\"} 3") != std::string::npos);
  CHECK(m.body.find("redline_decision_latency_seconds_count 3") != std::string::npos);
  CHECK(m.body.find("redline_connections_refused_total 0") == std::string::npos);
  CHECK(m.body.find("redline_audit_lag_records") != std::string::npos);
  auto h = c.request("GET", "/healthz").j();
  CHECK(h["status"] == "ok");
  CHECK(h["generation"] == 1);
}

TEST_CASE("serve: a bad config or policy stops the server at start with a clear message") {
  TempDir tmp;
  write_file(tmp / "bad.json", R"({"listen":"127.0.0.1:0","tokenz":[]})");
  write_file(tmp / "p.pol", kPolicy);
  std::string cli = REDLINE_CLI_PATH;
  std::string env = "REDLINE_STDLIB=" + (source_dir() / "stdlib").string() + " ";
  auto run = [&](const std::string& args) {
    std::string cmd = env + cli + " serve " + args + " > " + (tmp / "out") + " 2>&1";
    int rc = std::system(cmd.c_str());
    return std::make_pair(WEXITSTATUS(rc), read_file(tmp / "out"));
  };
  auto [rc1, out1] = run("--config " + (tmp / "bad.json") + " " + (tmp / "p.pol"));
  CHECK(rc1 == 1);
  CHECK(out1.find("unknown key `tokenz`") != std::string::npos);
  write_file(tmp / "broken.pol", "policy \"x\" { rule r: permit nothing.here; }");
  auto [rc2, out2] = run("--listen 127.0.0.1:0 " + (tmp / "broken.pol"));
  CHECK(rc2 == 1);
  CHECK(out2.find("error[") != std::string::npos);
  auto [rc3, out3] = run("--listen nowhere " + (tmp / "p.pol"));
  CHECK(rc3 == 2);
}

TEST_CASE("serve: signed approvals are verified against the keys file; unsigned ones do not count when demanded") {
  Fixture f;
  auto key = generate_approver_key();
  REQUIRE(key);
  write_file(f.tmp / "approvers.json",
             json{{"approvers", {{"c1", {{"public_key", key->public_key}, {"roles", {"cdao"}}, {"kind", "human"}}}}}}.dump());
  std::vector<std::string> args = f.args();
  args.insert(args.begin(), {"--keys", f.tmp / "approvers.json", "--require-signed"});
  Serve s(f.tmp, args);
  CompileOptions opts;
  opts.stdlib_root = (source_dir() / "stdlib").string();
  CompileResult r = compile_files({f.policy}, opts);
  REQUIRE(r.ok());

  json req = json::parse(kPending);
  req["request"]["now"] = "2026-11-23T10:05:00Z";
  Approval a{"svc/bulk_review", "", "c1", "cdao", "approve", "2026-11-23T10:01:00Z", "", ""};
  std::string digest = Request::from_json(req.dump()).digest();
  auto with = [&](const Approval& x) {
    json q = req;
    json ja = {{"rule", x.rule}, {"by", x.by}, {"role", x.role}, {"verdict", x.verdict}, {"at", x.at}};
    if (!x.signature.empty()) ja["signature"] = x.signature;
    q["approvals"] = json::array({ja});
    return q.dump();
  };
  Conn c(s.port());
  CHECK(c.request("POST", "/v1/decide", with(a)).j()["decision"] == "require_approval");   // unsigned: does not count
  Approval signed_a = a;
  std::string error;
  REQUIRE_MESSAGE(sign_approval(signed_a, key->private_key, digest, approval_hash(*r.program), error), error);
  auto ok = c.request("POST", "/v1/decide", with(signed_a)).j();
  CHECK(ok["decision"] == "allow");
  CHECK(ok["approvals"][0]["by"] == "c1");
  // The same signature on another request (a replay) does not count.
  json replay = json::parse(with(signed_a));
  replay["actor"]["id"] = "u2";
  CHECK(c.request("POST", "/v1/decide", replay.dump()).j()["decision"] == "require_approval");
}
