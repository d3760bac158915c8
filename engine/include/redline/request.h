// redline/request.h — a request to decide (LANGUAGE.md §12), as parsed JSON or
// built from C++, before it is bound to a Program's schema.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redline {

/// Why a request could not be decided; it makes the decision `deny`.
struct RequestError {
  std::string code;      ///< RL5xxx
  std::string message;   ///< lowercase, one line
  std::string pointer;   ///< JSON pointer to the bad field ("" for the whole request)
};

/// One approval carried by a request (LANGUAGE.md §10, §12).
struct Approval {
  std::string rule;      ///< "policy/rule"
  std::string step;      ///< escalation step role, or ""
  std::string by;        ///< approver id
  std::string role;      ///< approver role
  std::string verdict;   ///< "approve" or "deny"
  std::string at;        ///< RFC 3339 time
  std::string signature; ///< optional: base64 Ed25519 signature (redline/approvers.h)
  std::string kind;      ///< optional: "human" or "agent", as the approval says of its approver
};

/// A JSON-like value of a request attribute.
struct RequestValue {
  enum class Kind : std::uint8_t { Null, Bool, Int, Number, String, StringList, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string string;
  std::vector<std::string> strings;   ///< StringList
  // Array (an array that is not all strings) keeps its canonical JSON text in
  // `string`, so the request digest covers it (docs/approvals.md).
};

/// A request: purpose, attributes by dotted path, approvals. Building one
/// never fails and never throws (except std::bad_alloc); problems are
/// recorded in error() and reported when it is evaluated, as a `deny`
/// decision with that error.
///
/// Lifetime: a plain value that owns its data; it refers to no Program and
/// may be bound to or evaluated by any number of Programs. Nothing keeps a
/// pointer to it after the call it was passed to.
/// Threads: not synchronised. Several threads may read (bind, evaluate,
/// digest) one Request at once; modifying it needs exclusive access.
class Request {
 public:
  Request() = default;
  /// Parses a JSON request. Never throws; invalid JSON is recorded as an error.
  static Request from_json(std::string_view text);

  /// Sets the purpose (full dotted path).
  Request& purpose(std::string p);
  /// Sets an attribute (e.g. "actor.role") to a string, enum, level or timestamp.
  Request& set(std::string path, std::string value);
  Request& set(std::string path, const char* value) { return set(std::move(path), std::string(value)); }
  /// Sets an int attribute (or a duration in seconds).
  Request& set(std::string path, std::int64_t value);
  Request& set(std::string path, int value) { return set(std::move(path), static_cast<std::int64_t>(value)); }
  /// Sets a bool attribute.
  Request& set(std::string path, bool value);
  /// Sets a tags attribute.
  Request& set(std::string path, std::vector<std::string> tags);
  /// Adds an approval.
  Request& approve(Approval a);

  const std::optional<std::string>& purpose() const { return purpose_; }
  /// The attribute at `path`, or null.
  const RequestValue* find(std::string_view path) const;
  const std::vector<std::pair<std::string, RequestValue>>& attributes() const { return attrs_; }
  const std::vector<Approval>& approvals() const { return approvals_; }
  /// The first structural problem found while reading, if any.
  const std::optional<RequestError>& error() const { return error_; }
  /// "sha256:<hex>" over the canonical form of the request as the engine
  /// reads it — purpose and every attribute, `request.now` and approvals left
  /// out — which signed approvals bind to (docs/approvals.md "Request digest").
  std::string digest() const;
  /// The JSON pointer of an attribute path ("actor.role" → "/actor/role").
  static std::string pointer_of(std::string_view path);

 private:
  friend struct RequestReader;
  std::optional<std::string> purpose_;
  std::vector<std::pair<std::string, RequestValue>> attrs_;
  std::vector<Approval> approvals_;
  std::optional<RequestError> error_;
};

}  // namespace redline
