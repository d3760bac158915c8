// server/config.cc — see config.h.
#include "server/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "audit/log.h"
#include "diag/codes.h"
#include "server/http_client.h"
#include "state/state_dir.h"

namespace redline::server {
namespace {

using json = nlohmann::json;

bool parse_hex_digest(std::string_view hex, crypto::Sha256Digest& out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
    if (ec != std::errc() || p != hex.data() + 2 * i + 2) return false;
    out[i] = static_cast<std::uint8_t>(v);
  }
  return true;
}

bool check_keys(const json& obj, std::initializer_list<const char*> allowed, const std::string& where, std::string& error) {
  for (const auto& [k, v] : obj.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "`" : ", `") + std::string(a) + "`";
      error = "unknown key `" + k + "` in " + where + " (expected " + list + ")";
      return false;
    }
  }
  return true;
}

bool get_access(const json& j, const char* key, bool& open, std::string& error) {
  if (!j.contains(key)) return true;
  const json& v = j[key];
  if (v == "open") open = true;
  else if (v == "token") open = false;
  else return error = std::string("`") + key + "` must be \"open\" or \"token\"", false;
  return true;
}

template <class T>
bool get_uint(const json& obj, const char* key, T& out, std::uint64_t min, std::uint64_t max, std::string& error) {
  if (!obj.contains(key)) return true;
  const json& v = obj[key];
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() < min || v.get<std::uint64_t>() > max)
    return error = std::string("`") + key + "` must be an integer from " + std::to_string(min) + " to " + std::to_string(max), false;
  out = static_cast<T>(v.get<std::uint64_t>());
  return true;
}

bool get_ms(const json& obj, const char* key, std::chrono::milliseconds& out, std::uint64_t min, std::string& error) {
  std::uint64_t ms = static_cast<std::uint64_t>(out.count());
  if (!get_uint(obj, key, ms, min, 86'400'000, error)) return false;
  out = std::chrono::milliseconds(ms);
  return true;
}

bool parse_tokens(const json& arr, ServeConfig& out, std::string& error) {
  if (!arr.is_array()) return error = "`tokens` must be an array", false;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json& t = arr[i];
    std::string where = "tokens[" + std::to_string(i) + "]";
    if (!t.is_object()) return error = where + " must be an object", false;
    if (!check_keys(t, {"token", "sha256", "actor", "roles"}, where, error)) return false;
    Token tok;
    if (t.contains("token") == t.contains("sha256")) return error = where + " needs exactly one of `token` and `sha256`", false;
    if (t.contains("token")) {
      if (!t["token"].is_string() || t["token"].get<std::string>().size() < 16)
        return error = where + ".token must be a string of at least 16 characters", false;
      tok.digest = crypto::sha256(t["token"].get<std::string>());
    } else if (!t["sha256"].is_string() || !parse_hex_digest(t["sha256"].get<std::string>(), tok.digest)) {
      return error = where + ".sha256 must be 64 hex digits (the SHA-256 of the token)", false;
    }
    if (!t.contains("actor") || !t["actor"].is_string() || t["actor"].get<std::string>().empty())
      return error = where + ".actor must be a non-empty string", false;
    tok.actor = t["actor"].get<std::string>();
    if (t.contains("roles")) {
      if (!t["roles"].is_array()) return error = where + ".roles must be an array of strings", false;
      for (const auto& r : t["roles"]) {
        if (!r.is_string()) return error = where + ".roles must be an array of strings", false;
        tok.roles.push_back(r.get<std::string>());
      }
    }
    for (const Token& other : out.tokens)
      if (other.digest == tok.digest) return error = where + " repeats the token of another entry", false;
    out.tokens.push_back(std::move(tok));
  }
  return true;
}

/// "RLxxxx: ", the prefix of a config error with a diagnostic code.
std::string coded(diag::Code c) { return std::string(diag::info(c).text) + ": "; }

bool parse_webhooks(const json& arr, ServeConfig& out, std::string& error) {
  const std::string bad = coded(diag::Code::WebhookBadConfig);
  if (!arr.is_array()) return error = bad + "`webhooks` must be an array of objects", false;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json& h = arr[i];
    std::string where = "webhooks[" + std::to_string(i) + "]";
    if (!h.is_object()) return error = bad + where + " must be an object", false;
    if (!check_keys(h, {"url", "events", "secret_file", "secret_env", "ca_file", "max_attempts", "timeout_ms", "backoff_ms", "max_backoff_ms"},
                    where, error))
      return error = bad + error, false;
    Webhook w;
    if (!h.contains("url") || !h["url"].is_string())
      return error = coded(diag::Code::WebhookBadUrl) + where + ".url must be a string http[s]://host[:port][/path]", false;
    if (!parse_webhook_url(h["url"].get<std::string>(), w, error))
      return error.insert(coded(diag::Code::WebhookBadUrl).size(), where + ".url: "), false;
    for (const Webhook& other : out.webhooks)
      if (other.url == w.url) return error = bad + where + " repeats the URL of another webhook (one entry per URL; list its events)", false;
    if (h.contains("events")) {
      const json& ev = h["events"];
      if (!ev.is_array() || ev.empty()) return error = bad + where + ".events must be a non-empty array of event names", false;
      for (const json& e : ev) {
        std::string name = e.is_string() ? e.get<std::string>() : "";
        bool known = false;
        for (std::string_view k : kWebhookEvents) known = known || name == k;
        if (!known)
          return error = bad + where + ".events: unknown event `" + (e.is_string() ? name : e.dump()) +
                         "` (expected `opened`, `advanced`, `decided`, `expired`)",
                 false;
        if (std::find(w.events.begin(), w.events.end(), name) == w.events.end()) w.events.push_back(name);
      }
    } else {
      for (std::string_view k : kWebhookEvents) w.events.emplace_back(k);
    }
    // The signing secret never sits in the config itself: a file (e.g. a
    // mounted secret) or an environment variable.
    if (h.contains("secret_file") == h.contains("secret_env"))
      return error = bad + where + " needs exactly one of `secret_file` (a file holding the signing secret) and `secret_env`", false;
    if (h.contains("secret_file")) {
      if (!h["secret_file"].is_string()) return error = bad + where + ".secret_file must be a path", false;
      std::string path = h["secret_file"].get<std::string>(), why;
      auto text = state::read_file(path, &why);
      if (!text) return error = bad + where + ".secret_file: cannot read `" + path + "`" + (why.empty() ? "" : ": " + why), false;
      w.secret = std::move(*text);
    } else {
      if (!h["secret_env"].is_string() || h["secret_env"].get<std::string>().empty())
        return error = bad + where + ".secret_env must name an environment variable", false;
      const char* v = std::getenv(h["secret_env"].get<std::string>().c_str());
      if (!v) return error = bad + where + ".secret_env: the environment variable `" + h["secret_env"].get<std::string>() + "` is not set", false;
      w.secret = v;
    }
    while (!w.secret.empty() && (w.secret.back() == '\n' || w.secret.back() == '\r')) w.secret.pop_back();
    if (w.secret.size() < 16) return error = bad + where + ": the signing secret must have at least 16 characters", false;
    if (!get_uint(h, "max_attempts", w.max_attempts, 1, 100, error) || !get_ms(h, "timeout_ms", w.timeout, 10, error) ||
        !get_ms(h, "backoff_ms", w.backoff, 1, error) || !get_ms(h, "max_backoff_ms", w.max_backoff, 1, error))
      return error = bad + where + ": " + error, false;
    if (w.max_backoff < w.backoff) w.max_backoff = w.backoff;
    // A private CA for an https receiver: read (and checked) once here, so
    // a path that does not work stops the start rather than every delivery.
    if (h.contains("ca_file")) {
      if (!h["ca_file"].is_string() || h["ca_file"].get<std::string>().empty()) return error = bad + where + ".ca_file must be a path", false;
      if (w.scheme != "https") return error = bad + where + ".ca_file is only for https:// URLs", false;
      w.ca_file = h["ca_file"].get<std::string>();
      if (!check_ca_file(w.ca_file, error)) return error = bad + where + ".ca_file: " + error, false;
    }
    out.webhooks.push_back(std::move(w));
  }
  return true;
}

}  // namespace

bool Webhook::wants(std::string_view event) const {
  return std::find(events.begin(), events.end(), event) != events.end();
}

bool parse_webhook_url(std::string_view url, Webhook& w, std::string& error) {
  // The URL as errors show it: any userinfo (a password, perhaps) left out.
  std::string redacted(url.substr(0, 200));
  if (std::size_t scheme = redacted.find("://"); scheme != std::string::npos) {
    std::size_t end = redacted.find_first_of("/?#", scheme + 3), at = redacted.rfind('@', end);
    if (at != std::string::npos && at > scheme) redacted.replace(scheme + 3, at - scheme - 3, "***");
  }
  const std::string shown = "`" + redacted + "`";
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return error = coded(diag::Code::WebhookBadUrl) + shown + " has a space or control character", false;
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return error = coded(diag::Code::WebhookBadUrl) + shown + " is not an http:// or https:// URL (webhooks are POSTed over HTTP)", false;
  if (url.find('#') != std::string_view::npos) return error = coded(diag::Code::WebhookBadUrl) + shown + " has a fragment (#...), which is never sent", false;
  std::string_view rest = url.substr(url.find("://") + 3);
  if (rest.substr(0, rest.find_first_of("/?")).find('@') != std::string_view::npos)
    return error = coded(diag::Code::WebhookBadUrl) + "the URL carries userinfo (user:password@), which is not allowed (and not repeated here): the signing secret "
                   "authenticates deliveries",
           false;
  HttpUrl split;
  std::string why;
  if (!parse_http_url(url, split, why)) return error = coded(diag::Code::WebhookBadUrl) + shown + ": " + why, false;
  w.url = std::string(url);
  w.scheme = split.scheme;
  w.host = std::move(split.host);
  w.port = split.port;
  w.target = std::move(split.path);
  return true;
}

bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port, std::string& error) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return error = "listen address `" + std::string(text) + "` is not HOST:PORT", false;
  std::string_view h = text.substr(0, colon), p = text.substr(colon + 1);
  if (h.front() == '[') {
    if (h.back() != ']') return error = "listen address `" + std::string(text) + "` is not [IPv6]:PORT", false;
    h = h.substr(1, h.size() - 2);
  }
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || end != p.data() + p.size() || v > 65535)
    return error = "listen port `" + std::string(p) + "` is not a number from 0 to 65535", false;
  host = std::string(h);
  port = static_cast<std::uint16_t>(v);
  return true;
}

bool parse_config(std::string_view text, ServeConfig& out, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return error = "the config is not valid JSON", false;
  if (!j.is_object()) return error = "the config must be a JSON object", false;
  if (!check_keys(j, {"listen", "threads", "decisions", "metrics", "tokens", "limits", "reload", "audit", "authzen", "cases", "webhooks"}, "the config", error)) return false;
  if (j.contains("listen")) {
    if (!j["listen"].is_string()) return error = "`listen` must be a string \"HOST:PORT\"", false;
    if (!parse_listen(j["listen"].get<std::string>(), out.host, out.port, error)) return false;
  }
  if (!get_uint(j, "threads", out.threads, 0, 256, error)) return false;
  if (!get_access(j, "decisions", out.decisions_open, error) || !get_access(j, "metrics", out.metrics_open, error)) return false;
  if (j.contains("tokens") && !parse_tokens(j["tokens"], out, error)) return false;
  if (j.contains("limits")) {
    const json& l = j["limits"];
    if (!l.is_object()) return error = "`limits` must be an object", false;
    if (!check_keys(l, {"max_body_bytes", "max_header_bytes", "max_headers", "request_timeout_ms", "idle_timeout_ms", "drain_timeout_ms",
                        "max_connections", "max_connections_per_ip", "governance_connections", "max_batch", "blocking_threads"},
                    "`limits`", error))
      return false;
    if (!get_uint(l, "max_body_bytes", out.http.max_body_bytes, 64, 256u << 20, error) ||
        !get_uint(l, "max_header_bytes", out.http.max_header_bytes, 256, 1u << 20, error) ||
        !get_uint(l, "max_headers", out.http.max_headers, 4, 64, error) || !get_ms(l, "request_timeout_ms", out.request_timeout, 1, error) ||
        !get_ms(l, "idle_timeout_ms", out.idle_timeout, 1, error) || !get_ms(l, "drain_timeout_ms", out.drain_timeout, 0, error) ||
        !get_uint(l, "max_connections", out.max_connections, 1, 1'000'000, error) ||
        !get_uint(l, "max_connections_per_ip", out.max_connections_per_ip, 1, 1'000'000, error) ||
        !get_uint(l, "governance_connections", out.governance_connections, 1, 1024, error) ||
        !get_uint(l, "max_batch", out.max_batch, 1, 100'000, error) ||
        !get_uint(l, "blocking_threads", out.blocking_threads, 1, 256, error))
      return false;
  }
  if (j.contains("reload")) {
    const json& r = j["reload"];
    if (!r.is_object() || !check_keys(r, {"watch_interval_ms"}, "`reload`", error))
      return error = error.empty() ? "`reload` must be an object" : error, false;
    if (!get_ms(r, "watch_interval_ms", out.watch_interval, 0, error)) return false;
  }
  if (j.contains("cases")) {
    const json& c = j["cases"];
    if (!c.is_object() || !check_keys(c, {"sweep_interval_ms"}, "`cases`", error))
      return error = error.empty() ? "`cases` must be an object" : error, false;
    if (!get_ms(c, "sweep_interval_ms", out.case_sweep_interval, 0, error)) return false;
  }
  if (j.contains("webhooks") && !parse_webhooks(j["webhooks"], out, error)) return false;
  if (j.contains("audit")) {
    const json& a = j["audit"];
    if (!a.is_object() || !check_keys(a, {"strict", "mask", "durability", "segment_mb"}, "`audit`", error))
      return error = error.empty() ? "`audit` must be an object" : error, false;
    if (a.contains("strict")) {
      if (!a["strict"].is_boolean()) return error = "`audit.strict` must be true or false", false;
      out.strict_audit = a["strict"].get<bool>();
    }
    if (a.contains("durability")) {
      if (!a["durability"].is_string() || !audit::durability_from_string(a["durability"].get<std::string>()))
        return error = "`audit.durability` must be \"buffered\", \"written\" or \"durable\"", false;
      out.audit_durability = a["durability"].get<std::string>();
    }
    if (a.contains("segment_mb")) {
      const json& m = a["segment_mb"];
      if (!m.is_number_unsigned() || m.get<std::uint64_t>() > (1u << 20))
        return error = "`audit.segment_mb` must be a whole number of MiB from 0 (never seal) to 1048576", false;
      out.audit_segment_mb = m.get<std::uint64_t>();
    }
    if (a.contains("mask")) {
      if (!a["mask"].is_array()) return error = "`audit.mask` must be an array of JSON pointers", false;
      for (const auto& m : a["mask"]) {
        if (!m.is_string() || m.get<std::string>().empty() || m.get<std::string>()[0] != '/')
          return error = "`audit.mask` must be an array of JSON pointers (\"/actor/id\")", false;
        out.mask.push_back(m.get<std::string>());
      }
    }
  }
  if (j.contains("authzen")) {
    const json& z = j["authzen"];
    if (!z.is_object() || !check_keys(z, {"decision_context", "policy_decision_point"}, "`authzen`", error))
      return error = error.empty() ? "`authzen` must be an object" : error, false;
    if (z.contains("decision_context")) {
      if (!z["decision_context"].is_boolean()) return error = "`authzen.decision_context` must be true or false", false;
      out.authzen_context = z["decision_context"].get<bool>();
    }
    if (z.contains("policy_decision_point")) {
      const json& p = z["policy_decision_point"];
      std::string url = p.is_string() ? p.get<std::string>() : "";
      bool ok = (url.starts_with("https://") || url.starts_with("http://")) && url.find_first_of("?# \t\r\n") == std::string::npos &&
                !url.ends_with("/");
      if (!ok) return error = "`authzen.policy_decision_point` must be the PDP's base URL (https://host[/path], no query, no trailing /)", false;
      out.authzen_pdp = url;
    }
  }
  return true;
}

const Token* find_token(const ServeConfig& config, std::string_view authorization) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() || !iequals(authorization.substr(0, scheme.size()), scheme)) return nullptr;
  std::string_view presented = authorization.substr(scheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  crypto::Sha256Digest d = crypto::sha256(presented);
  const Token* found = nullptr;
  for (const Token& t : config.tokens)   // every entry is compared, in constant time
    if (CRYPTO_memcmp(t.digest.data(), d.data(), d.size()) == 0) found = &t;
  return found;
}

}  // namespace redline::server
