// The AuthZEN front of `redline serve` against the real binary (started on a
// free loopback port), over raw sockets: the two fail-open holes (a string
// `decision` on error statuses; a property named `id` standing in for the
// entity's id), a property test that every answer on an /access/v1 path —
// whatever is sent — is JSON with a boolean `decision`, and the AuthZEN 1.0
// behaviours (evaluations semantics, defaults, action properties, status
// split, bare decisions, X-Request-ID, metadata, search). The interop suites
// and the certification checks run in tests/authzen/run_suites.py.
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
#include <random>
#include <thread>

#include "audit/audit_support.h"

using namespace redline::testing;
using json = nlohmann::json;

namespace {

const char* kPolicy =
    "purposes { read write delete admin_panel }\n"
    "context {\n  actor.id: string\n  actor.role: string\n  data.id: string\n  data.level: int\n  request.action.soft: bool\n}\n"
    "policy \"az\" version \"1\" {\n  default deny\n"
    "  rule readers: permit read;\n"
    "  rule admins: permit admin_panel when actor.id == \"admin-1\";\n"
    "  rule public_docs: permit write when data.id == \"doc-public\";\n"
    "  rule soft_deletes: permit delete when request.action.soft == true;\n"
    "}\n";

const char* kToken = "authzen-token-0123456789";

std::string config(bool open, int request_timeout_ms = 10000, bool context = true) {
  json c = {{"decisions", open ? "open" : "token"},
            {"tokens", json::array({{{"token", kToken}, {"actor", "pep"}}})},
            {"limits", {{"max_body_bytes", 4096}, {"request_timeout_ms", request_timeout_ms}, {"max_connections", 8}, {"max_batch", 4}}},
            {"reload", {{"watch_interval_ms", 0}}},
            {"authzen", {{"decision_context", context}}}};
  return c.dump();
}

/// A `redline serve` process on a free loopback port.
class Serve {
 public:
  Serve(const TempDir& tmp, const std::string& config_text) : err_(tmp / "serve.err") {
    std::string policy = tmp / "az.pol", cfg = tmp / "serve.json";
    write_file(policy, kPolicy);
    write_file(cfg, config_text);
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> args = {REDLINE_CLI_PATH, "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--config", cfg, policy};
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

 private:
  std::string err_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Resp {
  int status = 0;
  std::string head, body;
  json j() const { return json::parse(body, nullptr, false); }
  bool has(std::string_view header_line) const { return head.find(header_line) != std::string::npos; }
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
  /// Sends nothing more (the server sees the end of the stream).
  void finish() const { ::shutdown(fd_, SHUT_WR); }
  void send(std::string_view bytes) const {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  /// One response (status 0 when the connection closed first or nothing came in `timeout_ms`).
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
  Resp post(const std::string& path, const std::string& body, const std::string& headers = "Content-Type: application/json\r\n") {
    send("POST " + path + " HTTP/1.1\r\nHost: test\r\n" + headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return read();
  }
  Resp get(const std::string& path) {
    send("GET " + path + " HTTP/1.1\r\nHost: pdp.test:8181\r\n\r\n");
    return read();
  }

 private:
  bool fill(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return false;
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

/// The fail-closed invariant of every answer on an AuthZEN path.
bool boolean_decision(const Resp& r) {
  json j = r.j();
  if (!j.is_object() || !j.contains("decision") || !j["decision"].is_boolean()) return false;
  return r.status == 200 || j["decision"] == false;
}

std::string eval(const std::string& subject_id, const std::string& action, const std::string& extra = "") {
  return R"({"subject":{"type":"user","id":")" + subject_id + R"("},"action":{"name":")" + action +
         R"("},"resource":{"type":"doc","id":"doc-1"})" + extra + "}";
}

}  // namespace

TEST_CASE("authzen: error statuses on /access/v1 answer a boolean decision false, never the string \"deny\"") {
  TempDir tmp;
  Serve s(tmp, config(/*open=*/false, /*request_timeout_ms=*/300));
  std::string auth = "Authorization: Bearer " + std::string(kToken) + "\r\nContent-Type: application/json\r\n";
  Conn c(s.port());
  auto check = [](const Resp& r, int status) {
    CHECK_MESSAGE(r.status == status, r.head << r.body);
    json j = r.j();
    REQUIRE_MESSAGE(j.is_object(), r.body);
    CHECK_MESSAGE(j["decision"] == false, r.body);   // a JSON boolean: "deny" != false
    CHECK(j["context"]["error"]["status"] == status);
  };
  auto unauth = c.post("/access/v1/evaluation", eval("u1", "read"));
  check(unauth, 401);
  CHECK(unauth.has("WWW-Authenticate: Bearer"));
  CHECK(unauth.j()["context"]["error"]["code"] == "RL5011");
  check(c.post("/access/v1/evaluations", eval("u1", "read"), "Authorization: Bearer wrong-token-0123456789\r\n"), 401);
  auto method = c.get("/access/v1/evaluation");
  check(method, 405);
  CHECK(method.has("Allow: POST"));
  check(c.post("/access/v1/nothing", "{}", auth), 404);
  check(c.post("/access/v1/evaluation", eval("u1", "read"), "Authorization: Bearer " + std::string(kToken) + "\r\nContent-Type: text/plain\r\n"),
        400);
  check(c.post("/access/v1/evaluation", eval("u1", "read"), "Authorization: Bearer " + std::string(kToken) + "\r\n"), 400);   // no Content-Type
  check(c.post("/access/v1/evaluation", "{not json", auth), 400);
  check(c.post("/access/v1/evaluations", R"({"evaluations":[{},{},{},{},{}]})", auth), 413);   // max_batch is 4
  check(c.post("/access/v1/search/resource", eval("u1", "read"), auth), 501);
  REQUIRE(c.post("/access/v1/evaluation", eval("u1", "read"), auth).j()["decision"] == true);   // and the token works
  {
    Conn big(s.port());   // the body limit is 4096: the parser refuses it before any endpoint runs
    big.send("POST /access/v1/evaluation HTTP/1.1\r\nHost: t\r\nX-Request-ID: big-1\r\nContent-Length: 5000\r\n\r\n");
    auto r = big.read();
    check(r, 413);
    CHECK(r.has("X-Request-ID: big-1"));
  }
  {
    Conn slow(s.port());   // a request that stops arriving: 408
    slow.send("POST /access/v1/evaluations HTTP/1.1\r\nHost: t\r\n");
    check(slow.read(), 408);
  }
  {
    Conn slow(s.port());   // not even the whole target arrived: it may be an AuthZEN request, so it is answered like one
    slow.send("POST /acc");
    check(slow.read(), 408);
  }
  {
    // Beyond the connection cap (8), a connection is refused before a byte is read: the body must fail closed for AuthZEN too.
    std::vector<std::unique_ptr<Conn>> held;
    int refused = 0;
    for (int i = 0; i < 10; ++i) {
      held.push_back(std::make_unique<Conn>(s.port()));
      auto r = held.back()->post("/access/v1/evaluation", eval("u1", "read"), auth);
      if (r.status == 503) {
        ++refused;
        CHECK(r.j()["decision"] == false);
      }
    }
    CHECK(refused >= 2);
  }
}

TEST_CASE("authzen: a property named id never stands in for the entity's id") {
  TempDir tmp;
  Serve s(tmp, config(true));
  Conn c(s.port());
  // The policy lets admin-1 into the admin panel, nobody else.
  REQUIRE(c.post("/access/v1/evaluation", eval("admin-1", "admin_panel")).j()["decision"] == true);
  REQUIRE(c.post("/access/v1/evaluation", eval("viewer-7", "admin_panel")).j()["decision"] == false);
  // A viewer who claims the admin's id as a property is refused, not decided as the admin.
  auto forged = c.post("/access/v1/evaluation",
                       R"({"subject":{"type":"user","id":"viewer-7","properties":{"id":"admin-1"}},"action":{"name":"admin_panel"},)"
                       R"("resource":{"type":"panel","id":"p1"}})");
  CHECK(forged.status == 400);
  CHECK(forged.j()["decision"] == false);
  CHECK(forged.j()["context"]["error"]["message"].get<std::string>().find("subject.properties.id") != std::string::npos);
  // The same for a resource: doc-1 may not be written, and claiming to be doc-public does not change that.
  REQUIRE(c.post("/access/v1/evaluation", eval("u1", "write")).j()["decision"] == false);
  auto doc = c.post("/access/v1/evaluation",
                    R"({"subject":{"type":"user","id":"u1"},"action":{"name":"write"},)"
                    R"("resource":{"type":"doc","id":"doc-1","properties":{"id":"doc-public"}}})");
  CHECK(doc.status == 400);
  CHECK(doc.j()["decision"] == false);
  // In a batch the forged item alone is refused (false, with the error); the others are decided.
  auto batch = c.post("/access/v1/evaluations",
                      R"({"action":{"name":"admin_panel"},"resource":{"type":"panel","id":"p1"},"evaluations":[)"
                      R"({"subject":{"type":"user","id":"viewer-7","properties":{"id":"admin-1"}}},{"subject":{"type":"user","id":"admin-1"}}]})");
  REQUIRE(batch.status == 200);
  CHECK(batch.j()["evaluations"][0]["decision"] == false);
  CHECK(batch.j()["evaluations"][0]["context"]["error"]["status"] == 400);
  CHECK(batch.j()["evaluations"][1]["decision"] == true);
}

TEST_CASE("authzen: property test — whatever is sent to /access/v1, the answer is JSON with a boolean decision") {
  TempDir tmp;
  Serve s(tmp, config(/*open=*/false));
  const std::string token = "Authorization: Bearer " + std::string(kToken) + "\r\n";
  std::vector<std::string> paths = {"/access/v1/evaluation", "/access/v1/evaluations", "/access/v1/search/subject", "/access/v1/search/action",
                                    "/access/v1/", "/access/v1", "/access/v1/evaluation/x", "/access/v1/evaluation?x=1"};
  std::vector<std::string> methods = {"POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"};
  std::vector<std::string> headers = {token + "Content-Type: application/json\r\n",
                                      token + "Content-Type: application/json; charset=utf-8\r\n",
                                      token + "Content-Type: text/plain\r\n",
                                      token + "Content-Type: application/x-www-form-urlencoded\r\n",
                                      token,
                                      "Content-Type: application/json\r\n",
                                      "Authorization: Bearer nope-nope-nope-nope\r\nContent-Type: application/json\r\n",
                                      token + "Content-Type: application/json\r\nX-Request-ID: r-1\r\n"};
  std::vector<std::string> bodies = {
      eval("u1", "read"),
      eval("admin-1", "admin_panel"),
      "",
      "{",
      "[]",
      "null",
      "\"decision\"",
      "{}",
      R"({"subject":"u1","action":{"name":"read"},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":1,"id":"u"},"action":{"name":"read"},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":"u","id":"u"},"action":{"name":["read"]},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":"u","id":"u"},"action":{"name":"nope"},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":"u","id":"u","properties":{"level":"high"}},"action":{"name":"read"},"resource":{"type":"d","id":"1","properties":{"level":"x"}}})",
      R"({"subject":{"type":"u","id":"u"},"action":{"name":"delete","properties":{"soft":"yes"}},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":"u","id":"u"},"action":{"name":"read"},"resource":{"type":"d","id":"1"},"context":{"approvals":7,"request":{"time":"x"}}})",
      R"({"evaluations":{}})",
      R"({"evaluations":[1,"x",null,[]]})",
      R"({"evaluations":[{},{},{},{},{},{}]})",
      R"({"options":{"evaluations_semantic":"sometimes"},"evaluations":[{}]})",
      R"({"options":[],"subject":{"type":"u","id":"u"},"action":{"name":"read"},"resource":{"type":"d","id":"1"}})",
      R"({"subject":{"type":"u","id":"u"},"action":{"name":"read"},"options":{"evaluations_semantic":"deny_on_first_deny"},)"
      R"("evaluations":[{"resource":{"type":"d","id":"1"}},{"action":{"name":"write"},"resource":{"type":"d","id":"2"}},{}]})",
      std::string(3000, '['),
      "{\"subject\":\"\xff\xfe\"}",
  };
  std::mt19937 rng(20261204);   // fixed: the same cases every run
  int answered = 0;
  auto play = [&](const std::string& bytes, const std::string& what) {
    Conn c(s.port());
    c.send(bytes);
    c.finish();   // a request that claims more bytes than it has is never answered, and need not be waited for
    Resp r = c.read(5000);
    if (r.status == 0) return;   // the server may close on bytes that are not HTTP at all
    ++answered;
    CHECK_MESSAGE(boolean_decision(r), what << "\n→ " << r.head << r.body);
  };
  for (const auto& path : paths)
    for (const auto& method : methods)
      for (std::size_t h = 0; h < headers.size(); ++h)
        for (std::size_t b = 0; b < bodies.size(); ++b) {
          // Every path with every method, but the full header × body product only on a sample (fixed seed).
          if (!(method == "POST" && path == paths[0]) && rng() % 16 != 0) continue;
          std::string req = method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + headers[h] + "Content-Length: " + std::to_string(bodies[b].size()) +
                            "\r\n\r\n" + bodies[b];
          play(req, req.substr(0, 200));
        }
  // Mutated requests: truncated, bytes flipped or inserted, framing broken.
  std::string base = "POST /access/v1/evaluations HTTP/1.1\r\nHost: t\r\n" + token + "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(bodies[20].size()) + "\r\n\r\n" + bodies[20];
  for (int i = 0; i < 300; ++i) {
    std::string m = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = 22 + rng() % (m.size() - 22);   // keep the request line's path intact
      switch (rng() % 3) {
        case 0: m[at] = static_cast<char>(rng() % 256); break;
        case 1: m.insert(at, 1, "{}[]\",:\r\n \x00\x7f"[rng() % 12]); break;
        default: m.erase(at, 1 + rng() % 8); break;
      }
    }
    play(m, "mutation " + std::to_string(i));
  }
  CHECK(answered > 400);
}

TEST_CASE("authzen: evaluations semantics, defaults, action properties, the 200/400 split and bare decisions") {
  TempDir tmp;
  Serve s(tmp, config(true));
  Conn c(s.port());
  const std::string three =
      R"("subject":{"type":"user","id":"u1"},"resource":{"type":"doc","id":"doc-1"},"evaluations":[)"
      R"({"action":{"name":"read"}},{"action":{"name":"write"}},{"action":{"name":"read"}}]})";
  auto all = c.post("/access/v1/evaluations", "{" + three);
  REQUIRE(all.status == 200);
  CHECK(all.j()["evaluations"].size() == 3);
  CHECK(all.j()["decision"] == false);   // the top level: every evaluation permitted?
  auto dofd = c.post("/access/v1/evaluations", R"({"options":{"evaluations_semantic":"deny_on_first_deny"},)" + three);
  REQUIRE(dofd.j()["evaluations"].size() == 2);
  CHECK(dofd.j()["evaluations"][0]["decision"] == true);
  CHECK(dofd.j()["evaluations"][1]["decision"] == false);
  CHECK(dofd.j()["evaluations"][1]["context"]["reason"] == "deny_on_first_deny");
  CHECK(dofd.j()["evaluations"][1]["context"]["code"] == "200");
  auto pofp = c.post("/access/v1/evaluations", R"({"options":{"evaluations_semantic":"permit_on_first_permit"},)" + three);
  REQUIRE(pofp.j()["evaluations"].size() == 1);
  CHECK(pofp.j()["evaluations"][0]["decision"] == true);
  CHECK(pofp.j()["decision"] == true);
  auto unknown = c.post("/access/v1/evaluations", R"({"options":{"evaluations_semantic":"majority"},)" + three);
  CHECK(unknown.status == 400);
  CHECK(unknown.j()["decision"] == false);

  // No `evaluations` (or an empty one): a single evaluation, answered as one.
  auto single = c.post("/access/v1/evaluations", eval("u1", "read"));
  CHECK(single.status == 200);
  CHECK(single.j()["decision"] == true);
  CHECK_FALSE(single.j().contains("evaluations"));
  CHECK(c.post("/access/v1/evaluations", eval("u1", "read", R"(,"evaluations":[])")).j()["decision"] == true);
  CHECK(c.post("/access/v1/evaluations", R"({"evaluations":[]})").status == 400);   // then subject, action, resource are required

  // action.properties reach the policy as request.action.*.
  CHECK(c.post("/access/v1/evaluation", eval("u1", "delete")).j()["decision"] == false);
  auto soft = c.post("/access/v1/evaluation",
                     R"({"subject":{"type":"user","id":"u1"},"action":{"name":"delete","properties":{"soft":true}},"resource":{"type":"doc","id":"d"}})");
  CHECK(soft.j()["decision"] == true);
  auto hard = c.post("/access/v1/evaluation",
                     R"({"subject":{"type":"user","id":"u1"},"action":{"name":"delete","properties":{"soft":false}},"resource":{"type":"doc","id":"d"}})");
  CHECK(hard.j()["decision"] == false);
  CHECK(c.post("/access/v1/evaluation", eval("u1", "delete", R"(,"context":{"request":{"action":{"soft":true}}})")).status == 400);   // reserved

  // A well-formed request the policy cannot grant is a decided "no" (200); a malformed one is 400.
  auto nope = c.post("/access/v1/evaluation", eval("u1", "launch"));
  CHECK(nope.status == 200);
  CHECK(nope.j()["decision"] == false);
  CHECK(nope.j()["context"]["error"]["code"] == "RL5003");
  auto typed = c.post("/access/v1/evaluation",
                      R"({"subject":{"type":"user","id":"u1"},"action":{"name":"read"},"resource":{"type":"doc","id":"d","properties":{"level":"high"}}})");
  CHECK(typed.status == 200);
  CHECK(typed.j()["decision"] == false);
  CHECK(typed.j()["context"]["error"]["code"] == "RL5004");
  for (const char* bad : {R"({"action":{"name":"read"},"resource":{"type":"doc","id":"d"}})", R"({"subject":{"id":"u"},"action":{"name":"read"},"resource":{"type":"doc","id":"d"}})",
                          R"({"subject":{"type":"user","id":"u"},"action":{"name":"read"},"resource":{"type":"doc"}})",
                          R"({"subject":{"type":"user","id":7},"action":{"name":"read"},"resource":{"type":"doc","id":"d"}})"}) {
    auto r = c.post("/access/v1/evaluation", bad);
    CHECK_MESSAGE(r.status == 400, bad);
    CHECK(r.j()["decision"] == false);
  }

  // The full context by default; bare {"decision": …} on request (or by config).
  auto full = c.post("/access/v1/evaluation", eval("u1", "read"));
  CHECK(full.j()["context"]["outcome"] == "allow");
  CHECK(full.j()["context"]["redline"]["decision"] == "allow");
  CHECK(c.post("/access/v1/evaluation", eval("u1", "read", R"(,"options":{"redline_context":false})")).body == R"({"decision":true})");
  auto bare_batch = c.post("/access/v1/evaluations", R"({"options":{"redline_context":false},)" + three);
  CHECK(bare_batch.j()["evaluations"] == json::parse(R"([{"decision":true},{"decision":false},{"decision":true}])"));

  // X-Request-ID is echoed on every answer.
  auto id = c.post("/access/v1/evaluation", eval("u1", "read"), "Content-Type: application/json\r\nX-Request-ID: bfe9eb29-ab87\r\n");
  CHECK(id.has("X-Request-ID: bfe9eb29-ab87\r\n"));
  auto id_err = c.post("/access/v1/evaluation", "{", "Content-Type: application/json\r\nX-Request-ID: e-2\r\n");
  CHECK(id_err.status == 400);
  CHECK(id_err.has("X-Request-ID: e-2\r\n"));
}

TEST_CASE("authzen: PDP metadata at /.well-known/authzen-configuration; search is 501") {
  TempDir tmp;
  {
    Serve s(tmp, config(true));
    Conn c(s.port());
    auto m = c.get("/.well-known/authzen-configuration");
    REQUIRE(m.status == 200);
    CHECK(m.has("Content-Type: application/json"));
    CHECK(m.j()["policy_decision_point"] == "http://pdp.test:8181");
    CHECK(m.j()["access_evaluation_endpoint"] == "http://pdp.test:8181/access/v1/evaluation");
    CHECK(m.j()["access_evaluations_endpoint"] == "http://pdp.test:8181/access/v1/evaluations");
    CHECK_FALSE(m.j().contains("search_subject_endpoint"));   // absent: not supported
    auto search = c.post("/access/v1/search/subject", R"({"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"doc","id":"1"}})");
    CHECK(search.status == 501);
    CHECK(search.j()["decision"] == false);
  }
  json cfg = json::parse(config(true));
  cfg["authzen"]["policy_decision_point"] = "https://pdp.example.com";
  Serve s(tmp, cfg.dump());
  Conn c(s.port());
  auto m = c.get("/.well-known/authzen-configuration");
  CHECK(m.j()["policy_decision_point"] == "https://pdp.example.com");
  CHECK(m.j()["access_evaluation_endpoint"] == "https://pdp.example.com/access/v1/evaluation");
}
