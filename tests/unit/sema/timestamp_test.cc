// Tests for the RFC 3339 parser (ast/literals.h) as policies and requests use it.
#include <doctest/doctest.h>

#include "ast/literals.h"

using redline::parse_rfc3339;

TEST_CASE("RFC 3339 timestamps parse to Unix seconds") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2026-03-05T14:00:00Z") == 1772719200);
  CHECK(parse_rfc3339("2026-03-05t14:00:00z") == 1772719200);
  CHECK(parse_rfc3339("2026-03-05T15:00:00+01:00") == 1772719200);
  CHECK(parse_rfc3339("2026-03-05T13:30:00-00:30") == 1772719200);
  CHECK(parse_rfc3339("2026-03-05T14:00:00.999Z") == 1772719200);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z") == 1709164800);
  CHECK(parse_rfc3339("1969-12-31T23:59:59Z") == -1);
}

TEST_CASE("malformed timestamps are rejected") {
  for (const char* bad : {"", "2026-03-05", "2026-03-05T14:00:00", "2026-13-05T14:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-03-05T24:00:00Z", "2026-03-05T14:60:00Z", "2026-03-05 14:00:00Z", "2026-03-05T14:00:00.Z",
                          "2026-03-05T14:00:00+0100", "2026-03-05T14:00:00Zjunk", "26-03-05T14:00:00Z"})
    CHECK_MESSAGE(!parse_rfc3339(bad), bad);
}

TEST_CASE("`effective` dates: an RFC 3339 full-date (midnight UTC) or date-time") {
  using redline::parse_rfc3339_date_or_time;
  CHECK(parse_rfc3339_date_or_time("2026-03-05") == 1772668800);
  CHECK(parse_rfc3339_date_or_time("2026-03-05T14:00:00Z") == 1772719200);
  CHECK(parse_rfc3339_date_or_time("2026-03-05T15:00:00+01:00") == 1772719200);
  for (const char* bad : {"", "next spring, probably", "2026-3-5", "2026-02-30", "2026-03-05T", "2026-03-05Z", "05/03/2026", "2026-03-05 ",
                          "April 2026"})
    CHECK_MESSAGE(!parse_rfc3339_date_or_time(bad), bad);
}
