// flat/program_printer.cc — text rendering of a flat Program.
#include "flat/program_printer.h"

#include <ostream>
#include <sstream>

#include "ast/literals.h"

namespace redline::flat {
namespace {

const char* kind_name(ClassKind k) {
  switch (k) {
    case ClassKind::Direct: return "direct";
    case ClassKind::Interval: return "interval";
    case ClassKind::Literal: return "literal";
    case ClassKind::Presence: return "presence";
  }
  return "?";
}

std::string bits_of(const ProgramData& d, std::uint32_t off, std::uint32_t n) {
  std::string s;
  for (std::uint32_t i = 0; i < n; ++i) s += ((d.bits[off + i / 64] >> (i % 64)) & 1u) ? '1' : '.';
  return s;
}

// A constant of attribute `a` as the policy wrote it.
std::string value_text(const sema::Model& m, const sema::Attribute& a, std::int64_t v) {
  switch (a.kind) {
    case sema::TypeKind::Bool: return v ? "true" : "false";
    case sema::TypeKind::Enum:
    case sema::TypeKind::Level:
    case sema::TypeKind::Tags:
      return v >= 0 && static_cast<std::size_t>(v) < a.values.size() ? a.values[static_cast<std::size_t>(v)] : std::to_string(v);
    case sema::TypeKind::String:
      return v >= 0 && static_cast<std::size_t>(v) < m.strings.size() ? "\"" + m.strings[static_cast<std::size_t>(v)] + "\"" : std::to_string(v);
    case sema::TypeKind::Timestamp: return format_rfc3339(v);
    default: return std::to_string(v);
  }
}

// The instructions of one condition, as a prefix expression.
void print_cond(std::ostream& os, const ProgramData& d, const sema::Model& m, std::uint32_t pc) {
  using K = CondOp::Kind;
  const CondOp& op = d.ops[pc];
  const char* name = nullptr;
  switch (op.kind) {
    case K::False: os << "false"; return;
    case K::True: os << "true"; return;
    case K::And: name = "and"; break;
    case K::Or: name = "or"; break;
    case K::Not: name = "not"; break;
    default: break;
  }
  if (name) {
    os << name << '(';
    for (std::uint32_t k = pc + 1; k < op.end; k = d.ops[k].end) {
      if (k != pc + 1) os << ", ";
      print_cond(os, d, m, k);
    }
    os << ')';
    return;
  }
  const sema::Attribute& a = m.schema.attrs[op.attr];
  os << a.path;
  switch (op.kind) {
    case K::Present: os << " is present"; return;
    case K::Missing: os << " is missing"; return;
    case K::Compare: os << ' ' << ast::to_string(op.cmp) << ' '; break;
    case K::In: os << " in "; break;
    case K::HasAny: os << " has any "; break;
    default: os << " has all "; break;
  }
  const bool list = op.kind != K::Compare;
  if (list) os << '[';
  for (std::uint32_t v = op.values_begin; v < op.values_end; ++v) os << (v == op.values_begin ? "" : ", ") << value_text(m, a, d.cond_values[v]);
  if (list) os << ']';
}

}  // namespace

std::string to_text(const ProgramData& d, const sema::Model& m) {
  std::ostringstream os;
  os << "program: " << d.slots.size() << " slots, " << d.tables.size() << " tables, " << d.groups.size() << " tag groups, "
     << d.residuals.size() << " residual rules, " << d.bytes() << " bytes\n";
  // Dated layers decide only from their `effective` instant (listed only when some layer has one).
  for (std::size_t l = 0; l < d.layer_in_force_from.size(); ++l)
    if (d.layer_in_force_from[l]) os << "stack layer " << l << " in force from " << format_rfc3339(*d.layer_in_force_from[l]) << '\n';
  os << "dispatch:\n";
  for (std::size_t q = 0; q < d.purpose_slot.size(); ++q) os << "  " << m.purposes.nodes[q].full << " → slot " << d.purpose_slot[q] << '\n';
  for (std::size_t si = 0; si < d.slots.size(); ++si) {
    const Slot& s = d.slots[si];
    std::uint32_t n = s.rules_end - s.rules_begin;
    os << "slot " << si << ": " << n << " rules, " << s.words << " words\n";
    for (std::uint32_t i = 0; i < n; ++i) os << "  bit " << i << " = " << m.rules[d.rule_ids[s.rules_begin + i]].qualified << '\n';
    if (n == 0) continue;
    os << "  base        " << bits_of(d, s.base, n) << "\n  restrictive " << bits_of(d, s.restrictive, n) << "\n  permit      "
       << bits_of(d, s.permit, n) << '\n';
    for (std::uint32_t k = s.tables_begin; k < s.tables_end; ++k) {
      const Table& t = d.tables[k];
      os << "  table " << m.schema.attrs[t.attr].path << " (" << kind_name(t.kind) << ", " << t.classes << " classes";
      if (t.consts_end > t.consts_begin) {
        os << "; constants";
        for (std::uint32_t c = t.consts_begin; c < t.consts_end; ++c) os << ' ' << d.consts[c];
      }
      os << ")\n";
      for (std::uint32_t c = 0; c < t.classes; ++c) {
        std::uint32_t row = t.bits + c * 2 * s.words;
        os << "    class " << c << (c == 0 ? " (missing)" : "") << ": not-false " << bits_of(d, row, n) << "  true "
           << bits_of(d, row + s.words, n) << '\n';
      }
    }
    for (std::uint32_t k = s.groups_begin; k < s.groups_end; ++k) {
      const TagGroup& g = d.groups[k];
      const sema::Attribute& a = m.schema.attrs[g.attr];
      os << "  tags " << a.path << ": literals " << bits_of(d, g.literal_all, n) << "  single " << bits_of(d, g.single_all, n) << '\n';
      for (std::uint32_t t = 0; t < g.domain; ++t) {
        std::int32_t idx = d.tag_index[g.per_tag + t];
        if (idx < 0) continue;
        auto off = static_cast<std::uint32_t>(idx);
        os << "    " << a.values[t] << ": requires " << bits_of(d, off, n) << "  one-of " << bits_of(d, off + s.words, n)
           << "  forbids " << bits_of(d, off + 2 * s.words, n) << '\n';
      }
    }
    for (std::uint32_t k = s.residual_begin; k < s.residual_end; ++k) {
      const Residual& r = d.residuals[k];
      os << "  residual: bit " << r.local << " when";
      for (std::uint32_t pc = r.ops_begin; pc < r.ops_end; pc = d.ops[pc].end) {
        os << (pc == r.ops_begin ? " " : " and ");
        print_cond(os, d, m, pc);
      }
      os << "  (" << r.ops_end - r.ops_begin << " instructions)\n";
    }
    if (s.switches_end > s.switches_begin) {
      os << "  kill switches:";
      for (std::uint32_t k = s.switches_begin; k < s.switches_end; ++k) os << ' ' << d.switch_ids[k];
      os << '\n';
    }
  }
  return os.str();
}

}  // namespace redline::flat
