// eval/request_limits.h — the request limits (one set, for every path that
// reads a request) and request errors built from the codes table
// (engine/diag/codes.def), without the JSON parser's headers.
#pragma once

#include <cstddef>
#include <string>

#include "diag/codes.h"
#include "redline/request.h"

namespace redline::eval {

/// The request limits, shared by the full path, the fast path and the recorder.
inline constexpr std::size_t kMaxRequestBytes = 1u << 20;   ///< 1 MiB of JSON text
inline constexpr std::size_t kMaxRequestDepth = 64;         ///< levels of `{` / `[` nesting
inline constexpr std::size_t kMaxApprovals = 256;           ///< entries of `approvals`

/// A request error with the code of `code` in the codes table.
RequestError request_error(diag::Code code, std::string message, std::string pointer = "");

/// The code text ("RL5001") of a request-error code.
inline std::string code_text(diag::Code code) { return std::string(diag::info(code).text); }

}  // namespace redline::eval
