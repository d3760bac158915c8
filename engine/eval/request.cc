// eval/request.cc — Request: reading JSON (LANGUAGE.md §12) into a purpose,
// attributes by dotted path and approvals, and the C++ builder. Structural
// problems are recorded, never thrown.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "eval/canonical_json.h"
#include "redline/request.h"

namespace redline {
namespace {

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxBytes = 1u << 20;
constexpr std::size_t kMaxApprovals = 256;

// Nesting depth of JSON text (brackets outside strings), to refuse deep input
// before the recursive parser sees it.
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

// Appends the canonical JSON text (eval/canonical_json.h) of any value; an
// integer beyond int64 is a double, as it is for a request attribute.
void append_canonical(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::number_integer: eval::append_json_integer(out, v.get<std::int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) eval::append_json_number(out, static_cast<double>(u));
      else eval::append_json_integer(out, static_cast<std::int64_t>(u));
      return;
    }
    case nlohmann::json::value_t::number_float: eval::append_json_number(out, v.get<double>()); return;
    case nlohmann::json::value_t::string: eval::append_json_string(out, v.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::array:
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        append_canonical(out, v[i]);
      }
      out += ']';
      return;
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::string_view, const nlohmann::json*>> members;
      for (auto it = v.begin(); it != v.end(); ++it) members.emplace_back(it.key(), &it.value());
      std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        eval::append_json_string(out, members[i].first);
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

  bool fail(const char* code, std::string message, std::string pointer) {
    if (!r.error_) r.error_ = RequestError{code, std::move(message), std::move(pointer)};
    return false;
  }

  static RequestValue leaf(const nlohmann::json& v) {
    RequestValue out;
    switch (v.type()) {
      case nlohmann::json::value_t::null: out.kind = RequestValue::Kind::Null; break;
      case nlohmann::json::value_t::boolean: out.kind = RequestValue::Kind::Bool; out.boolean = v.get<bool>(); break;
      case nlohmann::json::value_t::number_integer: out.kind = RequestValue::Kind::Int; out.integer = v.get<std::int64_t>(); break;
      case nlohmann::json::value_t::number_unsigned: {
        auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) { out.kind = RequestValue::Kind::Number; out.number = static_cast<double>(u); }
        else { out.kind = RequestValue::Kind::Int; out.integer = static_cast<std::int64_t>(u); }
        break;
      }
      case nlohmann::json::value_t::number_float: out.kind = RequestValue::Kind::Number; out.number = v.get<double>(); break;
      case nlohmann::json::value_t::string: out.kind = RequestValue::Kind::String; out.string = v.get<std::string>(); break;
      case nlohmann::json::value_t::array: {
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

  void flatten(const std::string& prefix, const nlohmann::json& obj) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      std::string path = prefix + "." + it.key();
      // A nested object names nested paths; it is also kept as an Object value at
      // its own path, so an object given where a declared attribute expects a
      // value is an error rather than a silently missing attribute.
      r.attrs_.emplace_back(path, leaf(it.value()));
      if (it.value().is_object()) flatten(path, it.value());
    }
  }

  bool approval(const nlohmann::json& a, std::size_t i) {
    std::string ptr = "/approvals/" + std::to_string(i);
    if (!a.is_object()) return fail("RL5006", "an approval must be an object", ptr);
    Approval out;
    struct Field { const char* name; std::string* dst; bool required; };
    Field fields[] = {{"rule", &out.rule, true}, {"step", &out.step, false}, {"by", &out.by, true}, {"role", &out.role, true},
                      {"verdict", &out.verdict, true}, {"at", &out.at, true}, {"signature", &out.signature, false},
                      {"kind", &out.kind, false}};
    for (const auto& f : fields) {
      auto it = a.find(f.name);
      if (it == a.end() || it->is_null()) {
        if (f.required) return fail("RL5006", std::string("the approval has no `") + f.name + "`", ptr);
        continue;
      }
      if (!it->is_string()) return fail("RL5006", std::string("the approval's `") + f.name + "` must be a string", ptr + "/" + f.name);
      *f.dst = it->get<std::string>();
    }
    for (auto it = a.begin(); it != a.end(); ++it) {
      bool known = false;
      for (const auto& f : fields) known = known || it.key() == f.name;
      if (!known) return fail("RL5006", "unknown field `" + it.key() + "` in an approval", ptr + "/" + it.key());
    }
    if (out.verdict != "approve" && out.verdict != "deny")
      return fail("RL5006", "an approval's verdict must be `approve` or `deny`, not `" + out.verdict + "`", ptr + "/verdict");
    r.approvals_.push_back(std::move(out));
    return true;
  }

  void read(const nlohmann::json& doc) {
    if (!doc.is_object()) {
      fail("RL5007", "the request must be a JSON object", "");
      return;
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& k = it.key();
      const auto& v = it.value();
      if (k == "purpose") {
        if (v.is_null()) continue;
        if (!v.is_string()) { fail("RL5004", "`purpose` must be a string", "/purpose"); continue; }
        r.purpose_ = v.get<std::string>();
      } else if (k == "actor" || k == "data" || k == "env" || k == "request" || k == "output") {
        if (v.is_null()) continue;
        if (!v.is_object()) { fail("RL5004", "`" + k + "` must be an object", "/" + k); continue; }
        flatten(k, v);
      } else if (k == "approvals") {
        if (v.is_null()) continue;
        if (!v.is_array()) { fail("RL5006", "`approvals` must be an array", "/approvals"); continue; }
        if (v.size() > kMaxApprovals) { fail("RL5008", "more than 256 approvals", "/approvals"); continue; }
        for (std::size_t i = 0; i < v.size(); ++i) approval(v[i], i);
      } else {
        fail("RL5005", "unknown field `" + k + "`; a request has purpose, actor, data, env, request, output and approvals",
             Request::pointer_of(k));
      }
    }
  }
};

Request Request::from_json(std::string_view text) {
  Request r;
  RequestReader reader{r};
  if (text.size() > kMaxBytes) {
    reader.fail("RL5008", "the request is larger than 1 MiB", "");
    return r;
  }
  if (json_depth(text) > kMaxDepth) {
    reader.fail("RL5008", "the request nests deeper than 64 levels", "");
    return r;
  }
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    reader.fail("RL5001", "the request is not valid JSON", "");
    return r;
  }
  reader.read(doc);
  return r;
}

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
