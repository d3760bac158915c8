// tests/unit/report/report_test.cc — the reviewer report: plain-English
// paraphrases, determinism, every section in every format, and the golden
// Markdown and JSON reports of the examples (tests/golden/report/, rewritten
// with --update-golden).
#include <doctest/doctest.h>

#include <filesystem>

#include "../test_support.h"
#include "flat/program_impl.h"
#include "report/paraphrase.h"
#include "report/render.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

namespace {

report::ReportOptions options() {
  report::ReportOptions o;
  o.compile.stdlib_root = (source_dir() / "stdlib").string();
  o.generated_at = 1767225600;   // 2026-01-01
  o.base_dir = source_dir().string();
  o.render_svg = false;          // Graphviz versions differ; the picture is checked by the Chromium test
  return o;
}

std::optional<report::Report> example(const std::string& dir, const std::string& file) {
  Diagnostics diags;
  auto r = report::build_report({(source_dir() / "examples" / dir / file).string()}, options(), diags);
  REQUIRE_MESSAGE(r.has_value(), diags.render(false));
  return r;
}

void golden(const fs::path& path, const std::string& text) {
  if (update_golden) {
    write_file(path, text);
    return;
  }
  CHECK_MESSAGE(read_file(path) == text, "golden file differs: " << path.string() << " (rerun with --update-golden and review the diff)");
}

const char* kSmall = R"(
purposes { chat "Chatting."  biometrics "Biometric uses." { face_match "Matching faces." voice_match } }
context {
  actor.role: enum { clerk, officer, supervisor }
  data.tags:  tags { minors, consented, us_persons }
  env.zone:   level { public < restricted < secret }
  env.impact_level: level { il2 < il4 < il5 < il6 }
  request.age: duration
}
policy "demo" {
  default deny
  rule talk:    permit chat;
  rule bio_ok:  permit biometrics when data.tags has consented and env.zone >= restricted;
  rule kids:    prohibit biometrics.face_match when data.tags has minors;
  rule review:  require approval biometrics.voice_match by supervisor quorum 2 within 30m unless actor.role == supervisor;
  rule us:      prohibit * when data.tags has us_persons and env.impact_level <= il6 and not (request.age < 2h or actor.role in [clerk, officer]);
}
)";

}  // namespace

TEST_CASE("paraphrase: conditions read as plain English") {
  CompileResult r = compile_source(kSmall, "small.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
  const sema::Model& m = *r.program->impl().model;
  auto rule = [&](const char* name) -> const sema::Rule& {
    for (const auto& x : m.rules)
      if (x.name == name) return x;
    FAIL("no rule");
    return m.rules[0];
  };
  CHECK(report::rule_sentence(m, rule("talk")) == "Allowed: chat.");
  CHECK(report::rule_sentence(m, rule("kids")) == "Never: face match (biometrics), when the data is tagged minors.");
  CHECK(report::rule_condition_words(m, rule("bio_ok")) == "when the data is tagged consented and the zone is at least restricted");
  CHECK(report::rule_sentence(m, rule("review")) ==
        "Needs approval: voice match (biometrics), unless the requester's role is supervisor. It needs 2 different approvers, each a "
        "supervisor, given within 30 minutes; the requester cannot approve their own request.");
  CHECK(report::rule_condition_words(m, rule("us")) ==
        "when the data is tagged U.S. persons, the impact level is at most IL6, the request age is at least 2 hours and "
        "the requester's role is none of clerk and officer");
  CHECK(report::humanize("mission_legal_advisor") == "mission legal advisor");
  CHECK(report::duration_words(72 * 3600) == "72 hours");
  CHECK(report::duration_words(90) == "90 seconds");
}

TEST_CASE("report: the same input gives the same bytes, in every format") {
  auto a = example("defense-deployment", "agency.pol");
  auto b = example("defense-deployment", "agency.pol");
  CHECK(report::to_markdown(*a) == report::to_markdown(*b));
  CHECK(report::to_json(*a) == report::to_json(*b));
  CHECK(report::to_html(*a) == report::to_html(*b));
}

TEST_CASE("report: every section, stable IDs, no script in the HTML") {
  auto r = example("defense-deployment", "agency.pol");
  std::string html = report::to_html(*r), md = report::to_markdown(*r);
  for (const char* title : report::section_titles()) {
    CHECK(html.find(title) != std::string::npos);
    CHECK(md.find(title) != std::string::npos);
  }
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  CHECK(md.find("**Never: domestic mass (surveillance).** [redline:vendor-gov-aup/no_mass_surveillance]") != std::string::npos);
  CHECK(r->cover.sources.size() == 4);
  CHECK(r->cover.sources[0].path == "examples/defense-deployment/agency.pol");
  CHECK(r->cover.compiled_hash.rfind("sha256:", 0) == 0);
  std::size_t passed = 0;
  for (const auto& t : r->tests) passed += t.passed;
  CHECK(passed == r->tests.size());
  for (const auto& a : r->assertions) CHECK(a.proved);
  bool found = false;
  for (const auto& l : r->red_lines)
    if (l.rule == "vendor-gov-aup/no_mass_surveillance") found = l.proof == "proved";
  CHECK(found);
  for (const auto& c : r->coverage)
    if (c.purpose == "surveillance.domestic_mass") CHECK((c.outcomes == std::array<bool, 4>{false, false, false, true}));
  std::set<std::string> ids;
  for (const auto& k : r->rules) CHECK(ids.insert(k.id).second);
}

TEST_CASE("report: golden Markdown and JSON reports of the examples") {
  struct Case {
    const char* dir;
    const char* file;
  };
  for (Case c : {Case{"defense-deployment", "agency.pol"}, Case{"fintech-fraud", "bank.pol"}, Case{"spec-example", "customer.pol"}}) {
    CAPTURE(c.dir);
    auto r = example(c.dir, c.file);
    fs::path base = source_dir() / "tests/golden/report" / c.dir;
    golden(base.string() + ".md", report::to_markdown(*r));
    golden(base.string() + ".json", report::to_json(*r));
  }
}
