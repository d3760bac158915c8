// tests/unit/report/report_test.cc — the reviewer report: plain-English
// paraphrases, determinism, every section in every format, and the golden
// Markdown and JSON reports of the examples (tests/golden/report/, rewritten
// with --update-golden).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "../test_support.h"
#include "crypto/policy_hash.h"
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
  const sema::Model& m = *ProgramAccess::impl(*r.program).model;
  auto rule = [&](const char* name) -> const sema::Rule& {
    for (const auto& x : m.rules)
      if (x.name == name) return x;
    FAIL("no rule");
    return m.rules[0];
  };
  CHECK(report::rule_sentence(m, rule("talk")) == "Allowed: chatting.");
  CHECK(report::rule_sentence(m, rule("kids")) == "Never: matching faces, when the data is tagged minors.");
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
  CHECK(md.find("**Never: indiscriminate monitoring of a country's own population.** [redline:vendor-gov-aup/no_mass_surveillance]") !=
        std::string::npos);
  CHECK(r->cover.sources.size() == 4);
  CHECK(r->cover.sources[0].path == "agency.pol");
  CHECK(r->cover.compiled_hash.rfind("sha256:", 0) == 0);
  std::size_t passed = 0;
  for (const auto& t : r->tests) passed += t.passed;
  CHECK(passed == r->tests.size());
  for (const auto& a : r->assertions) CHECK(a.proved);
  bool found = false;
  for (const auto& l : r->red_lines)
    if (l.rule == "vendor-gov-aup/no_mass_surveillance") found = l.proof == "proved";
  CHECK(found);
  // The agency's enclave rule is a guard, and no assertion needs it: the
  // IL5 assertion holds without it (the agency's default denies anyway).
  found = false;
  for (const auto& l : r->guards)
    if (l.rule == "agency-enclave/enclave_only") {
      found = true;
      CHECK(l.proof == "not proved");
      CHECK(l.proof_text.find("still holds with the rule deleted") != std::string::npos);
    }
  CHECK(found);
  CHECK(r->red_lines.size() == 4);   // the vendor's marked red lines, not every prohibition
  // Fewer false findings: one gap finding at most, and "kill switch" only where a switch names the purpose.
  CHECK(std::count_if(r->findings.begin(), r->findings.end(), [](const auto& f) { return f.kind.rfind("Gap", 0) == 0; }) <= 1);
  CHECK(r->global_switches == std::vector<std::string>{"switch:agency-enclave/enclave_stop"});
  for (const auto& c : r->coverage) {
    if (c.purpose == "translation") CHECK(!c.stoppable);
    if (c.purpose == "weapons.target_engagement") CHECK(c.stoppable);
  }
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

TEST_CASE("report wording: office acronyms, plural tags, paths reached through on_timeout") {
  CHECK(report::humanize("dod_ig") == "DoD IG");
  CHECK(report::humanize("ciso") == "CISO");
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "redline-report-wording";
  fs::create_directories(dir);
  write_file(dir / "w.pol", R"(
purposes { ops }
context {
  actor.role: enum { analyst, lawyer, dod_ig }
  output.tags: tags { pii }
}
policy "w" {
  default deny
  rule review: escalate ops to first;
  rule tagged: prohibit ops when output.tags is missing;
  escalation first { step lawyer within 1h on_timeout escalate to second }
  escalation second { step dod_ig within 24h on_timeout deny }
}
)");
  Diagnostics diags;
  auto r = report::build_report({(dir / "w.pol").string()}, options(), diags);
  REQUIRE_MESSAGE(r.has_value(), diags.render(false));
  bool second_used = false;
  for (const auto& e : r->escalations)
    if (e.name == "second") second_used = e.used_by == std::vector<std::string>{"rule:w/review"};
  CHECK(second_used);
  std::string md = report::to_markdown(*r);
  CHECK(md.find("DoD IG") != std::string::npos);
  CHECK(md.find("tags is not stated") == std::string::npos);
  CHECK(md.find("tags are not stated") != std::string::npos);
}

TEST_CASE("report: the policy hash and file IDs do not depend on argument order or working directory") {
  fs::path dir = source_dir() / "examples/defense-deployment";
  auto build = [&](const std::vector<std::string>& files) {
    Diagnostics diags;
    auto r = report::build_report(files, options(), diags);
    REQUIRE_MESSAGE(r.has_value(), diags.render(false));
    return *r;
  };
  report::Report alone = build({(dir / "agency.pol").string()});
  report::Report both = build({(dir / "vendor.pol").string(), (dir / "agency.pol").string()});
  fs::path old_cwd = fs::current_path();
  fs::current_path(dir);
  report::Report local = build({"agency.pol", "vendor.pol"});
  CompileResult moved = compile_files({"vendor.pol", "agency.pol"}, options().compile);
  fs::current_path(old_cwd);
  REQUIRE(moved.ok());
  CHECK(alone.cover.policy_hash == both.cover.policy_hash);
  CHECK(alone.cover.policy_hash == local.cover.policy_hash);
  CHECK(alone.cover.policy_hash == moved.program->hash());
  CHECK(report::to_json(alone) == report::to_json(both));
  CHECK(report::to_json(alone) == report::to_json(local));
  std::vector<std::string> ids;
  for (const auto& s : alone.cover.sources) ids.push_back(s.id);
  CHECK(ids == std::vector<std::string>{"file:agency.pol", "file:stdlib/context/common.pol", "file:stdlib/taxonomy/ai-uses.pol",
                                        "file:vendor.pol"});
  // The hash still changes with the text.
  std::vector<std::string_view> texts{"a", "b"};
  CHECK(policy_hash(texts) == policy_hash({"b", "a"}));
  CHECK(policy_hash(texts) != policy_hash({"a", "c"}));
}

TEST_CASE("report: a red line is proved only by an assertion that fails without it") {
  const char* text = R"(
purposes { chat "Chatting." weapons "Weapons." { strike "Striking." drone "Flying drones." } spying "Spying." }
context { actor.id: string actor.role: enum { clerk, boss } }
policy "p" {
  default allow
  rule e: require approval weapons.drone by boss;
  rule a: prohibit weapons.strike red_line;
  rule b: prohibit weapons.strike;
  rule c: prohibit spying red_line;
  rule d: prohibit chat when actor.role == clerk;
  assert weapons.strike is deny;
  assert spying is deny;
  assert chat when actor.role == clerk is deny;
}
)";
  Diagnostics diags;
  report::ReportOptions o = options();
  o.compile.files["dep.pol"] = text;
  auto r = report::build_report({"dep.pol"}, o, diags);
  REQUIRE_MESSAGE(r.has_value(), diags.render(false));
  std::map<std::string, std::string> proof;
  for (const auto& l : r->red_lines) proof[l.rule] = l.proof;
  for (const auto& l : r->guards) proof[l.rule] = "guard " + l.proof;
  CHECK(r->red_lines.size() == 2);
  CHECK(proof["p/a"] == "not proved");        // rule b still denies a strike
  CHECK(proof["p/b"] == "guard not proved");
  CHECK(proof["p/c"] == "proved");            // without it, the default allows spying
  CHECK(proof["p/d"] == "guard partly proved");   // needed, but the assertion is conditional
  // `a` and `e` meet only on a request that names the vague `weapons`: no override.
  for (const auto& k : r->rules)
    if (k.id == "rule:p/a") CHECK(k.overrides.empty());
}

TEST_CASE("report: oversight is stated as the engine runs it") {
  auto r = example("defense-deployment", "agency.pol");
  const report::EscalationEntry* vendor = nullptr;
  for (const auto& e : r->escalations)
    if (e.name == "vendor_bulk_review") vendor = &e;
  REQUIRE(vendor != nullptr);
  CHECK(vendor->exactly.find("Any ONE of these resolves it (allowed): a mission legal advisor by request time + 4 hours, a general counsel "
                             "by request time + 28 hours or 2 vendor safety board approvers by request time + 100 hours.") == 0);
  CHECK(vendor->exactly.find("One denial by an eligible approver vetoes: denied.") != std::string::npos);
  CHECK(vendor->exactly.find("Silence past the last deadline: denied.") != std::string::npos);
  CHECK(vendor->exactly.find("need not be signed") != std::string::npos);
  REQUIRE(vendor->steps.size() == 3);
  CHECK(vendor->steps[1].deadline == "24 hours");
  CHECK(vendor->steps[1].by == "request time + 28 hours");
  bool approval = false;
  for (const auto& a : r->approvals)
    if (a.rule_id == "rule:agency-enclave/decision_support_with_approval") {
      approval = true;
      CHECK(a.exactly.find("Without enough approvals it stays “needs approval” — silence never allows it") != std::string::npos);
    }
  CHECK(approval);
  for (const auto& s : r->switches)
    if (s.qualified == "vendor-gov-aup/weapons_support")
      CHECK(s.control.find("may trip it, and only a vendor safety or customer CDAO may reset it") != std::string::npos);
  // Durations read as written: 5d is five days, not 120 hours.
  Diagnostics diags;
  report::ReportOptions o = options();
  o.compile.files["d.pol"] = R"(
purposes { x "X." }
context { actor.role: enum { a, b } }
policy "d" {
  default allow
  rule r: escalate x to p;
  escalation p { step a within 5d step b within 72h on_timeout deny }
}
)";
  auto d = report::build_report({"d.pol"}, o, diags);
  REQUIRE_MESSAGE(d.has_value(), diags.render(false));
  REQUIRE(d->escalations.size() == 1);
  CHECK(d->escalations[0].steps[0].deadline == "5 days");
  CHECK(d->escalations[0].steps[1].deadline == "72 hours");
  CHECK(d->escalations[0].steps[1].by == "request time + 8 days");
}

TEST_CASE("report: clause schedule and assumptions and limits") {
  Diagnostics diags;
  report::ReportOptions o = options();
  o.compile.files["c.pol"] = R"pol(
purposes { chat "Chatting." spying "Spying." games "Games." }
context { data.tags: tags { minors, bulk, public } actor.level: int }
policy "c" {
  default allow
  limits "Where the data came from is not modelled."
  rule s: prohibit spying cite "Contract §7(b)" version "v2" quote "No spying." red_line;
  rule k: prohibit chat when data.tags has minors cite "Contract §7(b); Law §1";
  rule never: prohibit games when actor.level > 3;
  rule play: permit games unless actor.level <= 3 cite "Law §9";
  assert spying is deny;
}
)pol";
  auto r = report::build_report({"c.pol"}, o, diags);
  REQUIRE_MESSAGE(r.has_value(), diags.render(false));
  REQUIRE(r->clauses.size() == 3);
  CHECK(r->clauses[0].clause == "Contract §7(b)");
  CHECK(r->clauses[0].version == "v2");
  CHECK(r->clauses[0].quote == "No spying.");
  CHECK(r->clauses[0].rules == std::vector<std::string>{"rule:c/s", "rule:c/k"});
  CHECK(r->clauses[0].status == "enforced");
  CHECK(r->clauses[0].proved_by == std::vector<std::string>{"assert:c#1"});
  CHECK(r->clauses[1].clause == "Law §1");
  CHECK(r->clauses[2].clause == "Law §9");
  CHECK(r->clauses[2].status == "not enforced");
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& x) { return x.find(s) != std::string::npos; });
  };
  CHECK(has(r->limits.unread, "no rule reads the tags bulk (bulk) and public (public)"));
  CHECK(has(r->limits.claims, "the data's tags (data.tags)"));
  CHECK(has(r->limits.missing, "[rule:c/k] denied when the data is tagged minors — or when the request does not state the data's tags"));
  CHECK(r->limits.authors == std::vector<std::string>{"c: Where the data came from is not modelled."});
  std::string md = report::to_markdown(*r), html = report::to_html(*r);
  CHECK(md.find("| Contract §7(b) (version v2) [clause:Contract §7(b)] | “No spying.” |") != std::string::npos);
  CHECK(html.find("<q>No spying.</q>") != std::string::npos);
  CHECK(md.find("## 12. Assumptions and limits") != std::string::npos);
}

TEST_CASE("report: one readable graph per purpose group") {
  auto r = example("defense-deployment", "agency.pol");
  REQUIRE(r->graphs.size() == r->tables.size());
  const report::GroupGraph* bulk = nullptr;
  bool weapons_switch = false, approval = false;
  for (const auto& g : r->graphs) {
    if (g.id == "graph:intelligence_analysis.bulk_data_analysis") bulk = &g;
    weapons_switch = weapons_switch || g.dot.find("kill switch\\nweapons support") != std::string::npos;
    approval = approval || (g.dot.find("1 × commander approve within 30 minutes") != std::string::npos &&
                            g.dot.find("until approved") != std::string::npos);
    CHECK(g.dot.find("request -> ") == std::string::npos);   // no all-purposes tangle
  }
  REQUIRE(bulk != nullptr);
  // Steps are alternatives with cumulative deadlines; approvals, vetoes and silence each lead somewhere.
  CHECK(bulk->dot.find("Any ONE of:\\l• mission legal advisor by +4 hours\\l• general counsel by +28 hours\\l") != std::string::npos);
  CHECK(bulk->dot.find("[label=\"any one step approves\", color=\"#2e7d32\"]") != std::string::npos);
  CHECK(bulk->dot.find("one denial vetoes") != std::string::npos);
  CHECK(bulk->dot.find("silence past +28 hours") != std::string::npos);
  CHECK(weapons_switch);
  CHECK(approval);
}
