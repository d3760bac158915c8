// tests/unit/golden/golden_dump_test.cc — golden dumps of what the compiler
// makes of tests/golden/good/*.pol: the decision graph
// (`redline dump --stage=graph`) in dump/<name>.graph and the flat Program
// (`--stage=program`, residual instructions included) in dump/<name>.program.
// A change of lowering or flattening shows as a reviewable diff of these
// files; `redline_tests --update-golden` rewrites them.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "../test_support.h"
#include "compile/decision_graph.h"
#include "flat/program_impl.h"
#include "flat/program_printer.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

TEST_CASE("golden: the decision graph and the flat program of every good file") {
  CompileOptions options;
  options.stdlib_root = (source_dir() / "stdlib").string();
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "tests" / "golden")) {
    if (!e.is_regular_file() || e.path().extension() != ".pol") continue;
    options.files[fs::relative(e.path(), source_dir()).generic_string()] = read_file(e.path());
    if (e.path().parent_path().filename() == "good") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  const fs::path out_dir = source_dir() / "tests" / "golden" / "dump";
  for (const auto& f : files) {
    const std::string rel = fs::relative(f, source_dir()).generic_string();
    INFO("golden file: " << rel);
    CompileResult r = compile_files({rel}, options);
    REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
    const ProgramImpl& p = ProgramAccess::impl(*r.program);
    const std::string graph = compile::to_text(*compile::build_graph(*p.model, p.data.top));
    const std::string program = flat::to_text(p.data, *p.model);
    const std::string stem = f.stem().string();
    if (update_golden) {
      write_file(out_dir / (stem + ".graph"), graph);
      write_file(out_dir / (stem + ".program"), program);
      continue;
    }
    CHECK(graph == read_file(out_dir / (stem + ".graph")));
    CHECK(program == read_file(out_dir / (stem + ".program")));
    // Lowering is deterministic: the same model gives the same graph.
    CHECK(compile::to_text(*compile::build_graph(*p.model, p.data.top)) == graph);
  }
}
