// server/authzen.cc — the AuthZEN-style evaluation API (OpenID AuthZEN
// Authorization API 1.0, §6 evaluation and §7 evaluations) mapped onto
// redline requests, so policy enforcement points that speak AuthZEN can ask
// redline:
//   action.name            → purpose (a full dotted path)
//   subject.id             → actor.id;   subject.properties.* → actor.*
//   resource.id            → data.id;    resource.properties.* → data.*
//   context.request / .output / .approvals → request / output / approvals
//   every other context.*  → env.*
// The answer is {"decision": true only for `allow`, "context": {"outcome",
// "redline": the full decision}}. docs/serve.md has the worked example.
#include <nlohmann/json.hpp>

#include "server/service.h"

namespace redline::server {
namespace {

using json = nlohmann::json;

/// The redline request of one AuthZEN evaluation; false with `error`.
bool map_evaluation(const json& e, json& out, std::string& error) {
  out = json::object();
  for (const char* k : {"subject", "action", "resource", "context"})
    if (e.contains(k) && !e[k].is_object()) return error = std::string("`") + k + "` must be an object", false;
  if (!e.contains("action") || !e["action"].contains("name") || !e["action"]["name"].is_string())
    return error = "`action.name` (the purpose) is required and must be a string", false;
  out["purpose"] = e["action"]["name"];
  auto entity = [&](const char* from, const char* to) {
    if (!e.contains(from)) return true;
    const json& s = e[from];
    json target = json::object();
    if (s.contains("properties")) {
      if (!s["properties"].is_object()) return error = std::string("`") + from + ".properties` must be an object", false;
      target = s["properties"];
    }
    if (s.contains("id") && !target.contains("id")) target["id"] = s["id"];
    if (!target.empty()) out[to] = std::move(target);
    return true;
  };
  if (!entity("subject", "actor") || !entity("resource", "data")) return false;
  if (e.contains("context")) {
    json env = json::object();
    for (const auto& [k, v] : e["context"].items()) {
      if (k == "request" || k == "output" || k == "approvals") out[k] = v;
      else env[k] = v;
    }
    if (!env.empty()) out["env"] = std::move(env);
  }
  return true;
}

}  // namespace

void Service::authzen(const HttpRequest& req, bool batch, Scratch& s, Response& out) {
  json body = json::parse(req.body, nullptr, false);
  auto refuse = [&](std::string_view code, std::string_view message) {
    Response d;
    deny(d, 400, code, message);
    out.status = 400;
    out.body = "{\"decision\":false,\"context\":{\"outcome\":\"deny\",\"redline\":" + d.body + "}}";
  };
  if (body.is_discarded()) return refuse("RL5001", "the request is not valid JSON");
  if (!body.is_object()) return refuse("RL5007", "the request is not a JSON object");
  std::vector<json> evaluations;
  if (batch && body.contains("evaluations")) {
    if (!body["evaluations"].is_array()) return refuse("RL5010", "`evaluations` must be an array");
    if (body["evaluations"].size() > config_.max_batch)
      return refuse("RL5008", "more than " + std::to_string(config_.max_batch) + " evaluations in one request");
    // §7: each evaluation's members override the request's top-level defaults.
    for (const auto& item : body["evaluations"]) {
      if (!item.is_object()) return refuse("RL5010", "each of `evaluations` must be an object");
      json e = body;
      e.erase("evaluations");
      for (const auto& [k, v] : item.items()) e[k] = v;
      evaluations.push_back(std::move(e));
    }
  } else {
    evaluations.push_back(body);
  }
  const PolicyVersion& v = s.version.get();
  std::string answers;
  bool any_error = false;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    json request;
    std::string error;
    std::string decision;
    Decided d{Outcome::deny, true};
    if (map_evaluation(evaluations[i], request, error)) {
      d = decide_one(v, request.dump(-1, ' ', false, json::error_handler_t::replace), s, decision);
    } else {
      Response r;
      deny(r, 400, "RL5010", error);
      decision = std::move(r.body);
    }
    any_error = any_error || d.error;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    metrics_.decision(d.outcome, d.error, static_cast<std::uint64_t>(ns));
    if (i) answers += ',';
    answers += "{\"decision\":";
    answers += d.outcome == Outcome::allow ? "true" : "false";
    answers += ",\"context\":{\"outcome\":\"";
    answers += to_string(d.outcome);
    answers += "\",\"redline\":" + decision + "}}";
  }
  if (batch) {
    out.body = "{\"evaluations\":[" + answers + "]}";
  } else {
    out.body = std::move(answers);
    out.status = any_error ? 400 : 200;
  }
}

}  // namespace redline::server
