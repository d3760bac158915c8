// eval/json_out.h — a minimal append-only writer of compact JSON, byte for
// byte what nlohmann::json::dump() (no indent, ensure_ascii off) writes for
// the same values, used where decisions are rendered on the request path
// (Decision::to_json, the decision service). Like dump() with
// error_handler_t::replace, it writes U+FFFD for each ill-formed UTF-8
// sequence (tests/unit/eval/json_out_test.cc compares the two).
#pragma once

#include <charconv>
#include <initializer_list>
#include <utility>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redline::eval {

/// Appends compact JSON to a string. The caller writes commas with `sep`.
class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}
  void raw(std::string_view s) { out_.append(s); }
  void raw(char c) { out_.push_back(c); }
  /// A JSON string (quoted, escaped like nlohmann, ill-formed UTF-8 replaced).
  void str(std::string_view s);
  /// `"key":`
  void key(std::string_view k) {
    str(k);
    out_.push_back(':');
  }
  void num(std::uint64_t n) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
    (void)ec;
    out_.append(buf, p);
  }
  void boolean(bool b) { out_.append(b ? "true" : "false"); }
  void null() { out_.append("null"); }
  /// A JSON array of strings.
  void strs(const std::vector<std::string>& v);
  /// A JSON object whose members are all strings, in the order given.
  void object(std::initializer_list<std::pair<std::string_view, std::string_view>> members);

 private:
  std::string& out_;
};

}  // namespace redline::eval
