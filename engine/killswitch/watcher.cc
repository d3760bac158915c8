// killswitch/watcher.cc — SwitchWatcher of killswitch/watcher.h.
#include "killswitch/watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "killswitch/switch_state.h"

namespace redline::killswitch {
namespace {

// Identifies one version of the state file: inode, size and change time.
std::string stamp_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_nsec);
}

}  // namespace

SwitchWatcher::SwitchWatcher(const state::StateDir& dir, SwitchBoard& board, WatchOptions options)
    : dir_(dir), board_(board), options_(options) {}

std::unique_ptr<SwitchWatcher> SwitchWatcher::start(const state::StateDir& dir, SwitchBoard& board, WatchOptions options,
                                                    std::string& error) {
  std::unique_ptr<SwitchWatcher> w(new SwitchWatcher(dir, board, options));
  if (options.inotify) {
    w->inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->inotify_fd_ >= 0 &&
        ::inotify_add_watch(w->inotify_fd_, dir.path().c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_ATTRIB) < 0) {
      ::close(w->inotify_fd_);
      w->inotify_fd_ = -1;  // fall back to polling
    }
  }
  w->stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  w->last_stamp_ = stamp_of(dir.file("switches.json"));
  if (options.log) load_into(dir, *options.log, board, error);
  else load_into(dir, board, error);
  w->last_error_ = error;
  w->reloads_ = 1;
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

bool SwitchWatcher::reload() {
  std::string error;
  last_stamp_ = stamp_of(dir_.file("switches.json"));
  bool ok = options_.log ? load_into(dir_, *options_.log, board_, error) : load_into(dir_, board_, error);
  reloads_.fetch_add(1);
  if (!error.empty() && error != last_error_) {
    if (options_.on_error) options_.on_error(error);
    else std::fprintf(stderr, "redline: kill switches: %s\n", error.c_str());
  }
  last_error_ = error;
  return ok;
}

void SwitchWatcher::run() {
  pollfd fds[2];
  int n = 0;
  fds[n++] = {stop_fd_, POLLIN, 0};
  if (inotify_fd_ >= 0) fds[n++] = {inotify_fd_, POLLIN, 0};
  alignas(inotify_event) char buf[4096];
  for (;;) {
    int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(options_.poll_interval.count()));
    if (rc < 0 && errno != EINTR) {
      trip_all(board_);  // cannot watch any more: fail closed
      return;
    }
    if ((fds[0].revents & POLLIN) || stop_.load()) return;
    bool changed = false;
    if (n > 1 && (fds[1].revents & POLLIN)) {
      for (;;) {
        ssize_t len = ::read(inotify_fd_, buf, sizeof buf);
        if (len <= 0) break;
        for (char* p = buf; p < buf + len;) {
          auto* ev = reinterpret_cast<inotify_event*>(p);
          if (ev->len > 0 && std::strcmp(ev->name, "switches.json") == 0) changed = true;
          if (ev->mask & IN_Q_OVERFLOW) changed = true;
          p += sizeof(inotify_event) + ev->len;
        }
      }
    }
    if (!changed) changed = stamp_of(dir_.file("switches.json")) != last_stamp_;
    if (changed) reload();
  }
}

SwitchWatcher::~SwitchWatcher() {
  stop_.store(true);
  if (stop_fd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t w = ::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

}  // namespace redline::killswitch
