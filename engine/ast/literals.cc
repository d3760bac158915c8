// ast/literals.cc — duration and timestamp parsing for ast/literals.h.
#include "ast/literals.h"

#include <cctype>
#include <cstdio>
#include <limits>

namespace redline {

std::optional<std::int64_t> parse_duration(std::string_view t) {
  if (t.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (t.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  std::int64_t n = 0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
    if (n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
    n = n * 10 + (t[i] - '0');
  }
  if (n > std::numeric_limits<std::int64_t>::max() / unit) return std::nullopt;
  return n * unit;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// well-known civil-from-days inverse, written out from its description).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view t, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > t.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    out = out * 10 + (t[i] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view t) {
  int Y, M, D, h, m, s;
  if (!digits(t, 0, 4, Y) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2, M) || t[7] != '-' || !digits(t, 8, 2, D))
    return std::nullopt;
  if (t[10] != 'T' && t[10] != 't') return std::nullopt;   // RFC 3339 §5.6 date-time: "T" (either case)
  if (!digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, m) || t[16] != ':' || !digits(t, 17, 2, s)) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (M < 1 || M > 12 || D < 1 || D > kDays[M - 1] + (M == 2 && leap(Y)) || h > 23 || m > 59 || s > 60) return std::nullopt;
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == start) return std::nullopt;
  }
  if (i >= t.size()) return std::nullopt;
  std::int64_t offset = 0;
  if (t[i] == 'Z' || t[i] == 'z') {
    ++i;
  } else if (t[i] == '+' || t[i] == '-') {
    int oh, om;
    if (!digits(t, i + 1, 2, oh) || i + 3 >= t.size() || t[i + 3] != ':' || !digits(t, i + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (t[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  return days_from_civil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D)) * 86400 + h * 3600 + m * 60 + s - offset;
}

std::optional<std::int64_t> parse_rfc3339_date_or_time(std::string_view t) {
  if (t.size() != 10) return parse_rfc3339(t);
  // A full-date alone: check it as the date part of a date-time at midnight UTC.
  std::string full(t);
  full += "T00:00:00Z";
  return parse_rfc3339(full);
}

std::string format_rfc3339(std::int64_t secs) {
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

std::string format_duration(std::int64_t s) {
  if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace redline
