// Integration tests of `redline serve --state` against the request door and
// the governance runtime: the real binary on a loopback port, driven over a
// raw socket. Deep nesting is refused (RL5008) and the server lives on;
// repeated keys and bytes after the JSON value are refused on every decision
// endpoint; approvals are recorded however their key is spelled.
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
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_support.h"
#include "audit/verify.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;
using namespace std::string_literals;

namespace {

const char* kPolicy =
    "purposes {\n  weapons { autonomous_engagement }\n  intel { bulk }\n  translation\n}\n"
    "context { actor.role: enum { analyst, cdao } }\n"
    "policy \"door\" version \"1\" {\n  default allow\n"
    "  rule no_weapons: prohibit weapons.autonomous_engagement because \"No.\";\n"
    "  rule bulk_review: require approval intel.bulk by cdao within 1h because \"Bulk needs sign-off.\";\n"
    "}\n";

/// `redline serve` on 127.0.0.1:0, killed at scope exit.
class Server {
 public:
  Server(const TempDir& tmp, const std::vector<std::string>& extra) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> args = {REDLINE_CLI_PATH, "serve", "--listen", "127.0.0.1:0", "--threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string err = tmp / "serve.err";
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
    REQUIRE_MESSAGE(at != std::string::npos, "serve did not start: " << line << read_file(err));
    port_ = std::stoi(line.substr(at + 23));
  }
  ~Server() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  /// Whether the process is still running.
  bool alive() const {
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Reply {
  int status = 0;
  json body;
};

/// One request on a fresh connection (status 0 when the server closed or did not answer in 10 s).
Reply post(int port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Reply r;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ::close(fd), r;
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string_view rest = req;
  while (!rest.empty()) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string got;
  for (int i = 0; i < 100; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char b[65536];
    ssize_t n = ::recv(fd, b, sizeof b, 0);
    if (n <= 0) break;
    got.append(b, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto end = got.find("\r\n\r\n");
  if (got.size() < 12 || end == std::string::npos) return r;
  r.status = std::stoi(got.substr(9, 3));
  r.body = json::parse(got.substr(end + 4), nullptr, false);
  return r;
}

struct Fixture {
  TempDir tmp;
  std::string policy = tmp / "door.pol", config = tmp / "config.json", state = tmp / "state";
  Fixture() {
    write_file(policy, kPolicy);
    write_file(config, R"({"decisions":"open","limits":{"max_body_bytes":1048576,"max_batch":4}})");
  }
  std::vector<std::string> args() const { return {"--state", state, "--config", config, policy}; }
};

std::vector<json> records(const std::string& dir, const char* type) {
  auto d = open_state(dir);
  std::vector<json> out;
  std::string error;
  audit::for_each_record(d, [&](std::uint64_t, std::string_view p) {
    json j = json::parse(p, nullptr, false);
    if (j.is_object() && j.value("type", "") == type) out.push_back(j);
    return true;
  }, error);
  return out;
}

}  // namespace

TEST_CASE("serve --state: deep nesting in any field is refused with RL5008, and the server lives on") {
  Fixture f;
  Server s(f.tmp, f.args());
  for (const char* field : {"actor", "data", "env"}) {
    std::string deep = std::string(R"({"purpose":"translation",")") + field + R"(":{"x":)" + std::string(60000, '[') +
                       std::string(60000, ']') + "}}";
    Reply r = post(s.port(), "/v1/decide", deep);
    CHECK(r.status == 400);
    CHECK(r.body["decision"] == "deny");
    CHECK(r.body["error"]["code"] == "RL5008");
    REQUIRE(s.alive());
  }
  std::string deep_batch = R"([{"purpose":"translation","data":{"x":)" + std::string(60000, '[') + std::string(60000, ']') + "}}]";
  CHECK(post(s.port(), "/v1/decide/batch", deep_batch).status != 0);
  std::string deep_authzen = R"({"subject":{"type":"user","id":"u","properties":{"x":)" + std::string(60000, '[') + std::string(60000, ']') +
                             R"(}},"action":{"name":"translation"},"resource":{"type":"doc","id":"d"}})";
  Reply az = post(s.port(), "/access/v1/evaluation", deep_authzen);
  CHECK(az.status == 400);
  CHECK(az.body["context"]["redline"]["error"]["code"] == "RL5008");
  REQUIRE(s.alive());
  Reply ok = post(s.port(), "/v1/decide", R"({"purpose":"translation"})");
  CHECK(ok.status == 200);
  CHECK(ok.body["decision"] == "allow");
}

TEST_CASE("serve --state: repeated keys and bytes after the JSON value are refused on every decision endpoint") {
  Fixture f;
  Server s(f.tmp, f.args());
  std::string dup = R"({"purpose":"weapons.autonomous_engagement","purpose":"translation"})";
  std::string deny = R"({"purpose":"weapons.autonomous_engagement"})", allow = R"({"purpose":"translation"})";
  for (const std::string& body : {dup, allow + "\0"s + deny, deny + "\0"s + allow, R"({"purpose":"translation","data":{"t":1,"t":2}})"s}) {
    Reply r = post(s.port(), "/v1/decide", body);
    CHECK(r.status == 400);
    CHECK(r.body["decision"] == "deny");
    CHECK(r.body["error"]["code"] == "RL5001");
    Reply b = post(s.port(), "/v1/decide/batch", "[" + allow + "," + body + "]");
    CHECK(b.status == 200);
    REQUIRE(b.body.is_array());
    REQUIRE(b.body.size() == 2);
    CHECK(b.body[0]["decision"] == "allow");
    CHECK(b.body[1]["error"]["code"] == "RL5001");
  }
  Reply az = post(s.port(), "/access/v1/evaluation",
                  R"({"subject":{"type":"user","id":"u"},"action":{"name":"translation"},"action":{"name":"weapons.autonomous_engagement"},)"
                  R"("resource":{"type":"doc","id":"d"}})");
  CHECK(az.status == 400);
  CHECK(az.body["decision"] == false);
  CHECK(az.body["context"]["redline"]["error"]["code"] == "RL5001");
}

TEST_CASE("serve --state: approvals are recorded from the bound request, however their key is spelled") {
  Fixture f;
  Server s(f.tmp, f.args());
  std::string req = R"({"purpose":"intel.bulk","actor":{"id":"u1","role":"analyst"},"request":{"time":"2026-11-23T10:00:00Z","now":"2026-11-23T10:05:00Z"},)"
                    R"("appr\u006fvals":[{"rule":"door/bulk_review","by":"c1","role":"cdao","verdict":"approve","at":"2026-11-23T10:01:00Z"}]})";
  Reply r = post(s.port(), "/v1/decide", req);
  CHECK(r.status == 200);
  CHECK(r.body["decision"] == "allow");
  // Approval records are durable before the answer.
  auto approvals = records(f.state, "approval");
  REQUIRE(approvals.size() == 1);
  CHECK(approvals[0]["by"] == "c1");
  CHECK(approvals[0]["result"] == "accepted");
}
