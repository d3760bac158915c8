// audit/log.h — the append-only audit log of a state folder: records are
// buffered, then written and made durable by group commit (one fdatasync
// covers every record buffered meanwhile); a Merkle tree (RFC 6962) over the
// records is kept incrementally, and signed checkpoints are appended at least
// every second (when there is something new), every 4,096 records, and
// whenever asked (after a switch flip, a policy load or an approval).
//
// Several processes may write one folder: every batch is written under the
// folder's exclusive lock, after catching up with what others appended, so
// sequence numbers are assigned at write time. A torn tail (a frame cut short
// by a crash) is cut when a writer finds it, and reported; a log that does not
// match its latest checkpoint is refused (fail closed).
//
// Nothing here throws; errors are returned as one lowercase line.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/merkle.h"
#include "state/state_dir.h"

namespace redline::audit {

/// How a log writes.
struct LogOptions {
  std::chrono::milliseconds flush_interval{5};        ///< background group commit of buffered records
  std::chrono::milliseconds checkpoint_interval{1000};  ///< a checkpoint at least this often when there is news
  std::uint64_t checkpoint_every = 4096;               ///< a checkpoint at least every this many records
  bool background = true;                              ///< run the background flusher thread
};

/// A writer of one state folder's audit log. Thread-safe.
class AuditLog {
 public:
  /// Opens (creating) DIR/audit.log and DIR/checkpoints, cutting a torn tail.
  static state::Result<std::unique_ptr<AuditLog>> open(const state::StateDir& dir, LogOptions options = {});
  /// Flushes, writes a final checkpoint, and closes.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Buffers a record; it is durable after the next group commit. False (with
  /// `error`) when the log has failed: the caller must fail closed.
  bool append(std::string payload, std::string* error = nullptr);
  /// Appends a record and returns its sequence number once it is durable
  /// (and, with `checkpoint_after`, covered by a new signed checkpoint).
  state::Result<std::uint64_t> append_durable(std::string payload, bool checkpoint_after = false);
  /// Writes and syncs every buffered record.
  bool flush(std::string* error = nullptr);
  /// Flushes and appends a signed checkpoint of the whole log.
  bool checkpoint(std::string* error = nullptr);

  /// The number of records written (durable) by anyone, as last seen.
  std::uint64_t size() const;
  /// Records appended by this process and not yet durable (the audit lag).
  std::uint64_t buffered() const;
  /// What opening found worth reporting (a torn tail cut), or "".
  const std::string& open_report() const { return open_report_; }
  /// The failure that stopped the log, or "" while it is healthy.
  std::string failure() const;

 private:
  AuditLog(const state::StateDir& dir, LogOptions options);
  struct Batch {
    std::uint64_t first_ticket, end_ticket, first_seq;
    bool ok;
  };
  bool load(std::string& error);
  bool catch_up(std::string& error);
  bool write_batch(std::vector<std::string>& payloads, bool force_checkpoint, std::uint64_t& first_seq, std::string& error);
  bool write_checkpoint(std::string& error);
  state::Result<std::uint64_t> commit(std::uint64_t ticket, bool force_checkpoint);
  void run_background();
  void fail(const std::string& why);

  state::StateDir dir_;
  LogOptions options_;
  std::string open_report_;

  // Guarded by mu_: the buffer and the bookkeeping of tickets (this process's
  // appends, numbered from 1) and of the batches that wrote them.
  mutable std::mutex mu_;
  std::condition_variable cv_;        ///< wakes the background thread
  std::condition_variable done_cv_;   ///< wakes appenders waiting for durability
  bool leader_ = false;               ///< a group-commit leader is writing
  std::vector<std::string> pending_;
  std::uint64_t enqueued_ = 0, done_ = 0;
  std::deque<Batch> batches_;
  std::string failure_;
  bool stop_ = false;
  std::uint64_t size_seen_ = 0;

  // Guarded by io_mu_ (held by the group-commit leader): the files and the tree.
  std::mutex io_mu_;
  int fd_ = -1, ckpt_fd_ = -1;
  std::uint64_t end_offset_ = 0, ckpt_end_offset_ = 0;
  std::uint64_t records_ = 0, checkpoints_ = 0, last_ckpt_size_ = 0;
  std::chrono::steady_clock::time_point last_ckpt_time_;
  // INVARIANT: tree_.size() == records_, and records_ frames end at end_offset_.
  CompactRange tree_;

  std::thread background_;
};

}  // namespace redline::audit
