// runtime/runtime.h — the governance runtime: the one place where a compiled
// Program is governed and its decisions recorded. It owns the state folder
// and its audit log (when there is one), stores each policy version and logs
// its load, judges approvals (the approver keys, stored for replay), keeps a
// SwitchBoard in step with the folder's persisted kill switches, and decides
// requests: the request text passes the door once (eval/request_text.h),
// the bound request is evaluated, the decision is serialised once, and the
// record is built from the parsed request and that serialisation — never by
// searching or re-parsing the text. The command line (`eval --state`), the
// server (PolicyHost, Service) and the public AuditTrail all use it.
//
// Thread-safe for deciding and recording; governing calls (judge,
// load_policy, watch) are made by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/log.h"
#include "audit/record.h"
#include "redline/approvers.h"
#include "redline/engine.h"

namespace redline::state {
class StateDir;
}
namespace redline::audit {
class AuditLog;
}
namespace redline::killswitch {
class SwitchWatcher;
}
namespace redline::eval {
struct ParsedRequest;
}

namespace redline::runtime {

/// How a Program's approvals are judged: for deciding, and as records name it.
struct Judging {
  ApprovalOptions options;
  audit::ApprovalJudging recorded;
};

/// How the runtime records.
struct RuntimeOptions {
  bool strict = false;              ///< acknowledge a decision only once its record is durable
  std::vector<std::string> mask;    ///< JSON pointers to mask, besides those of DIR/mask.json
  std::string stdlib_root;          ///< the stdlib root Programs are compiled with (stored for replay)
  audit::LogOptions log{};          ///< how the audit log writes: default durability, lock timeout, witness
  /// Told when the persisted switch state is unreadable or disagrees with the
  /// log (empty: a line on stderr).
  std::function<void(const std::string&)> on_switch_error{};
};

/// The one place that chooses how a decision record is appended: durable
/// when the runtime is strict, and for an `allow` that carries obligations or
/// rests on approvals (a governance event, durable before it is
/// acknowledged); otherwise the log's default level (`written` unless
/// configured). Approval records that go with a decision are always durable
/// and checkpointed.
audit::Durability choose_durability(const Decision& decision, const RuntimeOptions& options);

/// A decision's outcome, and whether it carried a request error.
struct Decided {
  Outcome outcome = Outcome::deny;
  bool error = true;
  bool unaudited = false;   ///< denied because its record could not be written (RL5009)
};

class Runtime {
 public:
  /// A runtime without a state folder: decisions are not recorded.
  Runtime();
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Opens (creating on first use) the state folder `dir` and its audit log;
  /// null with `error` on failure (or when a mask field is not a JSON pointer).
  static std::unique_ptr<Runtime> open(const std::string& dir, const RuntimeOptions& options, std::string& error);

  bool has_state() const { return log_ != nullptr; }
  const state::StateDir& state() const { return *dir_; }
  audit::AuditLog& log() const { return *log_; }
  const RuntimeOptions& options() const { return options_; }
  /// The masked fields: DIR/mask.json's, then RuntimeOptions::mask.
  const std::vector<std::string>& mask() const { return mask_; }
  /// What opening the log found worth reporting (e.g. a torn tail cut), or "".
  std::string open_report() const;

  // ---- governing a Program ----

  /// The judging of approvals under `options`; with a state folder, the
  /// approver keys are stored in it so `audit replay` checks signatures
  /// with them. False with `error` when they cannot be stored.
  bool judge(const ApprovalOptions& options, Judging& out, std::string& error);
  /// Stores the Program's policy version and logs its load under a
  /// checkpoint (nothing without a state folder).
  bool load_policy(const Program& program, std::string& error);
  /// Loads the persisted kill switches into `board` and keeps it current
  /// (`board` must outlive the watcher). Null without a state folder. When
  /// the state is unreadable `error` says why and every switch of the board
  /// is tripped (fail closed).
  std::unique_ptr<killswitch::SwitchWatcher> watch(SwitchBoard& board, std::string& error);

  // ---- deciding ----

  /// Decides `text` and records the decision (and the approvals the request
  /// carries); appends the decision JSON to `out`, or a `deny` with error
  /// RL5009 when it cannot be recorded. `scratch` is reused.
  Decided decide(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                 Decision& scratch, std::string& out, int indent = -1) const;
  /// Records a decision made elsewhere from `text` (which is passed through
  /// the door once here); false with `error` when it cannot be recorded, in
  /// which case the caller must deny.
  bool record(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
              const Decision& decision, std::string& error) const;
  /// Decides `text` as decide() does, but leaves its audit records (the
  /// decision's and its approvals') in `records` for the caller to write
  /// with its own commit — all or nothing with the state change they
  /// justify. The caller must deny if it cannot write them.
  Decided decide_deferred(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                          Decision& scratch, std::string& out, std::vector<std::string>& records) const;
  /// Whether deciding `text` may wait on the disk (a durable record): in
  /// strict mode always; otherwise when the request may carry approvals,
  /// which is judged from the text conservatively (before it is parsed).
  bool may_block(std::string_view text) const;

 private:
  void records_for(const Program& program, const SwitchBoard* board, const Judging& judging, std::string_view text,
                   eval::ParsedRequest& parsed, const Decision& decision, std::string_view decision_json,
                   std::vector<std::string>& records) const;
  /// Appends the records of one decision: buffered or written alone; durable, and under one
  /// checkpoint, with the approvals it carries (choose_durability).
  bool append_records(const Decision& decision, std::vector<std::string> records, std::string& error) const;

  RuntimeOptions options_;
  std::unique_ptr<state::StateDir> dir_;
  std::unique_ptr<audit::AuditLog> log_;
  std::vector<std::string> mask_;
};

}  // namespace redline::runtime
