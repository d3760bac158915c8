// eval/json_out.cc — see json_out.h.
#include "eval/json_out.h"

namespace redline::eval {
namespace {

/// The length of the well-formed UTF-8 sequence at `p[0..n)` (lead byte ≥
/// 0x80), or 0 with `bad` set to the number of bytes to drop: 1 for a bad
/// lead byte, k for a sequence cut at its k-th byte (that byte is read again
/// as a new lead), or all of the remaining bytes of a truncated sequence.
std::size_t utf8_sequence(const unsigned char* p, std::size_t n, std::size_t& bad) {
  unsigned char c = p[0];
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xbf;   // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
  else return bad = 1, 0;
  for (std::size_t k = 1; k < len; ++k) {
    if (k >= n) return bad = n, 0;
    unsigned char b = p[k];
    bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xbf);
    if (!ok) return bad = k, 0;
  }
  return len;
}

}  // namespace

void JsonOut::str(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  out_.push_back('"');
  std::size_t run = 0;   // start of the pending run of bytes written as they are
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = p[i];
    if (c >= 0x80) {
      std::size_t bad = 0;
      std::size_t len = utf8_sequence(p + i, s.size() - i, bad);
      if (len) {
        i += len;
        continue;
      }
      out_.append(s.data() + run, i - run);
      out_.append("\xEF\xBF\xBD");
      i += bad;
      run = i;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out_.append(s.data() + run, i - run);
    switch (c) {
      case '"': out_.append("\\\""); break;
      case '\\': out_.append("\\\\"); break;
      case '\b': out_.append("\\b"); break;
      case '\f': out_.append("\\f"); break;
      case '\n': out_.append("\\n"); break;
      case '\r': out_.append("\\r"); break;
      case '\t': out_.append("\\t"); break;
      default:
        out_.append("\\u00");
        out_.push_back(hex[c >> 4]);
        out_.push_back(hex[c & 15]);
    }
    run = ++i;
  }
  out_.append(s.data() + run, s.size() - run);
  out_.push_back('"');
}

void JsonOut::strs(const std::vector<std::string>& v) {
  out_.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out_.push_back(',');
    str(v[i]);
  }
  out_.push_back(']');
}

void JsonOut::object(std::initializer_list<std::pair<std::string_view, std::string_view>> members) {
  out_.push_back('{');
  bool first = true;
  for (const auto& [k, v] : members) {
    if (!first) out_.push_back(',');
    first = false;
    key(k);
    str(v);
  }
  out_.push_back('}');
}

}  // namespace redline::eval
