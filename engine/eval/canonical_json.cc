// eval/canonical_json.cc — the canonical writer of eval/canonical_json.h and
// Request::digest().
#include "eval/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "crypto/sha256.h"

namespace redline::eval {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_json_integer(std::string& out, std::int64_t v) { out += std::to_string(v); }

void append_json_number(std::string& out, double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) {   // cannot happen for a 64-byte buffer; stay deterministic anyway
    out += "null";
    return;
  }
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out += text;
  if (text.find_first_of(".eEni") == std::string_view::npos) out += ".0";
}

std::string canonical_value(const RequestValue& v) {
  std::string out;
  using K = RequestValue::Kind;
  switch (v.kind) {
    case K::Null:
    case K::Object: break;
    case K::Bool: out = v.boolean ? "true" : "false"; break;
    case K::Int: append_json_integer(out, v.integer); break;
    case K::Number: append_json_number(out, v.number); break;
    case K::String: append_json_string(out, v.string); break;
    case K::StringList:
      out += '[';
      for (std::size_t i = 0; i < v.strings.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.strings[i]);
      }
      out += ']';
      break;
    case K::Array: out = v.string; break;   // written canonically when the request was read
  }
  return out;
}

std::string canonical_request(const Request& r) {
  std::vector<std::pair<std::string, std::string>> members;
  if (r.purpose()) {
    std::string v;
    append_json_string(v, *r.purpose());
    members.emplace_back("purpose", std::move(v));
  }
  for (const auto& [path, value] : r.attributes()) {
    if (path == "request.now") continue;   // re-asking later must not change the digest
    std::string v = canonical_value(value);
    if (!v.empty()) members.emplace_back(path, std::move(v));
  }
  std::sort(members.begin(), members.end());
  std::string out = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, members[i].first);
    out += ':';
    out += members[i].second;
  }
  out += '}';
  return out;
}

}  // namespace redline::eval

namespace redline {

std::string Request::digest() const {
  return crypto::sha256_tagged_hex("redline-request-v1\n" + eval::canonical_request(*this));
}

}  // namespace redline
