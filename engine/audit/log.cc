// audit/log.cc — AuditLog of audit/log.h: opening (scan, torn-tail cut,
// check against the latest checkpoint), group commit, catching up with other
// writers, checkpoints, and the background flusher.
#include "audit/log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cerrno>
#include <cstring>

#include "audit/checkpoint.h"
#include "audit/log_format.h"
#include "audit/segments.h"
#include "audit/witness.h"
#include "crypto/sha256.h"

#include <nlohmann/json.hpp>

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

constexpr std::size_t kSealSize = 72;  // the seal file: size (8, LE), root (32), HMAC (32)

bool same_file(const std::string& path, int fd) {
  struct stat a{}, b{};
  return ::stat(path.c_str(), &a) == 0 && ::fstat(fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

// Reads one segment from its start to byte `to` into `tree`. A segment after
// the first opens with its segment record, whose tree of the records before
// it must be the signed checkpoint at that size (one is written at every
// rotation); the tree starts from there.
bool read_segment(int fd, std::uint64_t first, std::uint64_t to, const std::map<std::uint64_t, Hash>& signed_roots,
                  const std::atomic<bool>& stop, CompactRange& tree, std::string& error) {
  tree = CompactRange();
  if (first > 0) {
    FrameStream head(fd, 0, file_size(fd));
    Frame f;
    if (!head.next(f, error)) return false;
    auto start = f.status == FrameStatus::ok && f.seq == first ? parse_segment_record(f.payload) : std::nullopt;
    auto before = start && start->first == first ? tree_before(*start) : std::nullopt;
    if (!before) return error = "the segment of record " + std::to_string(first) + " does not open with its segment record", false;
    auto it = signed_roots.find(first);
    if (it == signed_roots.end() || it->second != before->root())
      return error = "the segment of record " + std::to_string(first) + " does not continue the log: its segment record does not match the signed checkpoint of " +
                     std::to_string(first) + " records",
             false;
    tree = *before;
  }
  FrameStream in(fd, 0, to);
  for (;;) {
    if (stop) return true;
    Frame f;
    if (!in.next(f, error)) return false;
    if (f.status == FrameStatus::end) return true;
    if (f.status != FrameStatus::ok || f.seq != tree.size())
      return error = "record " + std::to_string(tree.size()) + " of the audit log is " +
                     (f.status != FrameStatus::ok ? "damaged (" + std::string(to_string(f.status)) + ")" : "numbered " + std::to_string(f.seq)),
             false;
    tree.append(leaf_hash(f.payload));
    in.advance(f);
  }
}

}  // namespace

const char* to_string(Durability d) {
  switch (d) {
    case Durability::buffered: return "buffered";
    case Durability::written: return "written";
    case Durability::durable: return "durable";
  }
  return "durable";
}

std::optional<Durability> durability_from_string(std::string_view s) {
  if (s == "buffered") return Durability::buffered;
  if (s == "written") return Durability::written;
  if (s == "durable") return Durability::durable;
  return std::nullopt;
}

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
  if (log->prefix_size_ > 0 && options.background) log->prefix_thread_ = std::thread([p = log.get()] {
    std::string error;
    if (p->check_prefix(error) || p->stop_prefix_) return;
    std::lock_guard lk(p->mu_);
    p->fatal_ = error;   // fail closed: nothing more is appended to a log whose past was altered
  });
  r.value = std::move(log);
  return r;
}

bool AuditLog::load(std::string& error) {
  fd_ = ::open(dir_.file("audit.log").c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  ckpt_fd_ = ::open(dir_.file("checkpoints").c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  // The lock file stays open too: every batch locks this descriptor, so a
  // process out of descriptors (a connection flood) can still write its log.
  lock_fd_ = ::open(dir_.file("lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0 || ckpt_fd_ < 0 || lock_fd_ < 0)
    return error = "cannot open the audit log in `" + dir_.path() + "`: " + errno_text(), false;
  // Files of an older folder may be 0644: nobody but the owner reads the log.
  (void)::fchmod(fd_, 0600);
  (void)::fchmod(ckpt_fd_, 0600);
  (void)::fchmod(lock_fd_, 0600);
  if (!state::sync_dir(dir_.path(), error)) return false;
  auto lock = state::FileLock::acquire(dir_.file("lock"), true, options_.lock_timeout);
  if (!lock.ok()) return error = lock.error, false;
  std::lock_guard io(io_mu_);
  last_ckpt_time_ = std::chrono::steady_clock::now();

  // Checkpoints first: each one only ever covers records already durable.
  std::string ckpts;
  if (!pread_range(ckpt_fd_, 0, file_size(ckpt_fd_), ckpts, error)) return false;
  std::optional<Checkpoint> latest;
  std::map<std::uint64_t, Hash> signed_roots;   // every checkpoint's size and root
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
    signed_roots[v.checkpoint.size] = v.checkpoint.root;
    ++checkpoints_;
    off += f.size;
  }
  ckpt_end_offset_ = off;
  last_ckpt_size_ = latest ? latest->size : 0;
  signed_roots_ = signed_roots;

  // Segments (audit/segments.h): the sealed ones are checked with the records
  // before the start; the active one opens with its segment record unless it
  // is the first.
  (void)::unlink(dir_.file("audit.log.next").c_str());   // a rotation cut short before its rename
  {
    std::vector<SegmentFile> files;
    if (!list_segments(dir_, {}, files, error)) return false;
    active_first_ = files.back().first;
    files.pop_back();
    sealed_ = std::move(files);
    // A rotation cut short after linking the active segment: the link goes.
    std::string link = dir_.file(segment_file_name(active_first_));
    if (same_file(link, fd_)) (void)::unlink(link.c_str());
  }
  if (file_size(fd_) == 0 && !sealed_.empty())
    return error = "the active segment `audit.log` is empty but sealed segments exist (it was deleted or emptied); run `redline audit verify`",
           false;
  if (active_first_ == 0 && !sealed_.empty())
    return error = "`segments/` holds sealed segments but `audit.log` begins at record 0 (the log was replaced); run `redline audit verify`",
           false;

  // The witness holds checkpoints published earlier: the log must still hold
  // every record they cover (a folder cut back to an old checkpoint, or re-signed, is refused).
  std::map<std::uint64_t, Hash> witnessed;
  if (!options_.witness.empty()) {
    auto w = open_witness(options_.witness);
    auto entries = w->read();
    if (!entries.ok() && entries.error.rfind("no witness file", 0) != 0) return error = entries.error, false;
    auto key = crypto::format_verifier_key(dir_.verifier());
    for (const WitnessEntry& e : entries.ok() ? *entries.value : std::vector<WitnessEntry>{}) {
      if (!key || e.key != *key)
        return error = w->where() + " pins checkpoint key `" + e.key + "`, not this folder's key: the folder was re-signed or is another folder",
               false;
      VerifiedCheckpoint v = verify_checkpoint(e.note, dir_.origin(), std::span(&dir_.verifier(), 1));
      if (!v.ok) return error = w->where() + " holds a checkpoint that does not verify: " + v.error, false;
      witnessed[v.checkpoint.size] = v.checkpoint.root;
    }
  }
  // The seal of the tail (see seal_of), read first so the scan can check it.
  seal_fd_ = ::open(dir_.file("seal").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (seal_fd_ < 0) return error = "cannot open `" + dir_.file("seal") + "`: " + errno_text(), false;
  std::optional<std::pair<std::uint64_t, Hash>> seal;
  {
    std::string bytes;
    if (!pread_range(seal_fd_, 0, kSealSize, bytes, error)) return false;
    if (bytes.size() == kSealSize) {
      std::uint64_t size = 0;
      Hash root{}, mac{};
      for (int i = 0; i < 8; ++i) size |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)])) << (8 * i);
      std::memcpy(root.data(), bytes.data() + 8, 32);
      std::memcpy(mac.data(), bytes.data() + 40, 32);
      if (CRYPTO_memcmp(mac.data(), seal_of(size, root).data(), 32) == 0) seal.emplace(size, root);
    }
  }
  // Streamed through a bounded window: opening takes memory independent of
  // the log's size; from the stored frontier, it reads only the records after it.
  std::uint64_t start = options_.resume_from_frontier ? resume(signed_roots, witnessed) : 0;
  if (start == 0 && active_first_ > 0) {
    // Without a usable frontier, start from the active segment's segment
    // record: the sealed segments are checked like the records before a frontier.
    CompactRange before;
    std::atomic<bool> go{false};
    if (!read_segment(fd_, active_first_, 0, signed_roots, go, before, error)) return error += "; run `redline audit verify`", false;
    for (const auto& [wsize, wroot] : witnessed)
      if (wsize < active_first_ && (!signed_roots.count(wsize) || signed_roots.at(wsize) != wroot))
        return error = "the witness holds a checkpoint of " + std::to_string(wsize) + " records that the folder does not (the log was rewritten); run `redline audit verify --witness`",
               false;
    Frame f;
    FrameStream head(fd_, 0, file_size(fd_));
    if (!head.next(f, error)) return false;
    flips_ = parse_segment_record(f.payload)->flips;
    tree_ = before;
    records_ = active_first_;
    prefix_size_ = active_first_;
    prefix_offset_ = 0;
    prefix_root_ = before.root();
  }
  FrameStream in(fd_, start, file_size(fd_));
  std::optional<Hash> root_at_seal;
  for (;;) {
    if (auto it = witnessed.find(records_); it != witnessed.end() && tree_.root() != it->second)
      return error = "the audit log does not match the checkpoint of " + std::to_string(records_) +
                     " records published to the witness (the log was rewritten); run `redline audit verify --witness`",
             false;
    if (latest && records_ == latest->size && tree_.root() != latest->root)
      return error = "the audit log does not match checkpoint " + std::to_string(checkpoints_ - 1) +
                     " (a record up to " + std::to_string(latest->size - 1) + " was altered); run `redline audit verify`",
             false;
    if (seal && records_ == seal->first) root_at_seal = tree_.root();
    Frame f;
    if (!in.next(f, error)) return false;
    if (f.status == FrameStatus::end) break;
    bool torn = f.status == FrameStatus::truncated;
    if (f.status == FrameStatus::corrupt) {
      torn = in.rest_is_zero(error);
      if (!error.empty()) return false;
    }
    if (f.status != FrameStatus::ok && (!torn || records_ < last_ckpt_size_))
      return error = "record " + std::to_string(records_) + " of the audit log is damaged (" + to_string(f.status) +
                     "); run `redline audit verify`",
             false;
    if (torn) {
      if (::ftruncate(fd_, static_cast<off_t>(in.offset())) != 0 || ::fdatasync(fd_) != 0)
        return error = "cannot cut the torn tail of the audit log: " + errno_text(), false;
      open_report_ += "cut a torn tail of " + std::to_string(in.end() - in.offset()) + " bytes after record " +
                      (records_ ? std::to_string(records_ - 1) : std::string("none")) + "; ";
      break;
    }
    if (f.seq != records_)
      return error = "record " + std::to_string(records_) + " of the audit log is numbered " + std::to_string(f.seq) +
                     " (a record was dropped or moved); run `redline audit verify`",
             false;
    if (is_segment_record(f.payload) && !continues(f.payload, error)) return error += "; run `redline audit verify`", false;
    tree_.append(leaf_hash(f.payload));
    note_record(records_, f.payload);
    ++records_;
    in.advance(f);
  }
  if (!witnessed.empty() && records_ < witnessed.rbegin()->first)
    return error = "the audit log holds " + std::to_string(records_) + " records but the witness holds a checkpoint of " +
                   std::to_string(witnessed.rbegin()->first) + " (records were removed); run `redline audit verify --witness`",
           false;
  if (records_ < last_ckpt_size_)
    return error = "the audit log holds " + std::to_string(records_) + " records but checkpoint " + std::to_string(checkpoints_ - 1) +
                   " covers " + std::to_string(last_ckpt_size_) + " (records were removed); run `redline audit verify`",
           false;
  end_offset_ = in.offset();
  // The tail after the latest checkpoint must be what a writer sealed.
  if (records_ > last_ckpt_size_) {
    std::uint64_t sealed = last_ckpt_size_;
    if (seal && seal->first > last_ckpt_size_ && seal->first <= records_) {
      if (!root_at_seal || *root_at_seal != seal->second)
        return error = "the records after checkpoint " + std::to_string(checkpoints_ - 1) + " differ from what the writer sealed (records " +
                       std::to_string(last_ckpt_size_) + ".." + std::to_string(seal->first - 1) + " were altered); run `redline audit verify`",
               false;
      sealed = seal->first;
    }
    if (sealed < records_) {
      // Never acknowledged by a writer (it died between writing and sealing), or
      // appended by someone else: kept, but the next checkpoint says so.
      unsealed_from_ = sealed;
      unsealed_to_ = records_;
      open_report_ += "records " + std::to_string(sealed) + ".." + std::to_string(records_ - 1) +
                      " were not sealed by the writer that appended them (a crash right after writing, or an append by someone else); "
                      "the next checkpoint marks them `unsealed`; ";
    }
  }
  // A writer signs checkpoint 0 as soon as it creates the log, so a log with
  // records and no checkpoint lost its checkpoints file (deleted or emptied).
  if (checkpoints_ == 0 && records_ > 0)
    return error = "the audit log holds " + std::to_string(records_) +
                   " records but no signed checkpoint (the checkpoints file was deleted or emptied); run `redline audit verify`",
           false;
  if (checkpoints_ == 0 && !write_checkpoint(error)) return false;
  // Without a background thread, the records before the frontier are checked now.
  if (prefix_size_ > 0 && !options_.background && !check_prefix(error)) return false;
  if (!open_report_.empty()) open_report_.resize(open_report_.size() - 2);
  size_seen_ = records_;
  return true;
}

// The tail seal (DIR/seal): after every batch the writer records the log's
// size and root with an HMAC keyed by the checkpoint signing key, so that at
// the next start the records after the latest checkpoint can be told apart:
// sealed ones were written by a redline writer; unsealed ones were not
// acknowledged by one (a crash between write and seal) or were appended by
// someone else. 8 bytes size (LE), 32 root, 32 HMAC.
Hash AuditLog::seal_of(std::uint64_t size, const Hash& root) const {
  std::string msg = "redline tail seal\n" + dir_.origin() + "\n" + std::to_string(size) + "\n";
  msg.append(reinterpret_cast<const char*>(root.data()), root.size());
  Hash mac{};
  unsigned len = 0;
  const auto& seed = dir_.signer()->keys.seed.bytes;
  HMAC(EVP_sha256(), seed.data(), static_cast<int>(seed.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac.data(), &len);
  return mac;
}

void AuditLog::write_seal() {
  if (seal_fd_ < 0) return;
  char buf[kSealSize];
  std::uint64_t n = records_;
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  Hash root = tree_.root(), mac = seal_of(records_, root);
  std::memcpy(buf + 8, root.data(), 32);
  std::memcpy(buf + 40, mac.data(), 32);
  (void)!::pwrite(seal_fd_, buf, sizeof buf, 0);
}

void AuditLog::note_record(std::uint64_t seq, std::string_view payload) {
  if (!payload.starts_with("{\"type\":\"switch\"")) return;
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("result", "") != "applied") return;
  std::string action = j.value("action", "");
  if (action != "trip" && action != "reset") return;
  LoggedFlip f;
  f.tripped = action == "trip";
  f.seq = seq;
  f.by = j.value("by", "");
  f.role = j.value("role", "");
  f.because = j.value("because", "");
  f.at = j.value("time", "");
  flips_[j.value("switch", "")] = std::move(f);
}

std::map<std::string, LoggedFlip> AuditLog::switch_flips(bool refresh, std::string* error) {
  std::lock_guard io(io_mu_);
  if (refresh) {
    std::string why;
    auto lock = state::FileLock::acquire(dir_.file("lock"), true, options_.lock_timeout);
    if (!lock.ok()) why = lock.error;
    else (void)catch_up(why);
    if (!why.empty() && error) *error = why;
  }
  return flips_;
}

// A segment record is where it belongs (the first record of the active
// segment, after the first) and its tree is the tree of the records before it.
bool AuditLog::continues(std::string_view payload, std::string& error) const {
  auto s = parse_segment_record(payload);
  auto before = s ? tree_before(*s) : std::nullopt;
  if (!before || s->first != records_ || records_ != active_first_ || records_ == 0)
    return error = "record " + std::to_string(records_) + " is a segment record out of place or malformed", false;
  if (before->root() != tree_.root())
    return error = "the segment that begins at record " + std::to_string(records_) + " does not continue the records before it", false;
  return true;
}

bool AuditLog::catch_up(std::string& error) {
  if (!read_tail(error)) return false;
  // Another writer sealed the active segment: what it wrote there is read
  // above; move on to the new one.
  if (!same_file(dir_.file("audit.log"), fd_) && (!follow_rotation(error) || !read_tail(error))) return false;
  std::uint64_t csize = file_size(ckpt_fd_);
  if (csize > ckpt_end_offset_) {
    std::string data;
    if (!pread_range(ckpt_fd_, ckpt_end_offset_, csize, data, error)) return false;
    std::size_t off = 0;
    for (Frame f; (f = read_frame(data, off)).status == FrameStatus::ok; off += f.size) {
      if (auto c = parse_checkpoint(f.payload.substr(0, f.payload.find("\n\n") + 1))) {
        last_ckpt_size_ = c->size;
        signed_roots_[c->size] = c->root;
      }
      ++checkpoints_;
    }
    if (off < data.size() && ::ftruncate(ckpt_fd_, static_cast<off_t>(ckpt_end_offset_ + off)) != 0)
      return error = "cannot cut a torn tail of the checkpoints: " + errno_text(), false;
    ckpt_end_offset_ += off;
  }
  return true;
}

bool AuditLog::follow_rotation(std::string& error) {
  int fd = ::open(dir_.file("audit.log").c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return error = "cannot open the new audit log segment: " + errno_text(), false;
  retired_fds_.push_back(fd_.exchange(fd));
  end_offset_ = 0;
  active_first_ = records_;
  return true;
}

// Seals the active segment (called under the folder lock right after a
// checkpoint of every record): links it into DIR/segments, then replaces
// audit.log with a new file that holds only its segment record. A crash
// between the two leaves a link of the active file (removed at the next
// open) or a stray audit.log.next (likewise); never a gap.
bool AuditLog::rotate(std::string& error) {
  std::string seg_dir = dir_.file("segments");
  if (::mkdir(seg_dir.c_str(), 0700) != 0 && errno != EEXIST) return error = "cannot create `" + seg_dir + "`: " + errno_text(), false;
  std::string sealed = dir_.file(segment_file_name(active_first_));
  if (::link(dir_.file("audit.log").c_str(), sealed.c_str()) != 0 && !(errno == EEXIST && same_file(sealed, fd_)))
    return error = "cannot seal the audit log segment as `" + sealed + "`: " + errno_text(), false;
  if (!state::sync_dir(seg_dir, error)) return false;
  SegmentStart start{records_, std::vector<Hash>(tree_.hashes().begin(), tree_.hashes().end()), flips_};
  std::string payload = segment_record(start, state::now_rfc3339()), frame;
  append_frame(frame, records_, payload);
  std::string next = dir_.file("audit.log.next");
  int fd = ::open(next.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return error = "cannot create `" + next + "`: " + errno_text(), false;
  if (!state::write_all(fd, frame.data(), frame.size(), error) || ::fdatasync(fd) != 0 ||
      ::rename(next.c_str(), dir_.file("audit.log").c_str()) != 0) {
    if (error.empty()) error = errno_text();
    ::close(fd);
    (void)::unlink(next.c_str());
    return error = "cannot start a new audit log segment: " + error, false;
  }
  if (!state::sync_dir(dir_.path(), error)) {
    ::close(fd);
    return false;
  }
  retired_fds_.push_back(fd_.exchange(fd));
  active_first_ = records_;
  tree_.append(leaf_hash(payload));
  ++records_;
  end_offset_ = frame.size();
  write_seal();
  write_frontier();
  return true;
}

bool AuditLog::read_tail(std::string& error) {
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
      if (is_segment_record(f.payload) && !continues(f.payload, error)) return false;
      tree_.append(leaf_hash(f.payload));
      note_record(records_, f.payload);
      ++records_;
      off += f.size;
    }
    end_offset_ += off;
  }
  return true;
}

bool AuditLog::write_checkpoint(std::string& error) {
  Checkpoint c{dir_.origin(), records_, tree_.root(), {}};
  if (unsealed_to_ > unsealed_from_) c.extensions.push_back("unsealed " + std::to_string(unsealed_from_) + " " + std::to_string(unsealed_to_));
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
  unsealed_from_ = unsealed_to_ = 0;
  if (records_ >= frontier_stored_ + options_.frontier_every || (closing_ && records_ > frontier_stored_)) write_frontier();
  if (!options_.witness.empty()) {
    // Published outside the folder: a later rewrite of the whole folder cannot take it back.
    auto key = crypto::format_verifier_key(dir_.verifier());
    if (!key || !open_witness(options_.witness)->publish({*key, *note}, error))
      return error = "cannot publish a checkpoint: " + (error.empty() ? std::string("cannot format the key") : error), false;
  }
  return true;
}

bool AuditLog::write_batch(std::vector<std::string>& payloads, bool force_checkpoint, std::uint64_t& first_seq, bool& records_ok,
                           bool& fatal, std::string& error) {
  records_ok = false;
  fatal = false;
  // The descriptor opened at load: no open() per batch, so a process out of
  // descriptors still writes. A holder that never lets go is an error after
  // lock_timeout, not a hang.
  if (!state::lock_with_timeout(lock_fd_, true, options_.lock_timeout, error))
    return error = "cannot write the audit log: cannot lock `" + dir_.file("lock") + "`: " + error, false;
  struct Unlock {
    int fd;
    ~Unlock() { ::flock(fd, LOCK_UN); }
  } unlock{lock_fd_};
  if (!catch_up(error)) return fatal = true, false;
  first_seq = records_;
  if (!payloads.empty()) {
    std::string buf;
    std::vector<Hash> leaves;
    leaves.reserve(payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      append_frame(buf, records_ + i, payloads[i]);
      leaves.push_back(leaf_hash(payloads[i]));
    }
    // INVARIANT: the tree and the counters advance only once the bytes are written;
    // a checkpoint covers only records already fdatasync'd.
    if (!state::write_all(fd_, buf.data(), buf.size(), error)) {
      error = "cannot write the audit log: " + error;
      // A partial frame is cut at once, so the next write starts on a boundary.
      if (::ftruncate(fd_, static_cast<off_t>(end_offset_)) != 0) {
        error += " (and cannot cut the partial write)";
        fatal = true;
      }
      return false;
    }
    for (const Hash& h : leaves) tree_.append(h);
    for (std::size_t i = 0; i < payloads.size(); ++i) note_record(records_ + i, payloads[i]);
    records_ += payloads.size();
    end_offset_ += buf.size();
    write_seal();
  }
  records_ok = true;
  bool due = records_ > last_ckpt_size_ &&
             (records_ - last_ckpt_size_ >= options_.checkpoint_every ||
              std::chrono::steady_clock::now() - last_ckpt_time_ >= options_.checkpoint_interval);
  bool seal = options_.segment_bytes > 0 && end_offset_ >= options_.segment_bytes && records_ > active_first_ + 1;
  if (force_checkpoint || due || seal) {
    if (::fdatasync(fd_) != 0) return error = "cannot sync the audit log: " + errno_text(), fatal = true, false;
    if (!write_checkpoint(error)) {
      if (::ftruncate(ckpt_fd_, static_cast<off_t>(ckpt_end_offset_)) != 0) fatal = true;
      return false;
    }
  }
  // The records are written and signed either way; a rotation that fails is
  // retried with the next batch (the log reports itself unhealthy meanwhile).
  if (seal && !rotate(error)) return false;
  return true;
}

bool AuditLog::sync_to(std::uint64_t ticket, std::string& error) {
  std::lock_guard s(sync_mu_);
  std::uint64_t upto;
  {
    std::lock_guard lk(mu_);
    if (synced_ >= ticket) return true;
    upto = written_;
  }
  // One fdatasync covers every record written before it started (group commit).
  if (::fdatasync(fd_) != 0) {
    error = "cannot sync the audit log: " + errno_text();
    std::lock_guard lk(mu_);
    fatal_ = error;  // after a failed fdatasync the page cache cannot be trusted: stop
    done_cv_.notify_all();
    return false;
  }
  std::lock_guard lk(mu_);
  synced_ = std::max(synced_, upto);
  return true;
}

state::Result<std::uint64_t> AuditLog::commit(std::uint64_t ticket, Durability level, bool force_checkpoint) {
  state::Result<std::uint64_t> r;
  std::unique_lock lk(mu_);
  auto find = [&](std::uint64_t t) -> const Batch* {
    for (auto it = batches_.rbegin(); it != batches_.rend(); ++it)
      if (it->first_ticket < t && t <= it->end_ticket) return &*it;
    return nullptr;
  };
  // Group commit: one leader writes everything buffered; the others wait for
  // `written_` to pass their ticket, and the next leader takes all that was
  // buffered while the previous write ran.
  for (;;) {
    if (!fatal_.empty()) return r.error = fatal_, r;
    if (ticket > 0 && written_ >= ticket) {
      const Batch* b = find(ticket);
      if (!b) return r.error = "the audit log lost track of a record (internal error)", r;
      if (!b->ok) return r.error = b->error, r;
      // A checkpoint written for someone else after this record also covers it:
      // concurrent governance events share one signature and one sync.
      if (!force_checkpoint || checkpointed_ >= ticket) break;
    }
    if (ticket == 0 && !force_checkpoint) break;
    if (!leader_) {
      leader_ = true;
      std::vector<std::string> batch;
      batch.swap(pending_);
      std::uint64_t first_ticket = written_, end_ticket = enqueued_;
      lk.unlock();
      std::uint64_t first_seq = 0;
      std::string error;
      bool ok = false, records_ok = false, fatal = false;
      {
        std::lock_guard io(io_mu_);
        ok = write_batch(batch, force_checkpoint, first_seq, records_ok, fatal, error);
      }
      lk.lock();
      leader_ = false;
      written_ = end_ticket;
      if (ok && force_checkpoint) synced_ = std::max(synced_, end_ticket), checkpointed_ = std::max(checkpointed_, end_ticket);
      if (end_ticket > first_ticket) batches_.push_back({first_ticket, end_ticket, first_seq, records_ok, records_ok ? "" : error});
      while (batches_.size() > 65536) batches_.pop_front();
      if (records_ok) size_seen_ = first_seq + batch.size();
      if (fatal) fatal_ = error;
      transient_ = ok ? std::string() : error;
      done_cv_.notify_all();
      // An appender whose record was written is not failed by a checkpoint that
      // was merely due (the log turns unhealthy and the flusher retries).
      if ((!records_ok && ticket > first_ticket && ticket <= end_ticket) || (!ok && force_checkpoint)) return r.error = error, r;
      force_checkpoint = false;
      continue;
    }
    done_cv_.wait(lk);
  }
  if (ticket == 0) return r.value = 0, r;
  std::uint64_t seq = 0;
  if (const Batch* b = find(ticket)) seq = b->first_seq + (ticket - 1 - b->first_ticket);
  lk.unlock();
  if (level == Durability::durable) {
    std::string error;
    if (!sync_to(ticket, error)) return r.error = error, r;
  }
  return r.value = seq, r;
}

bool AuditLog::append(std::string payload, std::string* error) { return append(std::move(payload), options_.level, error); }

bool AuditLog::append(std::string payload, Durability level, std::string* error) {
  std::uint64_t ticket = 0;
  {
    std::lock_guard lk(mu_);
    if (!fatal_.empty()) {
      if (error) *error = fatal_;
      return false;
    }
    if (payload.size() > kMaxPayload) {
      if (error) *error = "an audit record is larger than " + std::to_string(kMaxPayload) + " bytes";
      return false;
    }
    // A buffered record is acknowledged at once, so it must not be taken
    // while the log cannot write: fail closed until a write succeeds again.
    if (level == Durability::buffered && !transient_.empty()) {
      if (error) *error = transient_;
      return false;
    }
    pending_.push_back(std::move(payload));
    ticket = ++enqueued_;
    // Backpressure: past the bound, a buffered appender writes (and waits) itself.
    if (level == Durability::buffered && pending_.size() < options_.max_buffered) return true;
  }
  auto r = commit(ticket, level == Durability::buffered ? Durability::written : level, false);
  if (!r.ok()) {
    if (error) *error = r.error;
    return false;
  }
  return true;
}

state::Result<std::uint64_t> AuditLog::append_durable(std::string payload, bool checkpoint_after) {
  state::Result<std::uint64_t> r;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lk(mu_);
    if (!fatal_.empty()) return r.error = fatal_, r;
    if (payload.size() > kMaxPayload) return r.error = "an audit record is larger than " + std::to_string(kMaxPayload) + " bytes", r;
    pending_.push_back(std::move(payload));
    ticket = ++enqueued_;
  }
  return commit(ticket, Durability::durable, checkpoint_after);
}

state::Result<std::uint64_t> AuditLog::append_durable(std::vector<std::string> payloads, bool checkpoint_after) {
  state::Result<std::uint64_t> r;
  std::uint64_t ticket = 0;
  const std::size_t count = payloads.size();
  {
    std::lock_guard lk(mu_);
    if (!fatal_.empty()) return r.error = fatal_, r;
    for (const std::string& p : payloads)
      if (p.size() > kMaxPayload) return r.error = "an audit record is larger than " + std::to_string(kMaxPayload) + " bytes", r;
    if (payloads.empty()) {
      ticket = enqueued_;
    } else {
      // Enqueued together under one lock, so one leader writes them as one run.
      for (std::string& p : payloads) pending_.push_back(std::move(p));
      enqueued_ += payloads.size();
      ticket = enqueued_;
    }
  }
  if (ticket == 0) return r.value = 0, r;
  r = commit(ticket, Durability::durable, checkpoint_after);
  if (r.ok() && count > 0) *r.value -= count - 1;
  return r;
}

bool AuditLog::flush(std::string* error) {
  std::uint64_t ticket;
  {
    std::lock_guard lk(mu_);
    ticket = enqueued_;
  }
  state::Result<std::uint64_t> r;
  if (ticket == 0) {
    r.value = 0;
  } else {
    r = commit(ticket, Durability::durable, false);
  }
  if (!r.ok() && error) *error = r.error;
  return r.ok();
}

bool AuditLog::checkpoint(std::string* error) {
  std::uint64_t ticket;
  {
    std::lock_guard lk(mu_);
    ticket = enqueued_;
  }
  auto r = commit(ticket, Durability::durable, true);
  if (!r.ok() && error) *error = r.error;
  return r.ok();
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lk(mu_);
  return size_seen_;
}

std::uint64_t AuditLog::buffered() const {
  std::lock_guard lk(mu_);
  return enqueued_ - written_;
}

std::string AuditLog::failure() const {
  std::lock_guard lk(mu_);
  return !fatal_.empty() ? fatal_ : transient_;
}

void AuditLog::probe() {
  // Unhealthy and idle: try the lock (and catch up) so that health comes back
  // once the lock holder or the full disk is gone, without waiting for traffic.
  std::string error;
  bool ok = false;
  {
    std::lock_guard io(io_mu_);
    auto lock = state::FileLock::acquire(dir_.file("lock"), true, options_.lock_timeout);
    if (!lock.ok()) error = "cannot write the audit log: " + lock.error;
    else ok = catch_up(error);
    if (ok) {
      // A write must succeed too (a full disk fails only when writing):
      // probe with the tail of the checkpoints file when records are unsigned.
      if (records_ > last_ckpt_size_) {
        if (::fdatasync(fd_) != 0 || !write_checkpoint(error)) {
          if (error.empty()) error = "cannot sync the audit log: " + errno_text();
          if (::ftruncate(ckpt_fd_, static_cast<off_t>(ckpt_end_offset_)) != 0) error += " (and cannot cut the partial write)";
          ok = false;
        }
      }
    }
  }
  std::lock_guard lk(mu_);
  transient_ = ok ? std::string() : error;
}

void AuditLog::run_background() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, options_.flush_interval);
    if (stop_) break;
    bool write = !pending_.empty(), sync = synced_ < written_;
    bool unhealthy = !transient_.empty() && fatal_.empty();
    std::uint64_t ticket = enqueued_;
    lk.unlock();
    if (write || sync) {
      // Buffered records are written, and written ones synced, within one interval.
      if (write) (void)commit(ticket, Durability::written, false);
      std::string error;
      std::uint64_t upto;
      {
        std::lock_guard g(mu_);
        upto = written_;
      }
      (void)sync_to(upto, error);
    } else if (unhealthy) {
      probe();
    } else {
      bool due = false;
      {
        std::lock_guard io(io_mu_);
        due = records_ > last_ckpt_size_ && std::chrono::steady_clock::now() - last_ckpt_time_ >= options_.checkpoint_interval;
      }
      if (due) (void)commit(0, Durability::durable, true);
    }
    lk.lock();
  }
}

// The stored frontier (DIR/frontier): one line of JSON — the size of a signed
// checkpoint, the byte offset where its records end, the compact range's
// hashes at that size, and the switch flips up to it — then a line with the
// HMAC (keyed like the seal) of the folder's origin and that JSON. Written at
// a checkpoint, atomically; a missing, damaged or stale one only means that
// the next start reads the whole log.
Hash AuditLog::frontier_mac(std::string_view body) const {
  std::string msg = "redline audit frontier\n" + dir_.origin() + "\n";
  msg.append(body);
  Hash mac{};
  unsigned len = 0;
  const auto& seed = dir_.signer()->keys.seed.bytes;
  HMAC(EVP_sha256(), seed.data(), static_cast<int>(seed.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac.data(), &len);
  return mac;
}

void AuditLog::write_frontier() {
  nlohmann::json j;
  j["size"] = records_;
  j["offset"] = end_offset_;
  j["first"] = active_first_;
  j["hashes"] = nlohmann::json::array();
  for (const Hash& h : tree_.hashes()) j["hashes"].push_back(crypto::to_hex(h));
  j["flips"] = nlohmann::json::parse(flips_to_json(flips_));
  std::string body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string error;
  if (state::write_file_atomic(dir_.file("frontier"), body + "\n" + crypto::to_hex(frontier_mac(body)) + "\n", error))
    frontier_stored_ = records_;
}

// Restores the tree, the record count and the switch flips from the stored
// frontier, and returns the offset to read on from; 0 (read everything) when
// there is none, or it does not match a signed checkpoint (and the witness).
std::uint64_t AuditLog::resume(const std::map<std::uint64_t, Hash>& checkpoints, const std::map<std::uint64_t, Hash>& witnessed) {
  auto text = state::read_file(dir_.file("frontier"));
  if (!text) return 0;
  auto give_up = [&](const std::string& why) -> std::uint64_t {
    open_report_ += "the stored frontier was not used (" + why + "): read the whole log; ";
    return 0;
  };
  std::size_t nl = text->find('\n');
  if (nl == std::string::npos) return give_up("damaged");
  std::string body = text->substr(0, nl);
  auto mac = crypto::from_hex(std::string_view(*text).substr(nl + 1, 64));
  Hash want = frontier_mac(body);
  if (!mac || mac->size() != 32 || CRYPTO_memcmp(mac->data(), want.data(), 32) != 0) return give_up("its MAC does not match");
  try {
    auto j = nlohmann::json::parse(body);
    std::uint64_t size = j.at("size").get<std::uint64_t>(), offset = j.at("offset").get<std::uint64_t>();
    std::vector<Hash> hashes;
    for (const auto& h : j.at("hashes")) {
      auto b = crypto::from_hex(h.get<std::string>());
      auto hash = b ? hash_from_bytes(*b) : std::nullopt;
      if (!hash) return give_up("damaged");
      hashes.push_back(*hash);
    }
    auto range = CompactRange::restore(size, hashes);
    if (!range || size == 0) return give_up("damaged");
    auto it = checkpoints.find(size);
    if (it == checkpoints.end() || it->second != range->root()) return give_up("no signed checkpoint matches it");
    if (offset > file_size(fd_)) return give_up("the log is shorter than it");
    if (j.value("first", std::uint64_t{0}) != active_first_) return give_up("it lies in an earlier segment");
    for (const auto& [wsize, wroot] : witnessed)
      if (wsize < size && (!checkpoints.count(wsize) || checkpoints.at(wsize) != wroot))
        return give_up("the witness holds a checkpoint the folder does not");
    auto flips = flips_from_json(j.at("flips").dump());
    if (!flips) return give_up("damaged");
    tree_ = *range;
    records_ = size;
    flips_ = std::move(*flips);
    frontier_stored_ = size;
    prefix_size_ = size;
    prefix_offset_ = offset;
    prefix_root_ = range->root();
    return offset;
  } catch (const std::exception&) {
    return give_up("damaged");
  }
}

// Reads the records before the frontier and checks that they hash to the
// signed root it was matched to: the check a whole read at open made.
bool AuditLog::check_prefix(std::string& error) {
  bool ok = true;
  CompactRange tree;
  // The sealed segments present (older ones may have been archived), each
  // against the signed checkpoint at its end, and without gaps between them.
  for (std::size_t i = 0; ok && i < sealed_.size(); ++i) {
    const SegmentFile& seg = sealed_[i];
    std::uint64_t end = i + 1 < sealed_.size() ? sealed_[i + 1].first : active_first_;
    int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot read `" + seg.path + "`: " + errno_text();
      ok = false;
      break;
    }
    ok = read_segment(fd, seg.first, file_size(fd), signed_roots_, stop_prefix_, tree, error);
    ::close(fd);
    if (stop_prefix_) return true;   // closing: nothing was found, nothing is claimed
    if (!ok) break;
    auto it = signed_roots_.find(end);
    if (tree.size() != end) {
      ok = false;
      error = tree.size() < end ? "records " + std::to_string(tree.size()) + ".." + std::to_string(end - 1) +
                                      " are missing (a sealed segment was removed from the middle of the log)"
                                : "the sealed segment `" + seg.path + "` overlaps the next one";
    } else if (it == signed_roots_.end() || it->second != tree.root()) {
      ok = false;
      error = "the sealed segment `" + seg.path + "` does not match the signed checkpoint of " + std::to_string(end) + " records (a record in " +
              std::to_string(seg.first) + ".." + std::to_string(end - 1) + " was altered)";
    }
  }
  if (ok) ok = read_segment(fd_, active_first_, prefix_offset_, signed_roots_, stop_prefix_, tree, error);
  if (stop_prefix_) return true;
  if (!ok) error += "; run `redline audit verify`";
  if (ok && (tree.size() != prefix_size_ || tree.root() != prefix_root_)) {
    ok = false;
    error = "the audit log does not match its signed checkpoint of " + std::to_string(prefix_size_) + " records (a record up to " +
            std::to_string(prefix_size_ - 1) + " was altered); run `redline audit verify`";
  }
  std::lock_guard lk(prefix_mu_);
  prefix_ok_ = ok;
  return ok;
}

bool AuditLog::wait_prefix_check() {
  if (prefix_thread_.joinable()) prefix_thread_.join();
  std::lock_guard lk(prefix_mu_);
  return prefix_ok_;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  stop_prefix_ = true;
  if (background_.joinable()) background_.join();
  if (prefix_thread_.joinable()) prefix_thread_.join();
  closing_ = true;
  bool news = false;
  {
    std::lock_guard io(io_mu_);
    std::lock_guard lk(mu_);
    news = fatal_.empty() && (!pending_.empty() || records_ > last_ckpt_size_);
  }
  if (news) (void)commit(0, Durability::durable, true);
  {
    // A log read whole at open (an older folder, or a frontier gone stale)
    // leaves one for the next start, if nothing came after the last checkpoint.
    std::lock_guard io(io_mu_);
    std::lock_guard lk(mu_);
    if (fatal_.empty() && records_ == last_ckpt_size_ && records_ > frontier_stored_) write_frontier();
  }
  if (fd_ >= 0) ::close(fd_);
  for (int fd : retired_fds_) ::close(fd);
  if (ckpt_fd_ >= 0) ::close(ckpt_fd_);
  if (seal_fd_ >= 0) ::close(seal_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace redline::audit
