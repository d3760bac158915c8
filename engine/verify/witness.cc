// verify/witness.cc — request JSON from an assignment (verify/witness.h).
#include "verify/witness.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace redline::verify {
namespace {

using Json = nlohmann::ordered_json;

// A string that equals no literal of the compilation (the "any other string" class).
std::string other_string(const sema::Model& m) {
  std::string s = "other";
  for (int i = 2; m.find_string(s) >= 0; ++i) s = "other-" + std::to_string(i);
  return s;
}

Json scalar_value(const sema::Model& m, const sema::Attribute& a, std::int64_t v) {
  switch (a.kind) {
    case sema::TypeKind::Bool: return v != 0;
    case sema::TypeKind::Int: return v;
    case sema::TypeKind::Duration: return v > 1000000000000 ? Json(v) : Json(format_duration(v));
    case sema::TypeKind::Timestamp: return format_rfc3339(v);
    case sema::TypeKind::String: return v >= 0 ? m.strings[static_cast<std::size_t>(v)] : other_string(m);
    case sema::TypeKind::Enum:
    case sema::TypeKind::Level: return a.values[static_cast<std::size_t>(v)];
    case sema::TypeKind::Tags: break;
  }
  return nullptr;
}

// Sets `root[a][b]...` for the dotted path.
void put(Json& root, const std::string& path, Json value) {
  Json* at = &root;
  std::size_t start = 0;
  for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    at = &(*at)[path.substr(start, dot - start)];
    start = dot + 1;
  }
  (*at)[path.substr(start)] = std::move(value);
}

}  // namespace

std::string format_duration(std::int64_t s) {
  if (s > 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::string format_rfc3339(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t secs = t - days * 86400;
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d), static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

std::string request_json(const sema::Model& m, std::uint32_t purpose, const Partial& p) {
  Json root = Json::object();
  root["purpose"] = m.purposes.nodes[purpose].full;
  for (const char* group : {"actor", "data", "env", "request", "output"}) {
    for (std::size_t a = 0; a < m.schema.attrs.size(); ++a) {
      const sema::Attribute& attr = m.schema.attrs[a];
      if (p.cls[a] <= 0 || attr.path.rfind(std::string(group) + ".", 0) != 0) continue;
      if (attr.kind != sema::TypeKind::Tags) {
        put(root, attr.path, scalar_value(m, attr, p.space->rep(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(p.cls[a] - 1))));
        continue;
      }
      Json tags = Json::array();
      for (std::size_t t = 0; t < attr.values.size(); ++t)
        if (p.tags[a][t] == 1) tags.push_back(attr.values[t]);
      put(root, attr.path, std::move(tags));
    }
  }
  return root.dump();
}

}  // namespace redline::verify
