// server/service.h — the endpoints of `redline serve`, independent of the
// network core: given one parsed HTTP request, produce its response. Decision
// endpoints (/v1/decide, /v1/decide/batch, the AuthZEN evaluation API) always
// answer with decision JSON, `deny` with an `error` whenever anything is
// wrong (fail closed); governance endpoints (policy, switches, audit) need a
// bearer token and answer {"error": {...}} on failure. docs/serve.md is the
// reference.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "cases/case_store.h"
#include "diag/codes.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/policy_host.h"

namespace redline::server {

/// A response to write.
struct Response {
  int status = 200;
  std::string_view content_type = "application/json";
  std::string body;
  std::string headers;   ///< extra header lines, each ending in CRLF
  bool close = false;    ///< close the connection after it
  void clear() {
    status = 200, content_type = "application/json", close = false;
    body.clear(), headers.clear();
  }
};

/// Per-thread scratch of the request path.
struct Scratch {
  explicit Scratch(const PolicyHost& host) : version(host) {}
  VersionCache version;
  Decision decision;
};

/// The endpoints.
class Service {
 public:
  Service(const ServeConfig& config, PolicyHost& host, Metrics& metrics) : config_(config), host_(host), metrics_(metrics) {}

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

  /// While draining, /healthz reports 503 and responses close their connections.
  void set_draining() { draining_.store(true, std::memory_order_release); }
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
  /// After `d` paused `text` for a human: opens its case, or finds the one
  /// the same request opened (whose current decision then replaces
  /// `out.body`), and adds the case's id, URL and state to the decision JSON.
  void attach_case(const PolicyVersion& v, std::string_view text, const Decision& d, Response& out);
  /// Every /v1/cases path.
  void cases_endpoint(const HttpRequest& req, std::string_view peer, Scratch& s, Response& out);
  void case_list(const HttpRequest& req, std::string_view peer, const Token& t, Response& out);
  void case_get(std::string_view id, Response& out);
  void case_act(const HttpRequest& req, std::string_view peer, const Token& t, std::string_view id, bool approve, Scratch& s,
                Response& out);
  std::string case_json(const cases::Case& c) const;
  /// A refused case request: {"error"} with an RL code; 401/403 are counted, logged and audited.
  void case_refuse(const HttpRequest& req, std::string_view peer, const Token* t, int status, diag::Code c, std::string_view message,
                   Response& out);
  void metrics(Response& out);

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
};

/// Splits the JSON array `text` into the texts of its elements (not
/// validating them: each is read as a request later); false with `error`
/// when `text` is not an array or has more than `max` elements.
bool split_json_array(std::string_view text, std::size_t max, std::vector<std::string_view>& out, std::string& error);

/// Percent-decodes a path segment; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out);

}  // namespace redline::server
