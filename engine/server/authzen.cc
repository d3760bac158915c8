// server/authzen.cc — the OpenID AuthZEN Authorization API 1.0 front of
// `redline serve` (§6 evaluation, §7 evaluations, §9 metadata, §10 HTTPS
// binding), mapped onto redline requests:
//   action.name            → purpose (a full dotted path)
//   action.properties.*    → request.action.*
//   subject.id             → actor.id;   subject.properties.* → actor.*
//   resource.id            → data.id;    resource.properties.* → data.*
//   context.request.* / .output / .approvals → request.* / output / approvals
//   every other context.*  → env.*
// A property named `id` is refused (the entity's own `id` is the only id).
// Every answer on an /access/v1 path — errors included — is a JSON object
// with a boolean `decision`, so a PEP that reads only `decision` fails
// closed. docs/serve.md "AuthZEN" states every mapping and status.
#include "server/authzen.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "eval/request_text.h"
#include "server/service.h"

namespace redline::server {
namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool ieq_prefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// The deepest nesting of arrays and objects in `text` (outside strings).
std::size_t nesting(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool absent(const json& e, const char* key) { return !e.contains(key) || e[key].is_null(); }

/// Checks one entity (`subject` or `resource`) and gives its redline object:
/// its properties plus its `id`.
bool map_entity(const json& e, const std::string& name, json& target, std::string& error) {
  if (absent(e, name.c_str())) return error = "`" + name + "` is required", false;
  const json& s = e[name];
  if (!s.is_object()) return error = "`" + name + "` must be an object", false;
  for (const char* key : {"type", "id"}) {
    if (absent(s, key)) return error = "`" + name + "." + key + "` is required", false;
    if (!s[key].is_string()) return error = "`" + name + "." + key + "` must be a string", false;
  }
  target = json::object();
  if (!absent(s, "properties")) {
    if (!s["properties"].is_object()) return error = "`" + name + ".properties` must be an object", false;
    if (s["properties"].contains("id"))
      return error = "`" + name + ".properties.id` is refused: the " + name + "'s id is `" + name + ".id`, and no property may stand in for it",
             false;
    target = s["properties"];
  }
  target["id"] = s["id"];
  return true;
}

/// The redline request of one AuthZEN evaluation; false with `error`.
bool map_evaluation(const json& e, json& out, std::string& error) {
  out = json::object();
  json actor, data, request = json::object();
  if (!map_entity(e, "subject", actor, error)) return false;
  if (absent(e, "action")) return error = "`action` is required", false;
  const json& a = e["action"];
  if (!a.is_object()) return error = "`action` must be an object", false;
  if (absent(a, "name")) return error = "`action.name` is required", false;
  if (!a["name"].is_string()) return error = "`action.name` must be a string", false;
  if (!map_entity(e, "resource", data, error)) return false;
  out["purpose"] = a["name"];
  out["actor"] = std::move(actor);
  out["data"] = std::move(data);
  if (!absent(a, "properties")) {
    if (!a["properties"].is_object()) return error = "`action.properties` must be an object", false;
    if (!a["properties"].empty()) request["action"] = a["properties"];
  }
  if (!absent(e, "context")) {
    if (!e["context"].is_object()) return error = "`context` must be an object", false;
    json env = json::object();
    for (const auto& [k, v] : e["context"].items()) {
      if (k == "request") {
        if (v.is_null()) continue;
        if (!v.is_object()) return error = "`context.request` must be an object", false;
        if (v.contains("action")) return error = "`context.request.action` is reserved: `request.action` holds `action.properties`", false;
        for (const auto& [rk, rv] : v.items()) request[rk] = rv;
      } else if (k == "output" || k == "approvals") {
        out[k] = v;
      } else {
        env[k] = v;
      }
    }
    if (!env.empty()) out["env"] = std::move(env);
  }
  if (!request.empty()) out["request"] = std::move(request);
  return true;
}

/// One answered evaluation.
struct Item {
  bool allow = false;
  bool error = false;          ///< not decided by the policy's rules: `code`, `message`, `status`
  int status = 200;            ///< what the error would be as a whole request
  std::string outcome = "deny";
  std::string code, message;
  std::string redline;         ///< the redline decision JSON
  const char* reason = nullptr;   ///< a short-circuit that stopped the batch here
  std::string case_id, case_state;   ///< the approval case a paused evaluation opened (with --state)
};

/// The AuthZEN Decision of `it`: bare `{"decision": …}` unless `full`
/// (then with `context.outcome` and `context.redline`); errors and
/// short-circuits always say so in `context`.
std::string render(const Item& it, bool full) {
  std::string s = it.allow ? "{\"decision\":true" : "{\"decision\":false";
  std::vector<std::string> parts;
  if (full || it.error) parts.push_back("\"outcome\":" + dump(it.outcome));
  if (it.error)
    parts.push_back("\"error\":" + dump(json{{"status", it.status}, {"code", it.code}, {"message", it.message}}));
  if (it.reason) parts.push_back(std::string("\"code\":\"200\",\"reason\":\"") + it.reason + "\"");
  // A paused evaluation says where its approval case is, so the PEP can send the user there and ask again.
  if (!it.case_id.empty())
    parts.push_back("\"case\":" + dump(json{{"id", it.case_id}, {"url", "/v1/cases/" + it.case_id}, {"state", it.case_state}}));
  if ((full || it.error) && !it.redline.empty()) parts.push_back("\"redline\":" + it.redline);
  if (!parts.empty()) {
    s += ",\"context\":{";
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + parts[i];
    s += '}';
  }
  s += '}';
  return s;
}

enum class Semantic { execute_all, deny_on_first_deny, permit_on_first_permit };

bool header_value_safe(std::string_view v) {
  if (v.empty() || v.size() > 1024) return false;
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace

bool is_authzen_path(std::string_view path) { return path == "/access/v1" || path.starts_with("/access/v1/"); }

RawPath classify_raw_request(std::string_view raw) {
  std::size_t nl = raw.find('\n');
  std::string_view line = raw.substr(0, nl);
  bool line_done = nl != std::string_view::npos;
  std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) {
    if (line_done) return RawPath::Other;   // a line with no target: not a request
    for (char c : line)
      if (c < 'A' || c > 'Z') return RawPath::Other;
    return RawPath::Unknown;                // nothing, or a method still arriving
  }
  std::string_view target = line.substr(sp + 1);
  std::size_t end = target.find_first_of(" \r");
  bool complete = end != std::string_view::npos || line_done;
  target = target.substr(0, end);
  if (ieq_prefix(target, "http://") || ieq_prefix(target, "https://")) {
    std::size_t slash = target.find('/', target.find("://") + 3);
    if (slash == std::string_view::npos) return complete ? RawPath::Other : RawPath::Unknown;
    target = target.substr(slash);
  }
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (is_authzen_path(path)) return RawPath::Authzen;
  if (!complete && std::string_view("/access/v1/").starts_with(path)) return RawPath::Unknown;
  return RawPath::Other;
}

void authzen_refusal(Response& out, int status, std::string_view code, std::string_view message, std::string_view redline_json) {
  Item it;
  it.error = true;
  it.status = status;
  it.code = code;
  it.message = message;
  it.redline = redline_json;
  out.status = status;
  out.content_type = "application/json";
  out.body = render(it, true);
}

void echo_request_id(std::string_view value, Response& out) {
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (!header_value_safe(value)) return;
  out.headers += "X-Request-ID: ";
  out.headers += value;
  out.headers += "\r\n";
}

/// The X-Request-ID header of a request's raw bytes (complete header lines only), or "".
std::string_view raw_request_id(std::string_view raw) {
  std::size_t at = raw.find('\n');
  while (at != std::string_view::npos) {
    std::size_t next = raw.find('\n', at + 1);
    if (next == std::string_view::npos) break;
    std::string_view line = raw.substr(at + 1, next - at - 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;   // end of the header section
    if (ieq_prefix(line, "x-request-id:")) return line.substr(13);
    at = next;
  }
  return {};
}

void Service::authzen_configuration(const HttpRequest& req, Response& out) {
  std::string base = config_.authzen_pdp;
  if (base.empty()) {
    std::string_view host = req.header("Host");
    bool ok = !host.empty() && host.size() <= 255;
    for (char c : host)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                  c == ']');
    if (!ok) return fail(out, 400, "bad_request", "the Host header is not a host name (set `authzen.policy_decision_point` in the config)");
    base = "http://" + std::string(host);
  }
  json j = {{"policy_decision_point", base},
            {"access_evaluation_endpoint", base + "/access/v1/evaluation"},
            {"access_evaluations_endpoint", base + "/access/v1/evaluations"}};
  out.body = dump(j);
  out.headers += "Cache-Control: max-age=300\r\n";
}

void Service::authzen(const HttpRequest& req, std::string_view peer, Scratch& s, Response& out) {
  std::string_view path = req.path();
  auto refuse = [&](int status, std::string_view code, std::string_view message) {
    Response d;
    deny(d, status, code, message);
    authzen_refusal(out, status, code, message, d.body);
  };
  bool single = path == "/access/v1/evaluation", batch = path == "/access/v1/evaluations";
  bool search = path == "/access/v1/search/subject" || path == "/access/v1/search/resource" || path == "/access/v1/search/action";
  if (!single && !batch && !search)
    return refuse(404, "RL5010",
                  "no AuthZEN endpoint " + std::string(path) + " (POST /access/v1/evaluation or /access/v1/evaluations; see docs/serve.md)");
  if (req.method != "POST") {
    refuse(405, "RL5010", "use POST for " + std::string(path));
    out.headers += "Allow: POST\r\n";
    return;
  }
  if (!config_.decisions_open) {
    Response a;
    if (!authenticate(req, peer, true, a)) {
      json d = json::parse(a.body, nullptr, false);
      std::string why = d.is_object() && d.contains("error") ? d["error"].value("message", "") : "unauthorized";
      refuse(401, "RL5011", why);
      out.headers += a.headers;   // WWW-Authenticate
      return;
    }
  }
  // §10: requests MUST say Content-Type: application/json; anything else is a Bad Request.
  std::string_view ct = req.content_type;
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.remove_suffix(1);
  if (!iequals(base, "application/json"))
    return refuse(400, "RL5010", ct.empty() ? std::string("the request needs Content-Type: application/json")
                                            : "the body must be JSON (Content-Type: application/json), not `" + std::string(ct) + "`");
  if (search)
    return refuse(501, "RL5010",
                  "the AuthZEN search APIs are not supported: redline decides about the subject, resource and action it is given and "
                  "keeps no directory of them to search (see docs/serve.md)");
  // The request door's rules hold for the body too: bounded size and depth, no NUL, no repeated key.
  if (auto e = eval::check_json_text(req.body)) return refuse(400, e->code, e->message);
  if (nesting(req.body) > 64) return refuse(400, "RL5008", "the request nests deeper than 64 levels");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return refuse(400, "RL5001", req.body.empty() ? "the request body is empty" : "the request is not valid JSON");
  if (!body.is_object()) return refuse(400, "RL5007", "the request is not a JSON object");

  bool full = config_.authzen_context;
  Semantic semantic = Semantic::execute_all;
  if (!absent(body, "options")) {
    const json& o = body["options"];
    if (!o.is_object()) return refuse(400, "RL5010", "`options` must be an object");
    if (batch && !absent(o, "evaluations_semantic")) {
      const json& m = o["evaluations_semantic"];
      if (m == "execute_all") semantic = Semantic::execute_all;
      else if (m == "deny_on_first_deny") semantic = Semantic::deny_on_first_deny;
      else if (m == "permit_on_first_permit") semantic = Semantic::permit_on_first_permit;
      else
        return refuse(400, "RL5010",
                      "`options.evaluations_semantic` must be \"execute_all\", \"deny_on_first_deny\" or \"permit_on_first_permit\", not " +
                          dump(m));
    }
    if (!absent(o, "redline_context")) {
      if (!o["redline_context"].is_boolean()) return refuse(400, "RL5010", "`options.redline_context` must be true or false");
      full = o["redline_context"].get<bool>();
    }
  }

  // Opens (or finds) the case of a paused evaluation and answers with it; a
  // store that fails makes the evaluation a 503 error.
  auto attach_item_case = [this](const PolicyVersion& pv, const std::string& text, const Decision& decision, Scratch& ps, Item& it) {
    cases::Case c;
    std::string failure;
    if (attach_case(pv, text, decision, ps, it.redline, c, failure)) {
      it.case_id = c.id;
      it.case_state = to_string(c.state);
      it.outcome = c.outcome;
      it.allow = c.outcome == "allow";
      return true;
    }
    Response r;
    deny(r, 503, "RL5020", failure);
    it.error = true, it.status = 503, it.code = "RL5020", it.message = failure, it.redline = std::move(r.body);
    it.allow = false, it.outcome = "deny";
    return false;
  };
  const PolicyVersion& v = s.version.get();   // one version decides the whole request
  bool any_unaudited = false;
  std::optional<std::pair<std::string, Decision>> deferred;   // a single evaluation's case, opened on the pool
  auto decide = [&](const json& e) {
    auto t0 = std::chrono::steady_clock::now();
    Item it;
    json request;
    std::string error;
    if (!map_evaluation(e, request, error)) {
      Response r;
      deny(r, 400, "RL5010", error);
      it.error = true, it.status = 400, it.code = "RL5010", it.message = error, it.redline = std::move(r.body);
      metrics_.decision(Outcome::deny, true, 0);
      return it;
    }
    const std::string text = dump(request);
    Decided d = decide_one(v, text, s, it.redline);
    it.outcome = to_string(d.outcome);
    it.allow = d.outcome == Outcome::allow && !d.error;
    // A paused evaluation opens an approval case (or finds its own, and then
    // answers with what the case's sign-offs decide now). On an event loop
    // (a single evaluation: Service::blocking sends batches with cases to the
    // pool) the case's commit waits for the blocking pool.
    if (!d.error && (d.outcome == Outcome::require_approval || d.outcome == Outcome::escalate) && host_.cases()) {
      if (s.may_block) any_unaudited = !attach_item_case(v, text, s.decision, s, it) || any_unaudited;
      else deferred.emplace(text, s.decision);
    }
    if (d.error) {
      json dj = json::parse(it.redline, nullptr, false);
      const json* err = dj.is_object() && dj.contains("error") && dj["error"].is_object() ? &dj["error"] : nullptr;
      it.error = true;
      it.code = err ? err->value("code", "RL5009") : "RL5009";
      it.message = err ? err->value("message", "") : "the decision could not be made";
      // A well-formed AuthZEN request the policy cannot grant (an action it
      // does not know, a property of the wrong type) is a decided "no";
      // an unwritable audit record is the PDP's failure; the rest is malformed.
      it.status = it.code == "RL5003" || it.code == "RL5004" ? 200 : it.code == "RL5009" ? 503 : 400;
    }
    any_unaudited = any_unaudited || d.unaudited;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    metrics_.decision(d.outcome, d.error, static_cast<std::uint64_t>(ns));
    return it;
  };

  // §7: an absent or empty `evaluations` makes /evaluations a single evaluation.
  bool many = false;
  if (batch && !absent(body, "evaluations")) {
    if (!body["evaluations"].is_array()) return refuse(400, "RL5010", "`evaluations` must be an array");
    many = !body["evaluations"].empty();
  }
  if (!many) {
    Item it = decide(body);
    out.status = it.status;
    out.body = render(it, full);
    if (deferred)
      out.then = [attach_item_case, it, full, pv = s.version.shared(), paused = std::move(*deferred)](Scratch& ps, Response& o) mutable {
        attach_item_case(*pv, paused.first, paused.second, ps, it);
        o.status = it.status;
        o.body = render(it, full);
      };
    return;
  }
  const json& items = body["evaluations"];
  if (items.size() > config_.max_batch)
    return refuse(413, "RL5008", "more than " + std::to_string(config_.max_batch) + " evaluations in one request");
  for (const char* k : {"subject", "action", "resource", "context"})
    if (!absent(body, k) && !body[k].is_object()) return refuse(400, "RL5010", std::string("`") + k + "` must be an object");
  std::string answers;
  bool all = true, any = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Item it;
    if (!items[i].is_object()) {
      Response r;
      std::string why = "`evaluations[" + std::to_string(i) + "]` must be an object";
      deny(r, 400, "RL5010", why);
      it.error = true, it.status = 400, it.code = "RL5010", it.message = why, it.redline = std::move(r.body);
    } else {
      // §7.1: each evaluation's members replace the top-level defaults whole.
      json e = json::object();
      for (const char* k : {"subject", "action", "resource", "context"}) {
        if (items[i].contains(k)) e[k] = items[i][k];
        else if (body.contains(k)) e[k] = body[k];
      }
      it = decide(e);
    }
    all = all && it.allow;
    any = any || it.allow;
    bool stop = (semantic == Semantic::deny_on_first_deny && !it.allow) || (semantic == Semantic::permit_on_first_permit && it.allow);
    if (stop && semantic == Semantic::deny_on_first_deny) it.reason = "deny_on_first_deny";
    if (i) answers += ',';
    answers += render(it, full);
    if (stop) break;
  }
  // The top-level `decision` (the spec lets a PDP add it) says what the
  // semantic combines: every evaluation permitted, or (permit_on_first_permit) one.
  bool overall = semantic == Semantic::permit_on_first_permit ? any : all;
  out.body = "{\"evaluations\":[" + answers + "],\"decision\":" + (overall ? "true" : "false") + "}";
  if (any_unaudited) out.status = 503;   // the records cannot be written: a server failure
}

}  // namespace redline::server
