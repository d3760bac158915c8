// eval/bind_fast.cc — the simdjson binder of eval/bind_fast.h.
#include "eval/bind_fast.h"

#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "ast/literals.h"
#include "eval/bind_common.h"
#include "eval/request_text.h"

namespace redline::eval {
namespace {

constexpr std::size_t kParserDepth = 60;   // below kMaxRequestDepth: deeper input takes the full path

// Whether no object in `v` repeats a key (compared unescaped, as the full
// path compares them): a request with a repeated key is refused there.
bool unique_keys(simdjson::dom::element v, std::vector<std::string_view>& scratch) {
  using T = simdjson::dom::element_type;
  if (v.type() == T::ARRAY) {
    simdjson::dom::array items = v.get_array().value_unsafe();   // named: a range-for over a temporary would dangle
    for (simdjson::dom::element e : items)
      if (!unique_keys(e, scratch)) return false;
    return true;
  }
  if (v.type() != T::OBJECT) return true;
  simdjson::dom::object obj = v.get_object().value_unsafe();
  std::size_t base = scratch.size();
  for (auto [key, value] : obj) scratch.push_back(key);
  std::sort(scratch.begin() + static_cast<std::ptrdiff_t>(base), scratch.end());
  bool unique = std::adjacent_find(scratch.begin() + static_cast<std::ptrdiff_t>(base), scratch.end()) == scratch.end();
  scratch.resize(base);
  if (!unique) return false;
  for (auto [key, value] : obj)
    if (!unique_keys(value, scratch)) return false;
  return true;
}

struct FastBinder {
  const ProgramImpl& p;
  BoundRequest& b;
  std::string path;

  bool value(std::uint32_t attr, simdjson::dom::element v) {
    const sema::Attribute& a = p.model->schema.attrs[attr];
    std::int64_t& out = BoundAccess::values(b)[attr];
    using T = simdjson::dom::element_type;
    switch (a.kind) {
      case sema::TypeKind::Bool: {
        if (v.type() != T::BOOL) return false;
        out = v.get_bool().value_unsafe();
        return true;
      }
      case sema::TypeKind::Int:
        if (v.type() != T::INT64) return false;
        out = v.get_int64().value_unsafe();
        return true;
      case sema::TypeKind::String: {
        if (v.type() != T::STRING) return false;
        auto it = p.string_ids.find(v.get_string().value_unsafe());
        out = it == p.string_ids.end() ? -1 : static_cast<std::int64_t>(it->second);
        return true;
      }
      case sema::TypeKind::Duration: {
        if (v.type() == T::INT64 && v.get_int64().value_unsafe() >= 0) {
          out = v.get_int64().value_unsafe();
          return true;
        }
        if (v.type() != T::STRING) return false;
        auto d = parse_duration(v.get_string().value_unsafe());
        if (!d) return false;
        out = *d;
        return true;
      }
      case sema::TypeKind::Timestamp: {
        if (v.type() != T::STRING) return false;
        auto t = parse_rfc3339(v.get_string().value_unsafe());
        if (!t) return false;
        out = *t;
        return true;
      }
      case sema::TypeKind::Enum:
      case sema::TypeKind::Level: {
        if (v.type() != T::STRING) return false;
        const NameMap& names = p.value_ids[attr];
        auto it = names.find(v.get_string().value_unsafe());
        if (it == names.end()) return false;
        out = it->second;
        return true;
      }
      case sema::TypeKind::Tags: {
        if (v.type() != T::ARRAY) return false;
        const NameMap& names = p.value_ids[attr];
        auto* words = BoundAccess::tags(b).data() + p.layout.offset[attr];
        simdjson::dom::array tags;   // a named copy: a range-for over a temporary result would dangle
        if (v.get_array().get(tags) != simdjson::SUCCESS) return false;
        for (simdjson::dom::element t : tags) {
          if (t.type() != T::STRING) return false;
          auto it = names.find(t.get_string().value_unsafe());
          if (it == names.end()) return false;
          words[it->second >> 6] |= std::uint64_t{1} << (it->second & 63);
        }
        return true;
      }
    }
    return false;
  }

  bool object(simdjson::dom::object obj, int depth) {
    if (static_cast<std::size_t>(depth) > kMaxRequestDepth) return false;
    const std::size_t base = path.size();
    for (auto [key, v] : obj) {
      path.resize(base);
      path += '.';
      path += key;
      auto attr = p.attr_ids.find(std::string_view(path));
      if (v.type() == simdjson::dom::element_type::OBJECT) {
        if (attr != p.attr_ids.end() || !object(v.get_object().value_unsafe(), depth + 1)) return false;
        continue;
      }
      if (path == "actor.id" && v.type() == simdjson::dom::element_type::STRING)
        BoundAccess::actor_id(b) = std::string(v.get_string().value_unsafe());
      if (attr == p.attr_ids.end() || v.type() == simdjson::dom::element_type::NULL_VALUE) continue;
      if (test_bit(BoundAccess::present(b), attr->second)) return false;   // duplicate key
      if (!value(attr->second, v)) return false;
      set_bit(BoundAccess::present(b), attr->second);
    }
    path.resize(base);
    return true;
  }

  bool root(simdjson::dom::object obj) {
    bool purpose = false;
    for (auto [key, v] : obj) {
      if (key == "purpose") {
        if (purpose || v.type() != simdjson::dom::element_type::STRING) return false;
        auto it = p.purpose_ids.find(v.get_string().value_unsafe());
        if (it == p.purpose_ids.end()) return false;
        BoundAccess::purpose(b) = static_cast<std::int32_t>(it->second);
        purpose = true;
      } else if (key == "actor" || key == "data" || key == "env" || key == "request" || key == "output") {
        if (v.type() == simdjson::dom::element_type::NULL_VALUE) continue;
        if (v.type() != simdjson::dom::element_type::OBJECT) return false;
        path.assign(key);
        if (!object(v.get_object().value_unsafe(), 1)) return false;
      } else {
        return false;   // approvals, unknown fields: the full path
      }
    }
    return purpose;
  }
};

}  // namespace

bool fast_bind(const ProgramImpl& p, std::string_view json, BoundRequest& b) {
  // The full path refuses what is too large, too deep (the parser's depth is
  // capped below the limit, so deeper input falls back), has a NUL byte or
  // repeats a key: the fast path never accepts what the door refuses.
  if (json.size() > kMaxRequestBytes || json.find('\0') != std::string_view::npos) return false;
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser fresh;
    // If allocation fails, every parse fails and the full path decides: safe.
    simdjson::error_code allocated = fresh.allocate(kMaxRequestBytes, kParserDepth);
    static_cast<void>(allocated);
    return fresh;
  }();
  thread_local std::string buffer;
  if (buffer.capacity() < json.size() + simdjson::SIMDJSON_PADDING) buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(json.data(), json.size());
  simdjson::dom::element doc;
  if (parser.parse(buffer.data(), buffer.size(), false).get(doc) != simdjson::SUCCESS) return false;
  if (doc.type() != simdjson::dom::element_type::OBJECT) return false;
  thread_local std::vector<std::string_view> keys;
  if (!unique_keys(doc, keys)) return false;
  start_binding(p, b);
  FastBinder binder{p, b, {}};
  if (!binder.root(doc.get_object().value_unsafe())) return false;
  default_now(p, b);
  return true;
}

}  // namespace redline::eval
