// tests/unit/ast/format_test.cc — the canonical formatter: layout, minimal
// parentheses, string escaping, comments kept, idempotence, and meaning kept
// (the formatted text parses to the same AST, spans aside).
#include <doctest/doctest.h>

#include "../parse/parse_helpers.h"
#include "ast/format.h"

using namespace redline;
using redline::testing::parse_text;

namespace {

// Formats `text`, checks idempotence and meaning, and returns the output.
std::string fmt(const std::string& text) {
  auto p = parse_text(text);
  REQUIRE_MESSAGE(!p->diags.has_errors(), p->rendered());
  std::string once = ast::format(p->module, text);
  auto q = parse_text(once);
  REQUIRE_MESSAGE(!q->diags.has_errors(), q->rendered() << "\n" << once);
  CHECK(ast::print(q->module) == ast::print(p->module));
  CHECK(ast::format(q->module, once) == once);
  return once;
}

}  // namespace

TEST_CASE("format: rules get one clause per line in canonical order") {
  std::string out = fmt("policy \"p\" { default deny rule x: prohibit a.b cite \"c\" because \"b\" when actor.role == r; }");
  CHECK(out ==
        "policy \"p\" {\n"
        "  default deny\n"
        "  rule x:\n"
        "    prohibit a.b\n"
        "    when actor.role == r\n"
        "    because \"b\"\n"
        "    cite \"c\";\n"
        "}\n");
}

TEST_CASE("format: minimal parentheses, author's parentheses kept") {
  std::string out = fmt("policy \"p\" { default deny rule x: permit a when not(a.b==1) and (a.c == 2 or a.d has x) or a.e is present; }");
  CHECK(out.find("when not (a.b == 1) and (a.c == 2 or a.d has x) or a.e is present;") != std::string::npos);
}

TEST_CASE("format: expressions built without parentheses get the needed ones") {
  ast::Expr orx;
  orx.kind = ast::Expr::Kind::Or;
  for (int i = 0; i < 2; ++i) {
    auto k = std::make_unique<ast::Expr>();
    k->kind = ast::Expr::Kind::Present;
    k->path.parts.push_back({i ? "b" : "a", {}});
    orx.kids.push_back(std::move(k));
  }
  ast::Expr notx;
  notx.kind = ast::Expr::Kind::Not;
  notx.kids.push_back(std::make_unique<ast::Expr>(std::move(orx)));
  CHECK(ast::format_expr(notx) == "not (a is present or b is present)");
}

TEST_CASE("format: strings are re-escaped") {
  std::string out = fmt("policy \"p\\u0041\\\"\" { default deny owner \"tab\\there\\u0001\" }");
  CHECK(out.find("policy \"pA\\\"\" {") != std::string::npos);
  CHECK(out.find("owner \"tab\\there\\u0001\"") != std::string::npos);
}

TEST_CASE("format: every comment survives, in order") {
  std::string src =
      "// head\n\n"
      "purposes { a /* inline */ b // after b\n"
      "  // before c\n  c }\n"
      "policy \"p\" { // after brace\n"
      "  default deny\n\n"
      "  // about x\n"
      "  rule x: /* odd */ permit a // trailing\n"
      "    cite \"c\"\n"
      "    // before because\n"
      "    because \"b\"; // after rule\n"
      "  test \"t\" { given { \"a\": 1 // in json\n } expect deny }\n"
      "  /* last */\n"
      "}\n"
      "// tail\n";
  std::string out = fmt(src);
  auto p = parse_text(src);
  auto q = parse_text(out);
  REQUIRE(q->module.comments.size() == p->module.comments.size());
  for (std::size_t i = 0; i < p->module.comments.size(); ++i) CHECK(q->module.comments[i].text == p->module.comments[i].text);
  CHECK(out.find("  default deny\n\n  // about x\n  rule x:") != std::string::npos);
  CHECK(out.find("policy \"p\" { // after brace\n") != std::string::npos);
}

TEST_CASE("format: comments after several lines of one printed line stay separate comments") {
  // Found by fuzz/policy.cc on stdlib/context/common.pol: an attribute whose
  // `tags { ... }` spans lines with a comment after each value is printed on
  // one line, and its comments were all appended to it, the first `//`
  // swallowing the others (`redline fmt` refused: "would change its meaning").
  std::string out = fmt(
      "context {\n"
      "  data.tags: tags {\n"
      "    pii,        // personal data\n"
      "    health      // health data\n"
      "  }\n"
      "  actor.id: string  // one comment stays trailing\n"
      "}\n"
      "policy \"p\" {\n"
      "  default deny\n"
      "  rule r: permit x\n"
      "    when actor.id == \"a\"  // first\n"
      "      or actor.id == \"b\"  /* second */\n"
      "      or actor.id == \"c\"; // third\n"
      "}\n");
  CHECK(out.find("  // personal data\n  // health data\n  data.tags: tags { pii, health }\n") != std::string::npos);
  CHECK(out.find("  actor.id: string // one comment stays trailing\n") != std::string::npos);
  CHECK(out.find("    // first\n    /* second */\n") != std::string::npos);
  CHECK(out.find("    when actor.id == \"a\" or actor.id == \"b\" or actor.id == \"c\";") != std::string::npos);
}

TEST_CASE("format: blank lines between members are kept, at most one") {
  std::string out = fmt("policy \"p\" {\n\n\n  default deny\n\n\n\n  rule a: permit x;\n  rule b: permit y;\n}\n");
  CHECK(out == "policy \"p\" {\n  default deny\n\n  rule a:\n    permit x;\n  rule b:\n    permit y;\n}\n");
}

TEST_CASE("format: empty blocks and the whole spec example") {
  CHECK(fmt("purposes {}\ncontext {}\npolicy \"p\" {}\n") == "purposes {}\ncontext {}\npolicy \"p\" {}\n");
  std::string example = R"(import "stdlib/taxonomy/ai-uses.pol"
context { actor.role: enum { analyst, commander } env.zone: level { a < b } }
policy "vendor-aup" version "2026.03" {
  owner   "Vendor Trust & Safety"
  default allow
  rule no_autonomous_engagement:
    require approval weapons.target_engagement
      by commander quorum 2 within 10m
    because "A human must decide every engagement."
    cite "DoD Directive 3000.09 §4.a";
  escalation bulk_review "Bulk data review" {
    step mission_legal_advisor within 4h
    step vendor_safety_board quorum 2 within 72h
    on_timeout escalate to other
  }
  kill_switch weapons_support covers weapons, x.* owner vendor_safety because "Stop.";
  assert weapons.target_engagement when env.zone >= b is at least require_approval;
  test "t" { given {"purpose": "x"} expect escalate obliging log_full, n("a", b) }
}
)";
  std::string out = fmt(example);
  CHECK(out.find("    within 10m\n") != std::string::npos);
  CHECK(out.find("    step vendor_safety_board quorum 2 within 72h\n") != std::string::npos);
  CHECK(out.find("  kill_switch weapons_support\n    covers weapons, x.*\n    owner vendor_safety\n    because \"Stop.\";\n") != std::string::npos);
  CHECK(out.find("    obliging log_full, n(\"a\", b)\n") != std::string::npos);
}

TEST_CASE("format: durations") {
  CHECK(ast::format_duration(90) == "90s");
  CHECK(ast::format_duration(600) == "10m");
  CHECK(ast::format_duration(72 * 3600) == "3d");
  CHECK(ast::format_duration(0) == "0s");
}

TEST_CASE("printer: spans as line:col when a source is given") {
  auto p = parse_text("policy \"p\" {\n  default deny\n}\n");
  ast::PrintOptions o;
  o.source = &p->sources.file(0);
  CHECK(ast::print(p->module, o) == "module\n  policy \"p\" @1:1-3:2\n    default deny @2:3-2:15\n");
  CHECK(ast::print(p->module) == "module\n  policy \"p\"\n    default deny\n");
}

TEST_CASE("format: `expect error RL5003` is printed as written") {
  std::string out = fmt("policy \"p\" { default deny test \"t\" { given {\"purpose\": \"nope\"} expect error RL5003 } }");
  CHECK(out.find("    expect error RL5003\n") != std::string::npos);
  auto bad = parse_text("policy \"p\" { default deny test \"t\" { given {\"purpose\": \"x\"} expect error nope } }");
  CHECK(bad->diags.has_errors());
}

TEST_CASE("format: red_line, cite with version and quote, and limits") {
  std::string out = fmt(
      "policy \"p\" { default allow limits \"No facts are checked.\" rule x: prohibit a red_line cite \"§2\" version \"2026\" quote \"Never a.\" "
      "because \"b\"; limits \"Two.\" }");
  CHECK(out ==
        "policy \"p\" {\n"
        "  default allow\n"
        "  limits \"No facts are checked.\"\n"
        "  rule x:\n"
        "    prohibit a\n"
        "    because \"b\"\n"
        "    cite \"§2\" version \"2026\" quote \"Never a.\"\n"
        "    red_line;\n"
        "  limits \"Two.\"\n"
        "}\n");
}

TEST_CASE("format: `acknowledge` is kept, last, with its codes in order") {
  std::string out = fmt("policy \"p\" { default deny rule x: permit a acknowledge RL4004,RL4002 because \"b\"; }");
  CHECK(out ==
        "policy \"p\" {\n"
        "  default deny\n"
        "  rule x:\n"
        "    permit a\n"
        "    because \"b\"\n"
        "    acknowledge RL4004, RL4002;\n"
        "}\n");
  auto twice = parse_text("policy \"p\" { default deny rule x: permit a acknowledge RL4004 acknowledge RL4002; }");
  CHECK(twice->diags.has_errors());   // RL1012: one `acknowledge` clause per rule
  // `acknowledge` stays usable as a name.
  fmt("purposes { acknowledge } policy \"p\" { default deny rule acknowledge: permit acknowledge; }");
}
