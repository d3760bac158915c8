// server/service.cc — see service.h. The AuthZEN mapping lives in authzen.cc.
#include "server/service.h"

#include <chrono>
#include <charconv>
#include <nlohmann/json.hpp>

#include "audit/verify.h"
#include "diag/codes.h"
#include "eval/json_out.h"
#include "flat/program_impl.h"
#include "killswitch/switch_state.h"
#include "redline/audit.h"
#include "server/authzen.h"
#include "server/log.h"

namespace redline::server {
namespace {

using ojson = nlohmann::ordered_json;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

/// The text of a code of the codes table (engine/diag/codes.def).
std::string_view code(diag::Code c) { return diag::info(c).text; }

}  // namespace

bool split_json_array(std::string_view text, std::size_t max, std::vector<std::string_view>& out, std::string& error) {
  out.clear();
  std::size_t i = 0, n = text.size();
  auto skip_ws = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  skip_ws();
  if (i == n || text[i] != '[') return error = "the body must be a JSON array of requests", false;
  ++i;
  skip_ws();
  if (i < n && text[i] == ']') {
    ++i;
    skip_ws();
    if (i != n) return error = "text after the JSON array", false;
    return true;
  }
  for (;;) {
    skip_ws();
    std::size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < n; ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '{' || c == '[') {
        if (++depth > 128) return error = "the JSON array nests too deeply", false;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    if (i >= n) return error = "the JSON array is not closed", false;
    std::size_t end = i;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
    if (end == start) return error = "an empty element in the JSON array", false;
    if (out.size() == max) return error = "more than " + std::to_string(max) + " requests in one batch", false;
    out.push_back(text.substr(start, end - start));
    if (text[i] == ']') {
      ++i;
      skip_ws();
      if (i != n) return error = "text after the JSON array", false;
      return true;
    }
    if (text[i] != ',') return error = "the JSON array is malformed", false;
    ++i;
  }
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    unsigned v = 0;
    if (i + 3 > in.size()) return false;
    auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
    if (ec != std::errc() || p != in.data() + i + 3) return false;
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return true;
}

// ---- responses ----

void Service::deny(Response& out, int status, std::string_view code, std::string_view message) {
  out.status = status;
  out.content_type = "application/json";
  out.body.clear();
  eval::JsonOut j(out.body);
  j.raw("{\"decision\":\"deny\"");
  if (auto v = host_.current()) {
    j.raw(",\"policy\":{\"layers\":");
    j.strs(v->program->layers());
    j.raw(",\"hash\":");
    j.str(v->program->hash());
    j.raw('}');
  }
  j.raw(",\"reasons\":[],\"pending\":null,\"obligations\":[],\"killed_by\":null,\"error\":{\"code\":");
  j.str(code);
  j.raw(",\"message\":");
  j.str(message);
  j.raw(",\"pointer\":\"\"}}");
}

void Service::fail(Response& out, int status, std::string_view code, std::string_view message) {
  out.status = status;
  out.content_type = "application/json";
  out.body.clear();
  eval::JsonOut j(out.body);
  j.raw("{\"error\":{\"code\":");
  j.str(code);
  j.raw(",\"message\":");
  j.str(message);
  j.raw("}}");
}

void Service::bad_http(int status, std::string_view why, Response& out, std::string_view raw) {
  deny(out, status, code(diag::Code::ServiceBadHttp), why);
  if (classify_raw_request(raw) != RawPath::Other) authzen_refusal(out, status, code(diag::Code::ServiceBadHttp), why, std::string(out.body));
  echo_request_id(raw_request_id(raw), out);
  out.close = true;
}

bool Service::governance_path(std::string_view path) {
  return path == "/v1/policy" || path == "/v1/switches" || starts_with(path, "/v1/switches/") || starts_with(path, "/v1/audit/");
}

void Service::record_refusal(std::string_view method, std::string_view path, std::string_view peer, int status, std::string_view reason,
                             std::string_view actor) {
  if (!host_.has_state() || !audited_path(path)) return;
  audit::AccessDenied a{std::string(method), std::string(path), std::string(peer), std::string(actor), std::string(reason), status};
  std::string error;
  // Buffered like a decision record; a failing log already turns /healthz 503.
  if (!host_.log().append(audit::access_denied_record(a, state::now_rfc3339()), &error))
    log_event("error", "audit_append_failed", {{"record", "access_denied"}, {"reason", error}});
}

bool Service::require_json(const HttpRequest& req, Response& out) {
  std::string_view ct = req.content_type;
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (ct.empty() || iequals(base, "application/json")) return true;
  deny(out, 415, code(diag::Code::ServiceBadHttp), "the body must be JSON (Content-Type: application/json), not `" + std::string(ct) + "`");
  return false;
}

const Token* Service::authenticate(const HttpRequest& req, std::string_view peer, bool decision_endpoint, Response& out) {
  const Token* t = req.authorization.empty() ? nullptr : find_token(config_, req.authorization);
  if (t) return t;
  std::string why = req.authorization.empty() ? "this endpoint needs a bearer token (Authorization: Bearer ...)" : "the bearer token is not valid";
  metrics_.auth_failure();
  log_event("warning", "auth_failure", {{"peer", peer}, {"path", req.path()}, {"status", "401"}, {"reason", why}});
  if (!decision_endpoint) record_refusal(req.method, req.path(), peer, 401, why);
  if (decision_endpoint) deny(out, 401, code(diag::Code::ServiceUnauthorized), why);
  else fail(out, 401, "unauthorized", why);
  out.headers += "WWW-Authenticate: Bearer realm=\"redline\"\r\n";
  return nullptr;
}

// ---- routing ----

bool Service::blocking(const HttpRequest& req) const {
  std::string_view path = req.path();
  if (starts_with(path, "/v1/audit/") || (starts_with(path, "/v1/switches/") && req.method == "POST")) return true;
  if (path == "/v1/cases" || starts_with(path, "/v1/cases/")) return host_.has_state();   // the case store's transactions
  // AuthZEN batches with cases run on the pool: their short-circuits depend on what each case decides.
  if (host_.cases() && path == "/access/v1/evaluations") return true;
  bool decision = path == "/v1/decide" || path == "/v1/decide/batch" || starts_with(path, "/access/v1/");
  // Durable records wait for a group commit: strict audit, or approvals (governance events).
  return decision && host_.has_state() && (config_.strict_audit || host_.runtime().may_block(req.body));
}

void Service::handle(const HttpRequest& req, std::string_view peer, Scratch& scratch, Response& out) {
  out.clear();
  std::string_view path = req.path();
  auto method_is = [&](std::string_view m) {
    if (req.method == m) return true;
    fail(out, 405, "method_not_allowed", "use " + std::string(m) + " for " + std::string(path));
    out.headers += "Allow: " + std::string(m) + "\r\n";
    return false;
  };
  auto decision_endpoint = [&](auto&& body) {
    if (req.method != "POST") {
      deny(out, 405, code(diag::Code::ServiceBadHttp), "use POST for " + std::string(path));
      out.headers += "Allow: POST\r\n";
      return;
    }
    if (!config_.decisions_open && !authenticate(req, peer, true, out)) return;
    if (!require_json(req, out)) return;
    body();
  };
  if (path == "/v1/decide") {
    decision_endpoint([&] { decide(req, scratch, out); });
  } else if (path == "/v1/decide/batch") {
    decision_endpoint([&] { decide_batch(req, scratch, out); });
  } else if (is_authzen_path(path)) {
    authzen(req, peer, scratch, out);
  } else if (path == "/.well-known/authzen-configuration") {
    if (method_is("GET")) authzen_configuration(req, out);
  } else if (path == "/healthz") {
    if (method_is("GET")) healthz(out);
  } else if (path == "/metrics") {
    if (method_is("GET") && (config_.metrics_open || authenticate(req, peer, false, out))) metrics(out);
  } else if (path == "/v1/policy") {
    if (method_is("GET") && authenticate(req, peer, false, out)) policy_info(out);
  } else if (path == "/v1/switches") {
    if (method_is("GET") && authenticate(req, peer, false, out)) switches(out);
  } else if (starts_with(path, "/v1/switches/")) {
    std::string_view rest = path.substr(13);
    bool trip = rest.ends_with("/trip"), reset = rest.ends_with("/reset");
    std::string name;
    if ((!trip && !reset) || !percent_decode(rest.substr(0, rest.size() - (trip ? 5 : 6)), name) || name.empty()) {
      fail(out, 404, "not_found", "use POST /v1/switches/NAME/trip or /v1/switches/NAME/reset");
    } else if (method_is("POST")) {
      if (const Token* t = authenticate(req, peer, false, out)) flip(req, peer, name, trip, *t, out);
    }
  } else if (path == "/v1/cases" || starts_with(path, "/v1/cases/")) {
    cases_endpoint(req, peer, scratch, out);
  } else if (path == "/v1/whoami") {
    if (method_is("GET"))
      if (const Token* t = authenticate(req, peer, false, out)) whoami(*t, out);
  } else if (path == "/inbox" || starts_with(path, "/inbox/")) {
    if (method_is("GET") && !inbox(path, out)) fail(out, 404, "not_found", "no such page: the inbox is /inbox");
  } else if (path == "/v1/audit/checkpoint") {
    if (method_is("GET") && authenticate(req, peer, false, out)) audit_checkpoint(out);
  } else if (starts_with(path, "/v1/audit/proof/")) {
    if (method_is("GET") && authenticate(req, peer, false, out)) audit_proof(path.substr(16), out);
  } else {
    fail(out, 404, "not_found", "no endpoint " + std::string(path) + " (see docs/serve.md)");
  }
  echo_request_id(req.header("X-Request-ID"), out);
  if (draining()) out.close = true;
}

// ---- decisions ----

Service::Decided Service::decide_one(const PolicyVersion& v, std::string_view text, Scratch& s, std::string& out) {
  runtime::Decided d = host_.runtime().decide(*v.program, v.board.get(), v.judging, text, s.decision, out);
  return {d.outcome, d.error, d.unaudited};
}

void Service::decide(const HttpRequest& req, Scratch& s, Response& out) {
  auto t0 = std::chrono::steady_clock::now();
  const PolicyVersion& v = s.version.get();
  Decided d = decide_one(v, req.body, s, out.body);
  out.status = d.unaudited ? 503 : d.error ? 400 : 200;
  // A request paused for a human opens an approval case (with --state).
  if (!d.error && (d.outcome == Outcome::require_approval || d.outcome == Outcome::escalate) && host_.cases()) {
    auto open = [this](const PolicyVersion& pv, std::string_view text, const Decision& decision, Scratch& ps, Response& o) {
      cases::Case c;
      std::string error;
      if (!attach_case(pv, text, decision, ps, o.body, c, error)) deny(o, 503, code(diag::Code::CaseStoreFailed), error);
    };
    if (s.may_block) {
      open(v, req.body, s.decision, s, out);
    } else {
      // Opening a case commits to the store and syncs: off the event loop,
      // so decisions that need no human are not held up behind it.
      out.then = [open, pv = s.version.shared(), text = req.body, decision = s.decision](Scratch& ps, Response& o) {
        open(*pv, text, decision, ps, o);
      };
    }
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  metrics_.decision(d.outcome, d.error, static_cast<std::uint64_t>(ns));
}

void Service::decide_batch(const HttpRequest& req, Scratch& s, Response& out) {
  std::vector<std::string_view> items;
  std::string error;
  if (!split_json_array(req.body, config_.max_batch, items, error)) {
    bool too_many = error.starts_with("more than");
    deny(out, too_many ? 413 : 400, too_many ? code(diag::Code::RequestTooLarge) : code(diag::Code::RequestInvalidJson), error);
    return;
  }
  const PolicyVersion& v = s.version.get();   // one version decides the whole batch
  // Each item's answer; a paused item opens (or finds) its own case. On an
  // event loop the case commits wait for the blocking pool (Response::then):
  // the items are decided (and recorded) here, their cases attached there.
  struct Paused {
    std::size_t index;
    std::string text;
    Decision decision;
  };
  std::vector<std::string> answers(items.size());
  std::vector<Paused> paused;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Decided d = decide_one(v, items[i], s, answers[i]);
    if (d.unaudited) out.status = 503;
    if (!d.error && (d.outcome == Outcome::require_approval || d.outcome == Outcome::escalate) && host_.cases()) {
      if (s.may_block) attach_batch_case(v, items[i], s.decision, s, answers[i], out.status);
      else paused.push_back({i, std::string(items[i]), s.decision});
    }
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    metrics_.decision(d.outcome, d.error, static_cast<std::uint64_t>(ns));
  }
  auto join = [](const std::vector<std::string>& parts, std::string& body) {
    std::size_t n = 2;
    for (const auto& a : parts) n += a.size() + 1;
    body.clear();
    body.reserve(n);
    body.push_back('[');
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) body.push_back(',');
      body += parts[i];
    }
    body.push_back(']');
  };
  if (paused.empty()) return join(answers, out.body);
  out.then = [this, join, pv = s.version.shared(), answers = std::move(answers), paused = std::move(paused)](Scratch& ps, Response& o) mutable {
    for (Paused& p : paused) attach_batch_case(*pv, p.text, p.decision, ps, answers[p.index], o.status);
    join(answers, o.body);
  };
}

void Service::attach_batch_case(const PolicyVersion& v, std::string_view text, const Decision& decision, Scratch& s, std::string& answer,
                                int& status) {
  cases::Case c;
  std::string failure;
  if (attach_case(v, text, decision, s, answer, c, failure)) return;
  Response refused;
  deny(refused, 503, code(diag::Code::CaseStoreFailed), failure);
  answer = std::move(refused.body);
  status = 503;
}

// ---- governance ----

void Service::policy_info(Response& out) {
  auto v = host_.current();
  const ProgramImpl& p = ProgramAccess::impl(*v->program);
  ojson j;
  j["generation"] = v->generation;
  j["hash"] = v->program->hash();
  j["loaded_at"] = v->loaded_at;
  ojson layers = ojson::array();
  for (std::uint32_t l : p.data.chain) {
    const sema::Layer& layer = p.model->layers[l];
    layers.push_back({{"name", layer.name}, {"version", layer.version}, {"owner", layer.owner}, {"effective", layer.effective}});
  }
  j["layers"] = layers;
  ojson files = ojson::array();
  for (const FileStamp& f : v->files) files.push_back(f.path);
  j["files"] = files;
  j["switches"] = v->board->names();
  ReloadReport r = host_.last_reload();
  j["last_reload"] = {{"ok", r.ok}, {"at", r.at}, {"trigger", r.trigger}, {"generation", r.generation}};
  if (!r.ok) j["last_reload"]["diagnostics"] = r.message;
  out.body = dump(j);
}

void Service::switches(Response& out) {
  auto v = host_.current();
  killswitch::SwitchState persisted;
  if (host_.has_state()) {
    auto st = killswitch::read_switch_state(host_.state());
    if (st.ok()) persisted = *st.value;
  }
  ojson arr = ojson::array();
  for (const std::string& name : v->board->names()) {
    ojson e = {{"switch", name}, {"tripped", v->board->tripped(name)}};
    auto it = persisted.switches.find(name);
    if (it != persisted.switches.end())
      e.update({{"by", it->second.by}, {"role", it->second.role}, {"because", it->second.because}, {"at", it->second.at}, {"record", it->second.seq}});
    arr.push_back(std::move(e));
  }
  out.body = dump({{"switches", arr}});
}

void Service::flip(const HttpRequest& req, std::string_view peer, std::string_view name, bool trip, const Token& token, Response& out) {
  std::string because;
  if (!req.body.empty()) {
    ojson b = ojson::parse(req.body, nullptr, false);
    if (b.is_discarded() || !b.is_object() || (b.contains("because") && !b["because"].is_string()))
      return fail(out, 400, "bad_request", "the body must be empty or {\"because\": \"...\"}");
    if (b.contains("because")) because = b["because"].get<std::string>();
  }
  auto v = host_.current();
  // Act in the first of the token's roles that owns the switch (else its first role, to be refused).
  killswitch::FlipRequest fr{std::string(name), trip, token.actor, "", because};
  killswitch::FlipCheck check = killswitch::check_flip(*v->program, fr);
  for (const auto& role : token.roles) {
    fr.role = role;
    check = killswitch::check_flip(*v->program, fr);
    if (check.index < 0 || check.refused.empty()) break;
  }
  if (!check.refused.empty() && !token.roles.empty()) {
    fr.role = token.roles.front();
    check = killswitch::check_flip(*v->program, fr);
  }
  if (check.index < 0) {
    record_refusal(req.method, req.path(), peer, 404, check.message, token.actor);
    return fail(out, 404, "unknown_switch", check.message);
  }
  std::optional<std::uint64_t> seq;
  if (host_.has_state()) {
    killswitch::FlipResult r = killswitch::flip_switch(host_.state(), host_.log(), *v->program, fr);
    if (r.refused) {
      metrics_.auth_failure();
      log_event("warning", "switch_refused", {{"switch", check.qualified}, {"by", fr.by}, {"role", fr.role}, {"reason", r.message}});
      return fail(out, 403, "forbidden", r.message);
    }
    if (r.unlogged) v->board->trip(check.qualified);   // fail closed: the trip holds even though it is not logged
    if (!r.applied) return fail(out, 503, "audit_unavailable", r.message);
    seq = r.seq;
  } else if (!check.refused.empty()) {
    metrics_.auth_failure();
    log_event("warning", "switch_refused", {{"switch", check.qualified}, {"by", fr.by}, {"role", fr.role}, {"reason", check.message}});
    return fail(out, 403, "forbidden", check.message);
  }
  // The serving board changes now; the state folder's watcher confirms it.
  if (trip) v->board->trip(check.qualified);
  else v->board->reset(check.qualified);
  log_event("info", trip ? "switch_tripped" : "switch_reset",
            {{"switch", check.qualified}, {"by", fr.by}, {"role", fr.role}, {"because", because}});
  ojson j = {{"switch", check.qualified}, {"tripped", trip}, {"by", fr.by}, {"role", fr.role}, {"because", because}};
  j["record"] = seq ? ojson(*seq) : ojson(nullptr);
  out.body = dump(j);
}

void Service::audit_checkpoint(Response& out) {
  if (!host_.has_state()) return fail(out, 404, "no_audit_log", "the server runs without a state folder (--state DIR)");
  std::string error;
  host_.log().checkpoint(&error);   // cover what is buffered now
  auto note = audit::latest_checkpoint_note(host_.state());
  if (!note.ok()) return fail(out, 500, "audit_unreadable", note.error);
  if (!*note.value) return fail(out, 404, "no_checkpoint", "the audit log has no checkpoint yet");
  out.content_type = "text/plain; charset=utf-8";
  out.body = **note.value;
}

void Service::audit_proof(std::string_view seq_text, Response& out) {
  if (!host_.has_state()) return fail(out, 404, "no_audit_log", "the server runs without a state folder (--state DIR)");
  std::uint64_t seq = 0;
  auto [p, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ec != std::errc() || p != seq_text.data() + seq_text.size()) return fail(out, 400, "bad_request", "the record number must be an integer");
  std::string error;
  if (!host_.log().checkpoint(&error)) return fail(out, 500, "audit_unwritable", error);
  auto proof = audit::prove_inclusion(host_.state(), seq);
  if (!proof.ok()) return fail(out, 404, "no_such_record", proof.error);
  out.body = audit::proof_json(host_.state(), *proof.value);
}

void Service::healthz(Response& out) {
  auto v = host_.current();
  std::string failure = host_.has_state() ? host_.log().failure() : "";
  const char* status = draining() ? "draining" : !failure.empty() ? "failing" : "ok";
  ojson j = {{"status", status}, {"generation", v->generation}, {"hash", v->program->hash()}};
  if (!failure.empty()) j["reason"] = failure;
  out.status = std::string_view(status) == "ok" ? 200 : 503;
  out.body = dump(j);
}

void Service::metrics(Response& out) {
  out.content_type = "text/plain; version=0.0.4; charset=utf-8";
  out.body = metrics_.render();
  auto v = host_.current();
  eval::JsonOut j(out.body);   // label values are JSON-escaped strings, which Prometheus accepts
  out.body += "# HELP redline_switch_tripped Kill switches of the serving policy (1 = tripped).\n# TYPE redline_switch_tripped gauge\n";
  for (const std::string& name : v->board->names()) {
    out.body += "redline_switch_tripped{switch=";
    j.str(name);
    out.body += v->board->tripped(name) ? "} 1\n" : "} 0\n";
  }
  out.body += "# HELP redline_policy_generation The serving policy version (1 at start, +1 per reload).\n"
              "# TYPE redline_policy_generation gauge\nredline_policy_generation " + std::to_string(v->generation) + "\n";
  out.body += "# HELP redline_policy_info The serving policy's hash.\n# TYPE redline_policy_info gauge\nredline_policy_info{hash=";
  j.str(v->program->hash());
  out.body += "} 1\n";
  if (host_.has_state()) {
    out.body += "# HELP redline_audit_lag_records Decision records accepted but not yet durable.\n"
                "# TYPE redline_audit_lag_records gauge\nredline_audit_lag_records " + std::to_string(host_.log().buffered()) + "\n";
    out.body += "# HELP redline_audit_records Records in the audit log.\n# TYPE redline_audit_records gauge\nredline_audit_records " +
                std::to_string(host_.log().size()) + "\n";
  }
}

}  // namespace redline::server
