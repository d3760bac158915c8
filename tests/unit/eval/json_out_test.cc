// The compact JSON writer writes strings byte for byte as nlohmann's dump()
// with error_handler_t::replace does — escapes, control characters, and
// ill-formed UTF-8 replaced by U+FFFD — over random and hand-picked inputs.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "eval/json_out.h"

namespace {

std::string ours(std::string_view s) {
  std::string out;
  redline::eval::JsonOut(out).str(s);
  return out;
}

std::string theirs(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

TEST_CASE("json_out: strings are escaped as nlohmann escapes them") {
  for (std::string s : {std::string(""), std::string("plain"), std::string("q\"b\\s/"), std::string("\b\f\n\r\t\x01\x1f\x7f"),
                        std::string("\0mid", 4), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")})
    CHECK(ours(s) == theirs(s));
}

TEST_CASE("json_out: ill-formed UTF-8 is replaced as nlohmann replaces it") {
  for (std::string s : {std::string("\x80"), std::string("\xc0\xaf"), std::string("\xe0\x80\xaf"), std::string("\xed\xa0\x80"),
                        std::string("\xf4\x90\x80\x80"), std::string("\xf0\x9f\x98"), std::string("a\xe2\x82"), std::string("\xe2\x82x"),
                        std::string("\xff\xfe"), std::string("\xc3\xc3\xa9")})
    CHECK(ours(s) == theirs(s));
}

TEST_CASE("json_out: random byte strings match nlohmann") {
  std::mt19937_64 rng(20261123);
  const unsigned char interesting[] = {0x00, 0x1f, 0x20, '"', '\\', 'a', 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed,
                                       0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    std::size_t n = rng() % 12;
    for (std::size_t i = 0; i < n; ++i) {
      if (rng() % 2) s.push_back(static_cast<char>(interesting[rng() % sizeof interesting]));
      else s.push_back(static_cast<char>(rng() % 256));
    }
    REQUIRE_MESSAGE(ours(s) == theirs(s), "round " << round);
  }
}

TEST_CASE("json_out: numbers, booleans, null and string arrays") {
  std::string out;
  redline::eval::JsonOut j(out);
  j.raw('[');
  j.num(0);
  j.raw(',');
  j.num(18446744073709551615ull);
  j.raw(',');
  j.boolean(true);
  j.raw(',');
  j.null();
  j.raw(',');
  j.strs({"a", "b\n"});
  j.raw(']');
  CHECK(out == nlohmann::json::parse(out).dump());
}
