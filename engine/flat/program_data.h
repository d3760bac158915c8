// flat/program_data.h — the compiled Program as plain arrays (no Boost, no
// pointers into the model): purpose dispatch to slots; per slot the candidate
// rules as bit positions, per-attribute class tables of "rules not false" and
// "rules true" bitsets, tag-literal groups, residual conditions as flat
// instructions, and masks. Self-contained: no pointer into the model, the
// decision graph or anything else built while compiling.
// Evaluating is a walk over these arrays with no allocation and no locks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sema/model.h"

namespace redline::flat {

/// How a table turns an attribute value into a class index (0 = missing).
enum class ClassKind : std::uint8_t {
  Direct,     ///< bool, enum, level: class = 1 + encoded value
  Interval,   ///< int, duration, timestamp: points and gaps between sorted constants
  Literal,    ///< string: 1 + position among sorted literal ids, or 1 + count ("other")
  Presence,   ///< tags presence tests: 0 missing, 1 present
};

/// One attribute's class table within a slot.
struct Table {
  std::uint32_t attr = 0;
  ClassKind kind = ClassKind::Direct;
  std::uint32_t classes = 0;
  std::uint32_t consts_begin = 0, consts_end = 0;   ///< into ProgramData::consts (Interval, Literal)
  std::uint32_t bits = 0;   ///< into ProgramData::bits: per class, W words "not false" then W words "true"
};

/// Tag literals on one tags attribute within a slot. A rule fails when a
/// tag it requires is absent or a tag it forbids is present.
struct TagGroup {
  std::uint32_t attr = 0;
  std::uint32_t domain = 0;          ///< number of tags of the attribute
  std::uint32_t single_all = 0;      ///< bits: rules requiring exactly one tag
  std::uint32_t literal_all = 0;     ///< bits: rules with any literal on this attribute
  std::uint32_t per_tag = 0;         ///< into ProgramData::tag_index: per tag, index of its bitset triple or -1
  std::uint32_t multi_begin = 0, multi_end = 0;   ///< into ProgramData::multi_tags: tags required by multi-tag rules
};

/// One instruction of a residual condition. A condition is a Kleene-logic
/// tree laid out in pre-order: an `And`/`Or`/`Not` is followed by its
/// operands, and `end` is the index just past its subtree, so a short-circuit
/// skips an operand by jumping to its `end`.
struct CondOp {
  enum class Kind : std::uint8_t { False, True, And, Or, Not, Compare, In, HasAny, HasAll, Present, Missing };
  Kind kind = Kind::False;
  sema::CmpOp cmp = sema::CmpOp::Eq;     ///< Compare
  std::uint32_t attr = 0;                ///< Compare, In, Has*, Present, Missing
  std::uint32_t end = 0;                 ///< index past this instruction's subtree
  std::uint32_t values_begin = 0, values_end = 0;   ///< into ProgramData::cond_values (Compare: one value)
};

/// A rule whose condition keeps a residual part evaluated at run time: the
/// conjunction of the conditions in [ops_begin, ops_end) of ProgramData::ops.
struct Residual {
  std::uint32_t local = 0;                 ///< bit position in the slot
  std::uint32_t ops_begin = 0, ops_end = 0;
};

/// All purposes whose candidate rules and switches are the same share a slot.
struct Slot {
  std::uint32_t rules_begin = 0, rules_end = 0;   ///< into ProgramData::rule_ids (global rule indices)
  std::uint32_t words = 0;                        ///< W = ceil(rules / 64)
  std::uint32_t base = 0;                         ///< bits: rules that can apply at all
  std::uint32_t restrictive = 0, permit = 0;      ///< bits: masks by effect
  std::uint32_t approval_mask = 0;                ///< bits: `require approval` and `escalate` rules
  std::uint32_t timeout_mask = 0;                 ///< bits: escalations that can time out into `deny`
  std::uint32_t outcome_masks = 0;                ///< bits: per stack layer, per outcome (4), W words
  std::uint32_t tables_begin = 0, tables_end = 0;
  std::uint32_t groups_begin = 0, groups_end = 0;
  std::uint32_t residual_begin = 0, residual_end = 0;
  std::uint32_t switches_begin = 0, switches_end = 0;   ///< into ProgramData::switch_ids (SwitchBoard indices)
  bool takes_approvals = false;   ///< a candidate is `require approval` or `escalate`
};

/// The flat program.
struct ProgramData {
  std::vector<std::uint32_t> purpose_slot;   ///< per purpose id
  std::vector<Slot> slots;
  std::vector<Table> tables;
  std::vector<TagGroup> groups;
  std::vector<Residual> residuals;
  std::vector<std::uint32_t> rule_ids;
  std::vector<std::uint32_t> switch_ids;
  std::vector<std::int64_t> consts;
  std::vector<std::int32_t> tag_index;
  std::vector<std::uint32_t> multi_tags;
  std::vector<std::uint64_t> bits;
  std::vector<std::uint8_t> layer_default;   ///< per stack layer: the default outcome
  std::vector<std::optional<std::int64_t>> layer_in_force_from;   ///< per stack layer: its `effective` (Unix seconds), if any
  std::vector<CondOp> ops;                   ///< residual conditions (Residual::ops_begin/end)
  std::vector<std::int64_t> cond_values;     ///< their constants
  std::vector<std::uint32_t> chain;          ///< the stack's model layers, root first
  std::vector<std::int32_t> chain_pos;       ///< per model layer: position in chain, or -1
  std::uint32_t top = 0;                     ///< the deciding (most-derived) layer
  std::vector<std::uint32_t> switches;       ///< model switch ids in SwitchBoard order
  std::vector<std::uint32_t> rule_attrs_begin;   ///< per model rule + 1: into rule_attrs
  std::vector<std::uint32_t> rule_attrs;     ///< per rule, sorted: the attributes its condition reads
  /// Bytes held by the arrays above.
  std::size_t bytes() const;
  /// The attributes rule `rule` (a model rule index) reads, sorted.
  std::span<const std::uint32_t> attrs_read(std::uint32_t rule) const {
    return {rule_attrs.data() + rule_attrs_begin[rule], rule_attrs.data() + rule_attrs_begin[rule + 1]};
  }
};

}  // namespace redline::flat
