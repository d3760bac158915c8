// eval/bind_fast.h — the request hot path: JSON text straight to a bound
// request with simdjson (fully validating DOM parser, reused per thread), no
// intermediate Request. It handles the well-formed common case only; on
// anything else — invalid JSON, a type error, an unknown purpose or field,
// approvals, duplicate keys, deep nesting, a large request — it returns false
// and the caller takes the full path (Request::from_json + bind), which is the
// one place that words errors. So both paths bind every accepted request
// identically (tested), and nothing is decided from half-read input.
#pragma once

#include <string_view>

#include "flat/program_impl.h"

namespace redline::eval {

/// Binds `json` into `b` (program pointer excepted) and returns true, or
/// returns false when the full path must decide.
bool fast_bind(const ProgramImpl& p, std::string_view json, BoundRequest& b);

}  // namespace redline::eval
