// tests/unit/report/diff_test.cc — the semantic diff: verdicts per purpose,
// every example request re-evaluated with both compiled Programs (its
// decision must really change in the direction claimed), blacklines,
// loosened oversight, and the CLI's --fail-on-new-access exit status.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "../test_support.h"
#include "report/diff.h"

using namespace redline;
using namespace redline::testing;

namespace {

const char* kSchema = R"(
purposes { chat  biometrics { face_match  voice_match }  research }
context {
  actor.role: enum { clerk, officer, supervisor }
  actor.age:  int
  data.tags:  tags { minors, consented, pii }
  env.zone:   level { public < restricted < secret }
  env.site:   string
}
)";

std::shared_ptr<const Program> compile(const std::string& body) {
  CompileResult r = compile_source(std::string(kSchema) + body, "p.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
  return r.program;
}

// Every example must change in the direction its verdict claims, when evaluated for real.
void check_examples(const report::DiffResult& d, const Program& a, const Program& b) {
  for (const auto& p : d.purposes) {
    CAPTURE(p.purpose);
    if (p.broader) {
      Decision o = a.evaluate_json(p.broader->request), n = b.evaluate_json(p.broader->request);
      CHECK(static_cast<int>(n.outcome()) < static_cast<int>(o.outcome()));
      CHECK(p.broader->old_outcome == to_string(o.outcome()));
      CHECK(p.broader->new_outcome == to_string(n.outcome()));
    }
    if (p.narrower) {
      Decision o = a.evaluate_json(p.narrower->request), n = b.evaluate_json(p.narrower->request);
      CHECK(static_cast<int>(n.outcome()) > static_cast<int>(o.outcome()));
    }
  }
}

const report::PurposeDiff& purpose(const report::DiffResult& d, const std::string& name) {
  for (const auto& p : d.purposes)
    if (p.purpose == name) return p;
  FAIL("no purpose " << name);
  return d.purposes.front();
}

const char* kOld = R"(policy "demo" version "1" {
  owner "Privacy Office"
  default deny
  rule talk:   permit chat when actor.age >= 18;
  rule bio_ok: permit biometrics when data.tags has consented and env.zone >= restricted;
  rule kids:   prohibit biometrics.face_match when data.tags has minors;
  rule review: require approval biometrics.voice_match by supervisor quorum 2 within 30m;
  rule lab:    permit research when env.site == "lab-1";
})";

}  // namespace

TEST_CASE("diff: identical policies are equivalent everywhere") {
  auto a = compile(kOld), b = compile(kOld);
  report::DiffResult d = report::semantic_diff(*a, *b);
  CHECK_FALSE(d.new_access);
  CHECK(d.items.empty());
  for (const auto& p : d.purposes) CHECK(p.verdict == "equivalent");
}

TEST_CASE("diff: a broader, a narrower and an incomparable purpose, each with a real example") {
  std::string neu = kOld;
  neu.replace(neu.find("actor.age >= 18"), 15, "actor.age >= 16");                       // chat: broader
  neu.replace(neu.find("has minors"), 10, "has any [minors, pii]");                      // face_match: narrower
  neu.replace(neu.find("env.site == \"lab-1\""), 19, "env.site == \"lab-2\"");          // research: incomparable
  auto a = compile(kOld), b = compile(neu);
  report::DiffResult d = report::semantic_diff(*a, *b);
  check_examples(d, *a, *b);
  CHECK(d.new_access);
  CHECK(purpose(d, "chat").verdict == "broader");
  CHECK(purpose(d, "biometrics.face_match").verdict == "narrower");
  CHECK(purpose(d, "research").verdict == "incomparable");
  CHECK(purpose(d, "biometrics.voice_match").verdict == "equivalent");
  std::string text = report::diff_text(d);
  CHECK(text.rfind("NEW ACCESS GRANTED: yes", 0) == 0);
  CHECK(text.find("[-18-] {+16+}") != std::string::npos);
}

TEST_CASE("diff: narrowing only grants no new access") {
  std::string neu = kOld;
  neu.replace(neu.find("env.zone >= restricted"), 22, "env.zone >= secret");
  auto a = compile(kOld), b = compile(neu);
  report::DiffResult d = report::semantic_diff(*a, *b);
  check_examples(d, *a, *b);
  CHECK_FALSE(d.new_access);
  CHECK(purpose(d, "biometrics.face_match").verdict == "narrower");
  CHECK(purpose(d, "biometrics").verdict == "equivalent");   // `review` applies through vagueness either way
}

TEST_CASE("diff: a new purpose, a removed red line, loosened approvals and owners") {
  std::string neu = kOld;
  neu.replace(neu.find("  rule kids:"), neu.find("  rule review:") - neu.find("  rule kids:"), "");
  neu.replace(neu.find("quorum 2 within 30m"), 19, "quorum 1 within 2h");
  neu.replace(neu.find("Privacy Office"), 14, "Legal");
  std::string schema_extra = "purposes { chat { small_talk } }\n";
  CompileResult rb = compile_source(std::string(kSchema) + schema_extra + neu, "p.pol");
  REQUIRE(rb.ok());
  auto a = compile(kOld);
  report::DiffResult d = report::semantic_diff(*a, *rb.program);
  check_examples(d, *a, *rb.program);
  CHECK(d.new_access);
  CHECK(purpose(d, "chat.small_talk").verdict == "broader");
  CHECK(purpose(d, "biometrics.face_match").verdict == "broader");
  CHECK(d.loosened.size() == 2);
  bool removed = false, owner = false;
  for (const auto& it : d.items) {
    removed = removed || (it.id == "rule:demo/kids" && it.status == "removed");
    for (const auto& f : it.fields) owner = owner || (it.id == "policy:demo" && f.category == "owner" && f.new_text == "Legal");
  }
  CHECK(removed);
  CHECK(owner);
  CHECK(report::diff_markdown(d).find("~~Privacy Office~~ **Legal**") != std::string::npos);
  CHECK(report::diff_json(d).find("\"new_access\": true") != std::string::npos);
}

TEST_CASE("diff: the defense example against a loosened copy, through the CLI") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "redline-diff-test";
  fs::create_directories(dir / "old");
  fs::create_directories(dir / "new");
  for (const char* f : {"agency.pol", "vendor.pol"}) {
    std::string text = read_file(source_dir() / "examples/defense-deployment" / f);
    write_file(dir / "old" / f, text);
    auto at = text.find("unless actor.clearance >= secret");
    if (at != std::string::npos) text.replace(at, 32, "unless actor.clearance >= confidential");
    write_file(dir / "new" / f, text);
  }
  std::string cli = REDLINE_CLI_PATH, env = "REDLINE_STDLIB=" + (source_dir() / "stdlib").string() + " ";
  std::string same = env + cli + " diff --fail-on-new-access " + (dir / "old/agency.pol").string() + " " + (dir / "old/agency.pol").string() + " >/dev/null";
  std::string wider = env + cli + " diff --fail-on-new-access " + (dir / "old/agency.pol").string() + " " + (dir / "new/agency.pol").string() + " >/dev/null";
  CHECK(WEXITSTATUS(std::system(same.c_str())) == 0);
  CHECK(WEXITSTATUS(std::system(wider.c_str())) == 1);
  CompileOptions o;
  o.stdlib_root = (source_dir() / "stdlib").string();
  auto a = compile_files({(dir / "old/agency.pol").string()}, o), b = compile_files({(dir / "new/agency.pol").string()}, o);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  report::DiffResult d = report::semantic_diff(*a.program, *b.program);
  check_examples(d, *a.program, *b.program);
  CHECK(purpose(d, "decision_support").verdict == "broader");
  CHECK(purpose(d, "surveillance.domestic_mass").verdict == "equivalent");
}

TEST_CASE("diff: dropping `signed` or `human` loosens a safeguard; adding them does not") {
  const char* strict = R"(policy "demo" {
  default allow
  rule review: require approval research by supervisor signed human;
})";
  const char* lax = R"(policy "demo" {
  default allow
  rule review: require approval research by supervisor;
})";
  auto a = compile(strict), b = compile(lax);
  report::DiffResult d = report::semantic_diff(*a, *b);
  CHECK(d.new_access);
  REQUIRE(d.loosened.size() == 2);
  CHECK(d.loosened[0] == "[rule:demo/review] no longer requires signed approvals.");
  CHECK(d.loosened[1] == "[rule:demo/review] no longer requires human approvers.");
  bool field = false;
  for (const auto& it : d.items)
    for (const auto& f : it.fields) field = field || (f.field == "Approvers must be" && f.old_text == "human, signed" && f.new_text.empty());
  CHECK(field);
  CHECK(report::semantic_diff(*b, *a).loosened.empty());
}
