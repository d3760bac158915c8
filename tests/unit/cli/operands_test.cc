// tests/unit/cli/operands_test.cc — `redline check` and `redline test` read
// their operands alike: the files named are one compilation, each *.pol file
// found in a folder is a compilation of its own (docs/cli.md).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

#include "../test_support.h"

using namespace redline::testing;

namespace {

namespace fs = std::filesystem;

struct Run {
  int status = 0;
  std::string out;
};

Run run_cli(const std::string& args) {
  fs::path out = fs::temp_directory_path() / "redline-operands-out.txt";
  std::string cmd = "REDLINE_STDLIB=" + (source_dir() / "stdlib").string() + " " + REDLINE_CLI_PATH + " " + args + " > " + out.string() + " 2>&1";
  Run r;
  r.status = WEXITSTATUS(std::system(cmd.c_str()));
  r.out = read_file(out);
  return r;
}

// `base.pol` declares the purposes; `uses.pol` names them without importing
// base.pol, so it compiles only together with it. `alone.pol` is independent.
fs::path make_tree() {
  fs::path dir = fs::temp_directory_path() / "redline-operands";
  fs::remove_all(dir);
  write_file(dir / "pair" / "base.pol", "purposes { chat secrets }\n");
  write_file(dir / "pair" / "uses.pol", R"(policy "p" {
  default deny
  rule chat_ok: permit chat;
  test "chat" { given { "purpose": "chat" } expect allow }
}
)");
  write_file(dir / "solo" / "alone.pol", R"(purposes { read }
policy "solo" {
  default deny
  rule read_ok: permit read;
  test "read" { given { "purpose": "read" } expect allow }
}
)");
  write_file(dir / "empty" / "notes.txt", "no policies here\n");
  return dir;
}

}  // namespace

TEST_CASE("check and test: the files named are one compilation") {
  fs::path dir = make_tree();
  std::string pair = (dir / "pair" / "base.pol").string() + " " + (dir / "pair" / "uses.pol").string();
  Run check = run_cli("check " + pair);
  INFO(check.out);
  CHECK(check.status == 0);
  Run test = run_cli("test " + pair);
  INFO(test.out);
  CHECK(test.status == 0);
  CHECK(test.out.find("1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("check and test: a folder's files are compiled one by one, by both verbs") {
  fs::path dir = make_tree();
  // solo/ holds one independent stack: both verbs accept the folder.
  Run check = run_cli("check " + (dir / "solo").string());
  INFO(check.out);
  CHECK(check.status == 0);
  Run test = run_cli("test " + (dir / "solo").string());
  INFO(test.out);
  CHECK(test.status == 0);
  CHECK(test.out.find("1 passed, 0 failed") != std::string::npos);
  // pair/uses.pol does not import what it uses: on its own it does not
  // compile, and both verbs say so.
  Run check_pair = run_cli("check " + (dir / "pair").string());
  INFO(check_pair.out);
  CHECK(check_pair.status == 1);
  CHECK(check_pair.out.find("RL2003") != std::string::npos);
  Run test_pair = run_cli("test " + (dir / "pair").string());
  INFO(test_pair.out);
  CHECK(test_pair.status == 1);
  // Files and folders mix: the file named is one compilation, the folder's file another.
  Run mixed = run_cli("check " + (dir / "solo" / "alone.pol").string() + " " + (dir / "solo").string());
  INFO(mixed.out);
  CHECK(mixed.status == 0);
}

TEST_CASE("check and test: a missing operand or a folder without policies is a usage error") {
  fs::path dir = make_tree();
  for (const char* verb : {"check", "test"}) {
    Run missing = run_cli(std::string(verb) + " " + (dir / "nope.pol").string());
    INFO(missing.out);
    CHECK(missing.status == 2);
    CHECK(missing.out.find("no such file or folder") != std::string::npos);
    Run empty = run_cli(std::string(verb) + " " + (dir / "empty").string());
    INFO(empty.out);
    CHECK(empty.status == 2);
    CHECK(empty.out.find("no `*.pol` file") != std::string::npos);
  }
}
