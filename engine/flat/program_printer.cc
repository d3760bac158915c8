// flat/program_printer.cc — text rendering of a flat Program.
#include "flat/program_printer.h"

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
    for (std::uint32_t k = s.residual_begin; k < s.residual_end; ++k)
      os << "  residual: bit " << d.residuals[k].local << " (" << d.residuals[k].conds.size() << " conditions evaluated at run time)\n";
    if (s.switches_end > s.switches_begin) {
      os << "  kill switches:";
      for (std::uint32_t k = s.switches_begin; k < s.switches_end; ++k) os << ' ' << d.switch_ids[k];
      os << '\n';
    }
  }
  return os.str();
}

}  // namespace redline::flat
