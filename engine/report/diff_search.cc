// report/diff_search.cc — the exact per-purpose comparison behind `redline
// diff`. verify::Space abstracts ONE model's requests into value classes, so
// two versions need a joint abstraction: per attribute path read by either
// version, the constants of both versions' conditions split the values into
// joint classes (each a refinement of both versions' classes), each with a
// concrete representative. A depth-first search over the joint classes maps
// each partial assignment to a verify::Partial of each version and asks
// verify::Stack::decide for the range of decisions each can still take,
// pruning where the ranges cannot cross — so it finds a request decided less
// (or more) severely under NEW exactly when one exists. The comparison is
// over requests valid under both versions' schemas, without approvals and
// with every kill switch reset; a purpose declared in one version only is
// compared with the other's denial of an unknown purpose.
#include "report/diff_search.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "verify/witness.h"

namespace redline::report {
namespace {

using sema::TypeKind;

void cond_constants(const sema::Cond& c, std::map<std::uint32_t, std::vector<std::int64_t>>& out) {
  switch (c.kind) {
    case sema::Cond::Kind::Compare:
    case sema::Cond::Kind::In:
    case sema::Cond::Kind::HasAny:
    case sema::Cond::Kind::HasAll:
      for (std::int64_t v : c.values) out[c.attr].push_back(v);
      break;
    case sema::Cond::Kind::Present:
    case sema::Cond::Kind::Missing: out[c.attr];
      break;
    default: break;
  }
  for (const auto& k : c.kids) cond_constants(k, out);
}

bool ordered(TypeKind k) {
  return k == TypeKind::Int || k == TypeKind::Duration || k == TypeKind::Timestamp || k == TypeKind::Level;
}

// A value's signature against a side's constants: equal / below / above each one.
std::vector<int> signature(TypeKind k, std::int64_t v, const std::vector<std::int64_t>& consts) {
  std::vector<int> s;
  for (std::int64_t c : consts) s.push_back(ordered(k) ? (v < c ? -1 : v > c ? 1 : 0) : (v == c ? 0 : 1));
  return s;
}

// The name-level constants of a path on one side (as strings, for enums, levels, tags and strings).
std::string name_of(const sema::Model& m, std::uint32_t attr, std::int64_t v) {
  const sema::Attribute& a = m.schema.attrs[attr];
  if (a.kind == TypeKind::String) return v >= 0 && static_cast<std::size_t>(v) < m.strings.size() ? m.strings[static_cast<std::size_t>(v)] : "";
  return v >= 0 && static_cast<std::size_t>(v) < a.values.size() ? a.values[static_cast<std::size_t>(v)] : "";
}

}  // namespace

Side::Side(const Program& p, const verify::Stack& st, const std::string& purpose) : prog(&p), stack(&st) {
  m = p.impl().model;
  std::int64_t q = m->purposes.find(purpose);
  if (q < 0) return;
  slot = &stack->slots()[stack->slot_of(static_cast<std::uint32_t>(q))];
  space = std::make_unique<verify::Space>(*m, stack->conditions(*slot));
  partial = std::make_unique<verify::Partial>(*space);
  for (const sema::Cond* c : stack->conditions(*slot)) cond_constants(*c, consts);
  for (auto& [attr, v] : consts) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
}

verify::Range Side::range() const {
  if (!slot) return {3, 3};
  return stack->decide(*slot, *partial);
}

const verify::Var* Side::var_for(std::uint32_t attr, verify::Var::Kind kind, std::int64_t tag) const {
  if (!space) return nullptr;
  for (const verify::Var& v : space->vars())
    if (v.attr == attr && v.kind == kind && (kind != verify::Var::Kind::Tag || v.tag == tag)) return &v;
  return nullptr;
}

std::int32_t Side::class_of(std::uint32_t attr, std::int64_t v) const {
  TypeKind k = m->schema.attrs[attr].kind;
  auto it = consts.find(attr);
  std::vector<std::int64_t> none;
  const auto& cs = it == consts.end() ? none : it->second;
  std::uint32_t n = space->classes(attr);
  for (std::uint32_t i = 0; i < n; ++i)
    if (space->rep(attr, i) == v) return static_cast<std::int32_t>(i + 1);
  std::vector<int> want = signature(k, v, cs);
  for (std::uint32_t i = 0; i < n; ++i)
    if (signature(k, space->rep(attr, i), cs) == want) return static_cast<std::int32_t>(i + 1);
  return 1;
}

std::vector<std::string> Side::names_read(std::uint32_t attr) const {
  std::vector<std::string> out;
  auto it = consts.find(attr);
  if (it == consts.end()) return out;
  for (std::int64_t v : it->second) out.push_back(name_of(*m, attr, v));
  return out;
}

std::vector<std::int64_t> Side::numbers_read(std::uint32_t attr) const {
  auto it = consts.find(attr);
  return it == consts.end() ? std::vector<std::int64_t>{} : it->second;
}


PurposeSearch::PurposeSearch(const Program& old_p, const verify::Stack& old_s, const Program& new_p, const verify::Stack& new_s,
                             const std::string& purpose)
    : purpose_(purpose) {
  side_.reserve(2);
  side_.emplace_back(old_p, old_s, purpose);
  side_.emplace_back(new_p, new_s, purpose);
  build_vars();
  chosen_.assign(vars_.size(), -1);
}

void PurposeSearch::build_vars() {
  std::vector<std::string> paths;
  for (int s : {1, 0}) {
    if (!side_[static_cast<std::size_t>(s)].space) continue;
    const Side& sd = side_[static_cast<std::size_t>(s)];
    for (const verify::Var& v : sd.space->vars()) {
      const std::string& p = sd.m->schema.attrs[v.attr].path;
      if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(p);
    }
  }
  for (const auto& p : paths) add_attr(p);
}

namespace {

// The present values of a scalar path valid under both versions, as (json, encoding per side).
struct Builder {
  const Side* sd[2];
  std::int64_t attr[2];
  TypeKind kind;

  bool declares(int s) const { return attr[s] >= 0; }
  const sema::Attribute& at(int s) const { return sd[s]->m->schema.attrs[static_cast<std::size_t>(attr[s])]; }
  bool valid_name(const std::string& n) const {
    for (int s : {0, 1})
      if (declares(s) && !at(s).value_index.count(n)) return false;
    return true;
  }
  std::int64_t index_of(int s, const std::string& n) const {
    if (!declares(s)) return -1;
    auto it = at(s).value_index.find(n);
    return it == at(s).value_index.end() ? -1 : static_cast<std::int64_t>(it->second);
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (int s : {1, 0})
      if (declares(s) && sd[s]->space)
        for (const auto& n : sd[s]->names_read(static_cast<std::uint32_t>(attr[s])))
          if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    return out;
  }
  std::vector<std::int64_t> numbers() const {
    std::set<std::int64_t> out;
    for (int s : {0, 1})
      if (declares(s) && sd[s]->space)
        for (std::int64_t v : sd[s]->numbers_read(static_cast<std::uint32_t>(attr[s]))) out.insert(v);
    return {out.begin(), out.end()};
  }
  JointValue named(const std::string& n) const {
    JointValue v;
    v.json = n;
    for (int s : {0, 1}) v.enc[s] = index_of(s, n);
    return v;
  }
  JointValue number(std::int64_t x) const {
    JointValue v;
    if (kind == TypeKind::Duration) v.json = verify::format_duration(x);
    else if (kind == TypeKind::Timestamp) v.json = verify::format_rfc3339(x);
    else v.json = x;
    v.enc[0] = v.enc[1] = x;
    return v;
  }
  std::vector<JointValue> values() const;
};

std::vector<JointValue> Builder::values() const {
  std::vector<JointValue> out;
  if (kind == TypeKind::Bool) {
    for (bool b : {true, false}) {
      JointValue v;
      v.json = b;
      v.enc[0] = v.enc[1] = b ? 1 : 0;
      out.push_back(v);
    }
  } else if (kind == TypeKind::Int || kind == TypeKind::Duration || kind == TypeKind::Timestamp) {
    std::vector<std::int64_t> cs = numbers(), reps;
    if (cs.empty()) reps.push_back(kind == TypeKind::Timestamp ? 1767225600 : 1);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (i == 0) reps.push_back(cs[0] - 1);
      reps.push_back(cs[i]);
      if (i + 1 < cs.size() && cs[i] + 1 < cs[i + 1]) reps.push_back(cs[i] + 1);
      if (i + 1 == cs.size()) reps.push_back(cs[i] + 1);
    }
    for (std::int64_t x : reps)
      if (kind != TypeKind::Duration || x >= 0) out.push_back(number(x));
  } else if (kind == TypeKind::String) {
    std::vector<std::string> ns = names();
    std::string other = "other";
    while (std::find(ns.begin(), ns.end(), other) != ns.end()) other += "_";
    ns.push_back(other);
    for (const auto& n : ns) {
      JointValue v;
      v.json = n;
      for (int s : {0, 1}) v.enc[s] = sd[s]->m->find_string(n);
      out.push_back(v);
    }
  } else {
    int s0 = declares(1) ? 1 : 0;
    std::vector<std::string> ns = kind == TypeKind::Level ? at(s0).values : names();
    if (kind == TypeKind::Enum)
      for (const auto& n : at(s0).values)
        if (std::find(ns.begin(), ns.end(), n) == ns.end() && valid_name(n)) {
          ns.push_back(n);   // one value no condition names stands for all of them
          break;
        }
    for (const auto& n : ns)
      if (valid_name(n)) out.push_back(named(n));
  }
  return out;
}

}  // namespace

void PurposeSearch::add_attr(const std::string& path) {
  Builder b{{&side_[0], &side_[1]}, {side_[0].m->schema.find(path), side_[1].m->schema.find(path)}, TypeKind::String};
  int s0 = b.attr[1] >= 0 ? 1 : 0;
  b.kind = b.at(s0).kind;
  bool same_kind = !(b.declares(0) && b.declares(1)) || b.at(0).kind == b.at(1).kind;
  JointVar v;
  v.path = path;
  v.attr[0] = b.attr[0];
  v.attr[1] = b.attr[1];
  JointValue missing;
  missing.json = nullptr;
  if (b.kind != TypeKind::Tags) {
    if (same_kind) v.values = b.values();
    v.values.push_back(missing);
    vars_.push_back(v);
    return;
  }
  v.kind = verify::Var::Kind::TagsPresence;
  JointValue present;
  present.json = nlohmann::json::array();
  present.enc[0] = present.enc[1] = 1;
  if (same_kind) v.values.push_back(present);
  v.values.push_back(missing);
  vars_.push_back(v);
  if (!same_kind) return;
  for (const auto& tag : b.names()) {
    if (!b.valid_name(tag)) continue;
    JointVar t = v;
    t.kind = verify::Var::Kind::Tag;
    t.tag = tag;
    for (int s : {0, 1}) t.tag_index[s] = b.index_of(s, tag);
    JointValue absent, has;
    absent.json = nullptr;
    has.json = tag;
    has.enc[0] = has.enc[1] = 1;
    t.values = {absent, has};
    vars_.push_back(t);
  }
}

void PurposeSearch::set(const JointVar& v, std::size_t k) {
  const JointValue& x = v.values[k];
  for (int s : {0, 1}) {
    Side& sd = side_[static_cast<std::size_t>(s)];
    if (!sd.space || v.attr[s] < 0) continue;
    auto attr = static_cast<std::uint32_t>(v.attr[s]);
    const verify::Var* var = sd.var_for(attr, v.kind, v.tag_index[s]);
    if (!var) continue;
    std::int32_t cls = 0;
    if (v.kind == verify::Var::Kind::Scalar) cls = x.json.is_null() ? 0 : sd.class_of(attr, x.enc[s]);
    else cls = x.json.is_null() ? 0 : 1;
    sd.partial->set(*var, cls);
  }
}

void PurposeSearch::unset(const JointVar& v) {
  for (int s : {0, 1}) {
    Side& sd = side_[static_cast<std::size_t>(s)];
    if (!sd.space || v.attr[s] < 0) continue;
    const verify::Var* var = sd.var_for(static_cast<std::uint32_t>(v.attr[s]), v.kind, v.tag_index[s]);
    if (var) sd.partial->unset(*var);
  }
}

bool PurposeSearch::skip(std::size_t i) const {
  if (vars_[i].kind != verify::Var::Kind::Tag) return false;
  for (std::size_t j = 0; j < i; ++j)
    if (vars_[j].kind == verify::Var::Kind::TagsPresence && vars_[j].path == vars_[i].path)
      return chosen_[j] < 0 || vars_[j].values[static_cast<std::size_t>(chosen_[j])].json.is_null();
  return false;
}

bool PurposeSearch::realizable(const JointVar& v, std::size_t k) const {
  if (v.kind != verify::Var::Kind::Scalar || (v.path != "request.now" && v.path != "request.time")) return true;
  const std::string other = v.path == "request.now" ? "request.time" : "request.now";
  for (std::size_t j = 0; j < vars_.size(); ++j) {
    if (vars_[j].path != other || chosen_[j] < 0) continue;
    bool other_missing = vars_[j].values[static_cast<std::size_t>(chosen_[j])].json.is_null();
    bool missing = v.values[k].json.is_null();
    // `request.now` defaults to `request.time`: now cannot be missing while the time is present.
    if (v.path == "request.now") return !(missing && !other_missing);
    return !(!missing && other_missing);
  }
  return true;
}

bool PurposeSearch::dfs(std::size_t i, bool less) {
  verify::Range o = side_[0].range(), n = side_[1].range();
  if (less ? n.lo >= o.hi : n.hi <= o.lo) return false;
  if (less ? n.hi < o.lo : n.lo > o.hi) return true;
  while (i < vars_.size() && skip(i)) ++i;
  if (i == vars_.size()) return false;   // INVARIANT: unreachable, every variable assigned decides both ranges
  for (std::size_t k = 0; k < vars_[i].values.size(); ++k) {
    if (!realizable(vars_[i], k)) continue;
    chosen_[i] = static_cast<std::int32_t>(k);
    set(vars_[i], k);
    if (dfs(i + 1, less)) return true;
  }
  chosen_[i] = -1;
  unset(vars_[i]);
  return false;
}

std::string PurposeSearch::request_json() const {
  nlohmann::json j;
  j["purpose"] = purpose_;
  auto at = [&](const std::string& path) -> nlohmann::json& {
    nlohmann::json* cur = &j;
    std::size_t pos = 0;
    for (std::size_t dot; (dot = path.find('.', pos)) != std::string::npos; pos = dot + 1) cur = &(*cur)[path.substr(pos, dot - pos)];
    return (*cur)[path.substr(pos)];
  };
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    if (chosen_[i] < 0 || skip(i)) continue;
    const JointValue& x = vars_[i].values[static_cast<std::size_t>(chosen_[i])];
    if (x.json.is_null()) continue;
    if (vars_[i].kind == verify::Var::Kind::Tag) at(vars_[i].path).push_back(x.json);
    else at(vars_[i].path) = x.json;
  }
  return j.dump();
}

std::optional<std::string> PurposeSearch::find(bool less) {
  bool found = dfs(0, less);
  std::optional<std::string> out;
  if (found) out = request_json();
  for (std::size_t i = 0; i < vars_.size(); ++i)
    if (chosen_[i] >= 0) {
      unset(vars_[i]);
      chosen_[i] = -1;
    }
  return out;
}

}  // namespace redline::report
