// parse/syntax_errors.cc — human phrasing of syntax errors for
// parse/syntax_errors.h: what was expected (named by what it is: "a purpose",
// "a role"), what was found, the code and a help line when the fix is obvious.
#include "parse/syntax_errors.h"

#include <algorithm>
#include <vector>

namespace redline::parse::detail {
namespace {

using G = redline::grammar::RedlineParser;

bool is_ident_keyword(std::size_t t) {
  return t >= G::KW_IMPORT && t <= G::KW_NULL && t != G::KW_TRUE && t != G::KW_FALSE;
}

bool has(const antlr4::misc::IntervalSet& s, std::size_t t) { return s.contains(t); }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The phrase for one expected token: `;`, `policy`, "a string".
std::string token_phrase(const antlr4::dfa::Vocabulary& vocab, std::size_t t) {
  switch (t) {
    case antlr4::Token::EOF: return "the end of the file";
    case G::ID: return "a name";
    case G::STRING: return "a string";
    case G::INTEGER: return "an integer";
    case G::NUMBER: return "a number";
    case G::DURATION: return "a duration such as `10m`";
    default: break;
  }
  std::string lit = vocab.getLiteralName(t);
  if (lit.size() >= 2 && lit.front() == '\'') lit = lit.substr(1, lit.size() - 2);
  if (lit.empty()) return "a token";
  return diag::quote(lit);
}

std::string join_or(const std::vector<std::string>& parts) {
  std::string s;
  std::size_t n = std::min<std::size_t>(parts.size(), 6);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += (i + 1 == n && parts.size() <= 6) ? " or " : ", ";
    s += parts[i];
  }
  if (parts.size() > 6) s += ", …";
  return s;
}

// The nearest ancestor (or self) with one of the rule indexes, or null.
antlr4::ParserRuleContext* ancestor(antlr4::ParserRuleContext* c, std::initializer_list<std::size_t> rules) {
  for (; c; c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (std::find(rules.begin(), rules.end(), c->getRuleIndex()) != rules.end()) return c;
  }
  return nullptr;
}

// What a name expected in this context stands for.
std::string noun_for(antlr4::ParserRuleContext* ctx) {
  for (auto* c = ctx; c; c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    switch (c->getRuleIndex()) {
      case G::RuleIdent: case G::RuleIdentList: case G::RuleLevelList: continue;
      case G::RulePath:
        if (ancestor(c, {G::RulePrimary})) return "an attribute";
        continue;
      case G::RulePattern: case G::RuleTargets: case G::RulePurposeNode: case G::RulePurposesBlock: case G::RulePurposeChildren:
        return "a purpose";
      case G::RuleAttributeDecl: case G::RuleContextBlock: return "an attribute path such as `actor.role`";
      case G::RuleTypeSpec: return "a value";
      case G::RuleRuleDecl: return "a rule name";
      case G::RuleClause: {
        auto* cl = static_cast<G::ClauseContext*>(c);
        if (cl->KW_BY()) return "a role";
        if (cl->KW_TO()) return "an escalation path";
        return "a condition";
      }
      case G::RuleExpr: case G::RulePrimary: return "a condition";
      case G::RuleValue: case G::RuleValueList: return "a value";
      case G::RuleObligation: case G::RuleObligationList: return "an obligation";
      case G::RuleObligationArg: return "an argument";
      case G::RuleEscalationDecl: return "a name for the escalation path";
      case G::RuleStep: case G::RuleKillSwitchClause: return "a role";
      case G::RuleOnTimeout: return "an escalation path";
      case G::RuleKillSwitchDecl: return "a name for the kill switch";
      default: return "a name";
    }
  }
  return "a name";
}

const std::initializer_list<std::string_view> kClauses = {"when", "unless", "by", "quorum", "within", "to", "signed", "human", "oblige", "because", "cite", "owner", "red_line", "acknowledge"};
const std::initializer_list<std::string_view> kMembers = {"owner", "description", "effective", "limits", "default", "purposes", "context", "rule", "escalation", "kill_switch", "assert", "test"};
const std::initializer_list<std::string_view> kItems = {"import", "policy", "purposes", "context"};
const std::initializer_list<std::string_view> kEffects = {"permit", "prohibit", "require", "escalate"};

std::string did_you_mean(std::string_view word, std::initializer_list<std::string_view> candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? std::string() : "did you mean " + diag::quote(c) + "?";
}

std::string effect_help(std::string_view word) {
  if (word == "forbid" || word == "deny" || word == "block" || word == "reject") return "a rule that denies is written `prohibit`";
  if (word == "allow" || word == "grant") return "a rule that allows is written `permit`";
  if (word == "approve" || word == "approval") return "write `require approval`";
  return did_you_mean(word, kEffects);
}

}  // namespace

std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(1, std::min<std::size_t>(2, word.size() / 3)) + 1;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d && d > 0) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

std::string SyntaxErrors::text_of(antlr4::Token* t) const {
  Span s = pos_.token(t);
  if (!Positions::real(t) || s.end <= s.begin) return {};
  return std::string(text_.substr(s.begin, s.end - s.begin));
}

std::string SyntaxErrors::found(antlr4::Token* t) const {
  if (!t || t->getType() == antlr4::Token::EOF) return "the end of the file";
  std::string s = text_of(t);
  if (s.size() > 32) {
    std::size_t cut = 30;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "…";
  }
  return diag::quote(s);
}

antlr4::Token* SyntaxErrors::previous(antlr4::Token* t) const {
  if (!Positions::real(t)) return nullptr;
  for (std::size_t i = t->getTokenIndex(); i-- > 0;) {
    antlr4::Token* p = tokens_.get(i);
    if (p->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return p;
  }
  return nullptr;
}

Span SyntaxErrors::where(antlr4::Token* t) const {
  // At the end of the file, point just after the last real token instead.
  if (t && t->getType() == antlr4::Token::EOF) {
    if (antlr4::Token* p = previous(t)) {
      Span s = pos_.token(p);
      return {s.file, s.end, s.end};
    }
  }
  return pos_.token(t);
}

std::string SyntaxErrors::describe(antlr4::ParserRuleContext* ctx, const antlr4::misc::IntervalSet& expected) const {
  std::vector<std::string> parts;
  bool id = has(expected, G::ID);
  std::string noun = id ? noun_for(ctx) : std::string();
  if (!noun.empty()) parts.push_back(noun);
  std::vector<ssize_t> types = expected.toList();
  for (ssize_t st : types) {
    std::size_t t = static_cast<std::size_t>(st);
    if (id && (t == G::ID || is_ident_keyword(t))) continue;
    if (t == G::DOT && types.size() > 1) continue;
    if (t == G::STAR && noun == "a purpose") continue;
    if (noun == "a condition" && (t == G::KW_TRUE || t == G::KW_FALSE || t == G::LPAREN)) continue;
    if (noun == "a value" && (t == G::STRING || t == G::INTEGER || t == G::DURATION || t == G::KW_TRUE || t == G::KW_FALSE)) continue;
    parts.push_back(token_phrase(vocab_, t));
  }
  if (parts.empty()) return "something else";
  return join_or(parts);
}

SyntaxErrors::Message SyntaxErrors::compose(antlr4::ParserRuleContext* ctx, antlr4::Token* off, const antlr4::misc::IntervalSet& expected,
                                            ErrorKind kind) const {
  std::size_t type = off ? off->getType() : antlr4::Token::EOF;
  std::string word = text_of(off);
  bool word_like = type == G::ID || is_ident_keyword(type);
  std::size_t rule = ctx ? ctx->getRuleIndex() : static_cast<std::size_t>(G::RuleFile_);
  Message m;

  // A JSON `given` object.
  if (ancestor(ctx, {G::RuleJsonObject, G::RuleJsonMember, G::RuleJsonArray, G::RuleJsonValue}) ||
      (rule == G::RuleTestDecl && has(expected, G::LBRACE) && expected.size() == 1)) {
    m.code = diag::Code::InvalidTestJson;
    std::string what = rule == G::RuleJsonValue ? "a JSON value" : rule == G::RuleTestDecl ? "a JSON object after `given`" : describe(ctx, expected);
    m.text = "invalid JSON in the `given` object: expected " + what + ", found " + found(off);
    antlr4::Token* p = previous(off);
    if (p && p->getType() == G::COMMA && (type == G::RBRACE || type == G::RBRACK)) m.help = "JSON does not allow a trailing comma";
    else if (rule == G::RuleJsonObject || rule == G::RuleJsonMember) {
      if (word_like) m.help = "JSON keys are written in double quotes";
    } else if (type == G::DURATION) m.help = "write durations in JSON as strings, e.g. `\"90s\"`";
    return m;
  }
  // An effect.
  bool names = has(expected, G::ID);  // every keyword is then expected too, as a name
  if (rule == G::RuleEffect || (!names && has(expected, G::KW_PERMIT) && has(expected, G::KW_PROHIBIT))) {
    if (has(expected, G::KW_APPROVAL) && !has(expected, G::KW_PERMIT)) {
      m.code = diag::Code::ExpectedToken;
      m.text = "expected `approval` after `require`, found " + found(off);
      return m;
    }
    if (word_like) {
      m.text = "unknown effect " + diag::quote(word) + "; expected `permit`, `prohibit`, `require approval` or `escalate`";
      m.help = effect_help(word);
    } else {
      m.text = "expected an effect (`permit`, `prohibit`, `require approval` or `escalate`), found " + found(off);
    }
    return m;
  }
  // The end of a rule, kill switch or assertion.
  if (has(expected, G::SEMI) && (rule == G::RuleRuleDecl || rule == G::RuleKillSwitchDecl || rule == G::RuleAssertDecl)) {
    std::string what = rule == G::RuleAssertDecl ? "the assertion" : std::string(rule == G::RuleRuleDecl ? "the rule " : "the kill switch ");
    if (rule != G::RuleAssertDecl) {
      auto* id = rule == G::RuleRuleDecl ? static_cast<G::RuleDeclContext*>(ctx)->ident() : static_cast<G::KillSwitchDeclContext*>(ctx)->ident();
      what += diag::quote(id && Positions::real(id->getStart()) ? text_of(id->getStart()) : std::string("?"));
    }
    if (type == G::ID && rule == G::RuleRuleDecl) {
      m.text = "unknown clause " + diag::quote(word) + " in " + what;
      m.help = did_you_mean(word, kClauses);
      if (m.help.empty()) m.help = "a rule continues with `when`, `unless`, `by`, `quorum`, `within`, `to`, `signed`, `human`, `oblige`, `because`, `cite`, `owner`, `red_line` or `acknowledge`, and ends with `;`";
      return m;
    }
    m.code = diag::Code::ExpectedToken;
    m.text = "expected `;` after " + what;
    m.help = "end it with `;`";
    // Name the real problem where a condition went wrong, not the missing `;`.
    antlr4::Token* p = previous(off);
    antlr4::Token* pp = p ? previous(p) : nullptr;
    auto is_cmp = [](std::size_t t) { return t == G::EQ || t == G::NE || t == G::LT || t == G::LE || t == G::GT || t == G::GE; };
    if (type == G::DOT && pp && is_cmp(pp->getType())) {
      m.text = "a condition compares an attribute with a literal value, not with another attribute";
      m.help = diag::quote(text_of(p)) + " was read as a value; attribute-to-attribute comparisons (like `actor.id == data.owner`) are not supported: "
               "compute the fact in the application and pass it as a `bool` attribute";
    } else if (type == G::COMMA && p && p->getType() == G::INTEGER) {
      m.text = "numbers are written without thousands separators";
      m.help = "write the number as digits only (`10000`, not `10,000`)";
    } else if (type == G::KW_NOT && p && (p->getType() == G::ID || is_ident_keyword(p->getType()))) {
      m.text = "`not` goes before a condition, not after an attribute";
      m.help = "write `not (" + text_of(p) + " has x)`; only `in` has a negated form (`" + text_of(p) + " not in [...]`)";
    }
    return m;
  }
  // A policy member.
  if (!names && has(expected, G::KW_RULE) && has(expected, G::KW_DEFAULT)) {
    if (type == G::ID) {
      m.text = "unknown policy member " + diag::quote(word);
      m.help = did_you_mean(word, kMembers);
      return m;
    }
    m.text = "expected a policy member (`rule`, `default`, `owner`, `escalation`, …) or `}`, found " + found(off);
    if (type == G::KW_IMPORT) m.help = "imports go at the top of the file, outside any policy";
    else if (type == G::KW_VERSION || type == G::KW_EXTENDS)
      m.help = "move it to the policy header: `policy \"name\" version \"1\" extends \"base\" { ... }`";
    else if (type == antlr4::Token::EOF && ctx && ctx->getStart()) m.help = "the policy that starts on line " + std::to_string(ctx->getStart()->getLine()) + " needs a closing `}`";
    else if (kind == ErrorKind::Unwanted) m.help = "remove it";
    return m;
  }
  // A top-level item.
  if (!names && has(expected, G::KW_POLICY) && has(expected, G::KW_IMPORT)) {
    m.text = "expected `import`, `policy`, `purposes` or `context`, found " + found(off);
    antlr4::Token* p = previous(off);
    antlr4::Token* pp = p ? previous(p) : nullptr;
    if (type == G::SEMI && pp && pp->getType() == G::KW_IMPORT) m.help = "`import` takes no `;`";
    else if (word_like && std::find(kMembers.begin(), kMembers.end(), word) != kMembers.end())
      m.help = diag::quote(word) + " belongs inside a `policy \"name\" { ... }` block";
    else if (type == G::ID) m.help = did_you_mean(word, kItems);
    else if (kind == ErrorKind::Unwanted) m.help = "remove it";
    return m;
  }
  if (kind == ErrorKind::Unwanted) {
    m.text = type == antlr4::Token::EOF ? std::string("unexpected end of file") : "unexpected " + found(off);
    antlr4::Token* p = previous(off);
    antlr4::Token* pp = p ? previous(p) : nullptr;
    if (type == G::SEMI && pp && pp->getType() == G::KW_IMPORT) m.help = "`import` takes no `;`";
    else m.help = "remove it";
    return m;
  }
  // Anything else: list what would have been accepted.
  std::string what = describe(ctx, expected);
  m.code = (kind == ErrorKind::Missing || expected.size() == 1) ? diag::Code::ExpectedToken : diag::Code::SyntaxError;
  m.text = "expected " + what;
  antlr4::Token* p = previous(off);
  if (p && (is_ident_keyword(p->getType()) || p->getType() == G::KW_TRUE || p->getType() == G::KW_FALSE) && !word_like)
    m.text += " after " + diag::quote(text_of(p));
  m.text += ", found " + found(off);
  if (has(expected, G::KW_IN) && p && p->getType() == G::KW_NOT) {   // `x not has y`: only `in` has a negated form
    antlr4::Token* attr = previous(p);
    const std::string a = attr ? text_of(attr) : "x";
    m.text = "`not` goes before a condition, not after an attribute";
    m.help = "write `not (" + a + " " + text_of(off) + " ...)`; only `in` has a negated form (`" + a + " not in [...]`)";
    return m;
  }
  if (has(expected, G::DURATION) && type == G::INTEGER) m.help = "a duration needs a unit: `s`, `m`, `h` or `d` (e.g. `10m`)";
  else if (has(expected, G::RBRACE) && type == antlr4::Token::EOF && ctx && ctx->getStart())
    m.help = "the block that starts on line " + std::to_string(ctx->getStart()->getLine()) + " needs a closing `}`";
  else if (has(expected, G::INTEGER) && type == G::DURATION) m.help = "a quorum is a plain number of approvers";
  else if (has(expected, G::STRING) && word_like && expected.size() == 1) m.help = "put the text in double quotes";
  return m;
}

void SyntaxErrors::emit(antlr4::Token* off, Message m) {
  sink_.report(m.code, where(off), std::move(m.text), std::move(m.help));
  ++count_;
  any_ = true;
  // Suppress the cascade: nothing more is reported up to the next `;` or `}`.
  std::size_t i = Positions::real(off) ? off->getTokenIndex() : quiet_until_;
  std::size_t n = tokens_.size();
  if (i < n && (tokens_.get(i)->getType() == G::SEMI || tokens_.get(i)->getType() == G::RBRACE)) ++i;
  while (i < n) {
    std::size_t t = tokens_.get(i)->getType();
    if (t == G::SEMI || t == G::RBRACE || t == antlr4::Token::EOF) break;
    ++i;
  }
  quiet_until_ = i;
  if (count_ >= max_) throw antlr4::ParseCancellationException("too many syntax errors");
}

void SyntaxErrors::report(antlr4::ParserRuleContext* ctx, antlr4::Token* off, const antlr4::misc::IntervalSet& expected, ErrorKind kind) {
  if (any_ && Positions::real(off) && off->getTokenIndex() <= quiet_until_) return;
  emit(off, compose(ctx, off, expected, kind));
}

void SyntaxErrors::report_plain(antlr4::Token* off) {
  if (any_ && Positions::real(off) && off->getTokenIndex() <= quiet_until_) return;
  Message m;
  m.text = off ? "unexpected " + found(off) : "the text does not follow the grammar";
  emit(off, std::move(m));
}

void ErrorStrategy::reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) {
  errors_.report(dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx()), e.getOffendingToken(), e.getExpectedTokens(), ErrorKind::NoViable);
  (void)p;
}

void ErrorStrategy::reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) {
  errors_.report(dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx()), e.getOffendingToken(), e.getExpectedTokens(), ErrorKind::Mismatch);
  (void)p;
}

void ErrorStrategy::reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) {
  errors_.report(p->getContext(), e.getOffendingToken(), p->getExpectedTokens(), ErrorKind::Other);
}

void ErrorStrategy::reportUnwantedToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  errors_.report(p->getContext(), p->getCurrentToken(), getExpectedTokens(p), ErrorKind::Unwanted);
}

void ErrorStrategy::reportMissingToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  errors_.report(p->getContext(), p->getCurrentToken(), getExpectedTokens(p), ErrorKind::Missing);
}

void ErrorListener::syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t, const std::string&, std::exception_ptr) {
  errors_.report_plain(offending);
}

}  // namespace redline::parse::detail
