// parse/literals.cc — string unescaping, integer and duration decoding, and
// UTF-8 validation for parse/literals.h.
#include "parse/literals.h"

#include <charconv>
#include <limits>

namespace redline::parse {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Reads the four hex digits after `\u` at `i` (the backslash); -1 when malformed.
long read_u4(std::string_view s, std::size_t i) {
  if (i + 6 > s.size()) return -1;
  long v = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    int h = hex_value(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

bool fail(LiteralError& err, std::size_t at, std::size_t len, std::string msg, std::string help) {
  err.offset = static_cast<std::uint32_t>(at);
  err.length = static_cast<std::uint32_t>(len);
  err.message = std::move(msg);
  err.help = std::move(help);
  return false;
}

const char* escape_help(bool json) {
  return json ? "JSON strings accept `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`"
              : "strings accept `\\\"`, `\\\\`, `\\n`, `\\t` and `\\uXXXX`";
}

// Decodes the `\u` escape at `i`, with a following low surrogate when needed.
bool decode_u(std::string_view s, std::size_t& i, std::string& out, LiteralError& err, bool json) {
  long hi = read_u4(s, i);
  if (hi < 0) return fail(err, i, 2, "`\\u` must be followed by four hexadecimal digits", escape_help(json));
  std::uint32_t cp = static_cast<std::uint32_t>(hi);
  std::size_t len = 6;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    long lo = (i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u') ? read_u4(s, i + 6) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) return fail(err, i, 6, "a high surrogate `\\u" + std::string(s.substr(i + 2, 4)) + "` must be followed by a low surrogate", "write the character itself, in UTF-8");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(lo) - 0xDC00);
    len = 12;
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return fail(err, i, 6, "a lone low surrogate `\\u" + std::string(s.substr(i + 2, 4)) + "`", "write the character itself, in UTF-8");
  }
  if (cp == 0) return fail(err, i, 6, "a string cannot contain a NUL character", "");
  append_utf8(out, cp);
  i += len;
  return true;
}

}  // namespace

bool unescape_string(std::string_view quoted, std::string& out, LiteralError& err, bool json) {
  out.clear();
  std::size_t end = quoted.size() >= 2 && quoted.back() == '"' ? quoted.size() - 1 : quoted.size();
  std::size_t i = 1;
  while (i < end) {
    char c = quoted[i];
    if (json && static_cast<unsigned char>(c) < 0x20)
      return fail(err, i, 1, "a control character in a JSON string must be escaped", "write it as `\\t`, `\\n` or `\\uXXXX`");
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    char e = i + 1 < end ? quoted[i + 1] : '\0';
    switch (e) {
      case '"': out += '"'; i += 2; continue;
      case '\\': out += '\\'; i += 2; continue;
      case 'n': out += '\n'; i += 2; continue;
      case 't': out += '\t'; i += 2; continue;
      case 'u':
        if (!decode_u(quoted, i, out, err, json)) return false;
        continue;
      default: break;
    }
    if (json && (e == '/' || e == 'b' || e == 'f' || e == 'r')) {
      out += e == '/' ? '/' : e == 'b' ? '\b' : e == 'f' ? '\f' : '\r';
      i += 2;
      continue;
    }
    std::size_t len = (i + 1 < end) ? 2 : 1;
    // The escaped character may be a multi-byte code point: cover all of it.
    while (i + len < end && (static_cast<unsigned char>(quoted[i + len]) & 0xC0) == 0x80) ++len;
    return fail(err, i, len, "unknown escape sequence `" + std::string(quoted.substr(i, len)) + "`", escape_help(json));
  }
  return true;
}

bool parse_int(std::string_view text, std::int64_t& out) {
  const char* b = text.data();
  const char* e = b + text.size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}

std::size_t find_invalid_utf8(std::string_view s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    std::size_t len = 0;
    std::uint32_t min = 0, cp = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace redline::parse
