// server/policy_host.h — the policy versions a running `redline serve`
// decides with: it compiles the policy files, keeps each version's
// SwitchBoard (in step with the state folder's persisted switches when there
// is one, else in memory and carried over reloads), logs every load to the
// audit log, and hot-reloads: a new version is compiled on the side and
// swapped in atomically only when it compiles with no error (failed
// assertions included); otherwise it is refused, logged, and the old version
// keeps serving. Event loops read the current version through a cheap
// generation check (VersionCache), taking the lock only after a swap.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/log.h"
#include "cases/case_store.h"
#include "killswitch/watcher.h"
#include "redline/approvers.h"
#include "redline/engine.h"
#include "runtime/runtime.h"
#include "state/state_dir.h"

namespace redline::server {

/// What identifies a file's contents cheaply (for change detection).
struct FileStamp {
  std::string path;
  std::int64_t mtime_ns = 0, size = -1, inode = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// One compiled policy version and its kill switches.
struct PolicyVersion {
  std::shared_ptr<const Program> program;
  std::unique_ptr<SwitchBoard> board;
  std::unique_ptr<killswitch::SwitchWatcher> watcher;   ///< declared after `board`: destroyed first
  std::uint64_t generation = 0;                          ///< 1 for the first version, +1 per swap
  std::string loaded_at;                                 ///< RFC 3339
  std::vector<FileStamp> files;                          ///< every source file of the compilation (and the keys file)
  runtime::Judging judging;                              ///< approver keys and whether signatures are demanded
  ~PolicyVersion();
};

/// The outcome of the last reload attempt.
struct ReloadReport {
  bool ok = true;
  std::string at, trigger, message;   ///< message: diagnostics of a refused version
  std::uint64_t generation = 0;       ///< the version serving afterwards
};

/// The serving policy and its state folder.
class PolicyHost {
 public:
  PolicyHost(std::vector<std::string> files, CompileOptions options);
  ~PolicyHost();

  /// Opens the state folder (creating it) and its audit log; false with `error`.
  bool open_state(const std::string& dir, std::string& error, audit::LogOptions log_options = {});
  /// Acknowledges a decision only once its record is durable (before open_state()).
  void set_strict(bool strict) { strict_ = strict; }
  /// Judges approvals with the approver keys of `keys_path` ("" for none),
  /// re-read with every version, and demands signatures when `require_signed`.
  void set_approvals(std::string keys_path, bool require_signed) { keys_path_ = std::move(keys_path), require_signed_ = require_signed; }
  /// Compiles and installs a version. `trigger` says why ("start", "SIGHUP",
  /// "file change"). On failure the serving version (if any) stays.
  ReloadReport reload(const std::string& trigger);
  /// Whether a source file of the serving version changed on disk since it was compiled.
  bool files_changed() const;

  /// The serving version (never null after a successful first reload).
  std::shared_ptr<const PolicyVersion> current() const;
  /// Bumped by every swap; read without a lock.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  ReloadReport last_reload() const;

  /// The governance runtime that decides and records (stateless until open_state()).
  const runtime::Runtime& runtime() const { return *runtime_; }
  bool has_state() const { return runtime_->has_state(); }
  const state::StateDir& state() const { return runtime_->state(); }
  audit::AuditLog& log() const { return runtime_->log(); }
  /// The approval cases (DIR/cases.db), or null without a state folder.
  cases::CaseStore* cases() const { return cases_.get(); }
  /// Masks `fields` (JSON pointers) in audit records too (before open_state()).
  void add_mask(const std::vector<std::string>& fields) { mask_.insert(mask_.end(), fields.begin(), fields.end()); }

 private:
  std::vector<std::string> files_;
  CompileOptions options_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::unique_ptr<cases::CaseStore> cases_;
  std::vector<std::string> mask_;
  bool strict_ = false;
  std::string keys_path_;
  bool require_signed_ = false;
  mutable std::mutex mu_;            // guards current_, last_ and watched_
  std::mutex reload_mu_;             // one reload at a time
  std::shared_ptr<const PolicyVersion> current_;
  ReloadReport last_;
  std::vector<FileStamp> watched_;   // the files as last compiled (successfully or not)
  std::atomic<std::uint64_t> generation_{0};
};

/// A per-thread view of the serving version: refreshed only when the
/// host's generation moved, so the request path takes no lock.
class VersionCache {
 public:
  explicit VersionCache(const PolicyHost& host) : host_(host) {}
  const PolicyVersion& get() {
    std::uint64_t g = host_.generation();
    if (g != seen_ || !version_) {
      version_ = host_.current();
      seen_ = g;
    }
    return *version_;
  }
  /// The current version, shared (for work that outlives this request).
  std::shared_ptr<const PolicyVersion> shared() {
    get();
    return version_;
  }
  /// Drops the cached version (so an old one is freed promptly).
  void clear() { version_.reset(), seen_ = 0; }

 private:
  const PolicyHost& host_;
  std::shared_ptr<const PolicyVersion> version_;
  std::uint64_t seen_ = 0;
};

/// Stamps a file (size -1 when it cannot be read).
FileStamp stamp_file(const std::string& path);

}  // namespace redline::server
