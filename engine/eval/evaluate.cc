// eval/evaluate.cc — the hot path: decide a bound request by walking the flat
// Program (purpose dispatch, per-attribute class tables, tag groups,
// residuals, layer masks, kill switches). No allocation once the Decision's
// buffers have grown, no locks, no virtual calls.
#include <algorithm>

#include "eval/approvals.h"
#include "eval/bound.h"
#include "sema/coverage.h"
#include "eval/request_limits.h"
#include "sema/tri.h"
#include "flat/cond_ops.h"
#include "flat/graph_to_program.h"
#include "flat/program_impl.h"

namespace redline {
namespace {

using flat::ProgramData;
using flat::Slot;

void and_words(std::uint64_t* dst, const std::uint64_t* src, std::uint32_t w) {
  for (std::uint32_t i = 0; i < w; ++i) dst[i] &= src[i];
}

bool any_and(const std::uint64_t* a, const std::uint64_t* b, std::uint32_t w) {
  for (std::uint32_t i = 0; i < w; ++i)
    if (a[i] & b[i]) return true;
  return false;
}

// Applies a tag group: a rule fails when a tag it requires is absent or a tag it forbids is present.
void apply_group(const flat::TagGroup& g, const ProgramData& d, const BoundRequest& b, const flat::TagLayout& layout,
                 std::uint64_t* notf, std::uint64_t* tru, std::uint64_t* scratch, std::uint32_t w) {
  const std::uint64_t* bits = d.bits.data();
  if (!eval::test_bit(BoundAccess::present(b), g.attr)) {
    for (std::uint32_t i = 0; i < w; ++i) tru[i] &= ~bits[g.literal_all + i];
    return;
  }
  const std::uint64_t* tags = BoundAccess::tags(b).data() + layout.offset[g.attr];
  // scratch = single-tag requirements not met (first pass), then | tags forbidden and present
  // (second pass: a later tag's requirement must not clear an earlier tag's prohibition).
  for (std::uint32_t i = 0; i < w; ++i) scratch[i] = bits[g.single_all + i];
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint32_t word = 0; word * 64 < g.domain; ++word) {
      for (std::uint64_t m = tags[word]; m; m &= m - 1) {
        auto t = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(m));
        std::int32_t idx = d.tag_index[g.per_tag + t];
        if (idx < 0) continue;
        const std::uint64_t* tri = bits + idx;
        if (pass == 0) {
          for (std::uint32_t i = 0; i < w; ++i) scratch[i] &= ~tri[i];
        } else {
          for (std::uint32_t i = 0; i < w; ++i) scratch[i] |= tri[2 * w + i];
        }
      }
    }
  }
  for (std::uint32_t k = g.multi_begin; k < g.multi_end; ++k) {
    std::uint32_t t = d.multi_tags[k];
    if ((tags[t >> 6] >> (t & 63)) & 1u) continue;
    const std::uint64_t* tri = bits + d.tag_index[g.per_tag + t];
    for (std::uint32_t i = 0; i < w; ++i) scratch[i] |= tri[w + i];
  }
  for (std::uint32_t i = 0; i < w; ++i) {
    notf[i] &= ~scratch[i];
    tru[i] &= ~scratch[i];
  }
}

std::optional<std::int64_t> timestamp(const BoundRequest& b, std::int64_t attr) {
  if (attr < 0 || !eval::test_bit(BoundAccess::present(b), static_cast<std::size_t>(attr))) return std::nullopt;
  return BoundAccess::values(b)[static_cast<std::size_t>(attr)];
}

// The slow path of human-in-the-loop rules: for each applying `require
// approval` / `escalate` rule, judge the request's approvals and deadlines
// (eval/approvals.h); record outcome changes, what is pending, and the
// approvals that counted.
void judge_approvals(const ProgramImpl& p, const Slot& s, const BoundRequest& b, const std::uint64_t* applying,
                     std::uint32_t mask_offset, Decision& out) {
  const ProgramData& d = p.data;
  auto time = DecisionAccess::time(out), now = DecisionAccess::now(out);
  const std::uint64_t* mask = d.bits.data() + mask_offset;
  for (std::uint32_t word = 0; word < s.words; ++word) {
    for (std::uint64_t m = applying[word] & mask[word]; m; m &= m - 1) {
      std::uint32_t local = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(m));
      std::uint32_t rule = d.rule_ids[s.rules_begin + local];
      eval::ApprovalStatus st = eval::approval_status(*p.model, rule, b, time, now);
      Outcome o = st.outcome(p.model->rules[rule].effect);
      if (o != static_cast<Outcome>(ast::outcome_of(p.model->rules[rule].effect))) DecisionAccess::adjusted(out).push_back({local, o});
      if (st.state == eval::ApprovalStatus::State::Pending) DecisionAccess::pending(out).push_back(std::move(st.pending));
      for (auto& a : st.accepted) DecisionAccess::accepted(out).push_back(std::move(a));
    }
  }
}

// Layer outcomes when approvals changed some rules' outcomes: walk the applying rules.
// A satisfied rule grants (acts as a permit against its layer's default) only
// where it applies definitely: its target covers the purpose and its condition
// is true. Applying only through vagueness or an unknown condition, its
// approvals make it "no objection" — it restrains, never grants (§10).
int adjusted_outcome(const ProgramImpl& p, const Slot& s, const std::uint64_t* applying, const std::uint64_t* certain,
                     std::uint32_t purpose, Decision& out) {
  const ProgramData& d = p.data;
  const auto& adjusted = DecisionAccess::adjusted(out);
  std::vector<int> layer(d.layer_default.size(), -1);
  for (std::uint32_t word = 0; word < s.words; ++word) {
    for (std::uint64_t m = applying[word]; m; m &= m - 1) {
      std::uint32_t local = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(m));
      const sema::Rule& r = p.model->rules[d.rule_ids[s.rules_begin + local]];
      int o = static_cast<int>(ast::outcome_of(r.effect));
      for (const auto& [l, adj] : adjusted)
        if (l == local) o = static_cast<int>(adj);
      bool definite = ((certain[word] >> (local & 63)) & 1u) && sema::reaches(p.model->purposes, r.targets, purpose, false);
      if (o == static_cast<int>(Outcome::allow) && sema::is_restrictive(r.effect) && !definite) continue;   // no objection
      auto pos = static_cast<std::size_t>(d.chain_pos[r.layer]);
      layer[pos] = std::max(layer[pos], o);
    }
  }
  auto& defaulted = DecisionAccess::default_decided(out);
  int final_outcome = 0;
  for (std::size_t l = 0; l < layer.size(); ++l) {
    if (layer[l] < 0) {
      layer[l] = d.layer_default[l];
      defaulted[l] = 1;
    }
    final_outcome = std::max(final_outcome, layer[l]);
  }
  return final_outcome;
}

}  // namespace

void Program::evaluate(const BoundRequest& b, Decision& out, const EvalOptions& options) const {
  const Impl& p = *impl_;
  const SwitchBoard* switches = options.switches;
  const ProgramData& d = p.data;
  DecisionAccess::program(out) = this;
  DecisionAccess::killed_by(out) = -1;
  DecisionAccess::not_in_force(out) = -1;
  DecisionAccess::slot(out) = -1;
  // INVARIANT: nothing of a previous decision survives in a reused `out`,
  // not even when this request is refused below.
  DecisionAccess::adjusted(out).clear();
  DecisionAccess::pending(out).clear();
  DecisionAccess::accepted(out).clear();
  DecisionAccess::judged(out) = false;
  DecisionAccess::error(out) = b.error();
  if (!b.error() && BoundAccess::program(b) != this)
    DecisionAccess::error(out) = eval::request_error(diag::Code::RequestInternal, "the request was bound to another program");
  if (DecisionAccess::error(out)) {
    DecisionAccess::outcome(out) = Outcome::deny;
    DecisionAccess::applying(out).clear();
    return;
  }
  const auto slot_index = d.purpose_slot[static_cast<std::size_t>(BoundAccess::purpose(b))];
  const Slot& s = d.slots[slot_index];
  DecisionAccess::slot(out) = static_cast<std::int32_t>(slot_index);
  const std::uint32_t w = s.words;
  auto& notf_v = DecisionAccess::applying(out);
  auto& tru_v = DecisionAccess::certain(out);
  notf_v.assign(d.bits.begin() + s.base, d.bits.begin() + s.base + w);
  tru_v.assign(notf_v.begin(), notf_v.end());
  std::uint64_t* notf = notf_v.data();
  std::uint64_t* tru = tru_v.data();
  const auto& values = BoundAccess::values(b);
  const auto& present = BoundAccess::present(b);

  for (std::uint32_t k = s.tables_begin; k < s.tables_end; ++k) {
    const flat::Table& t = d.tables[k];
    std::uint32_t cls = flat::classify(t, d, eval::test_bit(present, t.attr), values[t.attr]);
    const std::uint64_t* row = d.bits.data() + t.bits + std::size_t{cls} * 2 * w;
    and_words(notf, row, w);
    and_words(tru, row + w, w);
  }
  if (s.groups_begin != s.groups_end) {
    auto& scratch = DecisionAccess::missing(out);   // reused as scratch; refilled below
    scratch.resize(std::max<std::size_t>(w, p.layout.attr_words));
    for (std::uint32_t k = s.groups_begin; k < s.groups_end; ++k)
      apply_group(d.groups[k], d, b, p.layout, notf, tru, scratch.data(), w);
  }
  eval::BoundReader reader{b, p.layout};
  for (std::uint32_t k = s.residual_begin; k < s.residual_end; ++k) {
    const flat::Residual& r = d.residuals[k];
    if (!eval::test_bit(notf_v, r.local)) continue;
    sema::Tri v = flat::run_conjunction(d, r.ops_begin, r.ops_end, reader);
    std::uint64_t bit = std::uint64_t{1} << (r.local & 63);
    if (v == sema::Tri::F) notf[r.local >> 6] &= ~bit;
    if (v != sema::Tri::T) tru[r.local >> 6] &= ~bit;
  }
  // applying = (not false & restrictive) | (true & permit); certain = true & applying
  const std::uint64_t* restrictive = d.bits.data() + s.restrictive;
  const std::uint64_t* permit = d.bits.data() + s.permit;
  for (std::uint32_t i = 0; i < w; ++i) {
    notf[i] = (notf[i] & restrictive[i]) | (tru[i] & permit[i]);
    tru[i] &= notf[i];
  }
  // Human-in-the-loop rules that apply: judge approvals and deadlines.
  // With approvals in the request, judge every applying approval rule now
  // (pending included); without, only escalations that may have timed out
  // into `deny` can change the outcome, and `pending` is worked out lazily.
  DecisionAccess::time(out) = timestamp(b, p.time_attr);
  DecisionAccess::now(out) = timestamp(b, p.now_attr);
  if (s.takes_approvals) {
    DecisionAccess::require_signed(out) = BoundAccess::require_signed(b);   // for a lazy `pending`
    DecisionAccess::have_keys(out) = BoundAccess::have_keys(b);
    if (!BoundAccess::approvals(b).empty() && any_and(notf, d.bits.data() + s.approval_mask, w)) {
      judge_approvals(p, s, b, notf, s.approval_mask, out);
      DecisionAccess::judged(out) = true;
    } else if (any_and(notf, d.bits.data() + s.timeout_mask, w)) {
      judge_approvals(p, s, b, notf, s.timeout_mask, out);
      DecisionAccess::pending(out).clear();   // recomputed lazily with the rest
    }
  }
  // Per layer: the most severe applying outcome, or the layer default.
  const std::size_t layers = d.layer_default.size();
  auto& defaulted = DecisionAccess::default_decided(out);
  defaulted.assign(layers, 0);
  int final_outcome = 0;
  if (!DecisionAccess::adjusted(out).empty())
    final_outcome = adjusted_outcome(p, s, notf, tru, static_cast<std::uint32_t>(BoundAccess::purpose(b)), out);
  else for (std::size_t l = 0; l < layers; ++l) {
    int layer_outcome = -1;
    for (int o = 3; o >= 0 && layer_outcome < 0; --o)
      if (any_and(notf, d.bits.data() + s.outcome_masks + (l * 4 + static_cast<std::size_t>(o)) * w, w)) layer_outcome = o;
    if (layer_outcome < 0) {
      layer_outcome = d.layer_default[l];
      defaulted[l] = 1;
    }
    final_outcome = std::max(final_outcome, layer_outcome);
  }
  // A stack decides only while every layer is in force: at the request's
  // clock (`request.now`, which defaults to `request.time`) no layer's
  // `effective` lies in the future. Without a clock it cannot be known, and
  // the request is denied (fail closed).
  for (std::size_t l = 0; l < layers; ++l) {
    const auto& from = d.layer_in_force_from[l];
    const auto& now = DecisionAccess::now(out);
    if (from && (!now || *now < *from)) {
      DecisionAccess::not_in_force(out) = static_cast<std::int32_t>(l);
      final_outcome = static_cast<int>(Outcome::deny);
      break;
    }
  }
  if (switches) {
    for (std::uint32_t k = s.switches_begin; k < s.switches_end; ++k) {
      if (switches->tripped(d.switch_ids[k])) {
        DecisionAccess::killed_by(out) = static_cast<std::int32_t>(d.switch_ids[k]);
        final_outcome = static_cast<int>(Outcome::deny);
        break;
      }
    }
  }
  DecisionAccess::outcome(out) = static_cast<Outcome>(final_outcome);
  // Pending work matters only while the decision waits for people.
  if (final_outcome == static_cast<int>(Outcome::allow) || final_outcome == static_cast<int>(Outcome::deny)) DecisionAccess::pending(out).clear();
  auto& missing = DecisionAccess::missing(out);
  missing.assign(present.begin(), present.end());
  for (auto& m : missing) m = ~m;
}

}  // namespace redline
