// server/service.h — the endpoints of `redline serve`, independent of the
// network core: given one parsed HTTP request, produce its response. Decision
// endpoints (/v1/decide, /v1/decide/batch, the AuthZEN evaluation API) always
// answer with decision JSON, `deny` with an `error` whenever anything is
// wrong (fail closed); governance endpoints (policy, switches, audit) need a
// bearer token and answer {"error": {...}} on failure. docs/serve.md is the
// reference.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "cases/case_store.h"
#include "diag/codes.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/policy_host.h"

namespace redline::server {

/// A response to write.
/// Per-thread scratch of the request path.
struct Scratch {
  explicit Scratch(const PolicyHost& host, bool may_block = true) : version(host), may_block(may_block) {}
  VersionCache version;
  Decision decision;
  bool may_block;   ///< false on an event loop: disk waits go to Response::then
};

struct Response {
  int status = 200;
  std::string_view content_type = "application/json";
  std::string body;
  std::string headers;   ///< extra header lines, each ending in CRLF
  bool close = false;    ///< close the connection after it
  /// Work that may wait on the disk, left by a handler that ran on an event
  /// loop: the server runs it on the blocking pool (with that thread's
  /// scratch) to finish this response before answering, while the loop
  /// serves other connections. The request's bytes stay valid until then.
  std::function<void(Scratch&, Response&)> then;
  void clear() {
    status = 200, content_type = "application/json", close = false;
    body.clear(), headers.clear(), then = nullptr;
  }
};


/// The endpoints.
class Service {
 public:
  Service(const ServeConfig& config, PolicyHost& host, Metrics& metrics) : config_(config), host_(host), metrics_(metrics) {}
  /// Stops the case scheduler and the webhook worker.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Starts the case scheduler (with a case store and a sweep interval): a
  /// thread that re-decides the open cases every `cases.sweep_interval_ms`,
  /// so that a step whose deadline passed moves on, and a case whose last
  /// deadline passed is decided by its `on_timeout`, with no request needed.
  void start_case_scheduler();
  /// One pass of the scheduler over every open case (also for tests).
  void sweep_cases(Scratch& scratch);

  /// Starts the webhook worker (with a case store and configured webhooks):
  /// a thread that POSTs the due deliveries of the outbox, retries failed
  /// ones with backoff, and picks up what a previous run left pending.
  void start_webhooks();
  /// Attempts every delivery due now, once each (the worker's pass; also for
  /// tests); the milliseconds until the next one is due (at most 1000).
  std::int64_t deliver_due();

  /// Whether handling `req` may wait on the disk (durable audit records,
  /// switch flips, audit reads): such requests run off the event loops.
  bool blocking(const HttpRequest& req) const;
  /// Handles one request; `peer` names the client in logs.
  void handle(const HttpRequest& req, std::string_view peer, Scratch& scratch, Response& out);
  /// The response to bytes that are not an acceptable HTTP request; `raw`,
  /// the bytes received, tells an AuthZEN path (whose answers carry a boolean
  /// `decision`) from the others.
  void bad_http(int status, std::string_view why, Response& out, std::string_view raw = {});
  /// With a state folder, appends an `access_denied` audit record of a
  /// refused request to a token-guarded governance path (else does nothing).
  void record_refusal(std::string_view method, std::string_view path, std::string_view peer, int status, std::string_view reason,
                      std::string_view actor = {});
  /// Whether `path` is a token-guarded governance endpoint (policy, switches, audit).
  static bool governance_path(std::string_view path);
  /// Whether refusals on `path` are audited: the governance paths and the approval cases.
  static bool audited_path(std::string_view path);

  /// Whether `req` is a long-poll of a case (`GET /v1/cases/ID?wait=...`):
  /// the server runs those on a pool of their own (kCaseWaiters threads), so
  /// that waiting never holds the pool that durable decisions and switch
  /// flips use.
  bool waits(const HttpRequest& req) const;
  /// Long-polls that may wait at once; more are answered at once.
  static constexpr int kCaseWaiters = 32;

  /// While draining, /healthz reports 503, responses close their connections
  /// and long-polls answer at once.
  void set_draining() {
    draining_.store(true, std::memory_order_release);
    std::lock_guard lk(case_mu_);
    case_cv_.notify_all();
  }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  struct Decided {
    Outcome outcome;
    bool error;
    bool unaudited = false;   ///< the record could not be written (RL5009): a server failure, 503
  };
  Decided decide_one(const PolicyVersion& v, std::string_view text, Scratch& s, std::string& out);
  void decide(const HttpRequest& req, Scratch& s, Response& out);
  void decide_batch(const HttpRequest& req, Scratch& s, Response& out);
  /// Every /access/v1 path (authzen.cc).
  void authzen(const HttpRequest& req, std::string_view peer, Scratch& s, Response& out);
  void authzen_configuration(const HttpRequest& req, Response& out);
  void policy_info(Response& out);
  void switches(Response& out);
  void flip(const HttpRequest& req, std::string_view peer, std::string_view name, bool trip, const Token& token, Response& out);
  void audit_checkpoint(Response& out);
  void audit_proof(std::string_view seq, Response& out);
  void healthz(Response& out);

  // ---- approval cases (cases.cc) ----
  /// Opens the case of a paused decision (or finds the request's case) and
  /// adds its id, URL and state to the decision JSON `body`; for a case
  /// someone acted on, `body` becomes the request decided now with the case's
  /// actions. False with `error` when the case cannot be stored or decided
  /// (`body` unchanged).
  bool attach_case(const PolicyVersion& v, std::string_view text, const Decision& d, Scratch& s, std::string& body, cases::Case& c,
                   std::string& error);
  /// attach_case for one item of a batch: a refusal replaces its answer and makes the batch's status 503.
  void attach_batch_case(const PolicyVersion& v, std::string_view text, const Decision& decision, Scratch& s, std::string& answer,
                         int& status);
  /// Every /v1/cases path.
  void cases_endpoint(const HttpRequest& req, std::string_view peer, Scratch& s, Response& out);
  void case_list(const HttpRequest& req, std::string_view peer, const Token& t, Response& out);
  /// The case; with `wait` > 0, an open case is answered once it changes
  /// (a new version or decided) or when `wait` has passed, whichever is first.
  void case_get(std::string_view id, std::chrono::milliseconds wait, const Token* viewer, Response& out);
  /// Wakes the long-polls: a case changed in this process.
  void case_changed();
  /// Queues a delivery of case event `event` ("opened", "advanced",
  /// "decided", "expired") of case `c` to every webhook that subscribes to
  /// it, and wakes the worker; no network I/O here (webhooks.cc).
  void notify(std::string_view event, const cases::Case& c);
  /// The case's deliveries as the JSON array of GET /v1/cases/ID.
  std::string deliveries_json(std::string_view case_id) const;
  void case_act(const HttpRequest& req, std::string_view peer, const Token& t, std::string_view id, bool approve, Scratch& s,
                Response& out);
  std::string case_json(const cases::Case& c) const;
  /// Decides the case's request again at `now`, with every action so far
  /// (and `extra`) as its approvals: recorded as an ordinary decision when
  /// `record`; false with `why` when it cannot be decided (or recorded).
  bool case_redecide(const PolicyVersion& v, const cases::Case& c, const cases::CaseAction* extra, const std::string& now, bool record,
                     Scratch& s, cases::Recomputed& next, cases::Refusal& why);
  /// A refused case request: {"error"} with an RL code; 401/403 are counted, logged and audited.
  void case_refuse(const HttpRequest& req, std::string_view peer, const Token* t, int status, diag::Code c, std::string_view message,
                   Response& out);
  void metrics(Response& out);
  /// The approvers' inbox page, script and style (inbox.cc); false for another path.
  bool inbox(std::string_view path, Response& out);
  /// GET /v1/whoami: the token's actor and roles.
  void whoami(const Token& t, Response& out);

  /// Checks the bearer token: null (and `out` filled with 401) when missing or wrong.
  const Token* authenticate(const HttpRequest& req, std::string_view peer, bool decision_endpoint, Response& out);
  /// A decision endpoint's refusal: `deny` with an error, as decision JSON.
  void deny(Response& out, int status, std::string_view code, std::string_view message);
  /// A governance endpoint's refusal: {"error": {"code", "message"}}.
  void fail(Response& out, int status, std::string_view code, std::string_view message);
  bool require_json(const HttpRequest& req, Response& out);

  const ServeConfig& config_;
  PolicyHost& host_;
  Metrics& metrics_;
  std::atomic<bool> draining_{false};
  // Long-polls wait on case_cv_, woken by every case change in this process
  // and re-reading the store every second (another process may act).
  std::mutex case_mu_;
  std::condition_variable case_cv_;
  std::uint64_t case_generation_ = 0;   ///< guarded by case_mu_
  std::atomic<int> case_waiters_{0};
  // The case scheduler.
  std::thread scheduler_;
  std::mutex scheduler_mu_;
  std::condition_variable scheduler_cv_;
  bool scheduler_stop_ = false;   ///< guarded by scheduler_mu_
  // The webhook worker: woken by notify(), else every second at most.
  std::thread webhook_thread_;
  std::mutex webhook_mu_;
  std::condition_variable webhook_cv_;
  bool webhook_kick_ = false;             ///< guarded by webhook_mu_
  std::atomic<bool> webhook_stop_{false};   ///< also ends an attempt in flight
};

/// Splits the JSON array `text` into the texts of its elements (not
/// validating them: each is read as a request later); false with `error`
/// when `text` is not an array or has more than `max` elements.
bool split_json_array(std::string_view text, std::size_t max, std::vector<std::string_view>& out, std::string& error);

/// Percent-decodes a path segment; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out);

}  // namespace redline::server
