// Tests for the diagnostic table, Sink and text rendering.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "diag/sink.h"

using namespace redline;

TEST_CASE("every diagnostic code is unique and well formed") {
  std::size_t n = 0;
  const diag::CodeInfo* all = diag::all_codes(&n);
  REQUIRE(n > 40);
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(all[i].text.size() == 6);
    CHECK(all[i].text.substr(0, 2) == "RL");
    CHECK(seen.insert(all[i].text).second);
    CHECK(static_cast<std::size_t>(all[i].code) == i);
  }
}

TEST_CASE("a diagnostic renders with location, caret under the span and help") {
  SourceManager sm;
  auto id = sm.add("demo.pol", "demo.pol", "policy \"p\" {\n  rule r: prohibit survelliance;\n}\n");
  Diagnostics out;
  diag::Sink sink(sm, out);
  std::string text = sm.file(id).text();
  auto begin = static_cast<std::uint32_t>(text.find("survelliance"));
  sink.report(diag::Code::UnknownPurpose, Span{id, begin, begin + 12}, "unknown purpose `survelliance`", "did you mean `surveillance`?");
  REQUIRE(out.items.size() == 1);
  const Diagnostic& d = out.items[0];
  CHECK(d.line == 2);
  CHECK(d.column == 20);
  CHECK(d.code == "RL2003");
  std::string r = out.render();
  CHECK(r == "demo.pol:2:20: error[RL2003]: unknown purpose `survelliance`\n"
             " 2 |   rule r: prohibit survelliance;\n"
             "   |                    ^~~~~~~~~~~~\n"
             "help: did you mean `surveillance`?\n");
  CHECK(out.to_json().find("\"code\": \"RL2003\"") != std::string::npos);
}

TEST_CASE("columns count code points, not bytes") {
  SourceManager sm;
  auto id = sm.add("u.pol", "u.pol", "// é\n\"ü\" x");
  const SourceFile& f = sm.file(id);
  auto off = static_cast<std::uint32_t>(f.text().find('x'));
  LineCol lc = f.line_col(off);
  CHECK(lc.line == 2);
  CHECK(lc.column == 5);
}
