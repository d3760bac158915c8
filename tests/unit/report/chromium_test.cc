// tests/unit/report/chromium_test.cc — the HTML report checked as a reader
// sees it: headless Chromium renders the defense example's report, takes a
// screenshot, and its rendered DOM must hold every section. Skipped, loudly,
// only when Chromium is not installed (scripts/install-deps.sh installs it).
// The procedure is in docs/reports.md.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>

#include "../test_support.h"
#include "report/external_tools.h"
#include "report/render.h"

namespace fs = std::filesystem;
using namespace redline;
using namespace redline::testing;

namespace {

const char* kFlags =
    " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
    " --disable-sync --no-first-run";

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

bool have(const char* program) { return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0; }

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
  for (int i = 1; i <= static_cast<int>(report::section_titles().size()); ++i) {
    std::string heading = std::to_string(i) + ". " + report::section_titles()[static_cast<std::size_t>(i - 1)];
    CAPTURE(heading);
    CHECK(dom.find("<section id=\"s" + std::to_string(i) + "\"><h2>" + heading + "</h2>") != std::string::npos);
  }
  CHECK(dom.find("<svg") != std::string::npos);
  CHECK(fs::file_size(dir / "shot.png") > 10000);
}

// The PDF a reviewer files: every column of every table present in the text
// (nothing clipped at the page edge), page numbers and the running header and
// footer on every page, no near-empty page, the sign-off block, and the
// appendix with the sources line by line. Page images: see docs/reports.md.
TEST_CASE("report: the PDF is fit to file") {
  if (!have("weasyprint") || !have("pdftotext")) {
    std::cerr << "\n*** SKIPPED: the PDF test needs `weasyprint` and `pdftotext` (Debian packages weasyprint and poppler-utils; "
                 "scripts/install-deps.sh installs them). The PDF report was NOT checked. ***\n\n";
    MESSAGE("SKIPPED: weasyprint or pdftotext is not installed; the PDF report was not checked");
    return;
  }
  report::ReportOptions o;
  o.compile.stdlib_root = (source_dir() / "stdlib").string();
  o.generated_at = 1767225600;
  o.render_svg = have("dot");
  Diagnostics diags;
  auto r = report::build_report({(source_dir() / "examples/defense-deployment/agency.pol").string()}, o, diags);
  REQUIRE(r.has_value());
  fs::path dir = fs::temp_directory_path() / "redline-pdf-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string error;
  REQUIRE_MESSAGE(report::html_to_pdf(report::to_html(*r), (dir / "report.pdf").string(), error), error);
  REQUIRE(std::system(("pdftotext -layout " + (dir / "report.pdf").string() + " " + (dir / "report.txt").string()).c_str()) == 0);
  std::string text = read_file(dir / "report.txt");
  std::vector<std::string> pages;
  for (std::size_t from = 0, ff; from < text.size(); from = ff + 1) {
    ff = text.find('\f', from);
    if (ff == std::string::npos) ff = text.size();
    pages.push_back(text.substr(from, ff - from));
  }
  while (!pages.empty() && pages.back().find_first_not_of(" \n") == std::string::npos) pages.pop_back();
  REQUIRE(pages.size() > 3);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    CAPTURE(i + 1);
    const std::string& p = pages[i];
    CHECK(p.find("Page " + std::to_string(i + 1) + " of " + std::to_string(pages.size())) != std::string::npos);
    CHECK(p.find("Policy review: agency-enclave (version 2026.04)") != std::string::npos);
    CHECK(p.find("Policy sources hash " + r->cover.policy_hash) != std::string::npos);
    CHECK(p.find("Generated 2026-01-01") != std::string::npos);
    std::size_t ink = 0;
    for (char ch : p) ink += !std::isspace(static_cast<unsigned char>(ch));
    if (i + 1 < pages.size()) CHECK_MESSAGE(ink > 900, "page " << i + 1 << " is nearly empty:\n" << p);
  }
  // Every column heading of every table, and the last column's contents.
  for (const char* word : {"Outcome", "Obligations", "Expected", "Actual", "Result", "Counterexample", "Acts by", "Its window",
                           "Who can trip or reset it", "Quoted text", "Proved by", "Example request", "SHA-256", "Denied", "Notes"}) {
    CAPTURE(word);
    CHECK(text.find(word) != std::string::npos);
  }
  CHECK(text.find("pass") != std::string::npos);
  CHECK(text.find("Sign-off") != std::string::npos);
  CHECK(text.find("Signature") != std::string::npos);
  CHECK(text.find("Appendix: policy sources") != std::string::npos);
  CHECK(std::regex_search(text, std::regex(R"(\n\s*[0-9]+\s+rule no_mass_surveillance:)")));
  CHECK(std::regex_search(text, std::regex(R"(\n\s*1\s+// examples/defense-deployment/agency\.pol)")));
}
