// redline/engine.h — the embedding API: compile policies once into an
// immutable Program, then evaluate requests against it from any thread.
//
//   redline::CompileResult r = redline::compile_files({"policy.pol"});
//   if (!r.ok()) { std::cerr << r.diagnostics.render(); return 1; }
//   redline::Decision d = r.program->evaluate(redline::Request::from_json(text));
//   if (d.error()) { /* the request could not be decided: d is `deny` */ }
//
// Options of a call travel in one EvalOptions (approval options, kill
// switches); both are borrowed for the call only:
//
//   auto board = r.program->make_switchboard();
//   redline::EvalOptions opts{.approvals = &approval_options, .switches = board.get()};
//   redline::Decision d = r.program->evaluate_json(text, opts);
//
// For the hot path, bind once and evaluate into a reused Decision (no
// allocation once its buffers have grown):
//
//   redline::BoundRequest b = r.program->bind_json(text, opts);
//   redline::Decision d;
//   r.program->evaluate(b, d, opts);
//
// Errors — one convention for every function of redline/*.h:
//   - Compiling reports through its result: CompileResult::program is null
//     when the policies have errors, and CompileResult::diagnostics says why
//     (warnings are there either way).
//   - A request that cannot be decided (malformed JSON, an unknown purpose, a
//     value outside its declared type, a malformed approval, input over the
//     limits) is not a failure of the call: the Decision is `deny` and
//     Decision::error() carries the RL5xxx code, message and JSON pointer.
//     Request::from_json, Request's setters, bind and bind_json record the
//     problem (Request::error(), BoundRequest::error()) and never throw.
//   - Functions that read other input (ApproverKeys::parse and load,
//     AuditTrail::open, ...) return null or false and fill `std::string& error`.
//   - No exception escapes a public function except std::bad_alloc.
//
// Lifetimes and threads, in short: a Program is immutable and may be shared
// by any number of threads; a BoundRequest or a Decision refers to the
// Program that made it, which must outlive it, and is a plain value that one
// thread writes at a time; a SwitchBoard is shared by the threads that
// evaluate with it and must outlive those evaluations; a Request is a plain
// value, independent of any Program.
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
struct BoundApproval;   // internal: how a bound request holds its approvals

/// A request bound to one Program's schema: strings interned, tags as
/// bitsets, levels as ranks. Bind once, evaluate many times.
///
/// Lifetime: it refers to the Program that bound it, which must outlive it;
/// evaluating it with another Program gives a `deny` with an error. It keeps
/// no pointer to the Request, the JSON text or the options it was bound from.
/// Threads: a plain value. Evaluating it is a const read, so one BoundRequest
/// may be evaluated by many threads at once; assigning to it while another
/// thread reads it is a data race.
class BoundRequest {
 public:
  /// An empty request bound to no Program (evaluating it gives an error).
  BoundRequest();
  ~BoundRequest();
  BoundRequest(const BoundRequest&);
  BoundRequest(BoundRequest&&) noexcept;
  BoundRequest& operator=(const BoundRequest&);
  BoundRequest& operator=(BoundRequest&&) noexcept;

  /// True when the request can be decided (no request error).
  bool ok() const { return !error_.has_value(); }
  /// Why the request cannot be decided (the error its Decision will carry).
  const std::optional<RequestError>& error() const { return error_; }

 private:
  friend struct BoundAccess;
  const Program* program_ = nullptr;
  std::int32_t purpose_ = -1;
  std::vector<std::int64_t> values_;       ///< per attribute
  std::vector<std::uint64_t> present_;     ///< bit per attribute
  std::vector<std::uint64_t> tags_;        ///< tag bitsets of tags attributes
  std::vector<BoundApproval> approvals_;   ///< internal (eval/bound_approval.h); special members are out of line
  std::vector<Approval> raw_approvals_;    ///< as given, for decisions and audit
  std::optional<std::string> actor_id_;    ///< `actor.id`, declared or not (separation of duties)
  bool require_signed_ = false;            ///< ApprovalOptions::require_signed
  bool have_keys_ = false;                 ///< ApprovalOptions::keys was given
  std::optional<RequestError> error_;
};

/// Kill-switch state shared by every thread evaluating one Program: flips are
/// seen by the very next evaluation (atomics, no lock on the evaluation path).
///
/// Threads: every member is safe to call from any thread at any time.
/// Lifetime: evaluations borrow it through EvalOptions::switches; it must
/// outlive every evaluation that uses it. It holds no pointer to a Program:
/// its switches are named, in the order of Program::switch_names().
class SwitchBoard {
 public:
  /// A board for the switches `names` (qualified "policy/switch"), all reset.
  explicit SwitchBoard(std::vector<std::string> names);
  SwitchBoard(const SwitchBoard&) = delete;
  SwitchBoard& operator=(const SwitchBoard&) = delete;
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

/// The options of one bind, evaluate or explain call. Both members are
/// borrowed for the duration of the call only (a BoundRequest keeps nothing
/// of them); null means none. Building one costs nothing: pass `{}` or
/// designated initializers, e.g. `{.switches = board.get()}`.
struct EvalOptions {
  /// How approvals are judged (keys for signatures, signed approvals
  /// demanded; redline/approvers.h). Null: no keys, nothing demanded. Applied
  /// when the request is bound: evaluating an already bound request does not
  /// read it, so bind and evaluate with the same options.
  const ApprovalOptions* approvals = nullptr;
  /// The kill switches to honour (must be made for this Program's
  /// switch_names()). Null: no switch is tripped. Read when evaluating;
  /// binding does not read it.
  const SwitchBoard* switches = nullptr;
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

/// A compiled, immutable policy stack.
///
/// Threads: immutable once compiled; every member is const and safe to call
/// from any number of threads at once. Share it as the
/// std::shared_ptr<const Program> that compiling returns.
/// Lifetime: every BoundRequest and Decision it makes points to it, and must
/// not outlive it. Only compiling makes one.
class Program {
 public:
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  /// Binds a request to this Program's schema, checking its approvals'
  /// signatures against `options.approvals` (`options.switches` is not read).
  /// A request that cannot be decided gives a BoundRequest with error().
  BoundRequest bind(const Request& request, const EvalOptions& options = {}) const;
  /// Parses and binds a JSON request (see bind()); malformed JSON gives a
  /// BoundRequest with error().
  BoundRequest bind_json(std::string_view json, const EvalOptions& options = {}) const;
  /// The hot path: decides a bound request into `out`, reusing its buffers
  /// (no allocation once they have grown, unless approvals are judged). Reads
  /// `options.switches` only: approvals were judged when `request` was bound.
  void evaluate(const BoundRequest& request, Decision& out, const EvalOptions& options = {}) const;
  /// Binds and decides a request.
  Decision evaluate(const Request& request, const EvalOptions& options = {}) const;
  /// Parses, binds and decides a JSON request.
  Decision evaluate_json(std::string_view json, const EvalOptions& options = {}) const;
  /// A human-readable account of how a request was decided: the purpose
  /// dispatch, each attribute read, and each candidate rule and why it
  /// applied or not.
  std::string explain(const Request& request, const EvalOptions& options = {}) const;

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

 private:
  friend struct ProgramAccess;   // internal: the compiler makes Programs, the evaluator reads them
  struct Impl;
  explicit Program(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The stdlib folder used when CompileOptions::stdlib_root is empty:
/// $REDLINE_STDLIB, else `<prefix>/share/redline/stdlib` found from the folder
/// of the binary holding the library (the executable or libredline.so), else
/// a `stdlib` folder beside that binary (the build tree, the Python package).
std::string default_stdlib_root();

/// The library version ("0.1.0").
const char* version();

}  // namespace redline
