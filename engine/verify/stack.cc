// verify/stack.cc — candidate rules per purpose, slots, and decision ranges
// (verify/stack.h).
#include "verify/stack.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "sema/coverage.h"

namespace redline::verify {

std::vector<std::uint32_t> reach(const sema::Model& m, const std::vector<sema::Target>& targets, bool restrictive) {
  const auto& tree = m.purposes;
  std::vector<char> in(tree.nodes.size(), 0);
  for (const sema::Target& t : targets) {
    if (t.kind == sema::Target::Kind::All) {
      std::fill(in.begin(), in.end(), 1);
      break;
    }
    std::uint32_t first = t.kind == sema::Target::Kind::Exact ? t.purpose : t.purpose + 1;
    for (std::uint32_t q = first; q <= tree.nodes[t.purpose].last_descendant; ++q) in[q] = 1;
    if (!restrictive) continue;
    // Vaguer purposes: the target's ancestors (and, for `P.*`, P itself).
    std::int64_t q = t.kind == sema::Target::Kind::Exact ? tree.nodes[t.purpose].parent : static_cast<std::int64_t>(t.purpose);
    for (; q >= 0; q = tree.nodes[static_cast<std::size_t>(q)].parent) in[static_cast<std::size_t>(q)] = 1;
  }
  std::vector<std::uint32_t> out;
  for (std::uint32_t q = 0; q < in.size(); ++q)
    if (in[q]) out.push_back(q);
  return out;
}

int rank_of(const sema::Rule& r) { return static_cast<int>(ast::outcome_of(r.effect)); }

Stack::Stack(const sema::Model& model, std::uint32_t top) : model_(&model), top_(top), chain_(model.chain(top)) {
  pos_.assign(model.layers.size(), -1);
  for (std::size_t i = 0; i < chain_.size(); ++i) pos_[chain_[i]] = static_cast<std::int32_t>(i);
  const std::size_t n = model.purposes.nodes.size();
  std::vector<Slot> per(n);
  for (std::uint32_t l : chain_) {
    for (std::uint32_t ri : model.layers[l].rules) {
      const sema::Rule& r = model.rules[ri];
      for (std::uint32_t q : reach(model, r.targets, sema::is_restrictive(r.effect))) {
        per[q].rules.push_back(ri);
        per[q].vague.push_back(sema::reaches(model.purposes, r.targets, q, false) ? 0 : 1);
      }
    }
  }
  for (std::uint32_t l : chain_)
    for (std::uint32_t s : model.layers[l].switches)
      for (std::uint32_t q : reach(model, model.switches[s].covers, true)) per[q].switches.push_back(s);
  std::map<std::tuple<std::vector<std::uint32_t>, std::vector<char>, std::vector<std::uint32_t>>, std::uint32_t> index;
  slot_of_.assign(n, 0);
  for (std::uint32_t q = 0; q < n; ++q) {
    auto key = std::make_tuple(std::move(per[q].rules), std::move(per[q].vague), std::move(per[q].switches));
    auto [it, fresh] = index.emplace(key, static_cast<std::uint32_t>(slots_.size()));
    if (fresh) slots_.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), {}});
    slots_[it->second].purposes.push_back(q);
    slot_of_[q] = it->second;
  }
}

std::vector<const sema::Cond*> Stack::conditions(const Slot& s) const {
  std::vector<const sema::Cond*> out;
  for (std::uint32_t ri : s.rules) {
    const sema::Rule& r = model_->rules[ri];
    if (r.when) out.push_back(&*r.when);
    if (r.unless) out.push_back(&*r.unless);
  }
  return out;
}

Range Stack::decide(const Slot& s, const Partial& p) const {
  // Per layer of the chain: a rule surely applies; the most severe sure rule;
  // the most and least severe rules that may apply.
  struct Acc {
    bool sure = false;
    int sure_max = -1, may_max = -1, may_min = 4;
  };
  std::vector<Acc> acc(chain_.size());
  for (std::size_t k = 0; k < s.rules.size(); ++k) {
    std::uint32_t ri = s.rules[k];
    const sema::Rule& r = model_->rules[ri];
    Acc& l = acc[static_cast<std::size_t>(pos_[r.layer])];
    // The rule's alternatives under its approval state: pending (its own
    // outcome when it applies) and satisfied (a permit where it applies
    // definitely, nothing elsewhere).
    std::int8_t state = ri < p.approved.size() ? p.approved[ri] : 0;
    struct Alt {
      ApplySet a;
      int o;
    } alts[2] = {{0, 0}, {0, 0}};
    int n = 0;
    if (state <= 0) alts[n++] = {rule_apply_set(r, p), rank_of(r)};
    if (state != 0) alts[n++] = {s.vague[k] ? kNo : apply_set(rule_cond_set(r, p), false), 0};
    bool sure = true;
    int sure_min = 4;
    for (int i = 0; i < n; ++i) {
      if (alts[i].a & kYes) {
        l.may_max = std::max(l.may_max, alts[i].o);
        l.may_min = std::min(l.may_min, alts[i].o);
      }
      sure = sure && alts[i].a == kYes;
      sure_min = std::min(sure_min, alts[i].o);
    }
    if (sure) {
      l.sure = true;
      l.sure_max = std::max(l.sure_max, sure_min);
    }
  }
  Range out{0, 0};
  for (std::size_t i = 0; i < chain_.size(); ++i) {
    int d = static_cast<int>(model_->layers[chain_[i]].default_outcome);
    const Acc& l = acc[i];
    int lo = l.sure ? l.sure_max : std::min(d, l.may_min);
    int hi = std::max(l.may_max, l.sure ? -1 : d);
    out.lo = std::max(out.lo, lo);
    out.hi = std::max(out.hi, hi);
  }
  return out;
}

}  // namespace redline::verify
