// audit/log.h — the append-only audit log of a state folder. Each append
// names how far the record must get before it returns (Durability): buffered
// (in memory; the flusher writes it within `flush_interval`), written (handed
// to the kernel with write(2): survives a crash of the process, not of the
// machine) or durable (fdatasync'd). Concurrent appenders share one write and
// one fdatasync (group commit); the flusher also syncs written records every
// `flush_interval`. A Merkle tree (RFC 6962) over the
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

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit/merkle.h"
#include "audit/segments.h"
#include "state/state_dir.h"

namespace redline::audit {

/// How far a record gets before its append returns.
enum class Durability : std::uint8_t {
  buffered,  ///< in memory: lost if the process dies before the flusher writes it
  written,   ///< write(2) returned: survives kill -9 of the process, not a power loss
  durable,   ///< fdatasync returned: survives a power loss
};
/// "buffered", "written" or "durable".
const char* to_string(Durability d);
/// Parses a durability name.
std::optional<Durability> durability_from_string(std::string_view s);

/// How a log writes.
struct LogOptions {
  std::chrono::milliseconds flush_interval{5};        ///< the flusher writes buffered and syncs written records this often
  std::chrono::milliseconds checkpoint_interval{1000};  ///< a checkpoint at least this often when there is news
  std::uint64_t checkpoint_every = 4096;               ///< a checkpoint at least every this many records
  bool background = true;                              ///< run the background flusher thread
  Durability level = Durability::written;              ///< what append(payload, error) waits for
  std::chrono::milliseconds lock_timeout{5000};        ///< longest wait for the folder's lock before failing closed
  std::size_t max_buffered = 4096;                     ///< buffered records beyond which appenders write themselves (backpressure)
  std::string witness{};                               ///< where to publish every checkpoint (audit/witness.h), or ""
  /// Start from the stored frontier (DIR/frontier: the tree state at a signed
  /// checkpoint, the byte offset its records end at, the switch flips up to
  /// it, all under an HMAC of the folder's key) and read only the records
  /// after it, so that start no longer grows with the log. The records before
  /// it are still checked against the checkpoint: by a thread of their own
  /// when the log runs its background thread (a mismatch stops the log:
  /// appends fail, the service denies and reports unhealthy), else before
  /// open returns.
  bool resume_from_frontier = false;
  std::uint64_t frontier_every = 65536;                ///< store the frontier when it moved this many records (and at close)
  /// Seal the active segment (audit/segments.h) once it holds this many bytes
  /// (0: never): older records then live in DIR/segments, can be archived,
  /// and a start without a usable frontier reads only the active segment.
  std::uint64_t segment_bytes = 256ull << 20;
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

  /// Appends a record at the log's default level (LogOptions::level). False
  /// (with `error`) when it did not get that far: the caller must fail closed.
  bool append(std::string payload, std::string* error = nullptr);
  /// Appends a record and returns once it got as far as `level`.
  bool append(std::string payload, Durability level, std::string* error);
  /// Appends a record and returns its sequence number once it is durable
  /// (and, with `checkpoint_after`, covered by a new signed checkpoint).
  state::Result<std::uint64_t> append_durable(std::string payload, bool checkpoint_after = false);
  /// Appends records as one contiguous run and returns the first one's
  /// sequence number once all are durable (and, with `checkpoint_after`,
  /// covered by a signed checkpoint): one fdatasync and at most one
  /// checkpoint for all of them, shared with whoever commits at the same time.
  state::Result<std::uint64_t> append_durable(std::vector<std::string> payloads, bool checkpoint_after);
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
  /// Why the log is unhealthy, or "" while it is healthy: a failed write
  /// (a full disk), a lock wait that timed out, or a fatal failure. A failed
  /// write or lock wait clears itself once a later write or probe succeeds.
  std::string failure() const;
  bool healthy() const { return failure().empty(); }
  /// Every switch's last applied flip, from the log's own switch records
  /// (the authority on switch state: switches.json is only a cache of it).
  /// With `refresh`, first reads what other processes appended.
  std::map<std::string, LoggedFlip> switch_flips(bool refresh, std::string* error = nullptr);
  /// The default level of append(payload, error).
  Durability level() const { return options_.level; }
  /// How many records opening took from the stored frontier instead of
  /// reading them (0: the whole log was read).
  std::uint64_t resumed_from() const { return prefix_size_; }
  /// Waits for the check of the records before the frontier (at once when
  /// there is none or it is done); returns whether they matched.
  bool wait_prefix_check();

 private:
  AuditLog(const state::StateDir& dir, LogOptions options);
  struct Batch {
    std::uint64_t first_ticket, end_ticket, first_seq;
    bool ok;
    std::string error;
  };
  bool load(std::string& error);
  bool catch_up(std::string& error);
  // Writes a batch under the folder lock; `records_ok` says whether the
  // records got written, `fatal` whether the log can no longer be trusted.
  bool write_batch(std::vector<std::string>& payloads, bool force_checkpoint, std::uint64_t& first_seq, bool& records_ok, bool& fatal,
                   std::string& error);
  bool write_checkpoint(std::string& error);
  state::Result<std::uint64_t> commit(std::uint64_t ticket, Durability level, bool force_checkpoint);
  bool sync_to(std::uint64_t ticket, std::string& error);
  void probe();
  void note_record(std::uint64_t seq, std::string_view payload);
  Hash seal_of(std::uint64_t size, const Hash& root) const;
  Hash frontier_mac(std::string_view body) const;
  void write_frontier();
  std::uint64_t resume(const std::map<std::uint64_t, Hash>& checkpoints, const std::map<std::uint64_t, Hash>& witnessed);
  bool check_prefix(std::string& error);
  bool read_tail(std::string& error);
  bool follow_rotation(std::string& error);
  bool rotate(std::string& error);
  bool continues(std::string_view payload, std::string& error) const;
  void write_seal();
  void run_background();

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
  std::uint64_t enqueued_ = 0, written_ = 0, synced_ = 0;   ///< tickets issued, processed by a writer, fdatasync'd
  std::uint64_t checkpointed_ = 0;    ///< tickets covered by a checkpoint a leader was asked for
  std::deque<Batch> batches_;
  std::string fatal_;                 ///< a failure that stops the log for good
  std::string transient_;             ///< the last write or lock failure, cleared by a later success
  std::mutex sync_mu_;                ///< one fdatasync of the log at a time
  bool stop_ = false;
  std::uint64_t size_seen_ = 0;

  // Guarded by io_mu_ (held by the group-commit leader): the files and the tree.
  std::mutex io_mu_;
  // Opened once; batches flock lock_fd_. fd_ is the active segment: it moves
  // to a new file at a rotation (atomic: sync_to reads it without io_mu_), and
  // the old descriptor stays open until close (a sync may be using it).
  std::atomic<int> fd_{-1};
  int ckpt_fd_ = -1, seal_fd_ = -1, lock_fd_ = -1;
  std::vector<int> retired_fds_;
  std::uint64_t active_first_ = 0;          ///< the sequence number of the active segment's first record
  std::vector<SegmentFile> sealed_;         ///< the sealed segments present at open (checked with the prefix)
  std::map<std::uint64_t, Hash> signed_roots_;   ///< every signed checkpoint's size and root, as read at open
  std::uint64_t unsealed_from_ = 0, unsealed_to_ = 0;   ///< records found unsealed at open, flagged in the next checkpoint
  std::uint64_t end_offset_ = 0, ckpt_end_offset_ = 0;
  std::uint64_t records_ = 0, checkpoints_ = 0, last_ckpt_size_ = 0;
  std::chrono::steady_clock::time_point last_ckpt_time_;
  // INVARIANT: tree_.size() == records_, and records_ frames end at end_offset_.
  CompactRange tree_;
  std::map<std::string, LoggedFlip> flips_;   ///< guarded by io_mu_
  std::uint64_t frontier_stored_ = 0;         ///< the size of the stored frontier; guarded by io_mu_
  std::atomic<bool> closing_{false};          ///< the final checkpoint stores the frontier
  // The records before the frontier opening started from: their count, where
  // they end, and the signed root they must hash to.
  std::uint64_t prefix_size_ = 0, prefix_offset_ = 0;
  Hash prefix_root_{};
  std::atomic<bool> stop_prefix_{false};
  std::mutex prefix_mu_;
  bool prefix_ok_ = true;                     ///< guarded by prefix_mu_
  std::thread prefix_thread_;

  std::thread background_;
};

}  // namespace redline::audit
