// flat/graph_to_program.cc — per-slot class tables, tag groups, residuals and
// masks for flat/graph_to_program.h.
#include "flat/graph_to_program.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "compile/decision_graph.h"
#include "sema/escalation_steps.h"
#include "sema/tri.h"

namespace redline::flat {
namespace {

using compile::Compiled;
using compile::Factored;

// A value representing one class of a table, for evaluating factors.
struct ClassValue {
  bool present = false;
  bool empty = false;      // an interval with no integer in it: never looked up
  std::int64_t value = 0;
};

struct RepAccess {
  ClassValue v;
  bool present(std::uint32_t) const { return v.present; }
  std::int64_t value(std::uint32_t) const { return v.value; }
  bool has_tag(std::uint32_t, std::int64_t) const { return false; }
};

void collect_consts(const sema::Cond& c, std::set<std::int64_t>& out) {
  using K = sema::Cond::Kind;
  if (c.kind == K::Compare || c.kind == K::In) out.insert(c.values.begin(), c.values.end());
  for (const auto& k : c.kids) collect_consts(k, out);
}


ClassValue class_value(const Table& t, const ProgramData& d, std::uint32_t cls) {
  ClassValue v;
  if (cls == 0) return v;
  v.present = true;
  const std::int64_t* cs = d.consts.data() + t.consts_begin;
  std::size_t k = t.consts_end - t.consts_begin;
  switch (t.kind) {
    case ClassKind::Direct: v.value = cls - 1; break;
    case ClassKind::Presence: break;
    case ClassKind::Literal: v.value = cls - 1 < k ? cs[cls - 1] : -1; break;
    case ClassKind::Interval: {
      std::size_t idx = cls - 1;
      if (idx % 2 == 1) {
        v.value = cs[idx / 2];
        break;
      }
      std::size_t gap = idx / 2;
      constexpr auto lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
      if (k == 0) v.value = 0;
      else if (gap == 0) { v.empty = cs[0] == lo; v.value = v.empty ? 0 : cs[0] - 1; }
      else if (gap == k) { v.empty = cs[k - 1] == hi; v.value = v.empty ? 0 : cs[k - 1] + 1; }
      else { v.empty = cs[gap - 1] + 1 >= cs[gap]; v.value = cs[gap - 1] + 1; }
      break;
    }
  }
  return v;
}

struct SlotBuilder {
  const Compiled& c;
  ProgramData& d;
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>>& lowered;   ///< rule → its residual's instructions
  Slot slot;
  std::vector<std::uint32_t> rules;   // local → global
  std::uint32_t W = 0;

  std::uint32_t alloc(std::size_t words, std::uint64_t fill) {
    auto off = static_cast<std::uint32_t>(d.bits.size());
    d.bits.resize(d.bits.size() + words, fill);
    return off;
  }
  void set(std::uint32_t off, std::size_t i) { d.bits[off + (i >> 6)] |= std::uint64_t{1} << (i & 63); }
  void clear(std::uint32_t off, std::size_t i) { d.bits[off + (i >> 6)] &= ~(std::uint64_t{1} << (i & 63)); }
  const Factored& fact(std::size_t local) const { return c.factored[rules[local]]; }
  const sema::Rule& rule(std::size_t local) const { return c.model->rules[rules[local]]; }

  void masks() {
    const std::size_t L = c.chain.size();
    slot.base = alloc(W, 0);
    slot.restrictive = alloc(W, 0);
    slot.permit = alloc(W, 0);
    slot.approval_mask = alloc(W, 0);
    slot.timeout_mask = alloc(W, 0);
    slot.outcome_masks = alloc(L * 4 * W, 0);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const sema::Rule& r = rule(i);
      if (!fact(i).never) set(slot.base, i);
      set(r.effect == sema::Effect::Permit ? slot.permit : slot.restrictive, i);
      if (r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate) set(slot.approval_mask, i);
      if (sema::can_time_out(*c.model, r)) set(slot.timeout_mask, i);
      auto pos = static_cast<std::size_t>(c.chain_pos[r.layer]);
      auto o = static_cast<std::size_t>(ast::outcome_of(r.effect));
      set(static_cast<std::uint32_t>(slot.outcome_masks + (pos * 4 + o) * W), i);
    }
  }

  void table(std::uint32_t attr, const std::vector<std::pair<std::uint32_t, const compile::AttrFactor*>>& users) {
    const sema::Attribute& a = c.model->schema.attrs[attr];
    Table t;
    t.attr = attr;
    std::set<std::int64_t> consts;
    for (const auto& [local, f] : users)
      for (const sema::Cond* cj : f->conjuncts) collect_consts(*cj, consts);
    switch (a.kind) {
      case sema::TypeKind::Bool: t.kind = ClassKind::Direct; t.classes = 3; break;
      case sema::TypeKind::Enum:
      case sema::TypeKind::Level: t.kind = ClassKind::Direct; t.classes = 1 + static_cast<std::uint32_t>(a.values.size()); break;
      case sema::TypeKind::Tags: t.kind = ClassKind::Presence; t.classes = 2; break;
      case sema::TypeKind::String: t.kind = ClassKind::Literal; break;
      default: t.kind = ClassKind::Interval; break;
    }
    t.consts_begin = static_cast<std::uint32_t>(d.consts.size());
    if (t.kind == ClassKind::Literal || t.kind == ClassKind::Interval) d.consts.insert(d.consts.end(), consts.begin(), consts.end());
    t.consts_end = static_cast<std::uint32_t>(d.consts.size());
    std::uint32_t k = t.consts_end - t.consts_begin;
    if (t.kind == ClassKind::Literal) t.classes = k + 2;
    if (t.kind == ClassKind::Interval) t.classes = 2 * k + 2;
    t.bits = alloc(std::size_t{t.classes} * 2 * W, ~std::uint64_t{0});
    for (std::uint32_t cls = 0; cls < t.classes; ++cls) {
      ClassValue v = class_value(t, d, cls);
      if (v.empty) continue;
      RepAccess acc{v};
      std::uint32_t notf = t.bits + cls * 2 * W, tru = notf + W;
      for (const auto& [local, f] : users) {
        sema::Tri r = sema::Tri::T;
        for (const sema::Cond* cj : f->conjuncts) r = sema::tri_and(r, sema::evaluate(*cj, acc));
        if (r == sema::Tri::F) clear(notf, local);
        if (r != sema::Tri::T) clear(tru, local);
      }
    }
    d.tables.push_back(t);
  }

  void tables() {
    std::map<std::uint32_t, std::vector<std::pair<std::uint32_t, const compile::AttrFactor*>>> by_attr;
    for (std::uint32_t i = 0; i < rules.size(); ++i)
      for (const auto& f : fact(i).factors) by_attr[f.attr].push_back({i, &f});
    slot.tables_begin = static_cast<std::uint32_t>(d.tables.size());
    for (const auto& [attr, users] : by_attr) table(attr, users);
    slot.tables_end = static_cast<std::uint32_t>(d.tables.size());
  }

  void tag_groups() {
    std::map<std::uint32_t, std::vector<std::uint32_t>> by_attr;   // attr → locals with literals on it
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
      std::set<std::uint32_t> attrs;
      for (const auto& l : fact(i).tag_literals) attrs.insert(l.attr);
      for (auto a : attrs) by_attr[a].push_back(i);
    }
    slot.groups_begin = static_cast<std::uint32_t>(d.groups.size());
    for (const auto& [attr, locals] : by_attr) {
      TagGroup g;
      g.attr = attr;
      g.domain = static_cast<std::uint32_t>(c.model->schema.attrs[attr].values.size());
      g.single_all = alloc(W, 0);
      g.literal_all = alloc(W, 0);
      g.per_tag = static_cast<std::uint32_t>(d.tag_index.size());
      d.tag_index.resize(d.tag_index.size() + g.domain, -1);
      auto triple = [&](std::int64_t tag) -> std::uint32_t {
        std::int32_t& idx = d.tag_index[g.per_tag + static_cast<std::size_t>(tag)];
        if (idx < 0) idx = static_cast<std::int32_t>(alloc(3 * W, 0));
        return static_cast<std::uint32_t>(idx);
      };
      std::set<std::uint32_t> multi;
      for (std::uint32_t local : locals) {
        std::set<std::int64_t> pos;
        for (const auto& l : fact(local).tag_literals)
          if (l.attr == attr && l.positive) pos.insert(l.tag);
        set(g.literal_all, local);
        if (pos.size() == 1) {
          set(g.single_all, local);
          set(triple(*pos.begin()), local);   // word block 0: single requirement
        } else {
          for (auto t : pos) {
            set(triple(t) + W, local);        // word block 1: one of several requirements
            multi.insert(static_cast<std::uint32_t>(t));
          }
        }
        for (const auto& l : fact(local).tag_literals)
          if (l.attr == attr && !l.positive) set(triple(l.tag) + 2 * W, local);   // word block 2: forbidden
      }
      g.multi_begin = static_cast<std::uint32_t>(d.multi_tags.size());
      d.multi_tags.insert(d.multi_tags.end(), multi.begin(), multi.end());
      g.multi_end = static_cast<std::uint32_t>(d.multi_tags.size());
      d.groups.push_back(g);
    }
    slot.groups_end = static_cast<std::uint32_t>(d.groups.size());
  }

  void residuals() {
    slot.residual_begin = static_cast<std::uint32_t>(d.residuals.size());
    for (std::uint32_t i = 0; i < rules.size(); ++i)
      if (!fact(i).residual.empty()) {
        // A rule's residual is lowered once and shared by every slot it is a candidate of.
        auto [it, fresh] = lowered.try_emplace(rules[i]);
        if (fresh) {
          it->second.first = static_cast<std::uint32_t>(d.ops.size());
          for (const sema::Cond* cj : fact(i).residual) lower_cond(*cj, d);
          it->second.second = static_cast<std::uint32_t>(d.ops.size());
        }
        d.residuals.push_back({i, it->second.first, it->second.second});
      }
    slot.residual_end = static_cast<std::uint32_t>(d.residuals.size());
  }

  Slot build(const compile::SlotPlan& p) {
    rules = p.rules;
    W = static_cast<std::uint32_t>((rules.size() + 63) / 64);
    slot.words = W;
    slot.rules_begin = static_cast<std::uint32_t>(d.rule_ids.size());
    d.rule_ids.insert(d.rule_ids.end(), rules.begin(), rules.end());
    slot.rules_end = static_cast<std::uint32_t>(d.rule_ids.size());
    masks();
    tables();
    tag_groups();
    residuals();
    slot.switches_begin = static_cast<std::uint32_t>(d.switch_ids.size());
    d.switch_ids.insert(d.switch_ids.end(), p.switches.begin(), p.switches.end());
    slot.switches_end = static_cast<std::uint32_t>(d.switch_ids.size());
    for (std::uint32_t r : rules) {
      const sema::Rule& rule = c.model->rules[r];
      slot.takes_approvals = slot.takes_approvals || rule.effect == sema::Effect::RequireApproval || rule.effect == sema::Effect::Escalate;
    }
    return slot;
  }
};

}  // namespace

void lower_cond(const sema::Cond& c, ProgramData& d) {
  using K = sema::Cond::Kind;
  using O = CondOp::Kind;
  CondOp op;
  switch (c.kind) {
    case K::Const: op.kind = c.constant ? O::True : O::False; break;
    case K::And: op.kind = O::And; break;
    case K::Or: op.kind = O::Or; break;
    case K::Not: op.kind = O::Not; break;
    case K::Compare: op.kind = O::Compare; break;
    case K::In: op.kind = O::In; break;
    case K::HasAny: op.kind = O::HasAny; break;
    case K::HasAll: op.kind = O::HasAll; break;
    case K::Present: op.kind = O::Present; break;
    case K::Missing: op.kind = O::Missing; break;
  }
  op.cmp = c.op;
  op.attr = c.attr;
  op.values_begin = static_cast<std::uint32_t>(d.cond_values.size());
  d.cond_values.insert(d.cond_values.end(), c.values.begin(), c.values.end());
  op.values_end = static_cast<std::uint32_t>(d.cond_values.size());
  const std::size_t at = d.ops.size();
  d.ops.push_back(op);
  for (const auto& k : c.kids) lower_cond(k, d);
  d.ops[at].end = static_cast<std::uint32_t>(d.ops.size());
}

std::uint32_t classify(const Table& t, const ProgramData& d, bool present, std::int64_t value) {
  if (!present) return 0;
  switch (t.kind) {
    case ClassKind::Direct: return 1 + static_cast<std::uint32_t>(value);
    case ClassKind::Presence: return 1;
    case ClassKind::Literal: {
      const std::int64_t* b = d.consts.data() + t.consts_begin;
      const std::int64_t* e = d.consts.data() + t.consts_end;
      const std::int64_t* it = std::lower_bound(b, e, value);
      return 1 + static_cast<std::uint32_t>((it != e && *it == value) ? it - b : e - b);
    }
    case ClassKind::Interval: {
      const std::int64_t* b = d.consts.data() + t.consts_begin;
      const std::int64_t* e = d.consts.data() + t.consts_end;
      const std::int64_t* it = std::lower_bound(b, e, value);
      auto p = static_cast<std::uint32_t>(it - b);
      return 1 + ((it != e && *it == value) ? 2 * p + 1 : 2 * p);
    }
  }
  return 0;
}

ProgramData flatten(const Compiled& c) {
  ProgramData d;
  d.purpose_slot.assign(c.model->purposes.nodes.size(), 0);
  for (std::uint32_t l : c.chain) d.layer_default.push_back(static_cast<std::uint8_t>(c.model->layers[l].default_outcome));
  for (std::uint32_t l : c.chain) d.layer_in_force_from.push_back(c.model->layers[l].effective_at);
  d.chain = c.chain;
  d.chain_pos = c.chain_pos;
  d.top = c.top;
  d.switches = c.switches;
  d.rule_attrs_begin.reserve(c.model->rules.size() + 1);
  for (std::size_t r = 0; r < c.model->rules.size(); ++r) {
    d.rule_attrs_begin.push_back(static_cast<std::uint32_t>(d.rule_attrs.size()));
    if (r < c.factored.size()) d.rule_attrs.insert(d.rule_attrs.end(), c.factored[r].attrs_read.begin(), c.factored[r].attrs_read.end());
  }
  d.rule_attrs_begin.push_back(static_cast<std::uint32_t>(d.rule_attrs.size()));
  // Walk the graph: every node below the dispatch root becomes a flat slot;
  // the dispatch edges fill the purpose table.
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> lowered;
  auto [ei, ee] = boost::out_edges(c.root, c.graph);
  for (; ei != ee; ++ei) {
    auto v = boost::target(*ei, c.graph);
    const compile::VertexInfo& info = c.graph[v];
    SlotBuilder b{c, d, lowered, {}, {}, 0};
    auto index = static_cast<std::uint32_t>(d.slots.size());
    d.slots.push_back(b.build(c.slots[static_cast<std::size_t>(info.slot)]));
    for (std::uint32_t q : c.graph[*ei].purposes) d.purpose_slot[q] = index;
  }
  return d;
}

std::size_t ProgramData::bytes() const {
  std::size_t n = purpose_slot.size() * 4 + slots.size() * sizeof(Slot) + tables.size() * sizeof(Table) +
                  groups.size() * sizeof(TagGroup) + rule_ids.size() * 4 + switch_ids.size() * 4 + consts.size() * 8 +
                  tag_index.size() * 4 + multi_tags.size() * 4 + bits.size() * 8 + layer_default.size() +
                  layer_in_force_from.size() * sizeof(std::optional<std::int64_t>) + residuals.size() * sizeof(Residual) +
                  ops.size() * sizeof(CondOp) + cond_values.size() * 8 + chain.size() * 4 + chain_pos.size() * 4 + switches.size() * 4 +
                  rule_attrs_begin.size() * 4 + rule_attrs.size() * 4;
  return n;
}

}  // namespace redline::flat
