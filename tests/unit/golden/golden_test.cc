// tests/unit/golden/golden_test.cc — the golden files of tests/golden.
// bad/*.pol: load and check each (stdlib from the repository), render the
// diagnostics and compare with bad/<name>.expected (rewritten instead with
// --update-golden). Paths are passed relative to the repository root and the
// files are served from memory, so the expectations name
// `tests/golden/bad/x.pol` wherever the tests run. good/*.pol: no errors,
// and `fmt` is idempotent and keeps the AST.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "../parse/parse_helpers.h"
#include "../test_support.h"
#include "ast/format.h"
#include "diag/codes.h"
#include "sema/frontend.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

namespace {

std::vector<fs::path> pol_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".pol") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Every file under tests/golden, keyed by its path relative to the repository.
sema::LoadOptions golden_options() {
  sema::LoadOptions o;
  o.stdlib_root = source_dir() / "stdlib";
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "tests" / "golden"))
    if (e.is_regular_file() && e.path().extension() == ".pol")
      o.virtual_files[fs::relative(e.path(), source_dir()).generic_string()] = read_file(e.path());
  return o;
}

std::string repo_relative(const fs::path& p) { return fs::relative(p, source_dir()).generic_string(); }

}  // namespace

TEST_CASE("golden: bad files give the expected diagnostics") {
  sema::LoadOptions options = golden_options();
  auto files = pol_files(source_dir() / "tests" / "golden" / "bad");
  CHECK(!files.empty());
  for (const auto& f : files) {
    Diagnostics diags;
    sema::load_and_check({repo_relative(f)}, options, diags);
    std::string got = diags.render(false);
    fs::path expected = fs::path(f).replace_extension(".expected");
    if (update_golden) {
      write_file(expected, got);
      continue;
    }
    INFO("golden file: " << repo_relative(f));
    CHECK_MESSAGE(diags.has_errors() + diags.count(Severity::warning) > 0, "a bad file must give a diagnostic");
    CHECK(got == read_file(expected));
  }
}

TEST_CASE("golden: good files check clean and format idempotently") {
  sema::LoadOptions options = golden_options();
  for (const auto& f : pol_files(source_dir() / "tests" / "golden" / "good")) {
    INFO("golden file: " << repo_relative(f));
    Diagnostics diags;
    sema::load_and_check({repo_relative(f)}, options, diags);
    CHECK_MESSAGE(!diags.has_errors(), diags.render(false));
    std::string text = read_file(f);
    auto p = parse_text(text);
    REQUIRE(!p->diags.has_errors());
    std::string once = ast::format(p->module, text);
    auto q = parse_text(once);
    CHECK(!q->diags.has_errors());
    CHECK(ast::print(q->module) == ast::print(p->module));
    CHECK(ast::format(q->module, once) == once);
  }
}

TEST_CASE("golden: every diagnostic code is exercised by a golden file, a conformance case or a unit test") {
  std::set<std::string> seen;
  auto scan = [&seen](const std::string& text) {
    for (std::size_t i = text.find("RL"); i != std::string::npos; i = text.find("RL", i + 1))
      if (i + 6 <= text.size() && std::all_of(text.begin() + static_cast<long>(i) + 2, text.begin() + static_cast<long>(i) + 6, ::isdigit))
        seen.insert(text.substr(i, 6));
  };
  // Golden expectations (syntax, names, types; graph analyses and assertions).
  for (const char* dir : {"bad", "verify"})
    for (const auto& e : fs::directory_iterator(source_dir() / "tests" / "golden" / dir))
      if (e.path().extension() == ".expected") scan(read_file(e.path()));
  // Request errors in the conformance cases.
  for (const auto& e : fs::directory_iterator(source_dir() / "tests" / "conformance"))
    if (e.path().extension() == ".json") scan(read_file(e.path()));
  // Unit tests that check a code they provoke (limits too large for a golden file).
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "tests" / "unit"))
    if (e.path().extension() == ".cc" && e.path().filename() != "golden_test.cc") scan(read_file(e.path()));
  std::size_t n = 0;
  const diag::CodeInfo* all = diag::all_codes(&n);
  std::string missing;
  for (std::size_t i = 0; i < n; ++i)
    if (!seen.count(std::string(all[i].text))) missing += (missing.empty() ? "" : " ") + std::string(all[i].text);
  INFO("codes nothing exercises: ", missing);
  CHECK(missing.empty());
}
