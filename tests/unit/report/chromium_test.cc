// tests/unit/report/chromium_test.cc — the HTML report checked as a reader
// sees it: headless Chromium renders the defense example's report, takes a
// screenshot, and its rendered DOM must hold every section. Skipped, loudly,
// only when Chromium is not installed (scripts/install-deps.sh installs it).
// The procedure is in docs/reports.md.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "../test_support.h"
#include "report/render.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

namespace {

const char* kFlags =
    " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    " --disable-sync --no-first-run";

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("report: headless Chromium renders every section of the HTML report") {
  if (!have_chromium()) {
    std::cerr << "\n*** SKIPPED: the Chromium reader test needs `chromium` (Debian package chromium; "
                 "scripts/install-deps.sh installs it). The HTML report was NOT checked in a browser. ***\n\n";
    MESSAGE("SKIPPED: chromium is not installed; the HTML report was not checked in a browser");
    return;
  }
  report::ReportOptions o;
  o.compile.stdlib_root = (source_dir() / "stdlib").string();
  o.generated_at = 1767225600;
  o.base_dir = source_dir().string();
  Diagnostics diags;
  auto r = report::build_report({(source_dir() / "examples/defense-deployment/agency.pol").string()}, o, diags);
  REQUIRE(r.has_value());
  fs::path dir = fs::temp_directory_path() / "redline-chromium-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "profile");
  write_file(dir / "report.html", report::to_html(*r));
  std::string base = "chromium" + std::string(kFlags) + " --user-data-dir=" + (dir / "profile").string();
  std::string url = " file://" + (dir / "report.html").string();
  std::string dump = base + " --dump-dom" + url + " > " + (dir / "dom.html").string() + " 2>/dev/null";
  std::string shot = base + " --window-size=1280,2000 --screenshot=" + (dir / "shot.png").string() + url + " >/dev/null 2>&1";
  REQUIRE(std::system(dump.c_str()) == 0);
  REQUIRE(std::system(shot.c_str()) == 0);
  std::string dom = read_file(dir / "dom.html");
  for (int i = 1; i <= 10; ++i) {
    std::string heading = std::to_string(i) + ". " + report::section_titles()[static_cast<std::size_t>(i - 1)];
    CAPTURE(heading);
    CHECK(dom.find("<section id=\"s" + std::to_string(i) + "\"><h2>" + heading + "</h2>") != std::string::npos);
  }
  CHECK(dom.find("<svg") != std::string::npos);
  CHECK(fs::file_size(dir / "shot.png") > 10000);
}
