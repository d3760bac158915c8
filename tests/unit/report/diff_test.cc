// tests/unit/report/diff_test.cc — the semantic diff: verdicts per purpose,
// every example request re-evaluated with both compiled Programs (its
// decision must really change in the direction claimed), blacklines,
// loosened oversight, and the CLI's --fail-on-new-access exit status.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

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
  // `review` applies to vague `biometrics` through vagueness: approved, it is
  // "no objection", so the narrowed permit decides — narrower, with the approval.
  CHECK(purpose(d, "biometrics").verdict == "narrower");
  REQUIRE(purpose(d, "biometrics").narrower);
  CHECK(purpose(d, "biometrics").narrower->request.find("\"approvals\"") != std::string::npos);
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

TEST_CASE("diff: a removed second sign-off is new access, found with the approvals that now suffice") {
  const char* schema = R"(
purposes { targeting  logistics }
context { actor.role: enum { analyst, commander, legal_advisor, ig, safety } }
)";
  const char* old_body = R"(policy "ops" {
  default deny
  rule cmd_sign:   require approval targeting by commander within 30m;
  rule legal_sign: require approval targeting by legal_advisor within 30m;
  rule ig_review:  escalate logistics to ig_path;
  rule safety_rev: escalate logistics to safety_path;
  escalation ig_path { step ig within 1h step commander within 1h on_timeout deny }
  escalation safety_path { step safety within 1h }
  kill_switch stop covers targeting owner safety, commander;
})";
  auto compile_with = [&](const std::string& body) {
    CompileResult r = compile_source(std::string(schema) + body, "p.pol");
    REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
    return r.program;
  };
  auto a = compile_with(old_body);
  SUBCASE("a removed require approval rule") {
    std::string neu = old_body;
    neu.replace(neu.find("  rule legal_sign:"), neu.find("  rule ig_review:") - neu.find("  rule legal_sign:"), "");
    auto b = compile_with(neu);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    const auto& p = purpose(d, "targeting");
    CHECK(p.verdict == "broader");
    REQUIRE(p.broader);
    CHECK(p.broader->old_outcome == "require_approval");
    CHECK(p.broader->new_outcome == "allow");
    CHECK(p.broader->request.find("\"approvals\"") != std::string::npos);
    bool listed = false;
    for (const auto& l : d.loosened) listed = listed || l.find("[rule:ops/legal_sign] was removed") != std::string::npos;
    CHECK(listed);
  }
  SUBCASE("a removed independent escalation") {
    std::string neu = old_body;
    neu.replace(neu.find("  rule safety_rev:"), neu.find("  escalation ig_path") - neu.find("  rule safety_rev:"), "");
    auto b = compile_with(neu);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    CHECK(purpose(d, "logistics").verdict == "broader");
  }
  SUBCASE("a removed step and fewer switch owners are loosened oversight") {
    std::string neu = old_body;
    neu.replace(neu.find(" step commander within 1h"), 25, "");
    neu.replace(neu.find("owner safety, commander"), 23, "owner safety");
    auto b = compile_with(neu);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    bool step = false, owner = false;
    for (const auto& l : d.loosened) {
      step = step || l.find("the step of commander was removed") != std::string::npos;
      owner = owner || l.find("can no longer be tripped by commander") != std::string::npos;
    }
    CHECK(step);
    CHECK(owner);
    CHECK(d.new_access);
  }
  SUBCASE("an unchanged policy is still equivalent with approvals in the space") {
    auto b = compile_with(old_body);
    report::DiffResult d = report::semantic_diff(*a, *b);
    CHECK_FALSE(d.new_access);
    for (const auto& p : d.purposes) CHECK(p.verdict == "equivalent");
  }
}

namespace {

// The amendment of the vocabulary case: NEW adds the tag `commercially_acquired`
// and lets cleared analysts run bulk analysis on such data without legal review.
const char* kIntelSchema = R"(
purposes { intelligence { bulk_analysis  targeted_query }  chat }
context {
  actor.role:      enum { analyst, legal_advisor }
  actor.clearance: level { unclassified < secret < top_secret }
  data.tags:       tags { us_persons, bulk_acquired%s }
}
)";

const char* kIntelOld = R"(policy "agency" {
  default deny
  rule talk:   permit chat;
  rule review: require approval intelligence.bulk_analysis by legal_advisor
    when actor.clearance >= secret;
  rule usp:    prohibit intelligence when data.tags has us_persons;
})";

const char* kIntelNew = R"(policy "agency" {
  default deny
  rule talk:   permit chat;
  rule review: require approval intelligence.bulk_analysis by legal_advisor
    when actor.clearance >= secret unless data.tags has commercially_acquired;
  rule commercial: permit intelligence.bulk_analysis
    when actor.clearance >= secret and data.tags has commercially_acquired;
  rule usp:    prohibit intelligence when data.tags has us_persons;
})";

std::string intel_schema(const std::string& extra_tags) {
  std::string s = kIntelSchema;
  s.replace(s.find("%s"), 2, extra_tags);
  return s;
}

std::shared_ptr<const Program> compile_text(const std::string& text) {
  CompileResult r = compile_source(text, "p.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
  return r.program;
}

bool has_vocab(const report::DiffResult& d, const std::string& kind, const std::string& name, const std::string& status, const std::string& detail) {
  for (const auto& v : d.vocabulary)
    if (v.kind == kind && v.name == name && v.status == status && v.detail == detail) return true;
  return false;
}

}  // namespace

TEST_CASE("diff: a new tag with a permit keyed on it is new access, not hidden as a request error") {
  auto a = compile_text(intel_schema("") + kIntelOld);
  auto b = compile_text(intel_schema(", commercially_acquired") + kIntelNew);
  report::DiffResult d = report::semantic_diff(*a, *b);
  check_examples(d, *a, *b);
  CHECK(d.new_access);
  const auto& p = purpose(d, "intelligence.bulk_analysis");
  CHECK(p.verdict == "broader");
  CHECK(p.broader_by_new_terms);
  CHECK_FALSE(p.refusal_only);   // less severe even than OLD's decision without the new tag
  REQUIRE(p.broader);
  CHECK(p.broader->request.find("commercially_acquired") != std::string::npos);
  CHECK(p.broader->old_outcome == "deny");
  CHECK(p.broader->new_outcome == "allow");
  CHECK(p.broader->old_error.find("commercially_acquired") != std::string::npos);
  CHECK(p.broader->without_terms.find("commercially_acquired") == std::string::npos);
  CHECK(p.broader->without_terms_outcome == "require_approval");   // it used to go to legal review
  CHECK(p.broader->example.find("used to be refused") != std::string::npos);
  CHECK(p.broader->example.find("needed approval") != std::string::npos);
  CHECK(p.broader->example.find("it is now allowed") != std::string::npos);
  CHECK(p.broader->example.find("commercially acquired") != std::string::npos);
  CHECK(has_vocab(d, "tag", "data.tags", "added", "commercially_acquired"));
  // A request carrying the new tag is refused by OLD and allowed for chat by NEW: new access too, by the letter.
  CHECK(purpose(d, "chat").verdict == "broader");
  CHECK(purpose(d, "chat").broader_by_new_terms);
  CHECK(purpose(d, "chat").refusal_only);
  // Requests OLD accepts are decided as before or more severely: nothing broader in shared terms.
  CHECK(purpose(d, "intelligence.targeted_query").verdict == "equivalent");
  std::string text = report::diff_text(d);
  CHECK(text.rfind("NEW ACCESS GRANTED: yes", 0) == 0);
  CHECK(text.find("added tag of data.tags: commercially_acquired") != std::string::npos);
  CHECK(text.find("less severe only for requests using terms OLD refuses") != std::string::npos);
  CHECK(report::diff_json(d).find("\"broader_by_new_terms\": true") != std::string::npos);
  // The reverse amendment removes the tag: requests carrying it are now refused — narrower, not new access.
  report::DiffResult r = report::semantic_diff(*b, *a);
  check_examples(r, *b, *a);
  CHECK(purpose(r, "chat").verdict == "narrower");
  REQUIRE(purpose(r, "chat").narrower);
  CHECK_FALSE(purpose(r, "chat").narrower->new_error.empty());
  CHECK(has_vocab(r, "tag", "data.tags", "removed", "commercially_acquired"));
}

TEST_CASE("diff: the new-tag amendment through the CLI fails --fail-on-new-access") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "redline-diff-vocab-test";
  fs::create_directories(dir);
  write_file(dir / "old.pol", intel_schema("") + kIntelOld);
  write_file(dir / "new.pol", intel_schema(", commercially_acquired") + kIntelNew);
  std::string cli = REDLINE_CLI_PATH, out = (dir / "out.txt").string();
  std::string run = cli + " diff --fail-on-new-access " + (dir / "old.pol").string() + " " + (dir / "new.pol").string() + " >" + out;
  CHECK(WEXITSTATUS(std::system(run.c_str())) == 1);
  std::string text = read_file(out);
  CHECK(text.rfind("NEW ACCESS GRANTED: yes", 0) == 0);
  CHECK(text.find("intelligence.bulk_analysis: BROADER") != std::string::npos);
  std::string same = cli + " diff --fail-on-new-access " + (dir / "new.pol").string() + " " + (dir / "new.pol").string() + " >/dev/null";
  CHECK(WEXITSTATUS(std::system(same.c_str())) == 0);
}

TEST_CASE("diff: new enum values, levels and types are in the search space") {
  const char* body = R"(policy "p" {
  default deny
  rule talk: permit chat when actor.role != legal_advisor;
  rule deep: permit intelligence.targeted_query when actor.clearance >= secret;
})";
  auto a = compile_text(intel_schema("") + body);
  SUBCASE("a new role that no rule names is granted chat") {
    std::string s = intel_schema("");
    s.replace(s.find("legal_advisor }"), 15, "legal_advisor, contractor }");
    auto b = compile_text(s + body);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    REQUIRE(purpose(d, "chat").broader);
    CHECK(purpose(d, "chat").broader->request.find("contractor") != std::string::npos);
    CHECK(has_vocab(d, "value", "actor.role", "added", "contractor"));
  }
  SUBCASE("a new level above the threshold") {
    std::string s = intel_schema("");
    s.replace(s.find("top_secret }"), 12, "top_secret < sci }");
    auto b = compile_text(s + body);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    REQUIRE(purpose(d, "intelligence.targeted_query").broader);
    CHECK(purpose(d, "intelligence.targeted_query").broader->request.find("\"sci\"") != std::string::npos);
    CHECK(has_vocab(d, "level", "actor.clearance", "added", "sci"));
  }
  SUBCASE("an attribute whose type changes") {
    std::string s = intel_schema("");
    const std::string role = "actor.role:      enum { analyst, legal_advisor }";
    s.replace(s.find(role), role.size(), "actor.role: string");
    const char* nb = R"(policy "p" {
  default deny
  rule talk: permit chat when actor.role != "legal_advisor";
  rule deep: permit intelligence.targeted_query when actor.clearance >= secret;
})";
    auto b = compile_text(s + nb);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    REQUIRE(purpose(d, "chat").broader);
    CHECK(purpose(d, "chat").broader_by_new_terms);
    // Without the role OLD cannot bind, OLD denies chat (the condition is unknown): not refusal only.
    CHECK_FALSE(purpose(d, "chat").refusal_only);
    CHECK(has_vocab(d, "attribute", "actor.role", "changed", "enum { analyst, legal_advisor } → string"));
  }
  SUBCASE("a new attribute OLD ignores, with a permit keyed on it") {
    std::string s = intel_schema("");
    s.replace(s.find("context {"), 9, "context {\n  env.mode: enum { normal, emergency }");
    std::string nb = body;
    nb.replace(nb.find("  rule deep:"), 0, "  rule emergency: permit intelligence.targeted_query when env.mode == emergency;\n");
    auto b = compile_text(s + nb);
    report::DiffResult d = report::semantic_diff(*a, *b);
    check_examples(d, *a, *b);
    CHECK(d.new_access);
    const auto& p = purpose(d, "intelligence.targeted_query");
    REQUIRE(p.broader);
    CHECK(p.broader->request.find("emergency") != std::string::npos);
    CHECK_FALSE(p.broader_by_new_terms);   // OLD accepts the request and ignores the attribute (§15)
    CHECK(has_vocab(d, "attribute", "env.mode", "added", "enum { normal, emergency }"));
  }
  SUBCASE("the same vocabulary lists nothing and finds nothing") {
    auto b = compile_text(intel_schema("") + body);
    report::DiffResult d = report::semantic_diff(*a, *b);
    CHECK(d.vocabulary.empty());
    CHECK_FALSE(d.new_access);
  }
}

TEST_CASE("diff: weakened assertions, changed tests, obligations and metadata are listed") {
  const char* old_body = R"(policy "p" version "1" {
  description "Agency policy"
  default deny
  rule talk: permit chat oblige log_full;
  rule usp:  prohibit intelligence when data.tags has us_persons;
  assert intelligence.bulk_analysis is deny;
  assert intelligence.targeted_query when data.tags has us_persons is deny;
  test "chat is allowed" { given { "purpose": "chat" } expect allow }
})";
  std::string neu = old_body;
  neu.replace(neu.find("version \"1\""), 11, "version \"2\"");
  neu.replace(neu.find(" oblige log_full"), 16, "");
  neu.replace(neu.find("assert intelligence.bulk_analysis is deny;"), 42,
              "assert intelligence.bulk_analysis when data.tags has us_persons is deny;");
  neu.replace(neu.find("  assert intelligence.targeted_query"), neu.find("  test ") - neu.find("  assert intelligence.targeted_query"), "");
  neu.replace(neu.find("expect allow"), 12, "expect deny");
  neu.replace(neu.find("rule talk: permit chat;"), 23, "rule talk: prohibit chat;");
  auto a = compile_text(intel_schema("") + old_body), b = compile_text(intel_schema("") + neu);
  report::DiffResult d = report::semantic_diff(*a, *b);
  std::map<std::string, const report::ItemDiff*> by;
  for (const auto& it : d.items) by[it.id] = &it;
  REQUIRE(by.count("assert:p/intelligence.bulk_analysis"));
  CHECK(by["assert:p/intelligence.bulk_analysis"]->note.rfind("weakened: a `when` was added", 0) == 0);
  REQUIRE(by.count("assert:p/intelligence.targeted_query"));
  CHECK(by["assert:p/intelligence.targeted_query"]->status == "removed");
  CHECK(by["assert:p/intelligence.targeted_query"]->note.rfind("weakened: removed", 0) == 0);
  REQUIRE(by.count("test:p/chat is allowed"));
  CHECK(by["test:p/chat is allowed"]->status == "changed");
  bool obligation = false, version = false;
  for (const auto& f : by["rule:p/talk"]->fields) obligation = obligation || (f.category == "obligation" && !f.old_text.empty() && f.new_text.empty());
  for (const auto& f : by["policy:p"]->fields) version = version || (f.category == "metadata" && f.field == "Version" && f.new_text == "2");
  CHECK(obligation);
  CHECK(version);
  std::string md = report::diff_markdown(d);
  CHECK(md.find("## Assertions weakened") != std::string::npos);
  CHECK(md.find("## Changed obligations") != std::string::npos);
  CHECK(md.find("## Changed metadata") != std::string::npos);
  CHECK(md.find("### In plain words") != std::string::npos);
  CHECK(report::diff_text(d).find("Assertions weakened:") != std::string::npos);
  // The strengthening direction is not reported as weakened.
  report::DiffResult r = report::semantic_diff(*b, *a);
  for (const auto& it : r.items)
    if (it.kind == "assertion") CHECK(it.note.rfind("strengthened", 0) == 0);
}

TEST_CASE("diff: the defense example's commercially-acquired amendment is new access, through the CLI") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "redline-diff-amendment-test";
  fs::create_directories(dir / "old");
  fs::create_directories(dir / "new");
  auto replace = [](std::string& s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
  };
  for (const char* f : {"agency.pol", "vendor.pol"}) {
    std::string text = read_file(source_dir() / "examples/defense-deployment" / f);
    write_file(dir / "old" / f, text);
    if (std::string(f) == "agency.pol") {
      replace(text, "import \"vendor.pol\"\n", "import \"vendor.pol\"\n\ncontext { data.tags: tags { commercially_acquired } }\n");
      replace(text, "      to legal_review\n", "      to legal_review\n      unless data.tags has commercially_acquired\n");
      replace(text, "  rule bulk_legal_review:",
              "  rule commercial_bulk:\n    permit intelligence_analysis.bulk_data_analysis\n"
              "      when data.tags has commercially_acquired and actor.clearance >= secret;\n\n  rule bulk_legal_review:");
      replace(text, "assert intelligence_analysis.bulk_data_analysis is at least escalate;",
              "assert intelligence_analysis.bulk_data_analysis when not data.tags has commercially_acquired is at least escalate;");
    }
    write_file(dir / "new" / f, text);
  }
  std::string cli = REDLINE_CLI_PATH, env = "REDLINE_STDLIB=" + (source_dir() / "stdlib").string() + " ", out = (dir / "out.txt").string();
  std::string run = env + cli + " diff --fail-on-new-access " + (dir / "old/agency.pol").string() + " " + (dir / "new/agency.pol").string() + " >" + out;
  CHECK(WEXITSTATUS(std::system(run.c_str())) == 1);
  std::string text = read_file(out);
  CHECK(text.rfind("NEW ACCESS GRANTED: yes", 0) == 0);
  CHECK(text.find("added tag of data.tags: commercially_acquired") != std::string::npos);
  auto at = text.find("  intelligence_analysis.bulk_data_analysis: ");
  REQUIRE(at != std::string::npos);
  std::size_t end = text.find('\n', at);   // the purpose's entry: its line and the more indented ones below
  while (end != std::string::npos && text.compare(end + 1, 4, "    ") == 0) end = text.find('\n', end + 1);
  std::string entry = text.substr(at, end - at);
  CHECK(entry.find("deny -> allow") != std::string::npos);
  CHECK(entry.find("\"commercially_acquired\"") != std::string::npos);
  CHECK(entry.find("went to review; it is now allowed.") != std::string::npos);
  CHECK(text.find("Assertions weakened:") != std::string::npos);
}
