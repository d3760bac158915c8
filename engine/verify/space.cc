// verify/space.cc — value classes (verify/space.h) and the four-valued
// evaluation of conditions over a partial assignment.
#include "verify/space.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>

namespace redline::verify {
namespace {

using K = sema::Cond::Kind;
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kTimeMin = -62135596800;   // 0001-01-01T00:00:00Z
constexpr std::int64_t kTimeMax = 253402300799;   // 9999-12-31T23:59:59Z

// What the conditions say about one attribute.
struct Usage {
  std::size_t reads = 0;
  std::set<std::int64_t> constants;   // compared values (scalars) or tags named
};

void collect(const sema::Cond& c, std::map<std::uint32_t, Usage>& out) {
  switch (c.kind) {
    case K::Const: return;
    case K::And:
    case K::Or:
    case K::Not:
      for (const auto& k : c.kids) collect(k, out);
      return;
    default: break;
  }
  Usage& u = out[c.attr];
  ++u.reads;
  if (c.kind != K::Present && c.kind != K::Missing) u.constants.insert(c.values.begin(), c.values.end());
}

// Points at each constant inside [lo, hi] and one value in each non-empty gap.
std::vector<std::int64_t> ordered_reps(const std::set<std::int64_t>& constants, std::int64_t lo, std::int64_t hi, std::int64_t nice) {
  std::vector<std::int64_t> reps;
  std::int64_t next = lo;   // the lowest value not yet in a class
  bool done = false;
  for (std::int64_t c : constants) {
    if (c < lo || c > hi) continue;
    if (next < c) reps.push_back(c - 1);
    reps.push_back(c);
    if (c == hi) done = true;
    else next = c + 1;
  }
  if (!done) reps.push_back(reps.empty() ? std::clamp(nice, lo, hi) : next);
  return reps;
}

std::vector<std::int64_t> scalar_reps(const sema::Attribute& a, const std::set<std::int64_t>& constants) {
  switch (a.kind) {
    case sema::TypeKind::Bool: return {1, 0};
    case sema::TypeKind::Int: return ordered_reps(constants, kMin, kMax, 0);
    case sema::TypeKind::Duration: return ordered_reps(constants, 0, kMax, 60);
    case sema::TypeKind::Timestamp: return ordered_reps(constants, kTimeMin, kTimeMax, 1767225600);
    case sema::TypeKind::Level: return ordered_reps(constants, 0, static_cast<std::int64_t>(a.values.size()) - 1, 0);
    case sema::TypeKind::String: {
      std::vector<std::int64_t> reps(constants.begin(), constants.end());
      reps.push_back(-1);   // any string no condition names
      return reps;
    }
    case sema::TypeKind::Enum: {
      std::vector<std::int64_t> reps(constants.begin(), constants.end());
      for (std::int64_t v = 0; v < static_cast<std::int64_t>(a.values.size()); ++v)
        if (!constants.count(v)) {   // one representative of the values no condition names
          reps.push_back(v);
          break;
        }
      return reps;
    }
    case sema::TypeKind::Tags: break;
  }
  return {};
}

// Kleene `and` / `or` lifted to sets of values, indexed by the two sets.
struct Tables {
  std::array<std::array<TriSet, 8>, 8> conj{}, disj{};
  Tables() {
    for (unsigned a = 0; a < 8; ++a)
      for (unsigned b = 0; b < 8; ++b)
        for (unsigned i = 0; i < 3; ++i)
          for (unsigned j = 0; j < 3; ++j)
            if ((a >> i & 1) && (b >> j & 1)) {
              conj[a][b] |= static_cast<TriSet>(1u << std::min(i, j));
              disj[a][b] |= static_cast<TriSet>(1u << std::max(i, j));
            }
  }
};
const Tables kTables;

TriSet negate(TriSet s) { return static_cast<TriSet>((s & kU) | (s & kF ? kT : 0) | (s & kT ? kF : 0)); }

TriSet eval_tags(const sema::Cond& c, const Partial& p) {
  const auto& st = p.tags[c.attr];
  bool any_yes = false, all_yes = true, any_open = false;
  for (std::int64_t t : c.values) {
    std::int8_t v = st[static_cast<std::size_t>(t)];
    any_yes |= v == 1;
    all_yes &= v == 1;
    any_open |= v < 0;
  }
  if (c.kind == K::HasAny) return any_yes ? kT : any_open ? (kT | kF) : kF;
  bool any_no = false;
  for (std::int64_t t : c.values) any_no |= st[static_cast<std::size_t>(t)] == 0;
  return all_yes ? kT : any_no ? kF : (kT | kF);
}

TriSet eval_atom(const sema::Cond& c, const Partial& p) {
  std::int32_t cls = p.cls[c.attr];
  if (c.kind == K::Present || c.kind == K::Missing) {
    if (cls < 0) return kT | kF;
    return (cls > 0) == (c.kind == K::Present) ? kT : kF;
  }
  if (cls < 0) return kAnyTri;
  if (cls == 0) return kU;
  if (c.kind == K::HasAny || c.kind == K::HasAll) return eval_tags(c, p);
  std::int64_t v = p.space->rep(c.attr, static_cast<std::uint32_t>(cls - 1));
  if (c.kind == K::Compare) return sema::compare(v, c.op, c.values[0]) ? kT : kF;
  return std::find(c.values.begin(), c.values.end(), v) != c.values.end() ? kT : kF;   // In
}

}  // namespace

Space::Space(const sema::Model& model, const std::vector<const sema::Cond*>& conds, const sema::Cond* first) : model_(&model) {
  std::map<std::uint32_t, Usage> usage, priority;
  for (const sema::Cond* c : conds)
    if (c) collect(*c, usage);
  if (first) collect(*first, priority);
  reps_.resize(model.schema.attrs.size());
  std::vector<std::pair<std::size_t, std::uint32_t>> order;   // (reads, attr); the priority attributes rank above all
  for (const auto& [attr, u] : usage) order.emplace_back(u.reads + (priority.count(attr) ? std::size_t{1} << 40 : 0), attr);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [reads, attr] : order) {
    const sema::Attribute& a = model.schema.attrs[attr];
    if (a.kind == sema::TypeKind::Tags) {
      vars_.push_back({Var::Kind::TagsPresence, attr, 0, 2});
      for (std::int64_t t : usage[attr].constants) vars_.push_back({Var::Kind::Tag, attr, t, 2});
      continue;
    }
    reps_[attr] = scalar_reps(a, usage[attr].constants);
    vars_.push_back({Var::Kind::Scalar, attr, 0, static_cast<std::uint32_t>(reps_[attr].size() + 1)});
  }
  std::int64_t time = model.schema.find("request.time"), now = model.schema.find("request.now");
  if (time >= 0 && now >= 0 && usage.count(static_cast<std::uint32_t>(time)) && usage.count(static_cast<std::uint32_t>(now))) {
    time_ = time;
    now_ = now;
  }
}

Partial::Partial(const Space& s) : space(&s) {
  const auto& attrs = s.model().schema.attrs;
  cls.assign(attrs.size(), -1);
  approved.assign(s.model().rules.size(), 0);
  tags.resize(attrs.size());
  for (std::size_t a = 0; a < attrs.size(); ++a)
    if (attrs[a].kind == sema::TypeKind::Tags) tags[a].assign(attrs[a].values.size(), -1);
}

void Partial::set(const Var& v, std::int32_t x) {
  if (v.kind == Var::Kind::Tag) tags[v.attr][static_cast<std::size_t>(v.tag)] = static_cast<std::int8_t>(x);
  else cls[v.attr] = x;
}

void Partial::unset(const Var& v) { set(v, -1); }

TriSet eval_set(const sema::Cond& c, const Partial& p) {
  switch (c.kind) {
    case K::Const: return c.constant ? kT : kF;
    case K::And: {
      TriSet r = kT;
      for (const auto& k : c.kids) {
        r = kTables.conj[r][eval_set(k, p)];
        if (r == kF) break;
      }
      return r;
    }
    case K::Or: {
      TriSet r = kF;
      for (const auto& k : c.kids) {
        r = kTables.disj[r][eval_set(k, p)];
        if (r == kT) break;
      }
      return r;
    }
    case K::Not: return negate(eval_set(c.kids[0], p));
    default: return eval_atom(c, p);
  }
}

TriSet rule_cond_set(const sema::Rule& r, const Partial& p) {
  TriSet s = r.when ? eval_set(*r.when, p) : kT;
  if (s == kF || !r.unless) return s;
  return kTables.conj[s][negate(eval_set(*r.unless, p))];
}

ApplySet rule_apply_set(const sema::Rule& r, const Partial& p) {
  return apply_set(rule_cond_set(r, p), r.effect != sema::Effect::Permit);
}

}  // namespace redline::verify
