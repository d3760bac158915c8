// tests/unit/verify/golden_verify_test.cc — the golden files of
// tests/golden/verify: each RL40xx-*.pol is loaded and checked, then verified
// as `redline check` does (assertions and analyses), and the rendered
// diagnostics are compared with <name>.expected (rewritten instead with
// --update-golden). Each file must give its own code.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "../test_support.h"
#include "sema/frontend.h"
#include "verify/verify.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

TEST_CASE("golden: verification findings of tests/golden/verify") {
  fs::path dir = source_dir() / "tests" / "golden" / "verify";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".pol") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 6);
  for (const auto& f : files) {
    std::string rel = fs::relative(f, source_dir()).generic_string();
    sema::LoadOptions o;
    o.virtual_files[rel] = read_file(f);
    Diagnostics diags;
    auto fe = sema::load_and_check({rel}, o, diags);
    REQUIRE(fe);
    REQUIRE(fe->model);
    diag::Sink sink(fe->sources, diags);
    verify::check_all(*fe->model, sink);
    diags.sort();
    std::string got = diags.render(false);
    fs::path expected = fs::path(f).replace_extension(".expected");
    if (update_golden) {
      write_file(expected, got);
      continue;
    }
    INFO("golden file: " << rel);
    CHECK(got.find("[" + f.filename().string().substr(0, 6) + "]") != std::string::npos);
    CHECK(got == read_file(expected));
  }
}
