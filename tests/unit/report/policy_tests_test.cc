// tests/unit/report/policy_tests_test.cc — `redline test` and the report's
// test section: a request error fails a test unless it says `expect error
// RL5xxx`; members the schema does not declare are warned about.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

#include "../test_support.h"

using namespace redline::testing;

namespace {

struct Run {
  int status = 0;
  std::string out;
};

Run run_test(const std::string& policy) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "redline-policy-tests";
  fs::create_directories(dir);
  write_file(dir / "t.pol", policy);
  std::string cmd = "REDLINE_STDLIB=" + (source_dir() / "stdlib").string() + " " + REDLINE_CLI_PATH + " test " + (dir / "t.pol").string() +
                    " > " + (dir / "out.txt").string() + " 2>&1";
  Run r;
  r.status = WEXITSTATUS(std::system(cmd.c_str()));
  r.out = read_file(dir / "out.txt");
  return r;
}

const char* kHead = R"(
purposes { surveillance { domestic_mass } chat }
context {
  actor.role: enum { analyst }
  data.tags:  tags { pii }
}
policy "t" {
  default allow
  rule no_mass: prohibit surveillance.domestic_mass;
)";

}  // namespace

TEST_CASE("policy tests: a malformed request fails, unless the test expects its error") {
  // The typo makes the request RL5003: its `deny` says nothing about the rules.
  Run typo = run_test(std::string(kHead) + R"(  test "typo" { given { "purpose": "surveilance.domestic_mass" } expect deny }
})");
  INFO(typo.out);
  CHECK(typo.status == 1);
  CHECK(typo.out.find("0 passed, 1 failed") != std::string::npos);
  CHECK(typo.out.find("RL5003") != std::string::npos);

  for (const char* given : {R"({ "purpose": "chat", "actr": { "role": "analyst" } })",   // RL5005
                            R"({ "purpose": "chat", "actor": { "role": "boss" } })"}) {   // RL5004
    Run r = run_test(std::string(kHead) + "  test \"bad\" { given " + given + " expect allow }\n}");
    INFO(r.out);
    CHECK(r.status == 1);
  }

  Run expected = run_test(std::string(kHead) + R"(  test "typo" { given { "purpose": "surveilance.domestic_mass" } expect error RL5003 }
  test "field" { given { "purpose": "chat", "actr": {} } expect error RL5005 }
})");
  INFO(expected.out);
  CHECK(expected.status == 0);
  CHECK(expected.out.find("2 passed, 0 failed") != std::string::npos);

  Run wrong_code = run_test(std::string(kHead) + R"(  test "typo" { given { "purpose": "surveilance.domestic_mass" } expect error RL5004 }
})");
  CHECK(wrong_code.status == 1);
}

TEST_CASE("policy tests: a member the schema does not declare is warned about") {
  Run r = run_test(std::string(kHead) + R"(  test "tags typo" { given { "purpose": "chat", "data": { "tgas": ["pii"] } } expect allow }
})");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("warning:") != std::string::npos);
  CHECK(r.out.find("`data.tgas`") != std::string::npos);
  CHECK(r.out.find("did you mean `data.tags`") != std::string::npos);
}
