// audit/log.cc — AuditLog of audit/log.h: opening (scan, torn-tail cut,
// check against the latest checkpoint), group commit, catching up with other
// writers, checkpoints, and the background flusher.
#include "audit/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit/checkpoint.h"
#include "audit/log_format.h"

namespace redline::audit {
namespace {

std::string errno_text() {
  std::string s = std::strerror(errno);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// Reads [from, to) of a file descriptor.
bool pread_range(int fd, std::uint64_t from, std::uint64_t to, std::string& out, std::string& error) {
  out.resize(static_cast<std::size_t>(to - from));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = "cannot read the audit log: " + errno_text(), false;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return true;
}

std::uint64_t file_size(int fd) {
  struct stat st{};
  return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

bool all_zero(std::string_view s) {
  for (char c : s)
    if (c != 0) return false;
  return true;
}

constexpr std::size_t kBackpressure = 1u << 16;  // buffered records before an appender commits itself

}  // namespace

AuditLog::AuditLog(const state::StateDir& dir, LogOptions options) : dir_(dir), options_(options) {}

state::Result<std::unique_ptr<AuditLog>> AuditLog::open(const state::StateDir& dir, LogOptions options) {
  state::Result<std::unique_ptr<AuditLog>> r;
  if (!dir.signer()) {
    r.error = "cannot read the checkpoint signing key `" + dir.file("key") + "`";
    return r;
  }
  std::unique_ptr<AuditLog> log(new AuditLog(dir, options));
  if (!log->load(r.error)) return r;
  if (options.background) log->background_ = std::thread([p = log.get()] { p->run_background(); });
  r.value = std::move(log);
  return r;
}

bool AuditLog::load(std::string& error) {
  fd_ = ::open(dir_.file("audit.log").c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ckpt_fd_ = ::open(dir_.file("checkpoints").c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0 || ckpt_fd_ < 0) return error = "cannot open the audit log in `" + dir_.path() + "`: " + errno_text(), false;
  if (!state::sync_dir(dir_.path(), error)) return false;
  auto lock = state::FileLock::acquire(dir_.file("lock"), true);
  if (!lock.ok()) return error = lock.error, false;
  std::lock_guard io(io_mu_);
  last_ckpt_time_ = std::chrono::steady_clock::now();

  // Checkpoints first: each one only ever covers records already durable.
  std::string ckpts;
  if (!pread_range(ckpt_fd_, 0, file_size(ckpt_fd_), ckpts, error)) return false;
  std::optional<Checkpoint> latest;
  std::size_t off = 0;
  for (;;) {
    Frame f = read_frame(ckpts, off);
    if (f.status == FrameStatus::end) break;
    if (f.status != FrameStatus::ok) {
      if (f.status == FrameStatus::corrupt && !all_zero(std::string_view(ckpts).substr(off)))
        return error = "checkpoint " + std::to_string(checkpoints_) + " is damaged (" + to_string(f.status) +
                       "); run `redline audit verify`",
               false;
      if (::ftruncate(ckpt_fd_, static_cast<off_t>(off)) != 0 || ::fdatasync(ckpt_fd_) != 0)
        return error = "cannot cut the torn tail of the checkpoints: " + errno_text(), false;
      open_report_ += "cut a torn checkpoint tail of " + std::to_string(ckpts.size() - off) + " bytes; ";
      break;
    }
    VerifiedCheckpoint v = verify_checkpoint(f.payload, dir_.origin(), std::span(&dir_.verifier(), 1));
    if (!v.ok || f.seq != checkpoints_)
      return error = "checkpoint " + std::to_string(checkpoints_) + " does not verify (" + (v.ok ? "misnumbered" : v.error) +
                     "); run `redline audit verify`",
             false;
    latest = v.checkpoint;
    ++checkpoints_;
    off += f.size;
  }
  ckpt_end_offset_ = off;
  last_ckpt_size_ = latest ? latest->size : 0;

  std::string data;
  if (!pread_range(fd_, 0, file_size(fd_), data, error)) return false;
  off = 0;
  for (;;) {
    if (latest && records_ == latest->size && tree_.root() != latest->root)
      return error = "the audit log does not match checkpoint " + std::to_string(checkpoints_ - 1) +
                     " (a record up to " + std::to_string(latest->size - 1) + " was altered); run `redline audit verify`",
             false;
    Frame f = read_frame(data, off);
    if (f.status == FrameStatus::end) break;
    bool torn = f.status == FrameStatus::truncated || (f.status == FrameStatus::corrupt && all_zero(std::string_view(data).substr(off)));
    if (f.status != FrameStatus::ok && (!torn || records_ < last_ckpt_size_))
      return error = "record " + std::to_string(records_) + " of the audit log is damaged (" + to_string(f.status) +
                     "); run `redline audit verify`",
             false;
    if (torn) {
      if (::ftruncate(fd_, static_cast<off_t>(off)) != 0 || ::fdatasync(fd_) != 0)
        return error = "cannot cut the torn tail of the audit log: " + errno_text(), false;
      open_report_ += "cut a torn tail of " + std::to_string(data.size() - off) + " bytes after record " +
                      (records_ ? std::to_string(records_ - 1) : std::string("none")) + "; ";
      break;
    }
    if (f.seq != records_)
      return error = "record " + std::to_string(records_) + " of the audit log is numbered " + std::to_string(f.seq) +
                     " (a record was dropped or moved); run `redline audit verify`",
             false;
    tree_.append(leaf_hash(f.payload));
    ++records_;
    off += f.size;
  }
  if (records_ < last_ckpt_size_)
    return error = "the audit log holds " + std::to_string(records_) + " records but checkpoint " + std::to_string(checkpoints_ - 1) +
                   " covers " + std::to_string(last_ckpt_size_) + " (records were removed); run `redline audit verify`",
           false;
  end_offset_ = off;
  if (!open_report_.empty()) open_report_.resize(open_report_.size() - 2);
  size_seen_ = records_;
  return true;
}

bool AuditLog::catch_up(std::string& error) {
  std::uint64_t size = file_size(fd_);
  if (size < end_offset_) return error = "the audit log shrank while open (another process cut it)", false;
  if (size > end_offset_) {
    std::string data;
    if (!pread_range(fd_, end_offset_, size, data, error)) return false;
    std::size_t off = 0;
    for (;;) {
      Frame f = read_frame(data, off);
      if (f.status == FrameStatus::end) break;
      if (f.status != FrameStatus::ok || f.seq != records_) {
        // We hold the lock, so whoever wrote this is gone: a torn tail.
        if (f.status == FrameStatus::corrupt && !all_zero(std::string_view(data).substr(off)))
          return error = "record " + std::to_string(records_) + " appended by another process is damaged", false;
        if (::ftruncate(fd_, static_cast<off_t>(end_offset_ + off)) != 0)
          return error = "cannot cut a torn tail of the audit log: " + errno_text(), false;
        break;
      }
      tree_.append(leaf_hash(f.payload));
      ++records_;
      off += f.size;
    }
    end_offset_ += off;
  }
  std::uint64_t csize = file_size(ckpt_fd_);
  if (csize > ckpt_end_offset_) {
    std::string data;
    if (!pread_range(ckpt_fd_, ckpt_end_offset_, csize, data, error)) return false;
    std::size_t off = 0;
    for (Frame f; (f = read_frame(data, off)).status == FrameStatus::ok; off += f.size) {
      if (auto c = parse_checkpoint(f.payload.substr(0, f.payload.find("\n\n") + 1))) last_ckpt_size_ = c->size;
      ++checkpoints_;
    }
    if (off < data.size() && ::ftruncate(ckpt_fd_, static_cast<off_t>(ckpt_end_offset_ + off)) != 0)
      return error = "cannot cut a torn tail of the checkpoints: " + errno_text(), false;
    ckpt_end_offset_ += off;
  }
  return true;
}

bool AuditLog::write_checkpoint(std::string& error) {
  Checkpoint c{dir_.origin(), records_, tree_.root(), {}};
  auto note = sign_checkpoint(c, std::span(&*dir_.signer(), 1));
  if (!note) return error = "cannot sign a checkpoint", false;
  std::string frame;
  append_frame(frame, checkpoints_, *note);
  if (!state::write_all(ckpt_fd_, frame.data(), frame.size(), error) || ::fdatasync(ckpt_fd_) != 0) {
    if (error.empty()) error = errno_text();
    error = "cannot write a checkpoint: " + error;
    return false;
  }
  ckpt_end_offset_ += frame.size();
  ++checkpoints_;
  last_ckpt_size_ = records_;
  last_ckpt_time_ = std::chrono::steady_clock::now();
  return true;
}

bool AuditLog::write_batch(std::vector<std::string>& payloads, bool force_checkpoint, std::uint64_t& first_seq, std::string& error) {
  auto lock = state::FileLock::acquire(dir_.file("lock"), true);
  if (!lock.ok()) return error = lock.error, false;
  if (!catch_up(error)) return false;
  first_seq = records_;
  if (!payloads.empty()) {
    std::string buf;
    std::vector<Hash> leaves;
    leaves.reserve(payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      append_frame(buf, records_ + i, payloads[i]);
      leaves.push_back(leaf_hash(payloads[i]));
    }
    // INVARIANT: the tree and the counters advance only once the bytes are durable.
    if (!state::write_all(fd_, buf.data(), buf.size(), error) || ::fdatasync(fd_) != 0) {
      if (error.empty()) error = errno_text();
      error = "cannot write the audit log: " + error;
      if (::ftruncate(fd_, static_cast<off_t>(end_offset_)) != 0) error += " (and cannot cut the partial write)";
      return false;
    }
    for (const Hash& h : leaves) tree_.append(h);
    records_ += payloads.size();
    end_offset_ += buf.size();
  }
  bool due = records_ > last_ckpt_size_ &&
             (records_ - last_ckpt_size_ >= options_.checkpoint_every ||
              std::chrono::steady_clock::now() - last_ckpt_time_ >= options_.checkpoint_interval);
  if ((force_checkpoint || due) && !write_checkpoint(error)) return false;
  return true;
}

state::Result<std::uint64_t> AuditLog::commit(std::uint64_t ticket, bool force_checkpoint) {
  state::Result<std::uint64_t> r;
  std::unique_lock lk(mu_);
  // Group commit: one leader writes and syncs everything buffered; the others
  // wait for `done_` to pass their ticket, and the next leader takes all that
  // was buffered while the previous sync ran.
  for (;;) {
    if (!failure_.empty()) return r.error = failure_, r;
    if (done_ >= ticket && !force_checkpoint) break;
    if (!leader_) {
      leader_ = true;
      std::vector<std::string> batch;
      batch.swap(pending_);
      std::uint64_t first_ticket = done_, end_ticket = enqueued_;
      lk.unlock();
      std::uint64_t first_seq = 0;
      std::string error;
      bool ok = false;
      {
        std::lock_guard io(io_mu_);
        ok = write_batch(batch, force_checkpoint, first_seq, error);
      }
      lk.lock();
      leader_ = false;
      done_ = end_ticket;
      if (end_ticket > first_ticket) batches_.push_back({first_ticket, end_ticket, first_seq, ok});
      while (batches_.size() > 4096) batches_.pop_front();
      if (ok) size_seen_ = first_seq + batch.size();
      else failure_ = error;
      done_cv_.notify_all();
      if (!ok) return r.error = error, r;
      force_checkpoint = false;
      continue;
    }
    done_cv_.wait(lk);
  }
  if (ticket == 0) return r.value = 0, r;
  for (auto it = batches_.rbegin(); it != batches_.rend(); ++it) {
    if (it->first_ticket < ticket && ticket <= it->end_ticket) {
      if (!it->ok) return r.error = failure_.empty() ? "the audit log failed" : failure_, r;
      return r.value = it->first_seq + (ticket - 1 - it->first_ticket), r;
    }
  }
  return r.error = "the audit log lost track of a record (internal error)", r;
}

bool AuditLog::append(std::string payload, std::string* error) {
  bool commit_now = false;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lk(mu_);
    if (!failure_.empty()) {
      if (error) *error = failure_;
      return false;
    }
    if (payload.size() > kMaxPayload) {
      if (error) *error = "an audit record is larger than " + std::to_string(kMaxPayload) + " bytes";
      return false;
    }
    pending_.push_back(std::move(payload));
    ticket = ++enqueued_;
    commit_now = pending_.size() >= kBackpressure;
  }
  if (commit_now) {
    auto r = commit(ticket, false);
    if (!r.ok()) {
      if (error) *error = r.error;
      return false;
    }
  }
  return true;
}

state::Result<std::uint64_t> AuditLog::append_durable(std::string payload, bool checkpoint_after) {
  state::Result<std::uint64_t> r;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lk(mu_);
    if (!failure_.empty()) return r.error = failure_, r;
    if (payload.size() > kMaxPayload) return r.error = "an audit record is larger than " + std::to_string(kMaxPayload) + " bytes", r;
    pending_.push_back(std::move(payload));
    ticket = ++enqueued_;
  }
  return commit(ticket, checkpoint_after);
}

bool AuditLog::flush(std::string* error) {
  std::uint64_t ticket;
  {
    std::lock_guard lk(mu_);
    ticket = enqueued_;
  }
  auto r = commit(ticket, false);
  if (!r.ok() && error) *error = r.error;
  return r.ok();
}

bool AuditLog::checkpoint(std::string* error) {
  std::uint64_t ticket;
  {
    std::lock_guard lk(mu_);
    ticket = enqueued_;
  }
  auto r = commit(ticket, true);
  if (!r.ok() && error) *error = r.error;
  return r.ok();
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lk(mu_);
  return size_seen_;
}

std::uint64_t AuditLog::buffered() const {
  std::lock_guard lk(mu_);
  return enqueued_ - done_;
}

std::string AuditLog::failure() const {
  std::lock_guard lk(mu_);
  return failure_;
}

void AuditLog::run_background() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, options_.flush_interval);
    if (stop_) break;
    bool work = !pending_.empty();
    std::uint64_t ticket = enqueued_;
    lk.unlock();
    if (work) {
      (void)commit(ticket, false);
    } else {
      bool due = false;
      {
        std::lock_guard io(io_mu_);
        due = records_ > last_ckpt_size_ && std::chrono::steady_clock::now() - last_ckpt_time_ >= options_.checkpoint_interval;
      }
      if (due) (void)commit(0, true);
    }
    lk.lock();
  }
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (background_.joinable()) background_.join();
  bool news = false;
  {
    std::lock_guard io(io_mu_);
    std::lock_guard lk(mu_);
    news = failure_.empty() && (!pending_.empty() || records_ > last_ckpt_size_);
  }
  if (news) (void)commit(0, true);
  if (fd_ >= 0) ::close(fd_);
  if (ckpt_fd_ >= 0) ::close(ckpt_fd_);
}

}  // namespace redline::audit
