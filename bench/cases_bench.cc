// bench/cases_bench.cc — approval cases in `redline serve`, end to end: the
// real server binary (started here, twice), driven over loopback HTTP/1.1
// keep-alive connections by a small blocking client. One run measures
//
//   (a) p50/p99 of `POST /v1/decide` for a request that needs no human, with
//       `--state` (audit log + case store) against a server without `--state`,
//       in alternating rounds, and the ratio;
//   (b) case open + approve per second: a decide that yields
//       `require_approval` (a fresh request id each time) opens a case, then
//       `POST /v1/cases/ID/approve` with an approver's bearer token closes it
//       `allow`; with 1 client and with several concurrent clients;
//   (c) with F open cases in the store (default 10,000; opened through
//       /v1/decide like any other), p50/p99 of `GET /v1/cases?state=open&limit=100`
//       (first page, and a deep page via `after=`), of `GET /inbox` and of the
//       inbox's whole first load (page, script, style, whoami, first list page),
//       the no-human decide again (ratio against the no-state server), and the
//       server's CPU while idle (the case scheduler re-reads open cases).
//
// Every answer is checked (status, decision, case state; the listing is walked
// to the end and must hold exactly the open cases), so `--smoke` — every
// measurement once on a few cases — is a test (ctest `cases_bench_smoke`).
// Timings are printed, never asserted.
//
//   redline_cases_bench [--smoke] [--redline PATH] [--cases F] [--decides N] [--pairs P] [--clients C] [--keep]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef REDLINE_CLI_PATH
#define REDLINE_CLI_PATH "redline"
#endif

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// ---- the policy and the serve configuration ----

const char* kPolicy =
    "purposes {\n  ops { read bulk }\n}\n"
    "context {\n  actor.id: string\n  actor.role: enum { analyst, lawyer }\n}\n"
    "policy \"casebench\" version \"1\" {\n  default allow\n"
    "  rule bulk_review: require approval ops.bulk by lawyer within 24h because \"Bulk work needs a lawyer's sign-off.\";\n"
    "}\n";

const char* kAppToken = "casebench-app-token-0123456789";
const char* kLawyerToken = "casebench-lawyer-token-0123456789";

std::string sha256_hex(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += hex[md[i] >> 4], out += hex[md[i] & 15];
  return out;
}

/// Tokens are stored as SHA-256 digests (docs/serve.md "Configuration").
std::string config_json() {
  json c = {{"tokens", json::array({{{"sha256", sha256_hex(kAppToken)}, {"actor", "app"}, {"roles", json::array()}},
                                    {{"sha256", sha256_hex(kLawyerToken)}, {"actor", "l1"}, {"roles", {"lawyer"}}}})},
            {"reload", {{"watch_interval_ms", 0}}}};
  return c.dump(2);
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

std::string request_body(const char* purpose, const std::string& id) {
  return json({{"purpose", purpose}, {"actor", {{"id", "u1"}, {"role", "analyst"}}}, {"request", {{"id", id}, {"time", now_rfc3339()}}}})
      .dump();
}

// ---- failing ----

std::vector<pid_t> g_children;
std::mutex g_fail_mu;

[[noreturn]] void fail(const std::string& what) {
  std::lock_guard lk(g_fail_mu);
  std::fflush(stdout);
  std::fprintf(stderr, "cases_bench: FAILED: %s\n", what.c_str());
  for (pid_t p : g_children) ::kill(p, SIGKILL);
  std::_Exit(1);
}

void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  check(static_cast<bool>(f), "cannot write " + p.string());
}

// ---- the server ----

class Server {
 public:
  Server(const std::string& binary, std::vector<std::string> args, const fs::path& err) : err_(err) {
    int out[2];
    check(::pipe(out) == 0, "pipe");
    args.insert(args.begin(), {binary, "serve", "--listen", "127.0.0.1:0", "--threads", "2"});
    pid_ = ::fork();
    check(pid_ >= 0, "fork");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);   // a benchmark killed mid-run leaves no server behind
      ::dup2(out[1], 1);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (e >= 0) ::dup2(e, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    g_children.push_back(pid_);
    ::close(out[1]);
    std::string line;
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    auto at = line.find("listening on 127.0.0.1:");
    if (at == std::string::npos) {
      std::ifstream f(err);
      std::stringstream ss;
      ss << f.rdbuf();
      fail("redline serve did not start (" + binary + "): " + line + ss.str());
    }
    port_ = std::stoi(line.substr(at + 23));
  }
  ~Server() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return port_; }
  /// The server process's user + system CPU time, in seconds.
  double cpu_seconds() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close = s.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; in >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
      if (i == 15) break;
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

 private:
  fs::path err_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// ---- a blocking HTTP/1.1 client over one keep-alive connection ----

struct Resp {
  int status = 0;
  std::string head, body;
};

class Conn {
 public:
  explicit Conn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    check(fd_ >= 0, "socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "connect to 127.0.0.1:" + std::to_string(port));
  }
  ~Conn() { ::close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Resp get(const std::string& target, const char* token = nullptr) { return request("GET", target, "", token); }
  Resp post(const std::string& target, const std::string& body, const char* token = nullptr) { return request("POST", target, body, token); }

  Resp request(const char* method, const std::string& target, const std::string& body, const char* token) {
    std::string req = std::string(method) + " " + target + " HTTP/1.1\r\nHost: bench\r\n";
    if (token) req += std::string("Authorization: Bearer ") + token + "\r\n";
    if (std::strcmp(method, "POST") == 0)
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    std::string_view rest = req;
    while (!rest.empty()) {
      ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) fail(std::string("send failed: ") + std::strerror(errno));
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    return read();
  }

 private:
  Resp read() {
    for (;;) {
      auto end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        Resp r;
        r.head = buf_.substr(0, end + 2);
        std::size_t len = 0;
        auto cl = r.head.find("Content-Length: ");
        if (cl == std::string::npos) cl = r.head.find("content-length: ");
        if (cl != std::string::npos) len = std::stoul(r.head.substr(cl + 16));
        if (buf_.size() >= end + 4 + len) {
          r.status = std::stoi(r.head.substr(9, 3));
          r.body = buf_.substr(end + 4, len);
          buf_.erase(0, end + 4 + len);
          return r;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 30000) <= 0) fail("no answer within 30 s");
      char b[65536];
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n <= 0) fail("the server closed the connection");
      buf_.append(b, static_cast<std::size_t>(n));
    }
  }
  int fd_ = -1;
  std::string buf_;
};

json parse(const Resp& r, const std::string& what) {
  json j = json::parse(r.body, nullptr, false);
  check(!j.is_discarded(), what + ": the answer is not JSON: " + r.body.substr(0, 300));
  return j;
}

void expect_status(const Resp& r, int status, const std::string& what) {
  check(r.status == status, what + ": status " + std::to_string(r.status) + ", expected " + std::to_string(status) + ": " + r.body.substr(0, 300));
}

// ---- statistics ----

struct Stats {
  std::vector<double> us;   // one sample per operation, microseconds
  void add(Clock::duration d) { us.push_back(std::chrono::duration<double, std::micro>(d).count()); }
  double pct(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    auto i = static_cast<std::size_t>(p * static_cast<double>(us.size()));
    return us[std::min(i, us.size() - 1)];
  }
};

std::string ms(double us) {
  char b[32];
  std::snprintf(b, sizeof b, us >= 1000 ? "%.2f ms" : "%.0f µs", us >= 1000 ? us / 1000 : us);
  return b;
}

/// A table row; `cpu_us` is the server's CPU per operation (negative: not measured).
void row(const char* what, Stats& s, double cpu_us) {
  std::printf("| %s | %zu | %s | %s | %s |\n", what, s.us.size(), ms(s.pct(0.5)).c_str(), ms(s.pct(0.99)).c_str(),
              cpu_us < 0 ? "–" : ms(cpu_us).c_str());
}

// ---- the measurements ----

/// A no-human decide, checked: 200 and `allow`, no case.
void no_human_decide(Conn& c, const std::string& body, Stats& s) {
  auto t0 = Clock::now();
  Resp r = c.post("/v1/decide", body);
  s.add(Clock::now() - t0);
  expect_status(r, 200, "no-human decide");
  check(r.body.find("\"decision\":\"allow\"") != std::string::npos && r.body.find("\"case\"") == std::string::npos,
        "no-human decide: not a plain allow: " + r.body.substr(0, 300));
}

/// N no-human decides on each server, in `rounds` alternating rounds (so
/// machine noise falls on both alike).
void compare_decides(int port_plain, int port_state, std::size_t n, std::size_t rounds, Stats& plain, Stats& with_state) {
  Conn a(port_plain), b(port_state);
  std::string body = request_body("ops.read", "read-1");
  for (std::size_t i = 0; i < std::min<std::size_t>(n / 10 + 1, 500); ++i) {   // warm-up, not counted
    Stats ignored;
    no_human_decide(a, body, ignored);
    no_human_decide(b, body, ignored);
  }
  for (std::size_t r = 0; r < rounds; ++r)
    for (Stats* s : {&plain, &with_state})
      for (std::size_t i = 0; i < n / rounds; ++i) no_human_decide(s == &plain ? a : b, body, *s);
}

/// Opens a case through /v1/decide (checked); its id.
std::string open_case(Conn& c, const std::string& request_id) {
  Resp r = c.post("/v1/decide", request_body("ops.bulk", request_id));
  expect_status(r, 200, "decide (opens a case)");
  json d = parse(r, "decide (opens a case)");
  check(d.value("decision", "") == "require_approval", "decide: expected require_approval: " + r.body.substr(0, 300));
  check(d.contains("case") && d["case"].is_object() && d["case"].value("state", "") == "open", "decide: no open case: " + r.body.substr(0, 300));
  return d["case"]["id"].get<std::string>();
}

/// Approves case `id` as the lawyer (checked: the case is decided `allow`).
void approve_case(Conn& c, const std::string& id) {
  Resp r = c.post("/v1/cases/" + id + "/approve", R"({"comment":"casebench"})", kLawyerToken);
  expect_status(r, 200, "approve " + id);
  json j = parse(r, "approve");
  check(j.value("state", "") == "decided" && j.value("outcome", "") == "allow",
        "approve: case not decided allow: " + r.body.substr(0, 300));
  check(j["decision"].is_object() && j["decision"].value("decision", "") == "allow", "approve: the case's decision is not allow");
}

struct PairResult {
  std::size_t pairs = 0;
  double seconds = 0;
  Stats open, approve;
};

/// `pairs` open + approve pairs from `clients` concurrent connections.
PairResult open_approve(int port, std::size_t pairs, std::size_t clients, const std::string& tag) {
  PairResult res;
  std::vector<Stats> opens(clients), approves(clients);
  std::vector<std::thread> ts;
  auto t0 = Clock::now();
  for (std::size_t k = 0; k < clients; ++k)
    ts.emplace_back([&, k] {
      Conn c(port);
      for (std::size_t i = k; i < pairs; i += clients) {
        auto a = Clock::now();
        std::string id = open_case(c, tag + "-" + std::to_string(i));
        auto b = Clock::now();
        approve_case(c, id);
        approves[k].add(Clock::now() - b);
        opens[k].add(b - a);
      }
    });
  for (auto& t : ts) t.join();
  res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  res.pairs = pairs;
  for (std::size_t k = 0; k < clients; ++k) {
    res.open.us.insert(res.open.us.end(), opens[k].us.begin(), opens[k].us.end());
    res.approve.us.insert(res.approve.us.end(), approves[k].us.begin(), approves[k].us.end());
  }
  return res;
}

/// Opens `n` cases from `clients` connections; their ids.
std::vector<std::string> fill(int port, std::size_t n, std::size_t clients, double& seconds) {
  std::vector<std::vector<std::string>> ids(clients);
  std::vector<std::thread> ts;
  auto t0 = Clock::now();
  for (std::size_t k = 0; k < clients; ++k)
    ts.emplace_back([&, k] {
      Conn c(port);
      for (std::size_t i = k; i < n; i += clients) ids[k].push_back(open_case(c, "fill-" + std::to_string(i)));
    });
  for (auto& t : ts) t.join();
  seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<std::string> all;
  for (auto& v : ids) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  check(std::adjacent_find(all.begin(), all.end()) == all.end(), "two requests opened the same case");
  return all;
}

/// One listing page (checked against the sorted open ids): its `next`.
json list_page(Conn& c, const std::vector<std::string>& open_ids, const std::string& after, Stats* s) {
  std::string target = "/v1/cases?state=open&limit=100" + (after.empty() ? std::string() : "&after=" + after);
  auto t0 = Clock::now();
  Resp r = c.get(target, kLawyerToken);
  if (s) s->add(Clock::now() - t0);
  expect_status(r, 200, "GET " + target);
  json j = parse(r, "GET " + target);
  check(j.contains("cases") && j["cases"].is_array(), "listing: no `cases`");
  auto from = after.empty() ? open_ids.begin() : std::upper_bound(open_ids.begin(), open_ids.end(), after);
  std::size_t want = std::min<std::size_t>(100, static_cast<std::size_t>(open_ids.end() - from));
  check(j["cases"].size() == want, "listing after `" + after + "`: " + std::to_string(j["cases"].size()) + " cases, expected " + std::to_string(want));
  for (std::size_t i = 0; i < want; ++i) {
    const json& e = j["cases"][i];
    check(e.value("id", "") == *(from + static_cast<std::ptrdiff_t>(i)), "listing: cases out of order or missing");
    check(e.value("state", "") == "open" && e.value("purpose", "") == "ops.bulk", "listing: a case that is not an open ops.bulk case");
  }
  bool last = static_cast<std::size_t>(open_ids.end() - from) <= 100;
  if (want == 100 && !last) check(j["next"] == *(from + 99), "listing: `next` is not the page's last id");
  return j["next"];
}

void inbox_get(Conn& c, const std::string& path, const char* token, const char* content_type, const char* marker, Stats* s) {
  auto t0 = Clock::now();
  Resp r = c.get(path, token);
  if (s) s->add(Clock::now() - t0);
  expect_status(r, 200, "GET " + path);
  check(r.head.find(content_type) != std::string::npos, "GET " + path + ": not " + content_type);
  check(r.body.find(marker) != std::string::npos, "GET " + path + ": `" + marker + "` missing");
}

/// The inbox's first load, as the page makes it (sequentially, one connection).
void inbox_load(Conn& c, const std::vector<std::string>& open_ids, Stats& s) {
  auto t0 = Clock::now();
  inbox_get(c, "/inbox", nullptr, "text/html", "Approvals inbox", nullptr);
  inbox_get(c, "/inbox/app.js", nullptr, "text/javascript", "/v1/cases?state=open", nullptr);
  inbox_get(c, "/inbox/style.css", nullptr, "text/css", "body", nullptr);
  inbox_get(c, "/v1/whoami", kLawyerToken, "application/json", "\"l1\"", nullptr);
  list_page(c, open_ids, "", nullptr);
  s.add(Clock::now() - t0);
}

struct Options {
  std::string redline = REDLINE_CLI_PATH;
  bool smoke = false, keep = false;
  std::size_t cases = 10000, decides = 20000, pairs = 500, clients = 4, samples = 300;
};

std::size_t number(const char* s, const char* flag) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end || v == 0) fail(std::string(flag) + " takes a positive whole number");
  return static_cast<std::size_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) {
      if (i + 1 >= argc) fail(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (a == "--smoke") o.smoke = true, o.cases = 150, o.decides = 20, o.pairs = 6, o.clients = 2, o.samples = 3;
    else if (a == "--keep") o.keep = true;
    else if (a == "--redline") o.redline = value("--redline");
    else if (a == "--cases") o.cases = number(value("--cases"), "--cases");
    else if (a == "--decides") o.decides = number(value("--decides"), "--decides");
    else if (a == "--pairs") o.pairs = number(value("--pairs"), "--pairs");
    else if (a == "--clients") o.clients = number(value("--clients"), "--clients");
    else if (a == "--samples") o.samples = number(value("--samples"), "--samples");
    else {
      std::fprintf(stderr,
                   "usage: redline_cases_bench [--smoke] [--redline PATH] [--cases F] [--decides N] [--pairs P] [--clients C] "
                   "[--samples S] [--keep]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);   // each table row as it is measured

  std::string tmpl = (fs::temp_directory_path() / "redline-casebench-XXXXXX").string();
  check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  fs::path dir = tmpl;
  write_file(dir / "casebench.pol", kPolicy);
  write_file(dir / "config.json", config_json());
  const std::string policy = (dir / "casebench.pol").string(), config = (dir / "config.json").string();
  struct Cleanup {   // declared before the servers, so it runs after they stopped
    fs::path dir;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) fs::remove_all(dir, ec);
    }
  } cleanup{dir, o.keep};

  double load0[3] = {0, 0, 0};
  ::getloadavg(load0, 3);
  std::printf("# redline serve approval cases — %s%s\n\n", now_rfc3339().c_str(), o.smoke ? " (smoke: every measurement once, on a few cases)" : "");
  std::printf("server: %s --threads 2; state folder: %s (SQLite case store); %u cores; load average at start %.2f %.2f %.2f\n\n",
              o.redline.c_str(), dir.c_str(), std::thread::hardware_concurrency(), load0[0], load0[1], load0[2]);

  Server plain(o.redline, {"--config", config, policy}, dir / "plain.err");
  Server stated(o.redline, {"--state", (dir / "state").string(), "--config", config, policy}, dir / "state.err");

  // (a) no-human decides: --state vs no --state.
  std::size_t rounds = o.smoke ? 1 : 10;
  Stats a_plain, a_state;
  double p0 = plain.cpu_seconds(), s0 = stated.cpu_seconds();
  compare_decides(plain.port(), stated.port(), o.decides, rounds, a_plain, a_state);
  double a_cpu_plain = (plain.cpu_seconds() - p0) * 1e6 / static_cast<double>(a_plain.us.size());
  double a_cpu_state = (stated.cpu_seconds() - s0) * 1e6 / static_cast<double>(a_state.us.size());
  std::printf("## (a) POST /v1/decide, a request that needs no human (1 connection, %zu alternating rounds)\n\n", rounds);
  std::printf("Server CPU per request: the server process's user + system time over the run (includes the warm-up), divided by the requests.\n\n");
  std::printf("| server | decisions | p50 | p99 | server CPU per request |\n|---|---|---|---|---|\n");
  row("no --state", a_plain, a_cpu_plain);
  row("--state (audit log + case store, no open cases)", a_state, a_cpu_state);
  std::printf("\nratio --state / no --state: p50 %.2f×, p99 %.2f×, server CPU %.2f×\n\n", a_state.pct(0.5) / a_plain.pct(0.5),
              a_state.pct(0.99) / a_plain.pct(0.99), a_cpu_state / a_cpu_plain);

  // (b) open + approve.
  std::printf("## (b) case open (decide → require_approval) + approve (→ decided allow), SQLite\n\n");
  std::printf("| clients | pairs | pairs/s | open p50 | open p99 | approve p50 | approve p99 | server CPU per pair |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (std::size_t clients : {std::size_t{1}, o.clients}) {
    double c0 = stated.cpu_seconds();
    PairResult r = open_approve(stated.port(), o.pairs, clients, "pair" + std::to_string(clients));
    double cpu = (stated.cpu_seconds() - c0) * 1e6 / static_cast<double>(r.pairs);
    std::printf("| %zu | %zu | %.0f | %s | %s | %s | %s | %s |\n", clients, r.pairs, static_cast<double>(r.pairs) / r.seconds,
                ms(r.open.pct(0.5)).c_str(), ms(r.open.pct(0.99)).c_str(), ms(r.approve.pct(0.5)).c_str(), ms(r.approve.pct(0.99)).c_str(),
                ms(cpu).c_str());
  }
  {   // The same request again finds the same, now decided, case.
    Conn c(stated.port());
    std::string body = request_body("ops.bulk", "again-1");
    Resp first = c.post("/v1/decide", body);
    expect_status(first, 200, "decide (opens a case)");
    approve_case(c, parse(first, "decide")["case"]["id"].get<std::string>());
    Resp r = c.post("/v1/decide", body);
    expect_status(r, 200, "decide again");
    json d = parse(r, "decide again");
    check(d.value("decision", "") == "allow" && d["case"].value("state", "") == "decided", "the same request again: not its decided case: " + r.body.substr(0, 300));
  }

  // (c) F open cases.
  double fill_s = 0;
  std::vector<std::string> open_ids = fill(stated.port(), o.cases, o.clients, fill_s);
  std::printf("\n## (c) with %zu open cases (opened in %.1f s from %zu clients: %.0f opens/s)\n\n", o.cases, fill_s, o.clients,
              static_cast<double>(o.cases) / fill_s);
  // CPU of the idle server: the case scheduler re-decides every open case each sweep (1 s by default).
  double idle_s = o.smoke ? 1.2 : 5.0;
  double cpu0 = stated.cpu_seconds(), cpu_plain0 = plain.cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
  double idle_rate = (stated.cpu_seconds() - cpu0) / idle_s, idle_plain = (plain.cpu_seconds() - cpu_plain0) / idle_s;
  std::printf("idle for %.1f s: the --state server used %.0f%% of a core (its case scheduler re-decides the %zu open cases every second); "
              "the no-state server %.0f%%\n\n",
              idle_s, 100 * idle_rate, o.cases, 100 * idle_plain);
  {
    Conn c(stated.port());
    // The whole listing, page by page: exactly the open cases.
    std::string after;
    std::size_t pages = 0;
    for (;;) {
      json next = list_page(c, open_ids, after, nullptr);
      ++pages;
      if (next.is_null()) break;
      after = next.get<std::string>();
      check(pages <= open_ids.size() / 100 + 2, "listing: more pages than cases");
    }
    check(pages == (open_ids.size() + 99) / 100 || (open_ids.size() % 100 == 0 && pages == open_ids.size() / 100 + 1),
          "listing: " + std::to_string(pages) + " pages for " + std::to_string(open_ids.size()) + " cases");
    // The approver without a role on the case sees nothing; the app token holds no role.
    Resp none = c.get("/v1/cases?state=open&limit=100", kAppToken);
    expect_status(none, 200, "listing as the app");
    check(parse(none, "listing as the app")["cases"].empty(), "the app token (no roles) sees cases");
    Resp unauth = c.get("/v1/cases?state=open&limit=100");
    expect_status(unauth, 401, "listing without a token");

    std::string deep = open_ids.size() > 150 ? open_ids[open_ids.size() - 150] : open_ids[open_ids.size() / 2];
    Stats first, deep_s, inbox, load;
    // The server's CPU per request, less the idle scheduler's share over the same time.
    auto timed = [&](auto&& body) {
      double c0 = stated.cpu_seconds();
      auto t0 = Clock::now();
      for (std::size_t i = 0; i < o.samples; ++i) body();
      double wall = std::chrono::duration<double>(Clock::now() - t0).count();
      return std::max(0.0, stated.cpu_seconds() - c0 - idle_rate * wall) * 1e6 / static_cast<double>(o.samples);
    };
    double cpu_first = timed([&] { list_page(c, open_ids, "", &first); });
    double cpu_deep = timed([&] { list_page(c, open_ids, deep, &deep_s); });
    double cpu_inbox = timed([&] { inbox_get(c, "/inbox", nullptr, "text/html", "Approvals inbox", &inbox); });
    double cpu_load = timed([&] { inbox_load(c, open_ids, load); });
    std::printf("Server CPU per request: net of the idle rate above (the scheduler's), over the samples; clock ticks are 10 ms.\n\n");
    std::printf("| request | samples | p50 | p99 | server CPU per request |\n|---|---|---|---|---|\n");
    row("GET /v1/cases?state=open&limit=100 (first page, as the lawyer)", first, cpu_first);
    row("GET /v1/cases?state=open&limit=100&after=… (a deep page: 150 from the end)", deep_s, cpu_deep);
    row("GET /inbox (the page)", inbox, cpu_inbox);
    row("inbox first load: /inbox, app.js, style.css, /v1/whoami, first page (sequential)", load, cpu_load);
  }
  // The no-human decide again, now with F open cases (and the case scheduler sweeping them).
  Stats c_plain, c_state;
  compare_decides(plain.port(), stated.port(), o.decides, rounds, c_plain, c_state);
  std::printf("\n| POST /v1/decide, no human needed | decisions | p50 | p99 | server CPU per request |\n|---|---|---|---|---|\n");
  row("no --state", c_plain, -1);
  row("--state, with the open cases (the scheduler sweeping them)", c_state, -1);
  std::printf("\nratio --state with %zu open cases / no --state: p50 %.2f×, p99 %.2f×\n", o.cases, c_state.pct(0.5) / c_plain.pct(0.5),
              c_state.pct(0.99) / c_plain.pct(0.99));

  double load1[3] = {0, 0, 0};
  ::getloadavg(load1, 3);
  std::printf("\nload average at the end: %.2f %.2f %.2f\n", load1[0], load1[1], load1[2]);
  if (o.smoke) std::printf("smoke: every answer checked — ok\n");
  return 0;
}
