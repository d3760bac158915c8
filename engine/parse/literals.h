// parse/literals.h — decoding the text of literal tokens (string escapes,
// 64-bit integers, durations) and validating raw source bytes (UTF-8). Plain
// functions without ANTLR, shared by the parser and its tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace redline::parse {

/// Why a literal could not be decoded: a byte range relative to the token and a message.
struct LiteralError {
  std::uint32_t offset = 0;   ///< first byte of the bad part, relative to the token text
  std::uint32_t length = 1;   ///< bytes of the bad part
  std::string message;        ///< lowercase, one line
  std::string help;           ///< a suggested fix, or empty
};

/// Decodes a quoted string token (quotes included) into UTF-8. The language
/// accepts `\"`, `\\`, `\n`, `\t` and `\uXXXX`; with `json` also `\/`, `\b`,
/// `\f` and `\r`, and control characters must then be escaped. Returns false
/// (and fills `err`) at the first bad escape.
bool unescape_string(std::string_view quoted, std::string& out, LiteralError& err, bool json = false);

/// Parses a decimal integer with an optional leading `-`; false when it does not fit in 64 bits.
bool parse_int(std::string_view text, std::int64_t& out);


/// The offset of the first byte that is not part of well-formed UTF-8
/// (overlong forms, surrogates and code points above U+10FFFF included), or npos.
std::size_t find_invalid_utf8(std::string_view text);


}  // namespace redline::parse
