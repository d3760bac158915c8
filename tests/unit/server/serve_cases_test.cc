// Approval cases over HTTP against the real `redline serve --state`: an
// application's request that needs sign-off opens a case (the same request
// again is the same case), two approvers act with their tokens and the case
// closes as `allow`; a denial closes one as `deny`; every refusal (no token,
// the requester, a role the token lacks or the case does not await, twice,
// a closed, unknown or malformed case, a long comment, a bad body) gets its
// status and RL code and changes nothing; every case event and every
// authorization failure is in the audit log, which still verifies.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit/audit_support.h"
#include "ast/literals.h"
#include "audit/verify.h"
#include "redline/approvers.h"
#include "state/state_dir.h"

using namespace redline;
using namespace redline::testing;
using json = nlohmann::json;

namespace {

const char* kPolicy =
    "purposes {\n  intel { bulk review }\n  chat\n}\n"
    "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer, cdao }\n}\n"
    "policy \"svc\" version \"1\" {\n  default allow\n"
    "  rule bulk_review: require approval intel.bulk by lawyer, cdao quorum 2 within 1h because \"Bulk needs two sign-offs.\";\n"
    "  rule legal_review: escalate intel.review to legal because \"Reviews go to legal.\";\n"
    "  escalation legal \"Legal review\" {\n    step lawyer within 4h\n    step cdao within 24h\n    on_timeout deny\n  }\n"
    "}\n";

const char* kAppToken = "app-token-0123456789";
const char* kLawyerToken = "lawyer-token-0123456789";
const char* kLawyer2Token = "lawyer2-token-0123456789";
const char* kCdaoToken = "cdao-token-0123456789";
const char* kRequesterToken = "requester-token-0123456789";
const char* kAnalystToken = "analyst-token-0123456789";

std::string config_json() {
  json c = {{"tokens", json::array({{{"token", kAppToken}, {"actor", "app"}, {"roles", json::array()}},
                                    {{"token", kLawyerToken}, {"actor", "l1"}, {"roles", {"lawyer"}}},
                                    {{"token", kLawyer2Token}, {"actor", "l2"}, {"roles", {"lawyer"}}},
                                    {{"token", kCdaoToken}, {"actor", "c1"}, {"roles", {"cdao"}}},
                                    {{"token", kRequesterToken}, {"actor", "u1"}, {"roles", {"lawyer", "analyst"}}},
                                    {{"token", kAnalystToken}, {"actor", "a9"}, {"roles", {"analyst"}}}})},
            {"reload", {{"watch_interval_ms", 0}}}};
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

/// A request by u1 that needs two sign-offs, timed now (so the 1h window is open).
std::string bulk_request(const std::string& id) {
  return json({{"purpose", "intel.bulk"}, {"actor", {{"id", "u1"}, {"role", "analyst"}}},
               {"request", {{"id", id}, {"time", state::now_rfc3339()}}}})
      .dump();
}

struct Fixture {
  TempDir tmp;
  std::string policy = tmp / "svc.pol", config = tmp / "config.json", state = tmp / "state";
  Fixture() {
    write_file(policy, kPolicy);
    write_file(config, config_json());
  }
  std::vector<std::string> args() const { return {"--state", state, "--config", config, policy}; }
};

std::string error_code(const Conn::Resp& r) {
  json j = r.j();
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

}  // namespace

TEST_CASE("serve cases: app opens a case, two approvers act, the case decides allow; every refusal changes nothing") {
  Fixture f;
  std::string id;
  {
    Serve s(f.tmp, f.args());
    Conn app(s.port());
    std::string req = bulk_request("chg-1");
    auto opened = app.request("POST", "/v1/decide", req);
    REQUIRE(opened.status == 200);
    json d = opened.j();
    CHECK(d["decision"] == "require_approval");
    REQUIRE(d["case"].is_object());
    id = d["case"]["id"].get<std::string>();
    CHECK(id.size() == 34);
    CHECK(d["case"]["url"] == "/v1/cases/" + id);
    CHECK(d["case"]["state"] == "open");
    // The same request again: the same case.
    auto again = app.request("POST", "/v1/decide", req);
    CHECK(again.j()["case"]["id"] == id);
    // Another request: another case.
    auto other = app.request("POST", "/v1/decide", bulk_request("chg-2"));
    std::string other_id = other.j()["case"]["id"].get<std::string>();
    CHECK(other_id != id);
    // A decision that needs nobody opens nothing.
    auto chat = app.request("POST", "/v1/decide", R"({"purpose":"chat","actor":{"id":"u1","role":"analyst"}})");
    CHECK(chat.j()["decision"] == "allow");
    CHECK_FALSE(chat.j().contains("case"));

    // The app reads the case (decisions are open, so reading its case is too).
    auto got = app.request("GET", "/v1/cases/" + id);
    REQUIRE(got.status == 200);
    CHECK(got.j()["state"] == "open");
    CHECK(got.j()["outcome"] == "require_approval");
    CHECK(got.j()["requester"] == "u1");
    CHECK(got.j()["request_id"] == "chg-1");
    CHECK(got.j()["roles"] == json::array({"cdao", "lawyer"}));
    CHECK(got.j()["request"]["actor"]["id"] == "u1");
    CHECK(got.j()["decision"]["pending"]["rules"][0]["missing"] == 2);

    // The inbox: open cases awaiting the token's roles.
    Conn l1(s.port());
    auto inbox = l1.request("GET", "/v1/cases?role=lawyer&state=open", "", bearer(kLawyerToken));
    REQUIRE(inbox.status == 200);
    REQUIRE(inbox.j()["cases"].size() == 2);
    std::set<std::string> ids;
    json inbox_cases = inbox.j()["cases"];
    for (const json& c : inbox_cases) ids.insert(c["id"].get<std::string>());
    std::set<std::string> expected_ids{id, other_id};
    CHECK_MESSAGE(ids == expected_ids, inbox.body, " ", id, " ", other_id);
    CHECK(inbox.j()["cases"][0]["pending"]["rules"][0]["rule"] == "svc/bulk_review");
    auto page = l1.request("GET", "/v1/cases?limit=1", "", bearer(kLawyerToken));
    CHECK(page.j()["cases"].size() == 1);
    CHECK(page.j()["next"].is_string());
    auto analyst_inbox = l1.request("GET", "/v1/cases", "", bearer(kAnalystToken));
    CHECK(analyst_inbox.status == 200);
    CHECK(analyst_inbox.j()["cases"].empty());

    // ---- refusals: each its status and code, none changes the case ----
    auto approve = [&](const char* token, const std::string& case_id, const std::string& body = "") {
      Conn c(s.port());
      return c.request("POST", "/v1/cases/" + case_id + "/approve", body, token ? bearer(token) : std::string());
    };
    auto no_token = approve(nullptr, id);
    CHECK(no_token.status == 401);
    auto wrong_token = approve("not-a-token-0123456789", id);
    CHECK(wrong_token.status == 401);
    auto own = approve(kRequesterToken, id);
    CHECK(own.status == 403);
    CHECK(error_code(own) == "RL5015");
    auto lacks = approve(kCdaoToken, id, R"({"role":"lawyer"})");
    CHECK(lacks.status == 403);
    CHECK(error_code(lacks) == "RL5016");
    auto not_awaited = approve(kAnalystToken, id);
    CHECK(not_awaited.status == 403);
    CHECK(error_code(not_awaited) == "RL5016");
    auto long_comment = approve(kLawyerToken, id, json({{"comment", std::string(5000, 'x')}}).dump());
    CHECK(long_comment.status == 413);
    CHECK(error_code(long_comment) == "RL5019");
    auto bad_body = approve(kLawyerToken, id, R"({"comment": 7})");
    CHECK(bad_body.status == 400);
    CHECK(error_code(bad_body) == "RL5018");
    auto not_json = approve(kLawyerToken, id, "{oops");
    CHECK(not_json.status == 400);
    CHECK(error_code(not_json) == "RL5018");
    auto malformed = approve(kLawyerToken, "c-123");
    CHECK(malformed.status == 400);
    CHECK(error_code(malformed) == "RL5017");
    auto malformed_get = app.request("GET", "/v1/cases/..%2F..%2Fetc");
    CHECK(malformed_get.status == 400);
    CHECK(error_code(malformed_get) == "RL5017");
    std::string unknown = "c-" + std::string(32, '0');
    auto none = approve(kLawyerToken, unknown);
    CHECK(none.status == 404);
    CHECK(error_code(none) == "RL5012");
    CHECK(app.request("GET", "/v1/cases/" + unknown).status == 404);
    auto inbox_wrong_role = l1.request("GET", "/v1/cases?role=cdao", "", bearer(kLawyerToken));
    CHECK(inbox_wrong_role.status == 403);
    CHECK(error_code(inbox_wrong_role) == "RL5016");
    CHECK(l1.request("GET", "/v1/cases?state=maybe", "", bearer(kLawyerToken)).status == 400);
    CHECK(l1.request("GET", "/v1/cases").status == 401);
    CHECK(app.request("GET", "/v1/cases/" + id + "/approve").status == 405);
    auto unchanged = app.request("GET", "/v1/cases/" + id).j();
    CHECK(unchanged["version"] == 1);
    CHECK(unchanged["actions"].empty());
    CHECK(unchanged["state"] == "open");
    // An approver who reads the case is on its record; a wrong token is refused even where reading is open.
    CHECK(l1.request("GET", "/v1/cases/" + id, "", bearer(kLawyerToken)).status == 200);
    CHECK(l1.request("GET", "/v1/cases/" + id, "", bearer("not-a-token-at-all")).status == 401);

    // ---- the first approver: still open, one missing ----
    auto first = approve(kLawyerToken, id, R"({"comment":"lawful under the mission order"})");
    REQUIRE_MESSAGE(first.status == 200, first.body);
    CHECK(first.j()["state"] == "open");
    CHECK(first.j()["outcome"] == "require_approval");
    CHECK(first.j()["decision"]["pending"]["rules"][0]["missing"] == 1);
    REQUIRE(first.j()["actions"].size() == 1);
    CHECK(first.j()["actions"][0]["by"] == "l1");
    CHECK(first.j()["actions"][0]["role"] == "lawyer");
    CHECK(first.j()["actions"][0]["comment"] == "lawful under the mission order");
    auto twice = approve(kLawyerToken, id);
    CHECK(twice.status == 409);
    CHECK(error_code(twice) == "RL5014");

    // ---- the second approver decides it ----
    auto second = approve(kCdaoToken, id);
    REQUIRE_MESSAGE(second.status == 200, second.body);
    CHECK(second.j()["state"] == "decided");
    CHECK(second.j()["outcome"] == "allow");
    CHECK(second.j()["roles"].empty());
    auto late = approve(kLawyer2Token, id);
    CHECK(late.status == 409);
    CHECK(error_code(late) == "RL5013");

    // The app's poll sees allow, with the approvals that decided it.
    auto final_case = app.request("GET", "/v1/cases/" + id).j();
    CHECK(final_case["state"] == "decided");
    CHECK(final_case["decision"]["decision"] == "allow");
    REQUIRE(final_case["decision"]["approvals"].size() == 2);
    std::set<std::string> by;
    json approvals_made = final_case["decision"]["approvals"];
    for (const json& a : approvals_made) by.insert(a["by"].get<std::string>());
    CHECK(by == std::set<std::string>{"l1", "c1"});
    CHECK(final_case["version"] == 3);
    // Deciding the same request again answers the case as it stands.
    auto after = app.request("POST", "/v1/decide", req);
    CHECK(after.j()["decision"] == "allow");
    CHECK(after.j()["case"]["state"] == "decided");
    CHECK(after.j()["case"]["id"] == id);
    // It left the inbox.
    auto inbox2 = l1.request("GET", "/v1/cases?role=lawyer", "", bearer(kLawyerToken));
    REQUIRE(inbox2.j()["cases"].size() == 1);
    CHECK(inbox2.j()["cases"][0]["id"] == other_id);

    // ---- a denial closes the other case at once ----
    auto no = [&] {
      Conn c(s.port());
      return c.request("POST", "/v1/cases/" + other_id + "/deny", R"({"comment":"not proportionate"})", bearer(kLawyer2Token));
    }();
    REQUIRE_MESSAGE(no.status == 200, no.body);
    CHECK(no.j()["state"] == "decided");
    CHECK(no.j()["outcome"] == "deny");
    CHECK(no.j()["actions"][0]["verdict"] == "deny");
    s.signal(SIGTERM);
    CHECK(s.wait() == 0);
  }

  // The audit log: every case event, the authorization failures, and it verifies.
  auto dir = open_state(f.state);
  audit::VerifyReport v = audit::verify_log(dir);
  CHECK_MESSAGE(v.ok, v.error);
  std::vector<std::string> events;
  std::size_t denied = 0, approvals = 0;
  bool allow_recorded = false;
  std::string error;
  audit::for_each_record(dir, [&](std::uint64_t, std::string_view rec) {
    json j = json::parse(rec);
    if (j["type"] == "case" && j["case"] == id) events.push_back(j["event"].get<std::string>() + ":" + j.value("by", ""));
    if (j["type"] == "access_denied" && j["path"].get<std::string>().starts_with("/v1/cases")) ++denied;
    if (j["type"] == "approval" && j["result"] == "accepted") ++approvals;
    if (j["type"] == "decision" && j["decision"] == "allow" && j["request"]["request"]["id"] == "chg-1") allow_recorded = true;
    return true;
  }, error);
  CHECK(events == std::vector<std::string>{"opened:", "viewed:l1", "approved:l1", "approved:c1", "decided:"});
  // `redline audit show --case ID` gives those five events and nothing else.
  {
    std::string cmd = std::string(REDLINE_CLI_PATH) + " audit show --state " + f.state + " --case " + id;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string shown;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) shown.append(buf, n);
    CHECK(::pclose(p) == 0);
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = shown.find('\n', at)) != std::string::npos; ++at) ++lines;
    CHECK(lines == 5);
    CHECK(shown.find("\"event\":\"decided\",\"case\":\"" + id + "\"") != std::string::npos);
    CHECK(shown.find("\"outcome\":\"allow\"") != std::string::npos);
  }
  // 401 x2 (approve), 403: own, lacks, not awaited, inbox role; 401: list without token, a read with a wrong token.
  CHECK(denied == 8);
  CHECK(approvals >= 2);
  CHECK(allow_recorded);
}

TEST_CASE("serve cases: an escalation's case is signed off at the current step and closes allow") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn app(s.port());
  std::string req = json({{"purpose", "intel.review"}, {"actor", {{"id", "u1"}, {"role", "analyst"}}},
                          {"request", {{"id", "rev-1"}, {"time", state::now_rfc3339()}}}})
                        .dump();
  auto opened = app.request("POST", "/v1/decide", req);
  REQUIRE(opened.status == 200);
  CHECK(opened.j()["decision"] == "escalate");
  std::string id = opened.j()["case"]["id"].get<std::string>();
  auto got = app.request("GET", "/v1/cases/" + id).j();
  CHECK(got["decision"]["pending"]["rules"][0]["current_step"] == "lawyer");
  Conn l1(s.port());
  auto signed_off = l1.request("POST", "/v1/cases/" + id + "/approve", R"({"role":"lawyer","comment":"reviewed"})", bearer(kLawyerToken));
  REQUIRE_MESSAGE(signed_off.status == 200, signed_off.body);
  CHECK(signed_off.j()["state"] == "decided");
  CHECK(signed_off.j()["outcome"] == "allow");
  REQUIRE(signed_off.j()["decision"]["approvals"].size() == 1);
  CHECK(signed_off.j()["decision"]["approvals"][0]["step"] == "lawyer");
  CHECK(signed_off.j()["decision"]["approvals"][0]["rule"] == "svc/legal_review");
}

TEST_CASE("serve cases: a case store that cannot be written is a 503 with RL5020, and nothing is half done") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn app(s.port());
  auto opened = app.request("POST", "/v1/decide", bulk_request("chg-1"));
  REQUIRE(opened.status == 200);
  std::string id = opened.j()["case"]["id"].get<std::string>();
  // Another process holds the database's write lock past the busy timeout.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((f.state + "/cases.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto refused = app.request("POST", "/v1/decide", bulk_request("chg-2"));
  CHECK(refused.status == 503);
  CHECK(refused.j()["decision"] == "deny");
  CHECK(refused.j()["error"]["code"] == "RL5020");
  Conn l1(s.port());
  auto act = l1.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken));
  CHECK(act.status == 503);
  CHECK(error_code(act) == "RL5020");
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  // The lock gone, the case is as it was and the approval goes through.
  auto got = app.request("GET", "/v1/cases/" + id).j();
  CHECK(got["actions"].empty());
  auto again = l1.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken));
  CHECK(again.status == 200);
  CHECK(again.j()["actions"].size() == 1);
}

TEST_CASE("serve cases: without --state there are no cases, and decisions are as before") {
  Fixture f;
  Serve s(f.tmp, {"--config", f.config, f.policy});
  Conn c(s.port());
  auto d = c.request("POST", "/v1/decide", bulk_request("chg-9"));
  CHECK(d.j()["decision"] == "require_approval");
  CHECK_FALSE(d.j().contains("case"));
  CHECK(c.request("GET", "/v1/cases/c-" + std::string(32, 'a'), "", bearer(kLawyerToken)).status == 404);
}

TEST_CASE("serve cases: a long-poll answers when the case changes, and waiting holds up no one") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn app(s.port());
  auto opened = app.request("POST", "/v1/decide", bulk_request("poll-1"));
  REQUIRE(opened.status == 200);
  std::string id = opened.j()["case"]["id"].get<std::string>();
  auto before = app.request("GET", "/v1/cases/" + id);
  REQUIRE(before.status == 200);
  const auto version = before.j()["version"].get<std::uint64_t>();

  // More long-polls than the pool that approvals, durable decisions and
  // switch flips run on (two threads), each willing to wait a minute.
  std::vector<std::unique_ptr<Conn>> polls;
  for (int i = 0; i < 4; ++i) {
    polls.push_back(std::make_unique<Conn>(s.port()));
    polls.back()->send("GET /v1/cases/" + id + "?wait=60s HTTP/1.1\r\nHost: test\r\n\r\n");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));   // let them start waiting
  // An approval still goes through at once (a held pool would keep it for
  // the minute, past this read's 10 s), and wakes every long-poll.
  Conn lawyer(s.port());
  auto acted = lawyer.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken));
  REQUIRE(acted.status == 200);
  for (auto& p : polls) {
    auto r = p->read();
    REQUIRE(r.status == 200);
    CHECK(r.j()["version"].get<std::uint64_t>() > version);
    CHECK(r.j()["actions"].size() == 1);
    CHECK(r.j()["state"] == "open");
  }
  // Nothing changes: a short wait answers the case as it is.
  auto idle = app.request("GET", "/v1/cases/" + id + "?wait=300ms");
  REQUIRE(idle.status == 200);
  CHECK(idle.j()["version"] == acted.j()["version"]);
  // Decided: a long-poll answers at once with the final decision.
  Conn cdao(s.port());
  REQUIRE(cdao.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kCdaoToken)).status == 200);
  auto done = app.request("GET", "/v1/cases/" + id + "?wait=60s");
  REQUIRE(done.status == 200);
  CHECK(done.j()["state"] == "decided");
  CHECK(done.j()["decision"]["decision"] == "allow");
  // A `wait` that is not a duration up to a minute is refused.
  for (const char* bad : {"abc", "61s", "-1", "5h", ""}) {
    auto r = app.request("GET", "/v1/cases/" + id + "?wait=" + bad);
    CHECK_MESSAGE(r.status == 400, bad);
    CHECK(error_code(r) == "RL5018");
  }
}

TEST_CASE("serve cases: deadlines run by themselves — a step times out to the next, the last one to on_timeout") {
  // Two-second steps: the scheduler (every 100 ms here) moves the case
  // without any request arriving; a long-poll sees each move.
  TempDir tmp;
  std::string policy = tmp / "steps.pol", config = tmp / "config.json", state_dir = tmp / "state";
  write_file(policy,
             "purposes {\n  intel { review }\n}\n"
             "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer, cdao }\n}\n"
             "policy \"steps\" {\n  default allow\n"
             "  rule legal_review: escalate intel.review to legal because \"Reviews go to legal.\";\n"
             "  escalation legal \"Legal review\" {\n    step lawyer within 2s\n    step cdao within 2s\n    on_timeout deny\n  }\n"
             "}\n");
  json c = json::parse(config_json());
  c["cases"] = {{"sweep_interval_ms", 100}};
  write_file(config, c.dump());
  Serve s(tmp, {"--state", state_dir, "--config", config, policy});
  Conn app(s.port());
  std::string req = json({{"purpose", "intel.review"}, {"actor", {{"id", "u1"}, {"role", "analyst"}}},
                          {"request", {{"id", "rev-1"}, {"time", state::now_rfc3339()}}}})
                        .dump();
  auto opened = app.request("POST", "/v1/decide", req);
  REQUIRE(opened.status == 200);
  REQUIRE(opened.j()["decision"] == "escalate");
  std::string id = opened.j()["case"]["id"].get<std::string>();
  auto first = app.request("GET", "/v1/cases/" + id);
  REQUIRE(first.status == 200);
  CHECK(first.j()["roles"] == json::array({"cdao", "lawyer"}));   // a later step may act early

  // The lawyer's step passes: the case now awaits the cdao, with no action taken.
  auto advanced = app.request("GET", "/v1/cases/" + id + "?wait=20s");
  REQUIRE(advanced.status == 200);
  CHECK(advanced.j()["state"] == "open");
  CHECK(advanced.j()["roles"] == json::array({"cdao"}));
  CHECK(advanced.j()["actions"].empty());
  // The lawyer can no longer act; the cdao could.
  Conn lawyer(s.port());
  auto late = lawyer.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken));
  CHECK(late.status == 403);
  // The last step passes too: on_timeout denies.
  auto expired = app.request("GET", "/v1/cases/" + id + "?wait=20s");
  REQUIRE(expired.status == 200);
  CHECK(expired.j()["state"] == "decided");
  CHECK(expired.j()["outcome"] == "deny");
  CHECK(expired.j()["decision"]["decision"] == "deny");
  // The same request again gets the decided case.
  CHECK(app.request("POST", "/v1/decide", req).j()["decision"] == "deny");

  // Each move is an audit record of the case, and the log verifies.
  s.signal(SIGTERM);
  CHECK(s.wait() == 0);
  auto dir = state::StateDir::open(state_dir, false);
  REQUIRE(dir.ok());
  std::vector<std::string> events;
  std::string error;
  REQUIRE(audit::for_each_record(
      *dir.value,
      [&](std::uint64_t, std::string_view p) {
        json j = json::parse(p, nullptr, false);
        if (j.is_object() && j.value("type", "") == "case" && j.value("case", "") == id) events.push_back(j.value("event", ""));
        return true;
      },
      error));
  CHECK(events == std::vector<std::string>{"opened", "advanced", "expired"});
  CHECK(audit::verify_log(*dir.value).ok);
}

TEST_CASE("serve cases: an action on a rule that demands signed approvals is refused, not kept") {
  TempDir tmp;
  std::string policy = tmp / "signed.pol", config = tmp / "config.json", state_dir = tmp / "state";
  write_file(policy,
             "purposes {\n  intel { bulk }\n}\n"
             "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer, cdao }\n}\n"
             "policy \"signed\" {\n  default allow\n"
             "  rule bulk_signed: require approval intel.bulk by lawyer within 1h signed;\n"
             "}\n");
  write_file(config, config_json());
  Serve s(tmp, {"--state", state_dir, "--config", config, policy});
  Conn app(s.port());
  auto opened = app.request("POST", "/v1/decide", bulk_request("sig-1"));
  REQUIRE(opened.status == 200);
  std::string id = opened.j()["case"]["id"].get<std::string>();
  Conn lawyer(s.port());
  auto refused = lawyer.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken));
  CHECK(refused.status == 403);
  CHECK(error_code(refused) == "RL5021");
  CHECK(refused.j()["error"]["message"].get<std::string>().find("signed") != std::string::npos);
  auto after = app.request("GET", "/v1/cases/" + id);
  CHECK(after.j()["actions"].empty());
  CHECK(after.j()["state"] == "open");
}

namespace {

/// The body of a signed action on case `c` (as GET /v1/cases/ID answers it)
/// by `by` in `role`, signed with `private_key` at `at`.
std::string signed_body(const json& c, const std::string& by, const std::string& role, const std::string& private_key, const std::string& at,
                        const std::string& digest_override = "") {
  json sigs = json::object();
  for (const json& p : c["decision"]["pending"]["rules"]) {
    Approval a{p["rule"].get<std::string>(), "", by, role, "approve", at, "", ""};
    std::string error;
    REQUIRE(sign_approval(a, private_key, digest_override.empty() ? c["signing"]["request_digest"].get<std::string>() : digest_override,
                          c["signing"]["policy"].get<std::string>(), error));
    sigs[a.rule] = a.signature;
  }
  return json({{"role", role}, {"at", at}, {"signatures", sigs}}).dump();
}

/// Runs the redline CLI with `args` (REDLINE_TOKEN=`token`); its exit status, stdout in `out`.
int run_redline(const TempDir& tmp, const std::string& args, const std::string& token, std::string& out) {
  std::string cmd = "REDLINE_TOKEN='" + token + "' '" + std::string(REDLINE_CLI_PATH) + "' " + args + " >'" + (tmp / "cli.out") + "' 2>'" +
                    (tmp / "cli.err") + "'";
  int status = std::system(cmd.c_str());
  out = read_file(tmp / "cli.out") + read_file(tmp / "cli.err");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("serve cases: signed approvals on a case — from the API and from `redline approve --case`") {
  TempDir tmp;
  std::string policy = tmp / "signed.pol", config = tmp / "config.json", state_dir = tmp / "state", keys_file = tmp / "keys.json";
  write_file(policy,
             "purposes {\n  intel { bulk }\n}\n"
             "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer, cdao }\n}\n"
             "policy \"signed\" {\n  default allow\n"
             "  rule bulk_signed: require approval intel.bulk by lawyer within 1h signed;\n"
             "}\n");
  auto lawyer_key = generate_approver_key(), other_key = generate_approver_key();
  REQUIRE(lawyer_key);
  REQUIRE(other_key);
  std::string error;
  auto keys = ApproverKeys::from_entries({{"l1", lawyer_key->public_key, {"lawyer"}, ApproverKind::human},
                                          {"l2", other_key->public_key, {"lawyer"}, ApproverKind::human}},
                                         error);
  REQUIRE_MESSAGE(keys, error);
  write_file(keys_file, keys->to_json());
  write_file(config, config_json());
  Serve s(tmp, {"--state", state_dir, "--config", config, "--keys", keys_file, policy});
  Conn app(s.port()), lawyer(s.port());
  auto open = [&](const std::string& rid) {
    auto r = app.request("POST", "/v1/decide", bulk_request(rid));
    REQUIRE(r.status == 200);
    auto c = app.request("GET", "/v1/cases/" + r.j()["case"]["id"].get<std::string>());
    REQUIRE(c.status == 200);
    return c.j();
  };
  json c1 = open("sig-a"), c2 = open("sig-b");
  const std::string id1 = c1["id"], id2 = c2["id"];
  REQUIRE(c1["signing"]["format"] == "redline-approval-v1");
  CHECK(c1["signing"]["request_digest"] == c1["request_digest"]);
  const std::string now = state::now_rfc3339();
  auto act = [&](const std::string& id, const std::string& body) { return lawyer.request("POST", "/v1/cases/" + id + "/approve", body, bearer(kLawyerToken)); };

  // Refused, each with its code, and the case unchanged:
  // signed by another approver's key,
  auto forged = act(id1, signed_body(c1, "l1", "lawyer", other_key->private_key, now));
  CHECK(forged.status == 403);
  CHECK(error_code(forged) == "RL5022");
  // a signature made for another case's request (replayed across cases),
  auto replayed = act(id2, signed_body(c1, "l1", "lawyer", lawyer_key->private_key, now));
  CHECK(replayed.status == 403);
  CHECK(error_code(replayed) == "RL5022");
  // an `at` the signature does not cover,
  json tampered = json::parse(signed_body(c1, "l1", "lawyer", lawyer_key->private_key, now));
  std::int64_t later = *parse_rfc3339(now) + 1;
  tampered["at"] = format_rfc3339(later);
  auto moved = act(id1, tampered.dump());
  CHECK(moved.status == 403);
  CHECK(error_code(moved) == "RL5022");
  // signed long ago (an old signature kept and sent again),
  std::string old = format_rfc3339(*parse_rfc3339(now) - 3600);
  auto stale = act(id1, signed_body(c1, "l1", "lawyer", lawyer_key->private_key, old));
  CHECK(stale.status == 400);
  CHECK(error_code(stale) == "RL5023");
  // a signature for a rule the action does not apply to, or `at` without signatures.
  json extra = json::parse(signed_body(c1, "l1", "lawyer", lawyer_key->private_key, now));
  extra["signatures"]["signed/other"] = extra["signatures"]["signed/bulk_signed"];
  CHECK(error_code(act(id1, extra.dump())) == "RL5018");
  CHECK(error_code(act(id1, json({{"at", now}}).dump())) == "RL5018");
  auto unchanged = app.request("GET", "/v1/cases/" + id1);
  CHECK(unchanged.j()["actions"].empty());
  CHECK(unchanged.j()["state"] == "open");

  // Signed right, it counts: the case closes `allow`, the action shows as signed.
  auto ok = act(id1, signed_body(c1, "l1", "lawyer", lawyer_key->private_key, now));
  REQUIRE_MESSAGE(ok.status == 200, ok.body);
  CHECK(ok.j()["state"] == "decided");
  CHECK(ok.j()["outcome"] == "allow");
  CHECK(ok.j()["actions"][0]["signed"] == true);
  CHECK(ok.j()["actions"][0]["at"] == now);
  // The same body again is a second action by the same person.
  CHECK(error_code(act(id1, signed_body(c1, "l1", "lawyer", lawyer_key->private_key, now))) == "RL5013");

  // From a terminal: `redline approve --case` reads the case, signs and sends.
  write_file(tmp / "l2.key", other_key->private_key + "\n");
  write_file(tmp / "l1.key", lawyer_key->private_key + "\n");
  std::string server = "http://127.0.0.1:" + std::to_string(s.port());
  std::string out;
  // A key that is not the token's approver's is refused by the server, and nothing changes.
  CHECK(run_redline(tmp, "approve --case " + id2 + " --server " + server + " --key '" + (tmp / "l2.key") + "'", kLawyerToken, out) == 1);
  CHECK(out.find("RL5022") != std::string::npos);
  CHECK(app.request("GET", "/v1/cases/" + id2).j()["actions"].empty());
  // --print shows the signed body without sending it.
  REQUIRE(run_redline(tmp, "approve --case " + id2 + " --server " + server + " --key '" + (tmp / "l1.key") + "' --print", kLawyerToken, out) == 0);
  json printed = json::parse(out.substr(0, out.find('\n')), nullptr, false);
  REQUIRE(printed.is_object());
  CHECK(printed["signatures"].contains("signed/bulk_signed"));
  CHECK(app.request("GET", "/v1/cases/" + id2).j()["actions"].empty());
  // Sent, it decides the case.
  REQUIRE_MESSAGE(run_redline(tmp, "approve --case " + id2 + " --server " + server + " --key '" + (tmp / "l1.key") + "' --comment 'signed from the terminal'",
                              kLawyerToken, out) == 0,
                  out);
  json after = app.request("GET", "/v1/cases/" + id2).j();
  CHECK(after["state"] == "decided");
  CHECK(after["outcome"] == "allow");
  CHECK(after["actions"][0]["signed"] == true);
  CHECK(after["actions"][0]["comment"] == "signed from the terminal");
  CHECK(!after.contains("signing"));
  // A wrong token is refused before anything is signed.
  CHECK(run_redline(tmp, "approve --case " + id2 + " --server " + server + " --key '" + (tmp / "l1.key") + "'", "nope", out) == 1);
  CHECK(out.find("401") != std::string::npos);
  // The signed approvals are in the audit log, which verifies.
  auto dir = state::StateDir::open(state_dir, false);
  REQUIRE(dir.value);
  CHECK(audit::verify_log(*dir.value).ok);
}

TEST_CASE("serve cases: batches and AuthZEN evaluations open cases, and asking again after sign-off answers with them") {
  Fixture f;
  Serve s(f.tmp, f.args());
  Conn app(s.port());
  // A batch: each paused request opens its own case; the one that needs no human opens none.
  json chat = {{"purpose", "chat"}, {"actor", {{"id", "u1"}, {"role", "analyst"}}}};
  std::string batch = "[" + bulk_request("b-1") + "," + chat.dump() + "," + bulk_request("b-2") + "]";
  auto b = app.request("POST", "/v1/decide/batch", batch);
  REQUIRE_MESSAGE(b.status == 200, b.body);
  json items = b.j();
  REQUIRE(items.size() == 3);
  CHECK(items[0]["decision"] == "require_approval");
  CHECK(items[1]["decision"] == "allow");
  CHECK(!items[1].contains("case"));
  REQUIRE(items[0].contains("case"));
  REQUIRE(items[2].contains("case"));
  CHECK(items[0]["case"]["id"] != items[2]["case"]["id"]);
  CHECK(app.request("GET", "/v1/cases/" + items[2]["case"]["id"].get<std::string>()).status == 200);

  // AuthZEN: a paused evaluation is `false`, and its context says where the case is.
  json eval = {{"subject", {{"type", "user"}, {"id", "u5"}, {"properties", {{"role", "analyst"}}}}},
               {"action", {{"name", "intel.bulk"}}},
               {"resource", {{"type", "dataset"}, {"id", "d1"}}},
               {"context", {{"request", {{"id", "az-1"}, {"time", state::now_rfc3339()}}}}}};
  auto first = app.request("POST", "/access/v1/evaluation", eval.dump());
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.j()["decision"] == false);
  REQUIRE(first.j()["context"].contains("case"));
  std::string id = first.j()["context"]["case"]["id"];
  CHECK(first.j()["context"]["case"]["state"] == "open");
  // The same evaluation again finds the same case, still `false`.
  auto again = app.request("POST", "/access/v1/evaluation", eval.dump());
  CHECK(again.j()["decision"] == false);
  CHECK(again.j()["context"]["case"]["id"] == id);
  // Two approvers sign off; asked again, the PEP gets `true`.
  Conn l1(s.port()), c1(s.port());
  REQUIRE(l1.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kLawyerToken)).status == 200);
  auto after_one = app.request("POST", "/access/v1/evaluation", eval.dump());
  CHECK(after_one.j()["decision"] == false);
  REQUIRE(c1.request("POST", "/v1/cases/" + id + "/approve", "", bearer(kCdaoToken)).status == 200);
  auto granted = app.request("POST", "/access/v1/evaluation", eval.dump());
  REQUIRE_MESSAGE(granted.status == 200, granted.body);
  CHECK(granted.j()["decision"] == true);
  CHECK(granted.j()["context"]["case"]["state"] == "decided");
  // And /v1/decide of a request whose case was signed off answers `allow`, decided now with the case's approvals.
  auto opened = app.request("POST", "/v1/decide", bulk_request("d-1"));
  std::string did = opened.j()["case"]["id"];
  REQUIRE(l1.request("POST", "/v1/cases/" + did + "/approve", "", bearer(kLawyerToken)).status == 200);
  REQUIRE(c1.request("POST", "/v1/cases/" + did + "/approve", "", bearer(kCdaoToken)).status == 200);
  json case_now = app.request("GET", "/v1/cases/" + did).j();
  json resent = json::parse(case_now["request"].dump());
  auto reasked = app.request("POST", "/v1/decide", resent.dump());
  CHECK(reasked.j()["decision"] == "allow");
  CHECK(reasked.j()["approvals"].size() == 2);
}
