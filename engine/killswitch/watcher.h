// killswitch/watcher.h — keeps a SwitchBoard in step with a state folder's
// persisted switches, so a flip made by another process (the `redline switch`
// CLI) reaches a running one quickly: a thread waits on inotify for
// switches.json being replaced, with a stat-polling fallback (and a periodic
// re-check even with inotify). When the state cannot be read, every switch on
// the board is tripped (fail closed) until it can.
//
// Nothing here throws.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "audit/log.h"
#include "redline/engine.h"
#include "state/state_dir.h"

namespace redline::killswitch {

/// How a watcher watches.
struct WatchOptions {
  bool inotify = true;                            ///< false: polling only
  std::chrono::milliseconds poll_interval{20};    ///< stat polling period (and inotify re-check)
  audit::AuditLog* log = nullptr;                 ///< the folder's log: the authority on switch state (see load_into)
  /// Told (once per distinct message) when the state is unreadable or
  /// disagrees with the log; default: a line on stderr.
  std::function<void(const std::string&)> on_error{};
};

/// A thread that applies the persisted switch state to a board.
class SwitchWatcher {
 public:
  /// Loads the state into `board` now (fail closed) and starts watching; the
  /// board must outlive the watcher. `error` says why the first load failed.
  static std::unique_ptr<SwitchWatcher> start(const state::StateDir& dir, SwitchBoard& board, WatchOptions options, std::string& error);
  /// Stops the thread.
  ~SwitchWatcher();
  SwitchWatcher(const SwitchWatcher&) = delete;
  SwitchWatcher& operator=(const SwitchWatcher&) = delete;

  /// Whether inotify is in use (otherwise polling).
  bool using_inotify() const { return inotify_fd_ >= 0; }
  /// How many times the state was (re)applied.
  std::uint64_t reloads() const { return reloads_.load(); }

 private:
  SwitchWatcher(const state::StateDir& dir, SwitchBoard& board, WatchOptions options);
  void run();
  bool reload();

  state::StateDir dir_;
  SwitchBoard& board_;
  WatchOptions options_;
  int inotify_fd_ = -1, stop_fd_ = -1;
  std::string last_stamp_, last_error_;
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace redline::killswitch
