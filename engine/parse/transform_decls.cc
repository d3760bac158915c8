// parse/transform_decls.cc — the declaration half of parse/transform.h: files,
// policies and their members, purposes, context blocks, rules, escalation
// paths, kill switches, assertions and tests.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "parse/transform.h"

namespace redline::parse::detail {

using MK = ast::Policy::MemberKind;
using IK = ast::Module::ItemKind;

void Transform::file(G::File_Context* c, ast::Module& m) {
  comments_ = &m.comments;
  if (!c) return;
  for (auto* it : c->item()) {
    if (auto* i = it->importDecl()) {
      m.imports.push_back(import_decl(i));
      m.order.emplace_back(IK::Import, static_cast<std::uint32_t>(m.imports.size() - 1));
    } else if (auto* p = it->policyDecl()) {
      m.policies.push_back(policy(p));
      m.order.emplace_back(IK::Policy, static_cast<std::uint32_t>(m.policies.size() - 1));
    } else if (auto* b = it->purposesBlock()) {
      m.purposes.push_back(purposes(b));
      m.order.emplace_back(IK::Purposes, static_cast<std::uint32_t>(m.purposes.size() - 1));
    } else if (auto* x = it->contextBlock()) {
      m.contexts.push_back(context(x));
      m.order.emplace_back(IK::Context, static_cast<std::uint32_t>(m.contexts.size() - 1));
    }
  }
}

ast::Import Transform::import_decl(G::ImportDeclContext* c) {
  return {string(c->STRING()), span(c)};
}

// ---------------------------------------------------------------- purposes and context

ast::PurposesBlock Transform::purposes(G::PurposesBlockContext* c) {
  ast::PurposesBlock b;
  b.span = span(c);
  for (auto* n : c->purposeNode()) b.roots.push_back(purpose_node(n));
  return b;
}

ast::PurposeNode Transform::purpose_node(G::PurposeNodeContext* c) {
  ast::PurposeNode n;
  n.span = span(c);
  n.name = ident(c->ident());
  if (c->STRING()) n.description = string(c->STRING());
  if (auto* kids = c->purposeChildren()) {
    n.has_block = true;
    for (auto* k : kids->purposeNode()) n.children.push_back(purpose_node(k));
    check_count(n.children.size(), n.span, "purposes in one block");
  }
  return n;
}

ast::ContextBlock Transform::context(G::ContextBlockContext* c) {
  ast::ContextBlock b;
  b.span = span(c);
  for (auto* a : c->attributeDecl()) b.attributes.push_back({path(a->path()), type(a->typeSpec()), span(a)});
  return b;
}

ast::Type Transform::type(G::TypeSpecContext* c) {
  ast::Type t;
  t.span = span(c);
  if (!c) return t;
  using K = ast::Type::Kind;
  if (c->KW_BOOL()) t.kind = K::Bool;
  else if (c->KW_INT()) t.kind = K::Int;
  else if (c->KW_STRING()) t.kind = K::String;
  else if (c->KW_DURATION()) t.kind = K::Duration;
  else if (c->KW_ENUM()) t.kind = K::Enum;
  else if (c->KW_LEVEL()) t.kind = K::Level;
  else if (c->KW_TAGS()) t.kind = K::Tags;
  if (c->identList()) t.values = idents(c->identList());
  if (auto* l = c->levelList()) {
    for (auto* i : l->ident()) t.values.push_back(ident(i));
    check_count(t.values.size(), span(l), "levels");
  }
  return t;
}

// ---------------------------------------------------------------- policies

ast::Policy Transform::policy(G::PolicyDeclContext* c) {
  ast::Policy p;
  p.span = span(c);
  p.name = string(c->STRING());
  std::string owner = "the policy " + diag::quote(p.name.value);
  for (auto* h : c->policyHeader()) {
    auto& slot = h->KW_VERSION() ? p.version : p.extends;
    if (slot) duplicate(h, h->KW_VERSION() ? "version" : "extends", owner);
    else slot = string(h->STRING());
  }
  for (auto* m : c->member()) member(m, p);
  check_count(p.rules.size(), p.span, "rules in one policy");
  return p;
}

void Transform::member(G::MemberContext* c, ast::Policy& p) {
  auto push = [&](MK k, std::size_t i) { p.order.emplace_back(k, static_cast<std::uint32_t>(i)); };
  std::string owner = "the policy " + diag::quote(p.name.value);
  auto text_member = [&](std::optional<ast::StringLit>& slot, const char* kw, MK kind) {
    if (slot) return duplicate(c, kw, owner);
    slot = string(c->STRING());
    push(kind, 0);
  };
  if (c->KW_OWNER()) text_member(p.owner, "owner", MK::Owner);
  else if (c->KW_DESCRIPTION()) text_member(p.description, "description", MK::Description);
  else if (c->KW_EFFECTIVE()) text_member(p.effective, "effective", MK::Effective);
  else if (c->KW_LIMITS()) {
    p.limits.push_back(string(c->STRING()));
    push(MK::Limits, p.limits.size() - 1);
  }
  else if (c->KW_DEFAULT()) {
    // A second `default` is left to the checker (RL2016); `order` keeps every one.
    if (!p.default_effect) {
      p.default_effect = c->KW_ALLOW() ? ast::Effect::Permit : ast::Effect::Prohibit;
      p.default_span = span(c);
    }
    push(MK::Default, 0);
  } else if (auto* b = c->purposesBlock()) {
    p.purposes.push_back(purposes(b));
    push(MK::Purposes, p.purposes.size() - 1);
  } else if (auto* x = c->contextBlock()) {
    p.contexts.push_back(context(x));
    push(MK::Context, p.contexts.size() - 1);
  } else if (auto* r = c->ruleDecl()) {
    p.rules.push_back(rule(r));
    push(MK::Rule, p.rules.size() - 1);
  } else if (auto* e = c->escalationDecl()) {
    p.escalations.push_back(escalation(e));
    push(MK::Escalation, p.escalations.size() - 1);
  } else if (auto* k = c->killSwitchDecl()) {
    p.kill_switches.push_back(kill_switch(k));
    push(MK::KillSwitch, p.kill_switches.size() - 1);
  } else if (auto* a = c->assertDecl()) {
    p.assertions.push_back(assertion(a));
    push(MK::Assertion, p.assertions.size() - 1);
  } else if (auto* t = c->testDecl()) {
    p.tests.push_back(test(t));
    push(MK::Test, p.tests.size() - 1);
  }
}

// ---------------------------------------------------------------- rules

ast::Rule Transform::rule(G::RuleDeclContext* c) {
  ast::Rule r;
  r.span = span(c);
  r.name = ident(c->ident());
  if (auto* e = c->effect()) {
    r.effect_span = span(e);
    if (e->KW_PROHIBIT()) r.effect = ast::Effect::Prohibit;
    else if (e->KW_REQUIRE()) r.effect = ast::Effect::RequireApproval;
    else if (e->KW_ESCALATE()) r.effect = ast::Effect::Escalate;
    else r.effect = ast::Effect::Permit;
  }
  r.targets = targets(c->targets());
  for (auto* cl : c->clause()) clause(cl, r);
  return r;
}

void Transform::clause(G::ClauseContext* c, ast::Rule& r) {
  std::string owner = "the rule " + diag::quote(r.name.text);
  auto string_clause = [&](std::optional<ast::StringLit>& slot, const char* kw) {
    if (slot) return duplicate(c, kw, owner);
    slot = string(c->STRING());
  };
  if (c->KW_WHEN()) {
    if (r.when) return duplicate(c, "when", owner, "combine the conditions with `and`");
    r.when = expr(c->expr());
  } else if (c->KW_UNLESS()) {
    if (r.unless) return duplicate(c, "unless", owner, "combine the conditions with `or`");
    r.unless = expr(c->expr());
  } else if (c->KW_BY()) {
    if (r.by_span) return duplicate(c, "by", owner, "list every role in one `by` clause");
    r.by = idents(c->identList());
    r.by_span = span(c);
  } else if (c->KW_QUORUM()) {
    if (r.quorum) return duplicate(c, "quorum", owner);
    r.quorum = integer(c->INTEGER());
    r.quorum_span = span(c->INTEGER());
  } else if (c->KW_WITHIN()) {
    if (r.within) return duplicate(c, "within", owner);
    r.within = duration(c->DURATION());
    r.within_span = span(c->DURATION());
  } else if (c->KW_TO()) {
    if (r.to) return duplicate(c, "to", owner);
    r.to = ident(c->ident());
  } else if (c->KW_SIGNED()) {
    if (r.signed_span) return duplicate(c, "signed", owner);
    r.signed_span = span(c);
  } else if (c->KW_HUMAN()) {
    if (r.human_span) return duplicate(c, "human", owner);
    r.human_span = span(c);
  } else if (c->KW_OBLIGE()) {
    for (auto& o : obligations(c->obligationList())) r.obligations.push_back(std::move(o));
  } else if (c->KW_BECAUSE()) {
    string_clause(r.because, "because");
  } else if (c->KW_CITE()) {
    if (r.cite) return duplicate(c, "cite", owner);
    G::CitationContext* cc = c->citation();
    if (!cc) return;   // a syntax error, already reported
    r.cite = string(cc->STRING());
    if (cc->citeVersion()) r.cite_version = string(cc->citeVersion()->STRING());
    if (cc->citeQuote()) r.cite_quote = string(cc->citeQuote()->STRING());
  } else if (c->KW_OWNER()) {
    string_clause(r.owner, "owner");
  } else if (c->KW_RED_LINE()) {
    if (r.red_line_span) return duplicate(c, "red_line", owner);
    r.red_line_span = span(c);
  } else if (c->KW_ACKNOWLEDGE()) {
    if (r.acknowledge_span) return duplicate(c, "acknowledge", owner, "list every code in one `acknowledge` clause");
    r.acknowledged = idents(c->identList());
    r.acknowledge_span = span(c);
  }
}

// ---------------------------------------------------------------- escalation paths and kill switches

ast::Escalation Transform::escalation(G::EscalationDeclContext* c) {
  ast::Escalation e;
  e.span = span(c);
  e.name = ident(c->ident());
  if (c->STRING()) e.title = string(c->STRING());
  for (auto* s : c->step()) e.steps.push_back(step(s));
  if (auto* t = c->onTimeout()) {
    e.timeout_span = span(t);
    if (t->KW_ESCALATE()) {
      e.on_timeout = ast::Escalation::Timeout::EscalateTo;
      e.timeout_target = ident(t->ident());
    } else {
      e.on_timeout = ast::Escalation::Timeout::Deny;
    }
  }
  if (e.steps.empty() && Positions::real(c->getStop()) && c->RBRACE()) {
    Span at = c->onTimeout() ? span(c->onTimeout()) : span(c->RBRACE());
    sink_.report(diag::Code::ExpectedToken, at, "expected a `step` in the escalation path " + diag::quote(e.name.text),
                 "an escalation path lists its reviewers, e.g. `step general_counsel within 24h`");
  }
  return e;
}

ast::Step Transform::step(G::StepContext* c) {
  ast::Step s;
  s.span = span(c);
  s.role = ident(c->ident());
  std::string owner = "the step " + diag::quote(s.role.text);
  for (auto* cl : c->stepClause()) {
    if (cl->KW_QUORUM()) {
      if (s.quorum) duplicate(cl, "quorum", owner);
      else { s.quorum = integer(cl->INTEGER()); s.quorum_span = span(cl->INTEGER()); }
    } else {
      if (s.within) duplicate(cl, "within", owner);
      else { s.within = duration(cl->DURATION()); s.within_span = span(cl->DURATION()); }
    }
  }
  return s;
}

ast::KillSwitch Transform::kill_switch(G::KillSwitchDeclContext* c) {
  ast::KillSwitch k;
  k.span = span(c);
  k.name = ident(c->ident());
  k.covers = targets(c->targets());
  std::string owner = "the kill switch " + diag::quote(k.name.text);
  bool has_owner = false;
  for (auto* cl : c->killSwitchClause()) {
    if (cl->KW_OWNER()) {
      if (has_owner) { duplicate(cl, "owner", owner, "list every owner in one `owner` clause"); continue; }
      has_owner = true;
      k.owners = idents(cl->identList());
    } else if (k.because) {
      duplicate(cl, "because", owner);
    } else {
      k.because = string(cl->STRING());
    }
  }
  return k;
}

// ---------------------------------------------------------------- assertions and tests

ast::Assertion Transform::assertion(G::AssertDeclContext* c) {
  ast::Assertion a;
  a.span = span(c);
  a.targets = targets(c->targets());
  if (c->KW_WHEN()) a.when = expr(c->expr());
  a.at_least = c->KW_AT() != nullptr;
  a.outcome = outcome(c->outcome());
  a.outcome_span = span(c->outcome());
  return a;
}

ast::Test Transform::test(G::TestDeclContext* c) {
  ast::Test t;
  t.span = span(c);
  t.name = string(c->STRING());
  if (auto* g = c->jsonObject()) {
    t.given_span = span(g);
    t.given_json = std::string(text_.substr(t.given_span.begin, t.given_span.end - t.given_span.begin));
    // Comments inside the object are blanked out (same length, so offsets still match the source).
    for (const auto& cm : comments_ ? *comments_ : std::vector<ast::Comment>{}) {
      if (cm.span.begin < t.given_span.begin || cm.span.end > t.given_span.end) continue;
      for (std::uint32_t i = cm.span.begin; i < cm.span.end; ++i) {
        char& ch = t.given_json[i - t.given_span.begin];
        if (ch != '\n') ch = ' ';
      }
    }
    std::size_t before = sink_.errors();
    check_json(g);
    if (syntax_ok_ && sink_.errors() == before && Positions::real(g->getStop()) && g->RBRACE() && !nlohmann::json::accept(t.given_json))
      sink_.report(diag::Code::InvalidTestJson, t.given_span, "the `given` object is not valid JSON");
  }
  if (auto* e = c->expectError()) {
    t.expect = ast::Outcome::Deny;
    t.expect_span = span(e);
    // Under error recovery either word may be missing (absent, or conjured by
    // the parser): that is a syntax error already reported, so there is
    // nothing more to say about it here.
    for (std::size_t i = 0; i < 2; ++i)
      if (!e->ID(i) || !Positions::real(e->ID(i)->getSymbol())) return t;
    std::string word = e->ID(0)->getText(), code = e->ID(1)->getText();
    bool code_ok = code.size() == 6 && code.rfind("RL5", 0) == 0 &&
                   std::all_of(code.begin() + 3, code.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (word != "error")
      sink_.report(diag::Code::ExpectedToken, span(e), "expected an outcome or `error RL5xxx` after `expect`",
                   "write `expect allow`, `require_approval`, `escalate`, `deny`, or `expect error RL5003`");
    else if (!code_ok)
      sink_.report(diag::Code::ExpectedToken, span(e), "`" + code + "` is not a request error code",
                   "request errors are `RL5xxx` codes, e.g. `expect error RL5003` (unknown purpose)");
  } else {
    t.expect = outcome(c->outcome());
    t.expect_span = span(c->outcome());
  }
  if (c->KW_OBLIGING()) {
    t.has_obliging = true;
    t.obliging = obligations(c->obligationList());
  }
  return t;
}

// Checks what the grammar lets through but JSON forbids: string escapes,
// control characters and numbers with leading zeros. Walks without recursion.
void Transform::check_json(G::JsonObjectContext* c) {
  std::vector<antlr4::tree::ParseTree*> stack{c};
  while (!stack.empty()) {
    antlr4::tree::ParseTree* n = stack.back();
    stack.pop_back();
    auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(n);
    if (!t) {
      for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(*it);
      continue;
    }
    std::size_t type = t->getSymbol()->getType();
    if (type == G::STRING) {
      string(t, true);
    } else if (type == G::INTEGER || type == G::NUMBER) {
      std::string s = text(t);
      std::size_t d = s[0] == '-' ? 1 : 0;
      if (s.size() > d + 1 && s[d] == '0' && s[d + 1] >= '0' && s[d + 1] <= '9')
        sink_.report(diag::Code::InvalidTestJson, span(t), "invalid JSON in the `given` object: the number " + diag::quote(s) + " has a leading zero");
    }
  }
}

}  // namespace redline::parse::detail
