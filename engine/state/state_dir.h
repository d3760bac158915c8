// state/state_dir.h — the runtime state folder (`--state DIR`): opening it
// (created on first use with a FORMAT file; a folder from a future format is
// refused), the advisory lock that serialises writers across processes
// (flock on DIR/lock), durable file helpers (append + fdatasync, atomic
// replace), and the per-folder secrets created on first use: the checkpoint
// signing key, the masking salt and the log origin.
//
// Layout of a state folder (format 1):
//   FORMAT           "redline-state 1\n"
//   lock             empty; writers hold flock(LOCK_EX) on it
//   origin           the checkpoint origin line of this folder's log
//   key, key.pub     the Ed25519 signer (mode 0600) and verifier key strings
//   salt             64 hex digits (mode 0600): the masking salt
//   mask.json        optional: {"fields": ["/actor/id", ...]} (JSON pointers)
//   audit.log        framed records (audit/log_format.h)
//   checkpoints      framed signed checkpoints
//   switches.json    persisted kill-switch state (killswitch/switch_state.h)
//   policies/<hex>.json  content-addressed policy sources (audit/policy_store.h)
//
// Nothing here throws; errors are returned as one lowercase line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signed_note.h"

namespace redline::state {

/// The state-folder format this build writes and reads.
inline constexpr int kFormatVersion = 1;

/// A value or a one-line error.
template <class T>
struct Result {
  std::optional<T> value;
  std::string error;
  bool ok() const { return value.has_value(); }
};

/// An open state folder: its paths and its secrets.
class StateDir {
 public:
  /// Opens `path`, creating it (mode 0700, and its FORMAT, origin, key and
  /// salt, mode 0600) when `create` is true and it does not exist; refuses a
  /// future format. A writer (`create`) refuses a folder that is not owned by
  /// this user or that others may read or write (anyone who can open its
  /// `lock` can stall every writer), naming the chmod that fixes it.
  static Result<StateDir> open(const std::string& path, bool create);

  /// The folder.
  const std::string& path() const { return path_; }
  /// A file inside the folder.
  std::string file(std::string_view name) const;
  /// The checkpoint origin of this folder's log.
  const std::string& origin() const { return origin_; }
  /// The verifier of this folder's checkpoints.
  const crypto::NoteVerifier& verifier() const { return verifier_; }
  /// The signer of checkpoints (absent when the key file is unreadable, e.g. for a reader).
  const std::optional<crypto::NoteSigner>& signer() const { return signer_; }
  /// The masking salt (empty when unreadable).
  const std::vector<std::uint8_t>& salt() const { return salt_; }
  /// The JSON pointers masked by DIR/mask.json (empty when there is none).
  const std::vector<std::string>& mask() const { return mask_; }

 private:
  std::string path_, origin_;
  crypto::NoteVerifier verifier_;
  std::optional<crypto::NoteSigner> signer_;
  std::vector<std::uint8_t> salt_;
  std::vector<std::string> mask_;
};

/// Takes an flock on the open descriptor `fd`, exclusive or shared, waiting at
/// most `timeout` (a negative timeout waits forever); false with `error` (why,
/// without the path) when it cannot.
bool lock_with_timeout(int fd, bool exclusive, std::chrono::milliseconds timeout, std::string& error);

/// An advisory lock on a file (flock); released by the destructor.
class FileLock {
 public:
  /// Locks `path` (created 0600 if missing), exclusive or shared, waiting at
  /// most `timeout` (then failing, naming the path); a negative timeout waits forever.
  static Result<FileLock> acquire(const std::string& path, bool exclusive,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Why a writer may not use folder `path` (owned by another user, or group or
/// others have any access), or "" when it may.
std::string check_private(const std::string& path);

/// Reads a whole file; nullopt (with `error`) when it cannot.
std::optional<std::string> read_file(const std::string& path, std::string* error = nullptr);
/// Replaces a file atomically and durably (temp file, fsync, rename, fsync folder).
/// Files are created 0600 (`secret` is kept for callers; every state file is private).
bool write_file_atomic(const std::string& path, std::string_view data, std::string& error, bool secret = false);
/// fsyncs a folder so a created or renamed entry survives a crash.
bool sync_dir(const std::string& path, std::string& error);
/// Writes all of `data` at the end of `fd` (retrying short writes); false on error.
bool write_all(int fd, const void* data, std::size_t size, std::string& error);
/// The current time as RFC 3339 UTC with milliseconds.
std::string now_rfc3339();

}  // namespace redline::state
