// redline/audit.h — the embedding API of the runtime state folder: an
// AuditTrail records every decision (and policy load, and approval) in the
// folder's tamper-evident audit log, keeps a SwitchBoard in step with the
// folder's persisted kill switches, and fails closed: a decision whose record
// cannot be written becomes `deny` with an error.
//
//   std::string error;
//   auto trail = redline::AuditTrail::open("state", {.strict = true}, error);
//   if (!trail || !trail->load_policy(*program, error)) { ...; }
//   auto board = program->make_switchboard();
//   trail->watch_switches(*board, error);          // fail closed on error
//   std::string decision = trail->decide_json(*program, request_text, board.get());
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"

namespace redline {

/// How an AuditTrail records.
struct AuditOptions {
  bool strict = false;              ///< acknowledge a decision only once its record is durable
  std::vector<std::string> mask;    ///< JSON pointers to mask, besides those of DIR/mask.json
  std::string stdlib_root;          ///< the stdlib root the Programs were compiled with (for replay)
  std::string durability{};         ///< "buffered", "written" (the default when empty) or "durable" (docs/audit.md)
  std::string witness{};            ///< a file outside the folder to publish every signed checkpoint to, or ""
};

/// A state folder opened for writing. Thread-safe; one per process and folder.
class AuditTrail {
 public:
  /// Opens (creating on first use) the state folder; null with `error` on failure.
  static std::unique_ptr<AuditTrail> open(const std::string& dir, const AuditOptions& options, std::string& error);
  /// Flushes, checkpoints and stops watching.
  ~AuditTrail();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  /// Stores the Program's policy version and logs its load under a checkpoint.
  bool load_policy(const Program& program, std::string& error);
  /// Loads the persisted kill switches into `board` and keeps it current
  /// (inotify, polling fallback; `board` must outlive this trail); false when the state is unreadable, in
  /// which case every switch of the board is tripped (fail closed).
  bool watch_switches(SwitchBoard& board, std::string& error);
  /// Sets how approvals are judged from now on: decide_json() decides with
  /// `approvals`, and every record says so, naming the keys, which are
  /// stored in the folder so `audit replay` checks signatures with them.
  /// Callers of record() must decide with the same options. Call it before
  /// the trail is shared between threads. False with `error` when the keys
  /// cannot be stored.
  bool judge_approvals(const ApprovalOptions& approvals, std::string& error);
  /// Records a decision (and the approvals its request carries); false when
  /// it cannot be recorded, in which case the caller must deny.
  bool record(const Program& program, std::string_view request_json, const Decision& decision, const SwitchBoard* switches,
              std::string& error);
  /// Decides a JSON request and records it; returns the decision JSON, or a
  /// `deny` with error RL5009 when the record cannot be written.
  std::string decide_json(const Program& program, std::string_view request_json, const SwitchBoard* switches, int indent = -1);
  /// Writes and syncs every buffered record.
  bool flush(std::string& error);
  /// What opening found worth reporting (e.g. a torn tail cut), or "".
  std::string open_report() const;

  struct Impl;

 private:
  explicit AuditTrail(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The JSON of a `deny` decided by no rule, carrying error RL5009 with `message`.
std::string fail_closed_json(const Program& program, const std::string& message, int indent = -1);

}  // namespace redline
