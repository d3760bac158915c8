// sema/semantic_text.cc — the canonical stack text of sema/semantic_text.h.
// Every name is written length-prefixed, so no two different stacks share a text.
#include "sema/semantic_text.h"

#include <algorithm>
#include <cctype>

#include "crypto/sha256.h"

namespace redline::sema {
namespace {

struct Out {
  std::string s;
  void word(std::string_view w) {
    s += std::to_string(w.size());
    s += ':';
    s += w;
    s += ' ';
  }
  void num(std::int64_t v) { word(std::to_string(v)); }
  void end() { s += '\n'; }
};

std::string value_name(const Model& m, std::uint32_t attr, std::int64_t v) {
  const Attribute& a = m.schema.attrs[attr];
  switch (a.kind) {
    case TypeKind::Enum:
    case TypeKind::Level:
    case TypeKind::Tags:
      return v >= 0 && static_cast<std::size_t>(v) < a.values.size() ? a.values[static_cast<std::size_t>(v)] : "?";
    case TypeKind::String:
      return v >= 0 && static_cast<std::size_t>(v) < m.strings.size() ? "\"" + m.strings[static_cast<std::size_t>(v)] : "?";
    default: return std::to_string(v);
  }
}

void cond(Out& o, const Model& m, const Cond& c) {
  o.num(static_cast<int>(c.kind));
  switch (c.kind) {
    case Cond::Kind::Const: o.num(c.constant ? 1 : 0); break;
    case Cond::Kind::And:
    case Cond::Kind::Or:
    case Cond::Kind::Not:
      o.num(static_cast<std::int64_t>(c.kids.size()));
      for (const Cond& k : c.kids) cond(o, m, k);
      break;
    default:
      o.num(static_cast<int>(c.op));
      o.word(m.schema.attrs[c.attr].path);
      o.num(static_cast<std::int64_t>(c.values.size()));
      for (std::int64_t v : c.values) o.word(value_name(m, c.attr, v));
  }
}

void roles(Out& o, const Model& m, const std::vector<std::uint32_t>& ids) {
  std::vector<std::string> names;
  for (std::uint32_t r : ids) names.push_back(m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values[r]);
  std::sort(names.begin(), names.end());
  o.num(static_cast<std::int64_t>(names.size()));
  for (const auto& n : names) o.word(n);
}

void targets(Out& o, const Model& m, const std::vector<Target>& ts) {
  o.num(static_cast<std::int64_t>(ts.size()));
  for (const Target& t : ts) {
    o.num(static_cast<int>(t.kind));
    o.word(t.kind == Target::Kind::All ? "*" : m.purposes.nodes[t.purpose].full);
  }
}

std::string path_name(const Model& m, const Escalation& e) { return m.layers[e.layer].name + "/" + e.name; }

}  // namespace

std::string semantic_text(const Model& m, const std::vector<std::uint32_t>& chain) {
  Out o;
  o.word("redline-semantic-v1");
  o.end();
  std::vector<std::string> purposes;
  for (const auto& n : m.purposes.nodes) purposes.push_back(n.full);
  std::sort(purposes.begin(), purposes.end());
  o.word("purposes");
  for (const auto& p : purposes) o.word(p);
  o.end();
  std::vector<std::uint32_t> attrs(m.schema.attrs.size());
  for (std::uint32_t a = 0; a < attrs.size(); ++a) attrs[a] = a;
  std::sort(attrs.begin(), attrs.end(), [&](auto x, auto y) { return m.schema.attrs[x].path < m.schema.attrs[y].path; });
  for (std::uint32_t a : attrs) {
    const Attribute& at = m.schema.attrs[a];
    o.word("attr");
    o.word(at.path);
    o.num(static_cast<int>(at.kind));
    std::vector<std::string> values = at.values;
    if (at.kind != TypeKind::Level) std::sort(values.begin(), values.end());   // only a level's order means something
    for (const auto& v : values) o.word(v);
    o.end();
  }
  for (std::uint32_t l : chain) {
    const Layer& L = m.layers[l];
    o.word("layer");
    o.word(L.name);
    o.num(static_cast<int>(L.default_outcome));
    o.word(L.effective);
    o.end();
    for (std::uint32_t ri : L.rules) {
      const Rule& r = m.rules[ri];
      o.word("rule");
      o.word(r.name);
      o.num(static_cast<int>(r.effect));
      targets(o, m, r.targets);
      o.word("when");
      if (r.when) cond(o, m, *r.when);
      o.word("unless");
      if (r.unless) cond(o, m, *r.unless);
      if (m.schema.role_attr >= 0) roles(o, m, r.by);
      o.num(r.quorum);
      o.num(r.within ? *r.within : -1);
      o.word(r.escalation >= 0 ? path_name(m, m.escalations[static_cast<std::size_t>(r.escalation)]) : "");
      o.num((r.signed_only ? 1 : 0) | (r.human_only ? 2 : 0));
      o.num(static_cast<std::int64_t>(r.obligations.size()));
      for (const auto& ob : r.obligations) o.word(ob.text);
      o.end();
    }
    for (std::uint32_t ei : L.escalations) {
      const Escalation& e = m.escalations[ei];
      o.word("escalation");
      o.word(e.name);
      for (const Step& s : e.steps) {
        if (m.schema.role_attr >= 0) roles(o, m, {s.role});
        o.num(s.quorum);
        o.num(s.within ? *s.within : -1);
      }
      o.num(static_cast<int>(e.on_timeout));
      o.word(e.next >= 0 ? path_name(m, m.escalations[static_cast<std::size_t>(e.next)]) : "");
      o.end();
    }
    for (std::uint32_t si : L.switches) {
      const KillSwitch& k = m.switches[si];
      o.word("switch");
      o.word(k.qualified);
      targets(o, m, k.covers);
      if (m.schema.role_attr >= 0) roles(o, m, k.owners);
      o.end();
    }
  }
  return o.s;
}

std::string semantic_hash(const Model& m, const std::vector<std::uint32_t>& chain) {
  return crypto::sha256_tagged_hex(semantic_text(m, chain));
}

std::string expected_error(std::string_view file, const TestCase& t) {
  // After the `given` object: blanks and comments, `expect`, then `error CODE` or an outcome.
  std::size_t i = t.given_span.end, end = std::min<std::size_t>(t.span.end, file.size());
  auto skip = [&] {
    for (;;) {
      while (i < end && (file[i] == ' ' || file[i] == '\t' || file[i] == '\n' || file[i] == '\r')) ++i;
      if (i + 1 < end && file[i] == '/' && file[i + 1] == '/') {
        while (i < end && file[i] != '\n') ++i;
      } else if (i + 1 < end && file[i] == '/' && file[i + 1] == '*') {
        auto close = file.find("*/", i + 2);
        i = close == std::string_view::npos ? end : close + 2;
      } else {
        return;
      }
    }
  };
  auto word = [&] {
    skip();
    std::size_t b = i;
    while (i < end && (std::isalnum(static_cast<unsigned char>(file[i])) || file[i] == '_')) ++i;
    return file.substr(b, i - b);
  };
  if (t.given_span.end == 0 || word() != "expect" || word() != "error") return "";
  return std::string(word());
}

}  // namespace redline::sema
