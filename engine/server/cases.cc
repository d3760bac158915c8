// server/cases.cc — the approval-case endpoints of `redline serve`
// (docs/approvals.md "Approval cases in redline serve"): a decision that
// pauses for a human opens a case; approvers list, read, approve and deny
// cases with their bearer tokens; every approval decides the request again
// with the engine, the case's approvals fed in as the request's approvals,
// and the case closes when the decision is final. Every case event is an
// audit record.
#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "ast/literals.h"
#include "audit/record.h"
#include "diag/codes.h"
#include "eval/json_out.h"
#include "redline/approval_hash.h"
#include "redline/approvers.h"
#include "server/log.h"
#include "server/service.h"
#include "state/state_dir.h"

namespace redline::server {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kMaxComment = 4096;   ///< bytes of an approver's comment
constexpr std::size_t kMaxPage = 500;       ///< cases per listing page
constexpr std::chrono::seconds kMaxWait{60};   ///< the longest long-poll
constexpr std::int64_t kMaxSignedAge = 300;    ///< seconds a signed action's `at` may lie before the server's clock
constexpr std::int64_t kMaxSignedAhead = 60;   ///< ... and after it (a signer's clock running fast)

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }
std::string_view code(diag::Code c) { return diag::info(c).text; }
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// The value of query parameter `name` of `target`, percent-decoded ('+' is
/// a space); nullopt when absent; false in `ok` when malformed.
std::optional<std::string> query_param(std::string_view target, std::string_view name, bool& ok) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    std::string_view part = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), part.size() + 1));
    std::string_view key = part.substr(0, part.find('='));
    if (key != name) continue;
    std::string raw(part.size() > key.size() ? part.substr(key.size() + 1) : std::string_view());
    for (char& c : raw)
      if (c == '+') c = ' ';
    std::string out;
    if (!percent_decode(raw, out)) return ok = false, std::nullopt;
    return out;
  }
  return std::nullopt;
}

/// Every role any pending rule of `d` awaits, sorted, once each.
std::vector<std::string> pending_roles(const Decision& d) {
  std::vector<std::string> roles;
  for (const Pending& p : d.pending())
    for (const std::string& r : p.roles)
      if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  std::sort(roles.begin(), roles.end());
  return roles;
}

std::string request_string(const Request& r, std::string_view path) {
  const RequestValue* v = r.find(path);
  return v && v->kind == RequestValue::Kind::String ? v->string : std::string();
}

bool final_outcome(Outcome o) { return o == Outcome::allow || o == Outcome::deny; }

/// A long-poll's `wait`: whole seconds, optionally with `s`, `ms` or `m`
/// ("30", "30s", "500ms", "1m"), at most kMaxWait; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_wait(std::string_view text) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data() || n > 3'600'000) return std::nullopt;
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::chrono::milliseconds ms;
  if (unit.empty() || unit == "s") ms = std::chrono::seconds(n);
  else if (unit == "ms") ms = std::chrono::milliseconds(n);
  else if (unit == "m") ms = std::chrono::minutes(n);
  else return std::nullopt;
  if (ms > kMaxWait) return std::nullopt;
  return ms;
}

}  // namespace

bool Service::waits(const HttpRequest& req) const {
  std::string_view path = req.path();
  return req.method == "GET" && starts_with(path, "/v1/cases/") && req.target.find("wait=") != std::string_view::npos && host_.has_state();
}

void Service::case_changed() {
  std::lock_guard lk(case_mu_);
  ++case_generation_;
  case_cv_.notify_all();
}

bool Service::audited_path(std::string_view path) { return governance_path(path) || path == "/v1/cases" || starts_with(path, "/v1/cases/"); }

// ---- opening ----

bool Service::attach_case(const PolicyVersion& v, std::string_view text, const Decision& d, Scratch& s, std::string& body, cases::Case& c,
                          std::string& error) {
  cases::CaseStore* store = host_.cases();
  Request r = Request::from_json(text);
  cases::NewCase n;
  n.request_id = request_string(r, "request.id");
  n.request_digest = r.digest();
  n.requester = request_string(r, "actor.id");
  n.request = std::string(text);
  n.policy = v.program->hash();
  n.outcome = std::string(to_string(d.outcome()));
  n.decision = body;
  n.at = state::now_rfc3339();
  n.roles = pending_roles(d);
  {
    audit::CaseEvent e{"opened", cases::case_id_for(n.request_id, n.request_digest), n.request_id, n.request_digest, n.policy, n.outcome,
                       "", "", "", n.roles};
    n.records.push_back(audit::case_record(e, n.at));
  }
  bool created = false;
  if (!store->open_case(n, c, created, error)) {
    log_event("error", "case_store_failed", {{"reason", error}});
    error = "the approval case cannot be stored: " + error;
    return false;
  }
  if (created) {
    log_event("info", "case_opened", {{"case", c.id}, {"outcome", c.outcome}});
    notify("opened", c);
    case_changed();
  } else if (c.actions.empty()) {
    body = c.decision;   // the same request again, nobody has acted: the case as it stands
  } else {
    // The same request again after sign-offs: decided now, under the serving
    // policy and switches, with the case's actions as its approvals — never
    // an answer the case stored under other conditions.
    cases::Recomputed now;
    cases::Refusal why;
    if (!case_redecide(v, c, nullptr, state::now_rfc3339(), true, s, now, why)) {
      error = why.message;
      return false;
    }
    auto rec = host_.log().append_durable(std::move(now.records), true);
    if (!rec.ok()) {
      log_event("error", "audit_append_failed", {{"record", "decision"}, {"reason", rec.error}});
      error = "the decision cannot be audited: " + rec.error;
      return false;
    }
    body = std::move(now.decision);
    c.outcome = now.outcome;
  }
  // The decision JSON with the case's id, URL and state as its last member.
  if (!body.empty() && body.back() == '}') body.pop_back();
  eval::JsonOut j(body);
  j.raw(",\"case\":{\"id\":");
  j.str(c.id);
  j.raw(",\"url\":");
  j.str("/v1/cases/" + c.id);
  j.raw(",\"state\":");
  j.str(to_string(c.state));
  j.raw("}}");
  return true;
}

// ---- the endpoints ----

void Service::case_refuse(const HttpRequest& req, std::string_view peer, const Token* t, int status, diag::Code c,
                          std::string_view message, Response& out) {
  if (status == 401 || status == 403) {   // authorization failures are audited and counted
    metrics_.auth_failure();
    log_event("warning", "case_refused", {{"peer", peer}, {"path", req.path()}, {"status", std::to_string(status)}, {"reason", message}});
    record_refusal(req.method, req.path(), peer, status, message, t ? std::string_view(t->actor) : std::string_view());
  }
  fail(out, status, code(c), message);
}

void Service::cases_endpoint(const HttpRequest& req, std::string_view peer, Scratch& s, Response& out) {
  std::string_view path = req.path();
  if (!host_.cases()) return fail(out, 404, "no_case_store", "approval cases need a state folder (--state DIR)");
  if (path == "/v1/cases") {
    if (req.method != "GET") {
      fail(out, 405, "method_not_allowed", "use GET for /v1/cases");
      out.headers += "Allow: GET\r\n";
      return;
    }
    if (const Token* t = authenticate(req, peer, false, out)) case_list(req, peer, *t, out);
    return;
  }
  std::string_view rest = path.substr(10);   // after "/v1/cases/"
  enum { view, approve, deny_it } what = view;
  if (rest.ends_with("/approve")) what = approve, rest.remove_suffix(8);
  else if (rest.ends_with("/deny")) what = deny_it, rest.remove_suffix(5);
  std::string_view want = what == view ? "GET" : "POST";
  if (req.method != want) {
    fail(out, 405, "method_not_allowed", "use " + std::string(want) + " for " + std::string(path));
    out.headers += "Allow: " + std::string(want) + "\r\n";
    return;
  }
  // A case may be read by whoever may ask for decisions (the application
  // polls the case its request opened); acting always needs a token.
  const Token* t = nullptr;
  // A token sent anyway is checked (an approver's read of a case is recorded).
  if (what != view || !config_.decisions_open || !req.authorization.empty()) {
    t = authenticate(req, peer, false, out);
    if (!t) return;
  }
  if (!cases::valid_case_id(rest))
    return case_refuse(req, peer, t, 400, diag::Code::CaseBadId, "`" + std::string(rest.substr(0, 80)) + "` is not a case id (c- and 32 hex digits)", out);
  if (what == view) {
    bool ok = true;
    auto wait = query_param(req.target, "wait", ok);
    std::optional<std::chrono::milliseconds> ms = std::chrono::milliseconds(0);
    if (wait) ms = parse_wait(*wait);
    if (!ok || !ms)
      return case_refuse(req, peer, t, 400, diag::Code::CaseBadAction,
                         "`wait` is how long to wait for the case to change: up to 60s (e.g. `30s`, `500ms`)", out);
    return case_get(rest, *ms, t, out);
  }
  case_act(req, peer, *t, rest, what == approve, s, out);
}

void Service::case_list(const HttpRequest& req, std::string_view peer, const Token& t, Response& out) {
  bool ok = true;
  auto role = query_param(req.target, "role", ok);
  auto state = query_param(req.target, "state", ok);
  auto after = query_param(req.target, "after", ok);
  auto limit = query_param(req.target, "limit", ok);
  if (!ok) return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction, "a query parameter has a malformed %-escape", out);
  cases::CaseQuery q;
  q.state = state.value_or("open");
  if (q.state == "any") q.state.clear();
  if (!q.state.empty() && q.state != "open" && q.state != "decided")
    return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction, "`state` is `open`, `decided` or `any`", out);
  if (limit) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || p != limit->data() + limit->size() || n == 0 || n > kMaxPage)
      return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction, "`limit` is a whole number from 1 to " + std::to_string(kMaxPage), out);
    q.limit = n;
  }
  if (after && !after->empty() && !cases::valid_case_id(*after))
    return case_refuse(req, peer, &t, 400, diag::Code::CaseBadId, "`after` is not a case id", out);
  q.after = after.value_or("");
  // An approver sees the cases awaiting the roles their token holds.
  if (role) {
    if (std::find(t.roles.begin(), t.roles.end(), *role) == t.roles.end())
      return case_refuse(req, peer, &t, 403, diag::Code::CaseWrongRole, "the token does not hold the role `" + *role + "`", out);
    q.roles = {*role};
  } else {
    q.roles = t.roles;
    if (q.roles.empty()) return void(out.body = R"({"cases":[],"next":null})");
  }
  std::vector<cases::Case> found;
  std::string error;
  if (!host_.cases()->list(q, found, error)) return fail(out, 503, code(diag::Code::CaseStoreFailed), "the case store failed: " + error);
  ojson arr = ojson::array();
  for (const cases::Case& c : found) {
    ojson d = ojson::parse(c.decision, nullptr, false);
    ojson r = ojson::parse(c.request, nullptr, false);
    std::string purpose = r.is_object() && r.contains("purpose") && r["purpose"].is_string() ? r["purpose"].get<std::string>() : "";
    arr.push_back({{"id", c.id}, {"url", "/v1/cases/" + c.id}, {"state", to_string(c.state)}, {"outcome", c.outcome}, {"purpose", purpose},
                   {"request_id", c.request_id}, {"requester", c.requester}, {"roles", c.roles}, {"opened_at", c.opened_at},
                   {"updated_at", c.updated_at},
                   {"pending", d.is_object() && d.contains("pending") ? d["pending"] : ojson(nullptr)}});
  }
  ojson j = {{"cases", arr}};
  j["next"] = found.size() == q.limit ? ojson(found.back().id) : ojson(nullptr);
  out.body = dump(j);
}

std::string Service::case_json(const cases::Case& c) const {
  ojson j;
  j["id"] = c.id;
  j["url"] = "/v1/cases/" + c.id;
  j["state"] = to_string(c.state);
  j["outcome"] = c.outcome;
  j["request_id"] = c.request_id;
  j["request_digest"] = c.request_digest;
  j["requester"] = c.requester;
  j["policy"] = c.policy;
  j["roles"] = c.roles;
  j["opened_at"] = c.opened_at;
  j["updated_at"] = c.updated_at;
  j["version"] = c.version;
  ojson acts = ojson::array();
  for (const cases::CaseAction& a : c.actions) {
    ojson tg = ojson::parse(a.targets, nullptr, false);
    bool is_signed = tg.is_array() && !tg.empty();
    if (tg.is_array())
      for (const ojson& g : tg) is_signed = is_signed && g.is_object() && g.contains("signature");
    acts.push_back({{"by", a.by}, {"role", a.role}, {"verdict", a.verdict}, {"comment", a.comment}, {"at", a.at}, {"signed", is_signed}});
  }
  j["actions"] = acts;
  // What an approver's signature must cover to count for this case now
  // (docs/approvals.md "Signed approvals on a case"): the request's digest
  // and the serving policy's approval hash.
  if (c.state == cases::CaseState::open) {
    std::shared_ptr<const PolicyVersion> v = host_.current();
    if (v && v->program)
      j["signing"] = {{"format", "redline-approval-v1"}, {"request_digest", c.request_digest}, {"policy", approval_hash(*v->program)},
                      {"required", v->judging.options.require_signed}, {"keys", v->judging.options.keys != nullptr}};
  }
  // The request as posted, with the masked fields masked as audit records mask them.
  ojson req = ojson::parse(c.request, nullptr, false);
  if (!req.is_discarded()) {
    for (const std::string& p : host_.runtime().mask()) {
      try {
        ojson::json_pointer ptr(p);
        if (req.contains(ptr)) req[ptr] = audit::masked_value(host_.state().salt(), dump(req[ptr]));
      } catch (const std::exception&) {
        // validated when the runtime opened; a pointer that cannot apply masks nothing
      }
    }
  }
  j["request"] = req.is_discarded() ? ojson(nullptr) : req;
  ojson d = ojson::parse(c.decision, nullptr, false);
  j["decision"] = d.is_discarded() ? ojson(nullptr) : d;
  // Where the case's events went (the webhook outbox; [] without webhooks).
  ojson deliveries = ojson::parse(deliveries_json(c.id), nullptr, false);
  j["deliveries"] = deliveries.is_array() ? deliveries : ojson::array();
  return dump(j);
}

void Service::case_get(std::string_view id, std::chrono::milliseconds wait, const Token* viewer, Response& out) {
  cases::Case c;
  std::string error;
  cases::Found f = host_.cases()->get(id, c, error);
  if (f == cases::Found::failed) return fail(out, 503, code(diag::Code::CaseStoreFailed), "the case store failed: " + error);
  if (f == cases::Found::no) return fail(out, 404, code(diag::Code::CaseNotFound), "no case " + std::string(id));
  // A long-poll of an open case waits for its next version. Past
  // kCaseWaiters at once, or while draining, it is answered at once (the
  // client asks again), so waiting never piles up.
  if (wait.count() > 0 && c.state == cases::CaseState::open) {
    struct Seat {
      std::atomic<int>& n;
      bool taken;
      ~Seat() { n.fetch_sub(1); }
    } seat{case_waiters_, case_waiters_.fetch_add(1) < kCaseWaiters};
    const auto deadline = std::chrono::steady_clock::now() + wait;
    const std::uint64_t version = c.version;
    std::unique_lock lk(case_mu_);
    while (seat.taken && !draining() && std::chrono::steady_clock::now() < deadline) {
      const std::uint64_t generation = case_generation_;
      case_cv_.wait_until(lk, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)),
                          [&] { return case_generation_ != generation || draining(); });
      lk.unlock();
      cases::Case now;
      f = host_.cases()->get(id, now, error);
      lk.lock();
      if (f != cases::Found::yes) break;   // answered as it was last read
      if (now.version != version || now.state != cases::CaseState::open) {
        c = std::move(now);
        break;
      }
    }
  }
  out.body = case_json(c);
  // An approver (a token with roles) who reads a case is on its record.
  if (viewer && !viewer->roles.empty()) {
    audit::CaseEvent e{"viewed", c.id, c.request_id, c.request_digest, c.policy, c.outcome, viewer->actor, "", "", {}};
    auto rec = host_.log().append_durable(audit::case_record(e, state::now_rfc3339()), false);
    if (!rec.ok()) log_event("error", "audit_append_failed", {{"record", "case"}, {"reason", rec.error}});
  }
}

bool Service::case_redecide(const PolicyVersion& v, const cases::Case& c, const cases::CaseAction* extra, const std::string& now,
                            bool record, Scratch& s, cases::Recomputed& next, cases::Refusal& why) {
  ojson request = ojson::parse(c.request, nullptr, false);
  if (!request.is_object()) {
    why = {500, std::string(code(diag::Code::CaseStoreFailed)), "the case's request is not a JSON object"};
    return false;
  }
  if (!request.contains("request") || !request["request"].is_object()) request["request"] = ojson::object();
  request["request"]["now"] = now;
  ojson approvals = request.contains("approvals") && request["approvals"].is_array() ? request["approvals"] : ojson::array();
  std::vector<const cases::CaseAction*> all;
  for (const cases::CaseAction& x : c.actions) all.push_back(&x);
  if (extra) all.push_back(extra);
  for (const cases::CaseAction* x : all) {
    ojson tg = ojson::parse(x->targets, nullptr, false);
    if (!tg.is_array()) continue;
    for (const ojson& g : tg)
    {
      ojson a = {{"rule", g.value("rule", "")}, {"step", g.value("step", "")}, {"by", x->by}, {"role", x->role},
                 {"verdict", x->verdict}, {"at", x->at}};
      if (g.contains("signature") && g["signature"].is_string()) a["signature"] = g["signature"];
      approvals.push_back(std::move(a));
    }
  }
  request["approvals"] = approvals;
  std::string text = dump(request);
  Decision& decision = s.decision;
  std::string json;
  runtime::Decided r;
  if (record) {
    // Its records go with the case's change (the store's journal), or, for
    // a request asked again, are written by the caller before it answers.
    r = host_.runtime().decide_deferred(*v.program, v.board.get(), v.judging, text, decision, json, next.records);
  } else {
    // A look only (the scheduler's pass): nothing is recorded unless it changed something.
    const EvalOptions options{.approvals = &v.judging.options, .switches = v.board.get()};
    v.program->evaluate(v.program->bind_json(text, options), decision, options);
    json = decision.to_json();
    r = {decision.outcome(), decision.error().has_value()};
  }
  if (r.unaudited) {
    why = {503, std::string(code(diag::Code::RequestInternal)), "the decision cannot be audited, so the action is not taken"};
    return false;
  }
  if (r.error) {
    why = {500, std::string(code(diag::Code::RequestInternal)), "the case's request cannot be decided again: " + json};
    return false;
  }
  next.outcome = std::string(to_string(r.outcome));
  next.decision = std::move(json);
  next.roles = pending_roles(decision);
  next.final = final_outcome(r.outcome);
  return true;
}

namespace {

/// What time can change about a paused decision: its outcome, the roles it
/// awaits, and the step each escalating rule is at.
/// The event time alone brought a case to: a step's deadline passed
/// (`advanced`), or its last one did and `on_timeout` settled it.
const char* time_event(bool final, const std::string& outcome) { return final ? (outcome == "deny" ? "expired" : "decided") : "advanced"; }
const char* time_event(const cases::Recomputed& next) { return time_event(next.final, next.outcome); }
const char* time_event(const cases::Case& c) { return time_event(c.state == cases::CaseState::decided, c.outcome); }

std::string progress_of(const std::string& outcome, const std::vector<std::string>& roles, const std::string& decision) {
  std::string key = outcome + "|";
  for (const std::string& r : roles) key += r + ",";
  ojson d = ojson::parse(decision, nullptr, false);
  if (d.is_object() && d.contains("pending") && d["pending"].is_object() && d["pending"].contains("rules") && d["pending"]["rules"].is_array())
    for (const ojson& p : d["pending"]["rules"])
      if (p.is_object()) key += "|" + p.value("rule", "") + "@" + (p.contains("current_step") && p["current_step"].is_string() ? p["current_step"].get<std::string>() : "");
  return key;
}

}  // namespace

Service::~Service() {
  {
    std::lock_guard lk(scheduler_mu_);
    scheduler_stop_ = true;
  }
  scheduler_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  {
    std::lock_guard lk(webhook_mu_);
    webhook_stop_.store(true, std::memory_order_release);
  }
  webhook_cv_.notify_all();
  if (webhook_thread_.joinable()) webhook_thread_.join();
}

void Service::start_case_scheduler() {
  if (!host_.cases() || config_.case_sweep_interval.count() == 0 || scheduler_.joinable()) return;
  scheduler_ = std::thread([this] {
    Scratch scratch(host_);
    std::unique_lock lk(scheduler_mu_);
    while (!scheduler_stop_) {
      scheduler_cv_.wait_for(lk, config_.case_sweep_interval, [&] { return scheduler_stop_; });
      if (scheduler_stop_) break;
      lk.unlock();
      if (!draining()) sweep_cases(scratch);
      lk.lock();
    }
  });
}

void Service::sweep_cases(Scratch& s) {
  cases::CaseStore* store = host_.cases();
  if (!store) return;
  const PolicyVersion& v = s.version.get();
  cases::CaseQuery q;
  q.state = "open";
  q.limit = kMaxPage;
  for (;;) {
    std::vector<cases::Case> page;
    std::string error;
    if (!store->list(q, page, error)) {
      log_event("error", "case_store_failed", {{"reason", error}});
      return;
    }
    for (const cases::Case& listed : page) {
      // A look first, without a write lock or a record; only a case that
      // time has moved is re-decided in a transaction and recorded.
      cases::Case c;
      if (store->get(listed.id, c, error) != cases::Found::yes || c.state != cases::CaseState::open) continue;
      std::string now = state::now_rfc3339();
      cases::Recomputed look;
      cases::Refusal why;
      if (!case_redecide(v, c, nullptr, now, false, s, look, why) ||
          progress_of(look.outcome, look.roles, look.decision) == progress_of(c.outcome, c.roles, c.decision))
        continue;
      cases::ActResult r = store->refresh(
          c.id,
          [&](const cases::Case& current, cases::Recomputed& next) {
            cases::Refusal ignored;
            cases::Recomputed fresh;
            if (!case_redecide(v, current, nullptr, now, false, s, fresh, ignored) ||
                progress_of(fresh.outcome, fresh.roles, fresh.decision) == progress_of(current.outcome, current.roles, current.decision))
              return false;
            // It moved: decide again for the record (an ordinary decision
            // record), and record the move — both committed with the change.
            if (!case_redecide(v, current, nullptr, now, true, s, next, ignored)) return false;
            audit::CaseEvent e{time_event(next), current.id, current.request_id, current.request_digest, v.program->hash(), next.outcome,
                               "", "", "", next.final ? std::vector<std::string>{} : next.roles};
            next.records.push_back(audit::case_record(e, now));
            return true;
          },
          now);
      if (r.status == cases::ActStatus::failed) log_event("error", "case_store_failed", {{"reason", r.error}});
      if (r.status != cases::ActStatus::done) continue;
      const cases::Case& after = r.after;
      bool decided = after.state == cases::CaseState::decided;
      audit::CaseEvent e{time_event(after), after.id, after.request_id, after.request_digest, v.program->hash(), after.outcome, "", "", "", after.roles};
      log_event("info", decided ? "case_expired" : "case_advanced", {{"case", after.id}, {"outcome", after.outcome}});
      notify(e.event, after);
      case_changed();
    }
    if (page.size() < q.limit) return;
    q.after = page.back().id;
  }
}

void Service::case_act(const HttpRequest& req, std::string_view peer, const Token& t, std::string_view id, bool approve, Scratch& s,
                       Response& out) {
  // The body: {"role", "comment", "at", "signatures"}, all optional; a
  // signed action gives `at` (when it was signed) and one signature per rule
  // the action applies to (docs/approvals.md "Signed approvals on a case").
  std::string role, comment, signed_at;
  std::map<std::string, std::string> signatures;   // rule → base64 signature
  bool has_signatures = false;
  if (!req.body.empty()) {
    ojson b = ojson::parse(req.body, nullptr, false);
    if (b.is_discarded() || !b.is_object())
      return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction,
                         "the body must be empty or {\"role\": \"...\", \"comment\": \"...\", \"at\": \"...\", \"signatures\": {...}}", out);
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (it.key() == "signatures") {
        if (!it.value().is_object())
          return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction,
                             "`signatures` maps each rule the action applies to (\"policy/rule\") to its base64 signature", out);
        for (auto sg = it.value().begin(); sg != it.value().end(); ++sg) {
          if (!sg.value().is_string())
            return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction, "the signature for `" + sg.key() + "` is not a string", out);
          signatures[sg.key()] = sg.value().get<std::string>();
        }
        has_signatures = true;
        continue;
      }
      if ((it.key() != "role" && it.key() != "comment" && it.key() != "at") || !it.value().is_string())
        return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction,
                           "unexpected member `" + it.key() + "`: the body has `role`, `comment` and `at` (strings) and `signatures` (an object)", out);
    }
    role = b.value("role", "");
    comment = b.value("comment", "");
    signed_at = b.value("at", "");
  }
  std::string now = state::now_rfc3339();
  if (has_signatures || !signed_at.empty()) {
    if (!has_signatures || signed_at.empty())
      return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction,
                         "a signed action gives both `at` (the time it signed) and `signatures`", out);
    std::optional<std::int64_t> at = parse_rfc3339(signed_at), server = parse_rfc3339(now);
    if (!at)
      return case_refuse(req, peer, &t, 400, diag::Code::CaseBadAction, "`at` must be an RFC 3339 time, not `" + signed_at.substr(0, 64) + "`", out);
    if (server && (*at > *server + kMaxSignedAhead || *at < *server - kMaxSignedAge))
      return case_refuse(req, peer, &t, 400, diag::Code::CaseSignedTime,
                         "the action was signed at " + signed_at.substr(0, 64) + ", which is not within " + std::to_string(kMaxSignedAge) +
                             " s before or " + std::to_string(kMaxSignedAhead) + " s after the server's clock (" + now + "): sign again now", out);
    // A signer's clock a little ahead: decide at the signed time, so the
    // approval is not "after now" (deadlines then pass at most that much early).
    if (server && *at > *server) now = format_rfc3339(*at);
  }
  if (comment.size() > kMaxComment)
    return case_refuse(req, peer, &t, 413, diag::Code::CaseCommentTooLong,
                       "the comment has " + std::to_string(comment.size()) + " bytes; at most " + std::to_string(kMaxComment), out);
  if (!role.empty() && std::find(t.roles.begin(), t.roles.end(), role) == t.roles.end())
    return case_refuse(req, peer, &t, 403, diag::Code::CaseWrongRole, "the token does not hold the role `" + role + "`", out);

  const PolicyVersion& v = s.version.get();
  cases::CaseAction action{t.actor, role, approve ? "approve" : "deny", comment, has_signatures ? signed_at : now, ""};
  cases::Decider decide = [&](const cases::Case& c, cases::CaseAction& a, cases::Recomputed& next, cases::Refusal& why) {
    if (!c.requester.empty() && a.by == c.requester) {
      why = {403, std::string(code(diag::Code::CaseOwnRequest)), "`" + a.by + "` made this request and may not act on it"};
      return false;
    }
    // The role: the one asked for, else the first of the token's roles the case awaits.
    if (a.role.empty())
      for (const std::string& r : t.roles)
        if (std::find(c.roles.begin(), c.roles.end(), r) != c.roles.end()) {
          a.role = r;
          break;
        }
    if (a.role.empty() || std::find(c.roles.begin(), c.roles.end(), a.role) == c.roles.end()) {
      std::string awaited;
      for (const std::string& r : c.roles) awaited += (awaited.empty() ? "" : ", ") + r;
      why = {403, std::string(code(diag::Code::CaseWrongRole)),
             (a.role.empty() ? "the token holds none of the roles the case awaits (" : "the case does not await `" + a.role + "` (it awaits ") +
                 awaited + ")"};
      return false;
    }
    // What the action applies to: every pending rule that awaits the role,
    // at the step of that name when the rule escalates.
    ojson d = ojson::parse(c.decision, nullptr, false);
    ojson targets = ojson::array();
    const std::string policy_hash = approval_hash(*v.program);
    std::size_t signed_targets = 0;
    if (d.is_object() && d.contains("pending") && d["pending"].is_object() && d["pending"].contains("rules"))
      for (const ojson& p : d["pending"]["rules"]) {
        if (!p.is_object() || !p.contains("roles") || !p["roles"].is_array()) continue;
        bool awaits = false;
        for (const ojson& r : p["roles"]) awaits = awaits || (r.is_string() && r.get<std::string>() == a.role);
        if (!awaits) continue;
        // An escalation's steps are named by their roles (its rules carry `current_step`).
        bool escalates = p.contains("current_step") && p["current_step"].is_string() && !p["current_step"].get<std::string>().empty();
        ojson target = {{"rule", p.value("rule", "")}, {"step", escalates ? a.role : ""}};
        const std::string rule = target["rule"].get<std::string>();
        auto sig = signatures.find(rule);
        if (sig == signatures.end()) {
          // Unsigned, it could never count for a rule that demands signed
          // approvals: refused, not kept.
          if ((p.contains("signed") && p["signed"] == true) || v.judging.options.require_signed) {
            why = {403, std::string(code(diag::Code::CaseNeedsSignature)),
                   "rule `" + rule + "` demands signed approvals and this action is unsigned: sign it with your approver key "
                   "(`redline approve --case " + c.id + " --key FILE`, or Sign in the inbox page) and send `at` and `signatures`"};
            return false;
          }
        } else {
          // Checked here for a precise refusal; the engine checks it again when it decides.
          Approval probe{rule, target["step"].get<std::string>(), a.by, a.role, a.verdict, a.at, sig->second, ""};
          const ApproverKeys* keys = v.judging.options.keys.get();
          const ApproverKey* key = keys ? keys->find(a.by) : nullptr;
          std::string problem;
          if (!keys) problem = "the server has no approver keys configured (`serve --keys FILE`), so no signature can be checked";
          else if (!key) problem = "`" + a.by + "` is not in the approver keys file";
          else if (std::find(key->roles.begin(), key->roles.end(), a.role) == key->roles.end())
            problem = "the keys file does not let `" + a.by + "` sign as `" + a.role + "`";
          else if (!verify_approval(probe, key->public_key, c.request_digest, policy_hash))
            problem = "the signature for `" + rule + "` does not verify: it must be `" + a.by +
                      "`'s Ed25519 signature of the redline-approval-v1 message for this case's request digest, the serving policy's "
                      "approval hash (`signing` in the case), the rule, step `" + probe.step + "`, role `" + a.role + "`, verdict `" +
                      a.verdict + "` and `at`";
          if (!problem.empty()) {
            why = {403, std::string(code(diag::Code::CaseBadSignature)), problem};
            return false;
          }
          target["signature"] = sig->second;
          ++signed_targets;
        }
        targets.push_back(std::move(target));
      }
    if (signed_targets != signatures.size()) {
      for (const auto& [rule, sig] : signatures) {
        bool used = false;
        for (const ojson& g : targets) used = used || g.value("rule", "") == rule;
        if (!used) {
          why = {400, std::string(code(diag::Code::CaseBadAction)),
                 "a signature for `" + rule + "`, which this action in role `" + a.role + "` does not apply to"};
          return false;
        }
      }
    }
    a.targets = dump(targets);
    if (!case_redecide(v, c, &a, now, true, s, next, why)) return false;
    // The action and, when it settles the case, the decision: recorded with
    // the re-decision, committed with the change.
    audit::CaseEvent e{approve ? "approved" : "denied", c.id, c.request_id, c.request_digest, v.program->hash(), "", a.by, a.role, a.comment, {}};
    next.records.push_back(audit::case_record(e, now));
    if (next.final) {
      audit::CaseEvent dec{"decided", c.id, c.request_id, c.request_digest, v.program->hash(), next.outcome, "", "", "", {}};
      next.records.push_back(audit::case_record(dec, now));
    }
    return true;
  };
  cases::ActResult r = host_.cases()->act(id, action, decide);
  switch (r.status) {
    case cases::ActStatus::unknown_case:
      return case_refuse(req, peer, &t, 404, diag::Code::CaseNotFound, "no case " + std::string(id), out);
    case cases::ActStatus::closed:
      return case_refuse(req, peer, &t, 409, diag::Code::CaseClosed, "case " + std::string(id) + " is already decided (" + r.after.outcome + ")", out);
    case cases::ActStatus::already_acted:
      return case_refuse(req, peer, &t, 409, diag::Code::CaseAlreadyActed, "`" + t.actor + "` already acted on case " + std::string(id), out);
    case cases::ActStatus::refused: {
      diag::Code c = diag::Code::RequestInternal;
      std::size_t n = 0;
      const diag::CodeInfo* all = diag::all_codes(&n);
      for (std::size_t i = 0; i < n; ++i)
        if (all[i].text == r.refusal.code) c = all[i].code;
      return case_refuse(req, peer, &t, r.refusal.status, c, r.refusal.message, out);
    }
    case cases::ActStatus::failed:
      log_event("error", "case_store_failed", {{"reason", r.error}});
      return fail(out, 503, code(diag::Code::CaseStoreFailed), "the case store failed; nothing changed: " + r.error);
    case cases::ActStatus::done:
      break;
  }
  const cases::Case& c = r.after;
  if (c.state == cases::CaseState::decided) {
    log_event("info", "case_decided", {{"case", c.id}, {"outcome", c.outcome}});
    notify("decided", c);
  }
  case_changed();
  out.body = case_json(c);
}

}  // namespace redline::server
