// eval/request_text.h — the one door request text passes through: the request
// limits (size, nesting depth, approvals), the rules that make JSON text
// unambiguous (no byte after the value but JSON whitespace, no NUL byte, no
// duplicate key in any object), and the single parse whose result every
// consumer reads: the binder (through Request), the audit recorder (the
// document itself) and the approval records (Request::approvals). Nothing
// after the door parses the text again, and nothing parses it recursively
// before the depth limit was checked by a loop.
//
// Request errors carry their code from the codes table (engine/diag/codes.def).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "eval/request_limits.h"

namespace redline::eval {

/// Nesting depth of JSON text (brackets outside strings), by a loop.
std::size_t json_depth(std::string_view text);

/// The checks that need no parse: a NUL byte (never valid in JSON text, and
/// a place where some parsers stop reading) and nesting deeper than `max_depth`.
std::optional<RequestError> check_structure(std::string_view text, std::size_t max_depth = kMaxRequestDepth);

/// Parses JSON text that passed check_structure(): one value, nothing after it
/// but whitespace, no object with a duplicate key. On failure `doc` is
/// discarded and the error says why (RL5001).
std::optional<RequestError> parse_unambiguous(std::string_view text, nlohmann::ordered_json& doc);

/// check_structure() then parse_unambiguous(), for JSON bodies that are not
/// requests themselves (an AuthZEN body, which is mapped into requests).
std::optional<RequestError> check_json_text(std::string_view text, std::size_t max_depth = kMaxRequestDepth);

/// A request text after the door.
struct ParsedRequest {
  /// The request as parsed, when the text passed the door (`json`); masked
  /// copies of it are what the audit log records.
  nlohmann::ordered_json doc;
  /// Whether the text passed the door (size, structure, one unambiguous JSON
  /// value). When false, `request.error()` says why and the text is recorded
  /// as it is.
  bool json = false;
  /// The request read from `doc`, with the first problem found as its error.
  Request request;
};

/// Passes `text` through the door and reads it into a Request: the only
/// parse of a request text (Request::from_json is this, keeping the Request).
ParsedRequest parse_request(std::string_view text);

}  // namespace redline::eval
