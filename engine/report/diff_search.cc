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
// over requests every term of which at least one version accepts: a tag, enum
// value or level only one version declares, or a value of the type only one
// version gives an attribute, is in the search space, and the version that
// refuses it decides `deny` (a request error fails closed) — so new
// vocabulary that opens access is new access. Attributes a version does not
// declare it ignores (§15). Kill switches are reset, and approvals are in
// the space: for every rule that takes approvals in both versions, a request
// may carry none, approvals meeting OLD's requirement, NEW's, or both (so a
// removed sign-off, a lower quorum or a new approver role shows as new
// access). An approval naming a rule only one version has would be malformed
// under the other, so such rules stay pending. Every request found is
// confirmed by evaluating it with both Programs before it is reported (the
// approval abstraction is a model of §10, the Programs are §10). A purpose
// declared in one version only is compared with the other's denial of an
// unknown purpose. Both versions are compared while in force: a request with
// no clock is judged at the latest `effective` date.
#include "report/diff_search.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "ast/literals.h"
#include "eval/approvals.h"
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
  m = ProgramAccess::impl(p).model;
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
  build_approvals();
  achosen_.assign(avars_.size(), -1);
  for (std::size_t a = 0; a < avars_.size(); ++a) set_approval(a, -1);
}

namespace {

bool takes_approvals(const sema::Rule& r) { return r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate; }

const std::vector<std::string>* role_values(const sema::Model& m) {
  return m.schema.role_attr < 0 ? nullptr : &m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values;
}

// The (role, quorum) pairs that can satisfy a rule: its `by` roles with its
// quorum, or each step of its (chained) escalation path with the step's quorum.
std::vector<std::pair<std::string, std::uint32_t>> requirements(const sema::Model& m, const sema::Rule& r) {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  const auto* roles = role_values(m);
  if (!roles) return out;
  if (r.effect == sema::Effect::RequireApproval)
    for (std::uint32_t role : r.by) out.push_back({(*roles)[role], r.quorum});
  else
    for (const auto& w : eval::step_windows(m, r, std::int64_t{0})) out.push_back({(*roles)[w.role], w.quorum});
  return out;
}

// Whether `approvals` (all given at request.time, by distinct approvers other
// than the actor, human, unsigned) satisfy rule `r` (§10, §15).
bool satisfies(const sema::Model& m, const sema::Rule& r, const nlohmann::json& approvals) {
  if (r.signed_only) return false;   // the diff configures no approver keys
  auto reqs = requirements(m, r);
  if (r.effect == sema::Effect::RequireApproval) {   // any role of `by` counts toward one quorum
    std::set<std::string> who;
    for (const auto& a : approvals)
      for (const auto& req : reqs)
        if (a["role"] == req.first) who.insert(a["by"].get<std::string>());
    return who.size() >= r.quorum;
  }
  for (const auto& [role, quorum] : reqs) {   // any one step with its own quorum resolves
    std::set<std::string> who;
    for (const auto& a : approvals)
      if (a["role"] == role) who.insert(a["by"].get<std::string>());
    if (who.size() >= quorum) return true;
  }
  return false;
}

}  // namespace

void PurposeSearch::build_approvals() {
  std::vector<std::string> names;
  for (const Side& sd : side_)
    if (sd.slot)
      for (std::uint32_t ri : sd.slot->rules)
        if (takes_approvals(sd.m->rules[ri]) && std::find(names.begin(), names.end(), sd.m->rules[ri].qualified) == names.end())
          names.push_back(sd.m->rules[ri].qualified);
  for (const std::string& name : names) {
    ApprovalVar v;
    v.rule = name;
    bool both = true;
    for (int s : {0, 1}) {
      const Side& sd = side_[static_cast<std::size_t>(s)];
      std::int64_t found = -1;
      if (sd.slot)
        for (std::uint32_t ri = 0; ri < sd.m->rules.size() && found < 0; ++ri)
          if (sd.m->rules[ri].qualified == name && takes_approvals(sd.m->rules[ri]) && sd.stack->pos(sd.m->rules[ri].layer) >= 0)
            found = ri;
      if (found < 0) both = false;
      else v.id[s] = static_cast<std::uint32_t>(found);
    }
    if (!both) continue;
    // A role usable in an approval valid under both versions.
    auto valid_role = [&](const std::string& role) {
      for (const Side& sd : side_) {
        const auto* roles = role_values(*sd.m);
        if (!roles || std::find(roles->begin(), roles->end(), role) == roles->end()) return false;
      }
      return true;
    };
    // One set of approvals meeting each version's requirement (its first usable role or step).
    std::vector<nlohmann::json> sets;
    for (int s : {0, 1}) {
      const Side& sd = side_[static_cast<std::size_t>(s)];
      for (const auto& [role, quorum] : requirements(*sd.m, sd.m->rules[v.id[s]])) {
        if (!valid_role(role)) continue;
        nlohmann::json set = nlohmann::json::array();
        for (std::uint32_t k = 1; k <= quorum; ++k)
          set.push_back({{"rule", name}, {"by", std::string(s ? "new-" : "old-") + role + "-" + std::to_string(k)}, {"role", role},
                         {"verdict", "approve"}, {"kind", "human"}});
        sets.push_back(set);
        break;
      }
    }
    if (sets.size() == 2) {
      nlohmann::json both_sets = sets[0];
      for (const auto& a : sets[1]) both_sets.push_back(a);
      sets.push_back(both_sets);
    }
    v.values.push_back(ApprovalChoice{});
    for (const auto& set : sets) {
      ApprovalChoice c;
      c.approvals = set;
      for (int s : {0, 1}) c.sat[s] = satisfies(*side_[static_cast<std::size_t>(s)].m, side_[static_cast<std::size_t>(s)].m->rules[v.id[s]], set);
      bool seen = !c.sat[0] && !c.sat[1];
      for (const auto& o : v.values) seen = seen || (o.sat[0] == c.sat[0] && o.sat[1] == c.sat[1]);
      if (!seen) v.values.push_back(c);
    }
    if (v.values.size() > 1) avars_.push_back(std::move(v));
  }
}

void PurposeSearch::set_approval(std::size_t a, std::int32_t k) {
  achosen_[a] = k;
  for (int s : {0, 1}) {
    Side& sd = side_[static_cast<std::size_t>(s)];
    if (!sd.partial) continue;
    sd.partial->approved[avars_[a].id[s]] = k < 0 ? -1 : avars_[a].values[static_cast<std::size_t>(k)].sat[s] ? 1 : 0;
  }
}

bool PurposeSearch::confirmed(bool less) const {
  bool projected = terms_ == Terms::Projected;
  int o = static_cast<int>(side_[0].prog->evaluate_json(request_json(projected ? 0 : -1)).outcome());
  int n = static_cast<int>(side_[1].prog->evaluate_json(request_json(projected ? 1 : -1)).outcome());
  return less ? n < o : n > o;
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
  // An attribute both versions declare with different vocabulary (values,
  // tags, levels or type) matters even when no rule reads it: a request using
  // a term one version lacks is refused there.
  if (side_[0].slot && side_[1].slot)
    for (const sema::Attribute& a : side_[1].m->schema.attrs) {
      std::int64_t o = side_[0].m->schema.find(a.path);
      if (o < 0 || std::find(paths.begin(), paths.end(), a.path) != paths.end()) continue;
      const sema::Attribute& b = side_[0].m->schema.attrs[static_cast<std::size_t>(o)];
      std::set<std::string> va(a.values.begin(), a.values.end()), vb(b.values.begin(), b.values.end());
      if (a.kind != b.kind || va != vb) paths.push_back(a.path);
    }
  for (const auto& p : paths) add_attr(p);
}

namespace {

bool named_kind(TypeKind k) { return k == TypeKind::Enum || k == TypeKind::Level || k == TypeKind::Tags || k == TypeKind::String; }
bool number_kind(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Duration || k == TypeKind::Timestamp; }

// A scalar JSON value encoded as one attribute of one version binds it
// (LANGUAGE.md §15 "Types"), or nullopt when that version refuses it.
std::optional<std::int64_t> encode(const sema::Model& m, const sema::Attribute& a, const nlohmann::json& j) {
  switch (a.kind) {
    case TypeKind::Bool:
      if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
      return std::nullopt;
    case TypeKind::Int:
      if (j.is_number_integer()) return j.get<std::int64_t>();
      return std::nullopt;
    case TypeKind::String:
      if (j.is_string()) return m.find_string(j.get<std::string>());
      return std::nullopt;
    case TypeKind::Duration:
      if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return j.get<std::int64_t>();
      if (j.is_string()) return parse_duration(j.get<std::string>());
      return std::nullopt;
    case TypeKind::Timestamp:
      if (j.is_string()) return parse_rfc3339(j.get<std::string>());
      return std::nullopt;
    case TypeKind::Enum:
    case TypeKind::Level: {
      if (!j.is_string()) return std::nullopt;
      auto it = a.value_index.find(j.get<std::string>());
      if (it == a.value_index.end()) return std::nullopt;
      return static_cast<std::int64_t>(it->second);
    }
    case TypeKind::Tags: return std::nullopt;
  }
  return std::nullopt;
}

// The candidate values of one attribute path over both versions: each a
// representative of a joint class, encoded for each version or marked as
// refused by it. A value neither version accepts is never a candidate.
struct Builder {
  const Side* sd[2];
  std::int64_t attr[2];

  bool declares(int s) const { return attr[s] >= 0; }
  const sema::Attribute& at(int s) const { return sd[s]->m->schema.attrs[static_cast<std::size_t>(attr[s])]; }
  bool has_kind(int s, bool (*pred)(TypeKind)) const { return declares(s) && pred(at(s).kind); }
  std::int64_t index_of(int s, const std::string& n) const {
    if (!declares(s)) return -1;
    auto it = at(s).value_index.find(n);
    return it == at(s).value_index.end() ? -1 : static_cast<std::int64_t>(it->second);
  }
  // The names the conditions of either version compare this path with.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (int s : {1, 0})
      if (has_kind(s, named_kind) && sd[s]->space)
        for (const auto& n : sd[s]->names_read(static_cast<std::uint32_t>(attr[s])))
          if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    return out;
  }
  std::vector<std::int64_t> numbers() const {
    std::set<std::int64_t> out;
    for (int s : {0, 1})
      if (has_kind(s, number_kind) && sd[s]->space)
        for (std::int64_t v : sd[s]->numbers_read(static_cast<std::uint32_t>(attr[s]))) out.insert(v);
    return {out.begin(), out.end()};
  }
  // For each version that has values (enum, level or tags), one value of each
  // kind of membership (in both, in NEW only, in OLD only) that no condition
  // names: it stands for all such values.
  std::vector<std::string> unread(const std::vector<std::string>& read, bool tags) const {
    std::vector<std::string> out;
    bool seen[2][2] = {{false, false}, {false, false}};
    for (int s : {1, 0}) {
      if (!declares(s) || (tags ? at(s).kind != TypeKind::Tags : at(s).kind != TypeKind::Enum)) continue;
      for (const auto& n : at(s).values) {
        if (std::find(read.begin(), read.end(), n) != read.end()) continue;
        bool in0 = index_of(0, n) >= 0, in1 = index_of(1, n) >= 0;
        if (seen[in0][in1] || (tags && in0 && in1)) continue;   // a tag both have and none reads changes nothing
        seen[in0][in1] = true;
        out.push_back(n);
      }
    }
    return out;
  }
  JointValue value(const nlohmann::json& j) const {
    JointValue v;
    v.json = j;
    for (int s : {0, 1}) {
      if (!declares(s)) continue;
      auto e = encode(*sd[s]->m, at(s), j);
      if (e) v.enc[s] = *e;
      else v.err[s] = true;
    }
    return v;
  }
  // Accepted by some version that declares the path.
  static bool useful(const JointValue& v, const Builder& b) {
    for (int s : {0, 1})
      if (b.declares(s) && !v.err[s]) return true;
    return false;
  }
  std::vector<JointValue> values() const;
};

std::vector<JointValue> Builder::values() const {
  std::vector<nlohmann::json> js;
  auto add = [&](const nlohmann::json& j) {
    if (std::find(js.begin(), js.end(), j) == js.end()) js.push_back(j);
  };
  for (int s : {1, 0}) {
    if (!declares(s)) continue;
    TypeKind kind = at(s).kind;
    if (kind == TypeKind::Bool) {
      add(true);
      add(false);
    } else if (number_kind(kind)) {
      std::vector<std::int64_t> cs = numbers(), reps;
      if (cs.empty()) reps.push_back(kind == TypeKind::Timestamp ? 1767225600 : 1);
      for (std::size_t i = 0; i < cs.size(); ++i) {
        if (i == 0) reps.push_back(cs[0] - 1);
        reps.push_back(cs[i]);
        if (i + 1 < cs.size() && cs[i] + 1 < cs[i + 1]) reps.push_back(cs[i] + 1);
        if (i + 1 == cs.size()) reps.push_back(cs[i] + 1);
      }
      for (std::int64_t x : reps) {
        if (kind == TypeKind::Duration && x >= 0) add(verify::format_duration(x));
        else if (kind == TypeKind::Timestamp) add(verify::format_rfc3339(x));
        else if (kind == TypeKind::Int) add(x);
      }
    } else if (kind == TypeKind::String) {
      std::vector<std::string> ns = names();
      std::string other = "other";
      while (std::find(ns.begin(), ns.end(), other) != ns.end()) other += "_";
      ns.push_back(other);
      for (const auto& n : ns) add(n);
    } else if (kind == TypeKind::Level) {
      for (const auto& n : at(s).values) add(n);
    } else if (kind == TypeKind::Enum) {
      std::vector<std::string> ns = names();
      for (const auto& n : ns) add(n);
      for (const auto& n : unread(ns, false)) add(n);
    }
  }
  std::vector<JointValue> out;
  for (const auto& j : js) {
    JointValue v = value(j);
    if (useful(v, *this)) out.push_back(v);
  }
  return out;
}

}  // namespace

void PurposeSearch::add_attr(const std::string& path) {
  Builder b{{&side_[0], &side_[1]}, {side_[0].m->schema.find(path), side_[1].m->schema.find(path)}};
  bool tags[2] = {b.declares(0) && b.at(0).kind == TypeKind::Tags, b.declares(1) && b.at(1).kind == TypeKind::Tags};
  bool scalar[2] = {b.declares(0) && !tags[0], b.declares(1) && !tags[1]};
  JointVar v;
  v.path = path;
  v.attr[0] = b.attr[0];
  v.attr[1] = b.attr[1];
  JointValue missing;
  missing.json = nullptr;
  if (!tags[0] && !tags[1]) {
    v.values = b.values();
    v.values.push_back(missing);
    vars_.push_back(v);
    return;
  }
  // A tags attribute: its presence (an array, or — where the other version
  // declares the path with another type — that type's values), then each tag.
  v.kind = verify::Var::Kind::TagsPresence;
  JointValue present;
  present.json = nlohmann::json::array();
  for (int s : {0, 1}) {
    present.enc[s] = 1;
    present.err[s] = scalar[s];
  }
  v.values.push_back(present);
  if (scalar[0] || scalar[1])
    for (const JointValue& x : b.values()) v.values.push_back(x);
  v.values.push_back(missing);
  vars_.push_back(v);
  std::vector<std::string> ns = b.names();
  for (const auto& n : b.unread(ns, true)) ns.push_back(n);
  for (const auto& tag : ns) {
    JointVar t = v;
    t.kind = verify::Var::Kind::Tag;
    t.tag = tag;
    JointValue absent, has;
    absent.json = nullptr;
    has.json = tag;
    bool accepted = false;
    for (int s : {0, 1}) {
      t.tag_index[s] = tags[s] ? b.index_of(s, tag) : -1;
      has.enc[s] = 1;
      has.err[s] = scalar[s] || (tags[s] && t.tag_index[s] < 0);
      accepted = accepted || (tags[s] && t.tag_index[s] >= 0);
    }
    if (!accepted) continue;
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
    bool tags = sd.m->schema.attrs[attr].kind == TypeKind::Tags;
    verify::Var::Kind kind = v.kind == verify::Var::Kind::Tag ? v.kind : tags ? verify::Var::Kind::TagsPresence : verify::Var::Kind::Scalar;
    const verify::Var* var = sd.var_for(attr, kind, v.tag_index[s]);
    if (!var || (v.kind == verify::Var::Kind::Tag && v.tag_index[s] < 0)) continue;
    if (x.err[s]) {   // refused: Strict decides deny (refuses()); Projected judges the request without it
      if (terms_ == Terms::Projected) sd.partial->set(*var, 0);
      else sd.partial->unset(*var);
      continue;
    }
    std::int32_t cls = 0;
    if (kind == verify::Var::Kind::Scalar) cls = x.json.is_null() ? 0 : sd.class_of(attr, x.enc[s]);
    else cls = x.json.is_null() ? 0 : 1;
    sd.partial->set(*var, cls);
  }
}

void PurposeSearch::unset(const JointVar& v) {
  for (int s : {0, 1}) {
    Side& sd = side_[static_cast<std::size_t>(s)];
    if (!sd.space || v.attr[s] < 0) continue;
    auto attr = static_cast<std::uint32_t>(v.attr[s]);
    bool tags = sd.m->schema.attrs[attr].kind == TypeKind::Tags;
    verify::Var::Kind kind = v.kind == verify::Var::Kind::Tag ? v.kind : tags ? verify::Var::Kind::TagsPresence : verify::Var::Kind::Scalar;
    if (v.kind == verify::Var::Kind::Tag && v.tag_index[s] < 0) continue;
    const verify::Var* var = sd.var_for(attr, kind, v.tag_index[s]);
    if (var) sd.partial->unset(*var);
  }
}

bool PurposeSearch::skip(std::size_t i) const {
  if (vars_[i].kind != verify::Var::Kind::Tag) return false;
  for (std::size_t j = 0; j < i; ++j)
    if (vars_[j].kind == verify::Var::Kind::TagsPresence && vars_[j].path == vars_[i].path)
      return chosen_[j] < 0 || !vars_[j].values[static_cast<std::size_t>(chosen_[j])].json.is_array();
  return false;
}

bool PurposeSearch::refuses(int side) const {
  for (std::size_t i = 0; i < vars_.size(); ++i)
    if (chosen_[i] >= 0 && !skip(i) && vars_[i].values[static_cast<std::size_t>(chosen_[i])].err[side]) return true;
  return false;
}

bool PurposeSearch::may_refuse(int side) const {
  if (terms_ != Terms::Strict) return false;
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    if (chosen_[i] >= 0) continue;
    if (vars_[i].kind == verify::Var::Kind::Tag) {   // a tag of a path already chosen missing cannot be carried
      bool out = false;
      for (std::size_t j = 0; j < i; ++j)
        if (vars_[j].kind == verify::Var::Kind::TagsPresence && vars_[j].path == vars_[i].path && chosen_[j] >= 0)
          out = !vars_[j].values[static_cast<std::size_t>(chosen_[j])].json.is_array();
      if (out) continue;
    }
    for (const JointValue& x : vars_[i].values)
      if (x.err[side]) return true;
  }
  return false;
}

verify::Range PurposeSearch::range(int side) const {
  if (terms_ == Terms::Projected) return side_[static_cast<std::size_t>(side)].range();
  if (refuses(side)) return {3, 3};   // a request error is decided deny (fail closed)
  verify::Range r = side_[static_cast<std::size_t>(side)].range();
  if (may_refuse(side)) r.hi = 3;     // a value still to be chosen may make it a request error
  return r;
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
  verify::Range o = range(0), n = range(1);
  if (less ? n.lo >= o.hi : n.hi <= o.lo) return false;
  // Separated: confirm with the Programs; should the approval model and §10
  // disagree, keep refining the request instead.
  if ((less ? n.hi < o.lo : n.lo > o.hi) && confirmed(less)) return true;
  while (i < vars_.size() && skip(i)) ++i;
  if (i >= vars_.size()) {
    std::size_t a = i - vars_.size();
    if (a >= avars_.size()) return false;
    for (std::size_t k = 0; k < avars_[a].values.size(); ++k) {
      set_approval(a, static_cast<std::int32_t>(k));
      if (dfs(i + 1, less)) return true;
    }
    set_approval(a, -1);
    return false;
  }
  for (std::size_t k = 0; k < vars_[i].values.size(); ++k) {
    const JointValue& x = vars_[i].values[k];
    bool refused = terms_ == Terms::Shared ? x.err[0] || x.err[1] : terms_ == Terms::Projected ? x.err[less ? 1 : 0] : false;
    if (!realizable(vars_[i], k) || refused) continue;
    chosen_[i] = static_cast<std::int32_t>(k);
    set(vars_[i], k);
    if (dfs(i + 1, less)) return true;
  }
  chosen_[i] = -1;
  unset(vars_[i]);
  return false;
}

std::string PurposeSearch::request_json(int drop_refused_by) const {
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
    if (x.json.is_null() || (drop_refused_by >= 0 && x.err[drop_refused_by])) continue;
    if (vars_[i].kind == verify::Var::Kind::Tag) at(vars_[i].path).push_back(x.json);
    else at(vars_[i].path) = x.json;
  }
  nlohmann::json approvals = nlohmann::json::array();
  for (std::size_t a = 0; a < avars_.size(); ++a)
    if (achosen_[a] > 0)
      for (const auto& x : avars_[a].values[static_cast<std::size_t>(achosen_[a])].approvals) approvals.push_back(x);
  // The versions are compared while both are in force (docs/language.md §15
  // "Effective dates"): a request with no clock of its own is judged at the
  // latest `effective` of either version (2026-01-01 at the earliest).
  std::optional<std::int64_t> in_force;
  for (const Side& sd : side_)
    for (const sema::Layer& l : sd.m->layers)
      if (l.effective_at) in_force = std::max(in_force.value_or(1767225600), *l.effective_at);
  bool no_clock = !j.contains("request") || (!j["request"].contains("time") && !j["request"].contains("now"));
  if (in_force && no_clock) j["request"]["time"] = verify::format_rfc3339(*in_force);
  if (!approvals.empty()) {
    // Approvals count only with request.time and an actor other than the approver (§10).
    if (!j.contains("request") || !j["request"].contains("time")) j["request"]["time"] = verify::format_rfc3339(1767225600);
    if (!j.contains("actor") || !j["actor"].contains("id")) j["actor"]["id"] = "requester";
    for (auto& x : approvals) x["at"] = j["request"]["time"];
    j["approvals"] = approvals;
  }
  return j.dump();
}

std::optional<Found> PurposeSearch::find(bool less, Terms terms) {
  if (terms != Terms::Shared) {   // nothing new to search when both versions accept every candidate value
    bool any = false;
    for (const JointVar& v : vars_)
      for (const JointValue& x : v.values) any = any || x.err[0] || x.err[1];
    if (!any) return std::nullopt;
  }
  terms_ = terms;
  bool found = dfs(0, less);
  std::optional<Found> out;
  if (found) out = Found{request_json(), {request_json(0), request_json(1)}, refuses(0) || refuses(1)};
  for (std::size_t i = 0; i < vars_.size(); ++i)
    if (chosen_[i] >= 0) {
      unset(vars_[i]);
      chosen_[i] = -1;
    }
  for (std::size_t a = 0; a < avars_.size(); ++a) set_approval(a, -1);
  return out;
}

}  // namespace redline::report
