// eval/request.cc — Request: reading JSON (LANGUAGE.md §12) into a purpose,
// attributes by dotted path and approvals, and the C++ builder. Structural
// problems are recorded, never thrown.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "eval/canonical_json.h"
#include "eval/request_text.h"
#include "redline/request.h"

namespace redline {
namespace {

using ojson = nlohmann::ordered_json;

// The members of an object in key order, as a std::map-backed document
// iterates them: the order in which problems are found does not depend on
// the order the client wrote the keys in.
std::vector<std::pair<const std::string*, const ojson*>> sorted_members(const ojson& obj) {
  std::vector<std::pair<const std::string*, const ojson*>> out;
  out.reserve(obj.size());
  for (auto it = obj.begin(); it != obj.end(); ++it) out.emplace_back(&it.key(), &it.value());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

// Appends the canonical JSON text (eval/canonical_json.h) of any value; an
// integer beyond int64 is a double, as it is for a request attribute.
void append_canonical(std::string& out, const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case ojson::value_t::number_integer: eval::append_json_integer(out, v.get<std::int64_t>()); return;
    case ojson::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) eval::append_json_number(out, static_cast<double>(u));
      else eval::append_json_integer(out, static_cast<std::int64_t>(u));
      return;
    }
    case ojson::value_t::number_float: eval::append_json_number(out, v.get<double>()); return;
    case ojson::value_t::string: eval::append_json_string(out, v.get_ref<const std::string&>()); return;
    case ojson::value_t::array:
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        append_canonical(out, v[i]);
      }
      out += ']';
      return;
    case ojson::value_t::object: {
      auto members = sorted_members(v);
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        eval::append_json_string(out, *members[i].first);
        out += ':';
        append_canonical(out, *members[i].second);
      }
      out += '}';
      return;
    }
    default: out += "null"; return;
  }
}

}  // namespace

/// Reads a parsed JSON document into a Request.
struct RequestReader {
  Request& r;

  bool fail(diag::Code code, std::string message, std::string pointer) {
    if (!r.error_) r.error_ = eval::request_error(code, std::move(message), std::move(pointer));
    return false;
  }

  static RequestValue leaf(const ojson& v) {
    RequestValue out;
    switch (v.type()) {
      case ojson::value_t::null: out.kind = RequestValue::Kind::Null; break;
      case ojson::value_t::boolean: out.kind = RequestValue::Kind::Bool; out.boolean = v.get<bool>(); break;
      case ojson::value_t::number_integer: out.kind = RequestValue::Kind::Int; out.integer = v.get<std::int64_t>(); break;
      case ojson::value_t::number_unsigned: {
        auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) { out.kind = RequestValue::Kind::Number; out.number = static_cast<double>(u); }
        else { out.kind = RequestValue::Kind::Int; out.integer = static_cast<std::int64_t>(u); }
        break;
      }
      case ojson::value_t::number_float: out.kind = RequestValue::Kind::Number; out.number = v.get<double>(); break;
      case ojson::value_t::string: out.kind = RequestValue::Kind::String; out.string = v.get<std::string>(); break;
      case ojson::value_t::array: {
        out.kind = RequestValue::Kind::StringList;
        for (const auto& e : v) {
          if (!e.is_string()) { out.kind = RequestValue::Kind::Array; out.strings.clear(); break; }
          out.strings.push_back(e.get<std::string>());
        }
        if (out.kind == RequestValue::Kind::Array) append_canonical(out.string, v);   // for the request digest
        break;
      }
      default: out.kind = RequestValue::Kind::Object; break;
    }
    return out;
  }

  void flatten(const std::string& prefix, const ojson& obj) {
    for (const auto& [key, value] : sorted_members(obj)) {
      std::string path = prefix + "." + *key;
      // A nested object names nested paths; it is also kept as an Object value at
      // its own path, so an object given where a declared attribute expects a
      // value is an error rather than a silently missing attribute.
      r.attrs_.emplace_back(path, leaf(*value));
      if (value->is_object()) flatten(path, *value);
    }
  }

  bool approval(const ojson& a, std::size_t i) {
    using diag::Code;
    std::string ptr = "/approvals/" + std::to_string(i);
    if (!a.is_object()) return fail(Code::RequestBadApproval, "an approval must be an object", ptr);
    Approval out;
    struct Field { const char* name; std::string* dst; bool required; };
    Field fields[] = {{"rule", &out.rule, true}, {"step", &out.step, false}, {"by", &out.by, true}, {"role", &out.role, true},
                      {"verdict", &out.verdict, true}, {"at", &out.at, true}, {"signature", &out.signature, false},
                      {"kind", &out.kind, false}};
    for (const auto& f : fields) {
      auto it = a.find(f.name);
      if (it == a.end() || it->is_null()) {
        if (f.required) return fail(Code::RequestBadApproval, std::string("the approval has no `") + f.name + "`", ptr);
        continue;
      }
      if (!it->is_string())
        return fail(Code::RequestBadApproval, std::string("the approval's `") + f.name + "` must be a string", ptr + "/" + f.name);
      *f.dst = it->get<std::string>();
    }
    for (const auto& [key, value] : sorted_members(a)) {
      bool known = false;
      for (const auto& f : fields) known = known || *key == f.name;
      if (!known) return fail(Code::RequestBadApproval, "unknown field `" + *key + "` in an approval", ptr + "/" + *key);
    }
    if (out.verdict != "approve" && out.verdict != "deny")
      return fail(Code::RequestBadApproval, "an approval's verdict must be `approve` or `deny`, not `" + out.verdict + "`", ptr + "/verdict");
    r.approvals_.push_back(std::move(out));
    return true;
  }

  void read(const ojson& doc) {
    using diag::Code;
    if (!doc.is_object()) {
      fail(Code::RequestNotObject, "the request must be a JSON object", "");
      return;
    }
    for (const auto& [key, value] : sorted_members(doc)) {
      const std::string& k = *key;
      const auto& v = *value;
      if (k == "purpose") {
        if (v.is_null()) continue;
        if (!v.is_string()) { fail(Code::RequestBadValue, "`purpose` must be a string", "/purpose"); continue; }
        r.purpose_ = v.get<std::string>();
      } else if (k == "actor" || k == "data" || k == "env" || k == "request" || k == "output") {
        if (v.is_null()) continue;
        if (!v.is_object()) { fail(Code::RequestBadValue, "`" + k + "` must be an object", "/" + k); continue; }
        flatten(k, v);
      } else if (k == "approvals") {
        if (v.is_null()) continue;
        if (!v.is_array()) { fail(Code::RequestBadApproval, "`approvals` must be an array", "/approvals"); continue; }
        if (v.size() > eval::kMaxApprovals) {
          fail(Code::RequestTooLarge, "more than " + std::to_string(eval::kMaxApprovals) + " approvals", "/approvals");
          continue;
        }
        for (std::size_t i = 0; i < v.size(); ++i) approval(v[i], i);
      } else {
        fail(Code::RequestUnknownField,
             "unknown field `" + k + "`; a request has purpose, actor, data, env, request, output and approvals", Request::pointer_of(k));
      }
    }
  }

  static void refuse(Request& r, RequestError e) {
    if (!r.error_) r.error_ = std::move(e);
  }
};

namespace eval {

RequestError request_error(diag::Code code, std::string message, std::string pointer) {
  return RequestError{code_text(code), std::move(message), std::move(pointer)};
}

std::size_t json_depth(std::string_view t) {
  std::size_t depth = 0, max = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max = std::max(max, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max;
}

std::optional<RequestError> check_structure(std::string_view text, std::size_t max_depth) {
  if (text.find('\0') != std::string_view::npos)
    return request_error(diag::Code::RequestInvalidJson, "the request is not valid JSON (it contains a NUL byte)");
  if (json_depth(text) > max_depth)
    return request_error(diag::Code::RequestTooLarge, "the request nests deeper than " + std::to_string(max_depth) + " levels");
  return std::nullopt;
}

std::optional<RequestError> parse_unambiguous(std::string_view text, ojson& doc) {
  // The parser keeps the last of repeated keys; counting the keys of each
  // object as they are read, and comparing with the members it ends with,
  // finds every repetition (keys compared after unescaping).
  std::vector<std::vector<std::string>> keys;
  std::optional<std::string> duplicate;
  auto watch = [&](int, ojson::parse_event_t event, ojson& parsed) {
    switch (event) {
      case ojson::parse_event_t::object_start: keys.emplace_back(); break;
      case ojson::parse_event_t::key:
        if (!keys.empty() && parsed.is_string()) keys.back().push_back(parsed.get<std::string>());
        break;
      case ojson::parse_event_t::object_end:
        if (!keys.empty()) {
          std::vector<std::string>& k = keys.back();
          if (!duplicate && k.size() != parsed.size()) {
            std::sort(k.begin(), k.end());
            auto d = std::adjacent_find(k.begin(), k.end());
            duplicate = d == k.end() ? std::string() : *d;
          }
          keys.pop_back();
        }
        break;
      default: break;
    }
    return true;
  };
  doc = ojson::parse(text.begin(), text.end(), watch, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return request_error(diag::Code::RequestInvalidJson, "the request is not valid JSON");
  if (duplicate) {
    doc = ojson(ojson::value_t::discarded);
    return request_error(diag::Code::RequestInvalidJson,
                         "the request is ambiguous JSON: key `" + *duplicate + "` appears twice in one object");
  }
  return std::nullopt;
}

std::optional<RequestError> check_json_text(std::string_view text, std::size_t max_depth) {
  if (auto e = check_structure(text, max_depth)) return e;
  ojson doc;
  return parse_unambiguous(text, doc);
}

ParsedRequest parse_request(std::string_view text) {
  ParsedRequest out;
  if (text.size() > kMaxRequestBytes) {
    RequestReader::refuse(out.request, request_error(diag::Code::RequestTooLarge, "the request is larger than 1 MiB"));
    return out;
  }
  if (auto e = check_structure(text)) {
    RequestReader::refuse(out.request, std::move(*e));
    return out;
  }
  if (auto e = parse_unambiguous(text, out.doc)) {
    RequestReader::refuse(out.request, std::move(*e));
    return out;
  }
  out.json = true;
  RequestReader{out.request}.read(out.doc);
  return out;
}

}  // namespace eval

Request Request::from_json(std::string_view text) { return std::move(eval::parse_request(text).request); }

Request& Request::purpose(std::string p) {
  purpose_ = std::move(p);
  return *this;
}

namespace {
Request& put(Request& r, std::vector<std::pair<std::string, RequestValue>>& attrs, std::string path, RequestValue v) {
  for (auto& [k, old] : attrs) {
    if (k == path) {
      old = std::move(v);
      return r;
    }
  }
  attrs.emplace_back(std::move(path), std::move(v));
  return r;
}
}  // namespace

Request& Request::set(std::string path, std::string value) {
  RequestValue v;
  v.kind = RequestValue::Kind::String;
  v.string = std::move(value);
  return put(*this, attrs_, std::move(path), std::move(v));
}

Request& Request::set(std::string path, std::int64_t value) {
  RequestValue v;
  v.kind = RequestValue::Kind::Int;
  v.integer = value;
  return put(*this, attrs_, std::move(path), std::move(v));
}

Request& Request::set(std::string path, bool value) {
  RequestValue v;
  v.kind = RequestValue::Kind::Bool;
  v.boolean = value;
  return put(*this, attrs_, std::move(path), std::move(v));
}

Request& Request::set(std::string path, std::vector<std::string> tags) {
  RequestValue v;
  v.kind = RequestValue::Kind::StringList;
  v.strings = std::move(tags);
  return put(*this, attrs_, std::move(path), std::move(v));
}

Request& Request::approve(Approval a) {
  approvals_.push_back(std::move(a));
  return *this;
}

const RequestValue* Request::find(std::string_view path) const {
  for (const auto& [k, v] : attrs_)
    if (k == path) return &v;
  return nullptr;
}

std::string Request::pointer_of(std::string_view path) {
  std::string out = "/";
  for (char c : path) {
    if (c == '.') out += '/';
    else if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace redline
