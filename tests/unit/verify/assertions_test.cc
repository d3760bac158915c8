// Assertions (LANGUAGE.md §11): ones that hold, ones that fail — each
// counterexample is evaluated with the compiled Program (kill switches
// tripped as its note says) and must really violate the assertion — and
// compile_source failing with RL4010.
#include <doctest/doctest.h>

#include "verify_support.h"

using namespace redline;
using namespace redline::testing;

namespace {

const char* kDemo = R"(
purposes { chat  biometrics { face_match  voice_match } }
context {
  actor.role: enum { clerk, officer, supervisor }
  data.tags:  tags { minors, consented }
  env.zone:   level { public < restricted < secret }
}
policy "demo" {
  default deny
  rule talk:    permit chat;
  rule bio_ok:  permit biometrics when data.tags has consented and env.zone >= restricted;
  rule kids:    prohibit biometrics.face_match when data.tags has minors;
  rule review:  require approval biometrics.voice_match by supervisor unless actor.role == supervisor;
  assert biometrics.face_match when data.tags has minors is deny;
  assert chat is allow;
  assert biometrics is at least require_approval;
  assert biometrics.voice_match is at least require_approval;
  assert biometrics.face_match when data.tags is missing is deny;
}
)";

int rank(Outcome o) { return static_cast<int>(o); }

// Checks that `f`'s counterexample violates assertion `a` when evaluated.
void check_counterexample(const std::string& text, const sema::Model&, const verify::Finding& f, const sema::Assertion& a) {
  REQUIRE(f.code == diag::Code::AssertionFailed);
  REQUIRE(!f.request.empty());
  auto prog = compile_for(text, f.layer);
  std::string sw = tripped_switch(f);
  Decision d = evaluate(*prog, f.request, sw.empty() ? std::vector<std::string>{} : std::vector<std::string>{sw});
  int want = static_cast<int>(a.outcome), got = rank(d.outcome());
  INFO(f.message, "\n", f.request);
  if (a.at_least) CHECK(got < want);
  else CHECK(got != want);
  // The decision the message names is the one the Program gives.
  CHECK(f.message.find(std::string("decided `") + to_string(d.outcome()) + "`") != std::string::npos);
}

const sema::Assertion& assertion_of(const sema::Model& m, const verify::Finding& f) {
  auto hash = f.subject.find("#");
  std::size_t n = std::stoul(f.subject.substr(hash + 1));
  auto l = static_cast<std::uint32_t>(m.find_layer(f.layer));
  return m.assertions[m.layers[l].assertions[n - 1]];
}

}  // namespace

TEST_CASE("the worked example: true assertions hold, false ones fail with real counterexamples") {
  Loaded l = load(kDemo);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].subject == "demo/assert#3");
  CHECK(findings[1].subject == "demo/assert#4");
  for (const auto& f : findings) check_counterexample(kDemo, l.model(), f, assertion_of(l.model(), f));
  // The voice-match counterexample needs a supervisor with consented data in a restricted zone or above.
  CHECK(findings[1].request.find("\"supervisor\"") != std::string::npos);
  CHECK(findings[1].request.find("\"consented\"") != std::string::npos);
}

TEST_CASE("a kill switch covering the purpose refutes an exact non-deny assertion") {
  std::string text = R"(
purposes { chat  search }
policy "p" {
  default deny
  rule talk: permit chat, search;
  kill_switch off covers chat;
  assert chat is allow;
  assert search is allow;
  assert chat is at least allow;
}
)";
  Loaded l = load(text);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].subject == "p/assert#1");
  CHECK(tripped_switch(findings[0]) == "p/off");
  check_counterexample(text, l.model(), findings[0], assertion_of(l.model(), findings[0]));
}

TEST_CASE("ints, durations, strings, bools and timestamps get real counterexample values") {
  std::string text = R"(
purposes { export }
context {
  actor.role: enum { r }
  request.volume: int
  request.age: duration
  env.region: string
  actor.trusted: bool
}
policy "p" {
  default deny
  escalation review { step r }
  rule big: prohibit export when request.volume > 1000;
  rule old: escalate export when request.age >= 2h to review;
  rule eu:  permit export when env.region == "eu" and actor.trusted == true;
  assert export when request.volume > 1000 is deny;
  assert export when request.volume <= 1000 and request.age < 2h is allow;
  assert export is at least escalate;
  assert export when request.time < "2026-01-01T00:00:00Z" and request.volume > 1000 is escalate;
  assert export when env.region == "eu" and actor.trusted == true and request.volume <= 1000 and request.age < 7200s is allow;
}
)";
  Loaded l = load(text);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].subject == "p/assert#2");
  CHECK(findings[1].subject == "p/assert#3");
  CHECK(findings[2].subject == "p/assert#4");
  for (const auto& f : findings) check_counterexample(text, l.model(), f, assertion_of(l.model(), f));
  // Values are written as a request would carry them.
  CHECK(findings[0].request.find("\"age\":\"") != std::string::npos);
  CHECK(findings[2].request.find("\"time\":\"") != std::string::npos);
  CHECK(findings[2].request.find("Z\"") != std::string::npos);
}

TEST_CASE("vaguer purposes above the targets are part of the proof") {
  std::string text = R"(
purposes { a { b c } }
context { actor.role: enum { boss } }
policy "p" {
  default allow
  rule ask: require approval a.b by boss;
  rule no:  prohibit a.c;
  assert a.b is require_approval;
}
)";
  Loaded l = load(text);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].request == R"({"purpose":"a"})");
  check_counterexample(text, l.model(), findings[0], assertion_of(l.model(), findings[0]));
}

TEST_CASE("an assertion is checked against its own policy's stack") {
  std::string text = R"(
purposes { chat }
policy "base" {
  default allow
  assert chat is allow;
}
policy "strict" extends "base" {
  default deny
  assert chat is deny;
  assert chat is allow;
}
)";
  Loaded l = load(text);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].subject == "strict/assert#2");
  check_counterexample(text, l.model(), findings[0], assertion_of(l.model(), findings[0]));
}

TEST_CASE("missing attributes are part of every assertion") {
  std::string text = R"(
purposes { files }
context { actor.clearance: level { low < high } }
policy "p" {
  default deny
  rule cleared: permit files when actor.clearance >= high;
  assert files when actor.clearance is missing is deny;
  assert files is at least deny;
}
)";
  Loaded l = load(text);
  auto findings = verify::check_assertions(l.model());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].subject == "p/assert#2");
  CHECK(findings[0].request.find("\"high\"") != std::string::npos);
  check_counterexample(text, l.model(), findings[0], assertion_of(l.model(), findings[0]));
}

TEST_CASE("compile_source fails with RL4010 and a counterexample note when an assertion does not hold") {
  CompileResult bad = compile_source(kDemo, "demo.pol");
  CHECK(!bad.ok());
  std::size_t failed = 0;
  for (const auto& d : bad.diagnostics.items) {
    if (d.code != "RL4010") continue;
    ++failed;
    CHECK(d.severity == Severity::error);
    REQUIRE(!d.notes.empty());
    CHECK(d.notes[0].rfind("counterexample: {\"purpose\":", 0) == 0);
  }
  CHECK(failed == 2);
  CompileResult good = compile_source(strip_asserts(kDemo) , "demo.pol");
  CHECK(good.ok());
}

TEST_CASE("assertions and approvals: a sign-off assertion reads 'never allowed without the sign-off'") {
  // docs/language.md §15 "Approvals in the analyses": an approved request is
  // allowed, and that is what `require approval` means, so the assertion
  // holds; a vague purpose cannot be allowed through the sign-off (no objection).
  std::string text = R"(
purposes { intel { bulk unlisted } }
context { actor.role: enum { analyst, lawyer } }
policy "v" {
  default deny
  rule bulk_review: require approval intel.bulk by lawyer;
  assert intel.bulk is at least require_approval;
  assert intel is at least require_approval;
}
)";
  Loaded l = load(text);
  CHECK(verify::check_assertions(l.model()).empty());
  auto prog = compile_for(text, "v");
  const char* approved = R"({"purpose":"%s","actor":{"id":"a1","role":"analyst"},"request":{"time":"2026-03-05T14:00:00Z","now":"2026-03-05T15:00:00Z"},"approvals":[{"rule":"v/bulk_review","by":"l1","role":"lawyer","verdict":"approve","at":"2026-03-05T14:10:00Z"}]})";
  auto with = [&](const std::string& purpose) {
    std::string s = approved;
    s.replace(s.find("%s"), 2, purpose);
    return evaluate(*prog, s).outcome();
  };
  CHECK(with("intel.bulk") == Outcome::allow);   // consent given where the sign-off applies
  CHECK(with("intel") == Outcome::deny);          // applies only through vagueness: no objection, default deny
}
