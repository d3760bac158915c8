// ast/format.cc — the canonical formatter of ast/format.h. The layout comes
// from the AST; comments come from the source by position: a comment alone on
// its line is printed on its own line before the next thing printed after it,
// and a comment that follows code on its line stays at the end of the line
// that prints that code.
#include "ast/format.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string_view>
#include <vector>

namespace redline::ast {
namespace {

// Binding strength of condition operators: `not` > `and` > `or` > atoms outside.
int precedence(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Or: return 1;
    case Expr::Kind::And: return 2;
    case Expr::Kind::Not: return 3;
    default: return 4;
  }
}

std::string value_list(const std::vector<Value>& vs) {
  std::string s;
  for (std::size_t i = 0; i < vs.size(); ++i) s += (i ? ", " : "") + format_value(vs[i]);
  return s;
}

// `e` printed where an operand of binding strength at least `min` is needed.
std::string expr_at(const Expr& e, int min) {
  std::string s;
  std::string p = e.path.dotted();
  switch (e.kind) {
    case Expr::Kind::Or:
    case Expr::Kind::And: {
      const char* op = e.kind == Expr::Kind::Or ? " or " : " and ";
      for (std::size_t i = 0; i < e.kids.size(); ++i) s += (i ? op : "") + expr_at(*e.kids[i], precedence(e) + 1);
      break;
    }
    case Expr::Kind::Not: s = "not " + (e.kids.empty() ? std::string("true") : expr_at(*e.kids[0], 3)); break;
    case Expr::Kind::Const: s = e.constant ? "true" : "false"; break;
    case Expr::Kind::Compare: s = p + ' ' + ast::to_string(e.op) + ' ' + value_list(e.values); break;
    case Expr::Kind::In: s = p + " in [" + value_list(e.values) + ']'; break;
    case Expr::Kind::NotIn: s = p + " not in [" + value_list(e.values) + ']'; break;
    case Expr::Kind::Has: s = p + " has " + value_list(e.values); break;
    case Expr::Kind::HasAny: s = p + " has any [" + value_list(e.values) + ']'; break;
    case Expr::Kind::HasAll: s = p + " has all [" + value_list(e.values) + ']'; break;
    case Expr::Kind::Present: s = p + " is present"; break;
    case Expr::Kind::Missing: s = p + " is missing"; break;
  }
  return (e.parenthesized || precedence(e) < min) ? '(' + s + ')' : s;
}

std::string ident_list(const std::vector<Ident>& ids, const char* sep = ", ") {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? sep : "") + ids[i].text;
  return s;
}

std::string pattern_list(const std::vector<Pattern>& ps) {
  std::string s;
  for (std::size_t i = 0; i < ps.size(); ++i) s += (i ? ", " : "") + format_pattern(ps[i]);
  return s;
}

std::string obligation_list(const std::vector<Obligation>& os) {
  std::string s;
  for (std::size_t i = 0; i < os.size(); ++i) s += (i ? ", " : "") + format_obligation(os[i]);
  return s;
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// One comment of the source, classified.
struct SourceComment {
  Span span;
  std::string_view text;
  bool trailing = false;       ///< code precedes it on its line
  std::uint32_t prev_end = 0;  ///< trailing: the end of that code
  bool consumed = false;       ///< printed as part of a verbatim `given` object
};

// A clause line of a rule or kill switch: where it starts in the source, where it ends, its text.
struct ClauseLine {
  std::uint32_t pos, end;
  std::string text;
};

class Formatter {
 public:
  Formatter(const Module& m, std::string_view src) : m_(m), src_(src) { classify(); }

  std::string run() {
    for (auto [kind, i] : m_.order) item(kind, i);
    flush_before(std::numeric_limits<std::uint32_t>::max());
    return out_;
  }

 private:
  // ---- comments and layout

  void classify() {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    for (const auto& c : m_.comments) {
      SourceComment sc{c.span, c.text};
      std::uint32_t p = c.span.begin;
      while (p > 0 && (src_[p - 1] == ' ' || src_[p - 1] == '\t' || src_[p - 1] == '\r')) --p;
      if (p == 3 && src_.substr(0, 3) == bom) p = 0;
      if (p == 0 || src_[p - 1] == '\n') {
        sc.trailing = false;
      } else if (!comments_.empty() && comments_.back().span.end == p) {
        sc.trailing = comments_.back().trailing;
        sc.prev_end = comments_.back().prev_end;
      } else {
        sc.trailing = true;
        sc.prev_end = p;
      }
      comments_.push_back(sc);
    }
    for (const auto& p : m_.policies)
      for (const auto& t : p.tests)
        for (auto& c : comments_)
          if (c.span.begin >= t.given_span.begin && c.span.end <= t.given_span.end && t.given_span.end > t.given_span.begin) c.consumed = true;
  }

  bool blank_before(std::uint32_t pos) const {
    int newlines = 0;
    for (std::uint32_t i = std::min<std::uint32_t>(pos, static_cast<std::uint32_t>(src_.size())); i > 0; --i) {
      char c = src_[i - 1];
      if (c == '\n') ++newlines;
      else if (c != ' ' && c != '\t' && c != '\r') break;
    }
    return newlines >= 2;
  }

  // The start of keyword `kw` written just before `pos` (whitespace between), or `pos`.
  std::uint32_t keyword_before(std::uint32_t pos, std::string_view kw) const {
    std::uint32_t p = pos;
    while (p > 0 && (src_[p - 1] == ' ' || src_[p - 1] == '\t' || src_[p - 1] == '\r' || src_[p - 1] == '\n')) --p;
    if (p < kw.size() || src_.substr(p - kw.size(), kw.size()) != kw) return pos;
    std::uint32_t b = p - static_cast<std::uint32_t>(kw.size());
    return (b > 0 && is_ident_char(src_[b - 1])) ? pos : b;
  }

  bool comments_in(Span s) const {
    for (const auto& c : comments_)
      if (!c.consumed && c.span.begin > s.begin && c.span.begin < s.end) return true;
    return false;
  }

  std::string indent() const { return std::string(static_cast<std::size_t>(indent_) * 2, ' '); }

  void flush_before(std::uint32_t pos) {
    for (; next_ < comments_.size(); ++next_) {
      const SourceComment& c = comments_[next_];
      if (c.consumed) continue;
      if (c.span.begin >= pos) break;
      if (!block_start_ && blank_before(c.span.begin)) out_ += '\n';
      out_ += indent();
      out_ += c.text;
      out_ += '\n';
      block_start_ = false;
    }
  }

  // Starts a line for something that begins at `pos` in the source.
  void open(std::uint32_t pos, bool blank_ok) {
    flush_before(pos);
    if (blank_ok && !block_start_ && blank_before(pos)) out_ += '\n';
    line_ = indent();
  }

  void add(std::string_view s) { line_ += s; }

  // Ends the line; comments trailing code at or before `limit` stay on it.
  // When the line prints code that spanned several source lines with a
  // comment after more than one of them, one line may not be able to end
  // with them all (a `//` comment would swallow the next): then they go on
  // lines of their own just above it, in source order.
  void close(std::uint32_t limit) {
    std::vector<std::string_view> trailing;
    bool fits = true;
    for (; next_ < comments_.size(); ++next_) {
      const SourceComment& c = comments_[next_];
      if (c.consumed) continue;
      if (!c.trailing || c.prev_end > limit) break;
      if (!trailing.empty() && trailing.back().starts_with("//")) fits = false;
      trailing.push_back(c.text);
    }
    if (fits) {
      for (std::string_view text : trailing) {
        line_ += ' ';
        line_ += text;
      }
    } else {
      std::string_view lead(line_.data(), std::min(line_.find_first_not_of(' '), line_.size()));
      for (std::string_view text : trailing) {
        out_ += lead;
        out_ += text;
        out_ += '\n';
      }
    }
    out_ += line_;
    out_ += '\n';
    line_.clear();
    block_start_ = false;
  }

  void open_block(std::uint32_t first_pos) {
    add(" {");
    close(first_pos);
    block_start_ = true;
    ++indent_;
  }

  void close_block(Span s) {
    std::uint32_t rb = s.end > 0 ? s.end - 1 : 0;
    flush_before(rb);
    --indent_;
    open(rb, false);
    add("}");
    close(s.end);
  }

  // Clause lines, the last one ending with `;`.
  void clause_lines(const std::vector<ClauseLine>& lines, Span whole) {
    ++indent_;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      bool last = i + 1 == lines.size();
      open(lines[i].pos, false);
      add(lines[i].text);
      if (last) add(";");
      close(last ? whole.end : lines[i].end);
    }
    --indent_;
  }

  std::string duration_text(Span s, std::int64_t seconds) const {
    if (s.end > s.begin && s.end <= src_.size()) {
      std::string_view t = src_.substr(s.begin, s.end - s.begin);
      bool ok = t.size() >= 2 && std::string_view("smhd").find(t.back()) != std::string_view::npos;
      for (std::size_t i = 0; ok && i + 1 < t.size(); ++i) ok = t[i] >= '0' && t[i] <= '9';
      if (ok) return std::string(t);
    }
    return format_duration(seconds);
  }

  // ---- items

  void item(Module::ItemKind kind, std::uint32_t i) {
    switch (kind) {
      case Module::ItemKind::Import: {
        const Import& im = m_.imports[i];
        open(im.span.begin, true);
        add("import " + quote(im.path.value));
        close(im.span.end);
        break;
      }
      case Module::ItemKind::Purposes: purposes(m_.purposes[i]); break;
      case Module::ItemKind::Context: context(m_.contexts[i]); break;
      case Module::ItemKind::Policy: policy(m_.policies[i]); break;
    }
  }

  void purposes(const PurposesBlock& b) {
    open(b.span.begin, true);
    add("purposes");
    if (b.roots.empty() && !comments_in(b.span)) {
      add(" {}");
      return close(b.span.end);
    }
    open_block(b.roots.empty() ? b.span.end - 1 : b.roots[0].span.begin);
    for (const auto& n : b.roots) purpose(n);
    close_block(b.span);
  }

  void purpose(const PurposeNode& n) {
    open(n.span.begin, true);
    add(n.name.text);
    if (n.description) add(" " + quote(n.description->value));
    if (!n.has_block) return close(n.span.end);
    if (n.children.empty() && !comments_in(n.span)) {
      add(" {}");
      return close(n.span.end);
    }
    open_block(n.children.empty() ? n.span.end - 1 : n.children[0].span.begin);
    for (const auto& k : n.children) purpose(k);
    close_block(n.span);
  }

  void context(const ContextBlock& b) {
    open(b.span.begin, true);
    add("context");
    if (b.attributes.empty() && !comments_in(b.span)) {
      add(" {}");
      return close(b.span.end);
    }
    open_block(b.attributes.empty() ? b.span.end - 1 : b.attributes[0].span.begin);
    for (const auto& a : b.attributes) {
      open(a.span.begin, true);
      add(a.path.dotted() + ": " + format_type(a.type));
      close(a.span.end);
    }
    close_block(b.span);
  }

  std::uint32_t member_pos(const Policy& p, Policy::MemberKind kind, std::uint32_t i) const {
    using MK = Policy::MemberKind;
    switch (kind) {
      case MK::Owner: return keyword_before(p.owner->span.begin, "owner");
      case MK::Description: return keyword_before(p.description->span.begin, "description");
      case MK::Effective: return keyword_before(p.effective->span.begin, "effective");
      case MK::Limits: return keyword_before(p.limits[i].span.begin, "limits");
      case MK::Default: return p.default_span.begin;
      case MK::Purposes: return p.purposes[i].span.begin;
      case MK::Context: return p.contexts[i].span.begin;
      case MK::Rule: return p.rules[i].span.begin;
      case MK::Escalation: return p.escalations[i].span.begin;
      case MK::KillSwitch: return p.kill_switches[i].span.begin;
      case MK::Assertion: return p.assertions[i].span.begin;
      case MK::Test: return p.tests[i].span.begin;
    }
    return p.span.begin;
  }

  void policy(const Policy& p) {
    open(p.span.begin, true);
    add("policy " + quote(p.name.value));
    if (p.version) add(" version " + quote(p.version->value));
    if (p.extends) add(" extends " + quote(p.extends->value));
    if (p.order.empty() && !comments_in(p.span)) {
      add(" {}");
      return close(p.span.end);
    }
    open_block(p.order.empty() ? p.span.end - 1 : member_pos(p, p.order[0].first, p.order[0].second));
    for (auto [kind, i] : p.order) member(p, kind, i);
    close_block(p.span);
  }

  void text_member(std::uint32_t pos, const char* kw, const StringLit& s) {
    open(pos, true);
    add(std::string(kw) + ' ' + quote(s.value));
    close(s.span.end);
  }

  void member(const Policy& p, Policy::MemberKind kind, std::uint32_t i) {
    using MK = Policy::MemberKind;
    switch (kind) {
      case MK::Owner: return text_member(member_pos(p, kind, i), "owner", *p.owner);
      case MK::Description: return text_member(member_pos(p, kind, i), "description", *p.description);
      case MK::Effective: return text_member(member_pos(p, kind, i), "effective", *p.effective);
      case MK::Limits: return text_member(member_pos(p, kind, i), "limits", p.limits[i]);
      case MK::Default:
        open(p.default_span.begin, true);
        add(p.default_effect == Effect::Permit ? "default allow" : "default deny");
        return close(p.default_span.end);
      case MK::Purposes: return purposes(p.purposes[i]);
      case MK::Context: return context(p.contexts[i]);
      case MK::Rule: return rule(p.rules[i]);
      case MK::Escalation: return escalation(p.escalations[i]);
      case MK::KillSwitch: return kill_switch(p.kill_switches[i]);
      case MK::Assertion: return assertion(p.assertions[i]);
      case MK::Test: return test(p.tests[i]);
    }
  }

  void rule(const Rule& r) {
    open(r.span.begin, true);
    add("rule " + r.name.text + ":");
    close(r.effect_span.begin);
    std::uint32_t targets_end = r.targets.empty() ? r.effect_span.end : r.targets.back().span.end;
    std::vector<ClauseLine> lines{{r.effect_span.begin, targets_end, std::string(to_string(r.effect)) + ' ' + pattern_list(r.targets)}};
    if (r.when) lines.push_back({keyword_before(r.when->span.begin, "when"), r.when->span.end, "when " + format_expr(*r.when)});
    if (r.unless) lines.push_back({keyword_before(r.unless->span.begin, "unless"), r.unless->span.end, "unless " + format_expr(*r.unless)});
    if (r.by_span) lines.push_back({r.by_span->begin, r.by_span->end, "by " + ident_list(r.by)});
    if (r.quorum) lines.push_back({keyword_before(r.quorum_span.begin, "quorum"), r.quorum_span.end, "quorum " + std::to_string(*r.quorum)});
    if (r.within) lines.push_back({keyword_before(r.within_span.begin, "within"), r.within_span.end, "within " + duration_text(r.within_span, *r.within)});
    if (r.to) lines.push_back({keyword_before(r.to->span.begin, "to"), r.to->span.end, "to " + r.to->text});
    if (r.signed_span) lines.push_back({r.signed_span->begin, r.signed_span->end, "signed"});
    if (r.human_span) lines.push_back({r.human_span->begin, r.human_span->end, "human"});
    if (!r.obligations.empty())
      lines.push_back({keyword_before(r.obligations[0].span.begin, "oblige"), r.obligations.back().span.end, "oblige " + obligation_list(r.obligations)});
    auto text_clause = [&](const std::optional<StringLit>& s, const char* kw) {
      if (s) lines.push_back({keyword_before(s->span.begin, kw), s->span.end, std::string(kw) + ' ' + quote(s->value)});
    };
    text_clause(r.because, "because");
    if (r.cite) {
      std::string text = "cite " + quote(r.cite->value);
      std::uint32_t end = r.cite->span.end;
      if (r.cite_version) text += " version " + quote(r.cite_version->value), end = r.cite_version->span.end;
      if (r.cite_quote) text += " quote " + quote(r.cite_quote->value), end = r.cite_quote->span.end;
      lines.push_back({keyword_before(r.cite->span.begin, "cite"), end, text});
    }
    text_clause(r.owner, "owner");
    if (r.red_line_span) lines.push_back({r.red_line_span->begin, r.red_line_span->end, "red_line"});
    if (r.acknowledge_span) lines.push_back({r.acknowledge_span->begin, r.acknowledge_span->end, "acknowledge " + ident_list(r.acknowledged)});
    clause_lines(lines, r.span);
  }

  void escalation(const Escalation& e) {
    open(e.span.begin, true);
    add("escalation " + e.name.text);
    if (e.title) add(" " + quote(e.title->value));
    bool none = e.steps.empty() && e.on_timeout == Escalation::Timeout::None;
    if (none && !comments_in(e.span)) {
      add(" {}");
      return close(e.span.end);
    }
    open_block(!e.steps.empty() ? e.steps[0].span.begin : none ? e.span.end - 1 : e.timeout_span.begin);
    for (const auto& s : e.steps) {
      open(s.span.begin, false);
      add("step " + s.role.text);
      if (s.quorum) add(" quorum " + std::to_string(*s.quorum));
      if (s.within) add(" within " + duration_text(s.within_span, *s.within));
      close(s.span.end);
    }
    if (e.on_timeout != Escalation::Timeout::None) {
      open(e.timeout_span.begin, false);
      if (e.on_timeout == Escalation::Timeout::Deny) add("on_timeout deny");
      else add("on_timeout escalate to " + (e.timeout_target ? e.timeout_target->text : std::string()));
      close(e.timeout_span.end);
    }
    close_block(e.span);
  }

  void kill_switch(const KillSwitch& k) {
    open(k.span.begin, true);
    add("kill_switch " + k.name.text);
    std::uint32_t covers = k.covers.empty() ? k.span.end : keyword_before(k.covers[0].span.begin, "covers");
    close(covers);
    std::vector<ClauseLine> lines{{covers, k.covers.empty() ? covers : k.covers.back().span.end, "covers " + pattern_list(k.covers)}};
    if (!k.owners.empty())
      lines.push_back({keyword_before(k.owners[0].span.begin, "owner"), k.owners.back().span.end, "owner " + ident_list(k.owners)});
    if (k.because) lines.push_back({keyword_before(k.because->span.begin, "because"), k.because->span.end, "because " + quote(k.because->value)});
    clause_lines(lines, k.span);
  }

  void assertion(const Assertion& a) {
    open(a.span.begin, true);
    std::string s = "assert " + pattern_list(a.targets);
    if (a.when) s += " when " + format_expr(*a.when);
    s += std::string(" is ") + (a.at_least ? "at least " : "") + to_string(a.outcome) + ";";
    add(s);
    close(a.span.end);
  }

  void test(const Test& t) {
    open(t.span.begin, true);
    add("test " + quote(t.name.value));
    std::uint32_t given = keyword_before(t.given_span.begin, "given");
    open_block(given);
    open(given, false);
    bool verbatim = t.given_span.end > t.given_span.begin && t.given_span.end <= src_.size();
    add("given " + (verbatim ? std::string(src_.substr(t.given_span.begin, t.given_span.end - t.given_span.begin)) : t.given_json));
    close(t.given_span.end);
    open(keyword_before(t.expect_span.begin, "expect"), false);
    // `expect error RL5xxx` keeps its span over `error RL5xxx`: print it as written.
    std::string_view as_written = t.expect_span.end > t.expect_span.begin && t.expect_span.end <= src_.size()
                                      ? std::string_view(src_).substr(t.expect_span.begin, t.expect_span.end - t.expect_span.begin)
                                      : std::string_view();
    bool error_form = as_written.rfind("error", 0) == 0;
    add(error_form ? "expect error " + std::string(as_written.substr(as_written.find_last_of(" \t\n") + 1)) : std::string("expect ") + to_string(t.expect));
    close(t.expect_span.end);
    if (t.has_obliging && !t.obliging.empty()) {
      open(keyword_before(t.obliging[0].span.begin, "obliging"), false);
      add("obliging " + obligation_list(t.obliging));
      close(t.obliging.back().span.end);
    }
    close_block(t.span);
  }

  const Module& m_;
  std::string_view src_;
  std::vector<SourceComment> comments_;
  std::size_t next_ = 0;     // INVARIANT: comments before next_ are printed (or consumed)
  int indent_ = 0;
  std::string out_, line_;
  bool block_start_ = true;  // no blank line right after `{` or at the top of the file
};

}  // namespace

std::string quote(std::string_view value) {
  std::string s = "\"";
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"') s += "\\\"";
    else if (c == '\\') s += "\\\\";
    else if (c == '\n') s += "\\n";
    else if (c == '\t') s += "\\t";
    else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      s += buf;
    } else s += c;
  }
  return s + '"';
}

std::string format_expr(const Expr& e) { return expr_at(e, 0); }

std::string format_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Ident: return v.text;
    case Value::Kind::String: return quote(v.text);
    case Value::Kind::Int: return std::to_string(v.number);
    case Value::Kind::Duration: return v.text.empty() ? format_duration(v.number) : v.text;
    case Value::Kind::Bool: return v.number ? "true" : "false";
  }
  return v.text;
}

std::string format_pattern(const Pattern& p) {
  switch (p.kind) {
    case Pattern::Kind::All: return "*";
    case Pattern::Kind::Descendants: return p.path.dotted() + ".*";
    case Pattern::Kind::Path: return p.path.dotted();
  }
  return "*";
}

std::string format_obligation(const Obligation& o) {
  std::string s = o.name.text;
  if (o.args.empty()) return s;
  s += '(';
  for (std::size_t i = 0; i < o.args.size(); ++i) s += (i ? ", " : "") + (o.args[i].quoted ? quote(o.args[i].text) : o.args[i].text);
  return s + ')';
}

std::string format_type(const Type& t) {
  auto list = [&](const char* kw, const char* sep) {
    if (t.values.empty()) return std::string(kw) + " {}";
    return std::string(kw) + " { " + ident_list(t.values, sep) + " }";
  };
  switch (t.kind) {
    case Type::Kind::Bool: return "bool";
    case Type::Kind::Int: return "int";
    case Type::Kind::String: return "string";
    case Type::Kind::Duration: return "duration";
    case Type::Kind::Enum: return list("enum", ", ");
    case Type::Kind::Level: return list("level", " < ");
    case Type::Kind::Tags: return list("tags", ", ");
  }
  return "string";
}

std::string format_duration(std::int64_t seconds) {
  if (seconds != 0 && seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds != 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds != 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

std::string format(const Module& m, std::string_view source) { return Formatter(m, source).run(); }

}  // namespace redline::ast
