// tests/unit/parse/literals_test.cc — string escapes, integers, durations and
// UTF-8 validation (parse/literals.h).
#include <doctest/doctest.h>

#include "ast/literals.h"
#include "parse/literals.h"

using namespace redline::parse;

TEST_CASE("literals: unescape") {
  std::string out;
  LiteralError err;
  CHECK(unescape_string(R"("a\"b\\c\nd\te\u00e9")", out, err));
  CHECK(out == "a\"b\\c\nd\te\xC3\xA9");
  CHECK_FALSE(unescape_string(R"("x\r")", out, err));
  CHECK(err.offset == 2);
  CHECK(err.length == 2);
  CHECK(unescape_string(R"("x\r\/")", out, err, true));
  CHECK_FALSE(unescape_string("\"a\tb\"", out, err, true));
  CHECK(unescape_string("\"a\tb\"", out, err, false));
}

TEST_CASE("literals: integers and durations") {
  std::int64_t v = 0;
  CHECK(parse_int("-7", v));
  CHECK(v == -7);
  CHECK_FALSE(parse_int("9223372036854775808", v));
  CHECK(redline::parse_duration("72h") == 72 * 3600);
  CHECK(redline::parse_duration("2d") == 172800);
  CHECK_FALSE(redline::parse_duration("106751991167301d").has_value());
}

TEST_CASE("literals: UTF-8 validation") {
  CHECK(find_invalid_utf8("héllo \xF0\x9F\x98\x80") == std::string_view::npos);
  CHECK(find_invalid_utf8("ab\xFF") == 2);
  CHECK(find_invalid_utf8("\xE0\x80\x80") == 0);
}
