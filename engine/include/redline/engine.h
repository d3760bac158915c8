// redline/engine.h — the embedding API: compile policies once into an
// immutable Program, then evaluate requests against it from any thread.
//
//   redline::CompileResult r = redline::compile_files({"policy.pol"});
//   if (!r.ok()) { std::cerr << r.diagnostics.render(); return 1; }
//   redline::Decision d = r.program->evaluate(redline::Request::from_json(text));
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redline/approvers.h"
#include "redline/decision.h"
#include "redline/diagnostic.h"
#include "redline/request.h"

namespace redline {

/// How to compile.
struct CompileOptions {
  std::string stdlib_root;   ///< the `stdlib` folder; empty: $REDLINE_STDLIB or the built-in default
  std::string layer;         ///< the layer whose stack decides; empty: the unique most-derived layer
  /// In-memory files consulted before the disk (path as written → text).
  std::map<std::string, std::string> files;
};

class Program;
class SwitchBoard;

/// An approval of a request, bound to a Program (internal representation).
struct BoundApproval {
  /// What checking the approval's signature found when it was bound.
  enum class Signature : std::uint8_t {
    none,               ///< no signature
    unchecked,          ///< signed, but no approver keys were configured
    verified,           ///< a valid signature by `by`'s key, for this request and policy, with `role` among the key's roles
    invalid,            ///< the signature does not verify (forged, altered, or for another request or policy)
    unknown_approver,   ///< `by` is not in the keys
    role_not_keyed,     ///< verifies, but `role` is not among the key's roles
  };
  std::uint32_t rule = 0;        ///< model rule index
  std::int32_t step_role = -1;   ///< the step's role index, or -1 when no step was named
  std::uint32_t role = 0;        ///< the approver's role index
  std::string by;                ///< approver id
  bool approve = true;
  bool has_at = false;
  std::int64_t at = 0;           ///< Unix seconds
  std::uint32_t index = 0;       ///< position in the request's `approvals`
  Signature signature = Signature::none;
  ApproverKind kind = ApproverKind::unknown;   ///< the keys file's kind when verified, else the approval's own
};

/// A request bound to one Program's schema: strings interned, tags as
/// bitsets, levels as ranks. Bind once, evaluate many times.
class BoundRequest {
 public:
  /// True when the request can be decided (no request error).
  bool ok() const { return !error_.has_value(); }
  const std::optional<RequestError>& error() const { return error_; }

 private:
  friend struct BoundAccess;
  const Program* program_ = nullptr;
  std::int32_t purpose_ = -1;
  std::vector<std::int64_t> values_;       ///< per attribute
  std::vector<std::uint64_t> present_;     ///< bit per attribute
  std::vector<std::uint64_t> tags_;        ///< tag bitsets of tags attributes
  std::vector<BoundApproval> approvals_;
  std::vector<Approval> raw_approvals_;    ///< as given, for decisions and audit
  std::optional<std::string> actor_id_;    ///< `actor.id`, declared or not (separation of duties)
  bool require_signed_ = false;            ///< ApprovalOptions::require_signed
  bool have_keys_ = false;                 ///< ApprovalOptions::keys was given
  std::optional<RequestError> error_;
};

/// Kill-switch state shared by every thread evaluating one Program: flips are
/// seen by the very next evaluation (atomics, no lock on the evaluation path).
class SwitchBoard {
 public:
  /// A board for the switches `names` (qualified "policy/switch"), all reset.
  explicit SwitchBoard(std::vector<std::string> names);
  /// Trips a switch by qualified or plain name; false when there is no such switch.
  bool trip(std::string_view name);
  /// Resets a switch; false when there is no such switch.
  bool reset(std::string_view name);
  /// Whether a switch is tripped (false for unknown names).
  bool tripped(std::string_view name) const;
  /// Whether switch `index` is tripped.
  bool tripped(std::size_t index) const { return index < size_ && bits_[index].load(std::memory_order_acquire); }
  /// Bumped by every flip.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::int64_t index_of(std::string_view name) const;
  std::vector<std::string> names_;
  std::size_t size_ = 0;
  std::unique_ptr<std::atomic<bool>[]> bits_;
  std::atomic<std::uint64_t> generation_{0};
};

/// What compiling produced: a Program when there were no errors, and the
/// diagnostics (warnings included) either way.
struct CompileResult {
  std::shared_ptr<const Program> program;
  Diagnostics diagnostics;
  bool ok() const { return program != nullptr; }
};

/// Compiles the given files (and what they import).
CompileResult compile_files(const std::vector<std::string>& paths, const CompileOptions& options = {});
/// Compiles policy text held in memory, named `name` in diagnostics.
CompileResult compile_source(std::string_view text, std::string name = "<input>", const CompileOptions& options = {});

/// A compiled, immutable policy stack. Thread-safe.
class Program {
 public:
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  /// Binds a request to this Program's schema.
  BoundRequest bind(const Request& request) const;
  /// Binds a request, checking its approvals' signatures against
  /// `approvals.keys` and recording what `approvals` demands.
  BoundRequest bind(const Request& request, const ApprovalOptions& approvals) const;
  /// Parses and binds a JSON request.
  BoundRequest bind_json(std::string_view json) const;
  /// Parses and binds a JSON request with approval options (see bind()).
  BoundRequest bind_json(std::string_view json, const ApprovalOptions& approvals) const;
  /// Decides a bound request into `out` (reusing its buffers).
  void evaluate(const BoundRequest& request, Decision& out, const SwitchBoard* switches = nullptr) const;
  /// Decides a request.
  Decision evaluate(const Request& request, const SwitchBoard* switches = nullptr) const;
  /// Decides a request with approval options (signed approvals, redline/approvers.h).
  Decision evaluate(const Request& request, const ApprovalOptions& approvals, const SwitchBoard* switches = nullptr) const;
  /// Decides a JSON request.
  Decision evaluate_json(std::string_view json, const SwitchBoard* switches = nullptr) const;
  /// Decides a JSON request with approval options.
  Decision evaluate_json(std::string_view json, const ApprovalOptions& approvals, const SwitchBoard* switches = nullptr) const;
  /// A human-readable account of how a request was decided: the purpose
  /// dispatch, each attribute read, and each candidate rule and why it
  /// applied or not.
  std::string explain(const Request& request, const SwitchBoard* switches = nullptr) const;
  /// explain() with approval options.
  std::string explain(const Request& request, const ApprovalOptions& approvals, const SwitchBoard* switches = nullptr) const;

  /// The layer names of the deciding stack, root first.
  const std::vector<std::string>& layers() const;
  /// "sha256:<hex>" over the sources of the compilation.
  const std::string& hash() const;
  /// The qualified names of the stack's kill switches (SwitchBoard order).
  const std::vector<std::string>& switch_names() const;
  /// A new SwitchBoard for this Program's switches, all reset.
  std::unique_ptr<SwitchBoard> make_switchboard() const;
  /// The compiled size in bytes (flat arrays).
  std::size_t compiled_bytes() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Program(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

/// The stdlib folder used when CompileOptions::stdlib_root is empty:
/// $REDLINE_STDLIB, else the one this build was configured with.
std::string default_stdlib_root();

/// The library version ("0.1.0").
const char* version();

}  // namespace redline
