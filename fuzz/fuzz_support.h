// fuzz/fuzz_support.h — what the libFuzzer targets share: where the repository
// and the stdlib are, the fixed policies they evaluate against (the examples
// and the conformance policies), a reader of fuzz bytes as choices, and the
// invariants every decision must keep, checked against the reference
// interpreter. An invariant that breaks aborts with a message (libFuzzer then
// saves the input as a crash).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"

namespace redline::fuzz {

/// The repository root (compiled in; REDLINE_SOURCE_DIR overrides).
std::string source_dir();
/// The stdlib root: $REDLINE_STDLIB, else the repository's stdlib/.
std::string stdlib_root();

/// Reports a broken invariant and aborts.
[[noreturn]] void fail(const std::string& what, std::string_view input = {});

/// Checks an invariant; `input` is shown when it breaks.
inline void check(bool ok, const char* what, std::string_view input = {}) {
  if (!ok) fail(what, input);
}

/// A compiled fixed policy the eval targets decide against.
struct Fixed {
  std::string name;                        ///< "examples/fintech-fraud", "conformance/types.json"
  std::shared_ptr<const Program> program;
};

/// Compiles examples/<name>/*.pol; aborts when it does not compile.
Fixed compile_example(const std::string& name);
/// Compiles the policy of tests/conformance/<file>; aborts when it does not compile.
Fixed compile_conformance(const std::string& file);
/// Every example and every conformance policy.
std::vector<Fixed> all_fixed();
/// The fixed policies with `require approval` or `escalate` rules.
std::vector<Fixed> approval_fixed();

/// Fuzz bytes read as a stream of choices; past the end every pick is 0 and
/// every coin falls on its likelier side, so a short input decodes to the
/// common case.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  /// A choice in [0, n) (0 when n is 0).
  std::size_t pick(std::size_t n) {
    if (n <= 1) return 0;
    std::size_t v = byte();
    if (n > 256) v = v << 8 | byte();
    return v % n;
  }
  /// True with probability about `p`.
  bool coin(double p) { return empty() ? p >= 0.5 : byte() < p * 256; }
  /// The rest of the input as text.
  std::string_view rest() {
    std::string_view s(reinterpret_cast<const char*>(data_) + pos_, size_ - pos_);
    pos_ = size_;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

/// Shapes of requests the structured decoder builds.
struct RequestShape {
  std::size_t max_approvals = 4;   ///< approvals drawn (the engine's limit is 256)
  bool wrong_types = true;         ///< sometimes give a value of the wrong type
};

/// Decodes fuzz bytes into a JSON request over `program`'s schema: a purpose
/// (or a wrong one), each declared attribute present, missing, null or
/// ill-typed, an actor id, and approvals naming the stack's approval rules,
/// roles and escalation steps at times around `request.time`.
std::string structured_request(const Program& program, Bytes& in, const RequestShape& shape = {});

/// What check_request found, for target-specific checks.
struct Checked {
  Outcome outcome = Outcome::deny;
  bool error = false;
};

/// Decides `text` against `program` every way there is, and checks that
/// they agree and keep the invariants:
///  - the fast and the full binder bind it identically (or both refuse it);
///  - evaluate_json, evaluate(Request) and a reused Decision decide alike;
///  - the reference interpreter agrees (outcome, applying rules, obligations,
///    missing attributes, kill switch), with no switch and with all tripped;
///  - an error is a `deny`; an `allow` has no error, no kill switch, and only
///    allowing reasons; an applying prohibit is a `deny`; the outcome is the
///    most severe reason; a waiting decision says what it waits for;
///  - the decision's JSON parses, and explaining the request does not crash.
Checked check_request(const Program& program, std::string_view text);

}  // namespace redline::fuzz
