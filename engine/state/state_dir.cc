// state/state_dir.cc — StateDir, FileLock and the durable file helpers of
// state/state_dir.h.
#include "state/state_dir.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crypto/sha256.h"

namespace redline::state {
namespace {

namespace fs = std::filesystem;

std::string errno_text() {
  std::string s = std::strerror(errno);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::optional<std::vector<std::uint8_t>> random_bytes(std::size_t n) {
  std::vector<std::uint8_t> b(n);
  if (RAND_bytes(b.data(), static_cast<int>(n)) != 1) return std::nullopt;
  return b;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Creates what a writer needs and is missing: FORMAT, origin, key, salt.
// Runs under the folder's exclusive lock so that concurrent first uses agree.
bool initialise(const StateDir& dir, std::string& error) {
  std::error_code ec;
  if (!fs::exists(dir.file("FORMAT"), ec)) {
    if (!write_file_atomic(dir.file("FORMAT"), "redline-state " + std::to_string(kFormatVersion) + "\n", error)) return false;
  }
  if (!fs::exists(dir.file("origin"), ec)) {
    auto id = random_bytes(8);
    if (!id) return error = "cannot draw random bytes for the log origin", false;
    if (!write_file_atomic(dir.file("origin"), "redline.local/audit/" + crypto::to_hex(*id) + "\n", error)) return false;
  }
  if (!fs::exists(dir.file("key"), ec)) {
    auto origin = read_file(dir.file("origin"), &error);
    if (!origin) return false;
    auto keys = crypto::ed25519_generate();
    if (!keys) return error = "cannot generate the checkpoint signing key", false;
    crypto::NoteSigner signer{trim(*origin), *keys};
    auto secret = crypto::format_signer_key(signer);
    auto pub = crypto::format_verifier_key({signer.name, keys->public_key});
    if (!secret || !pub) return error = "cannot format the checkpoint signing key", false;
    if (!write_file_atomic(dir.file("key.pub"), *pub + "\n", error)) return false;
    if (!write_file_atomic(dir.file("key"), *secret + "\n", error, true)) return false;
  }
  if (!fs::exists(dir.file("salt"), ec)) {
    auto salt = random_bytes(32);
    if (!salt) return error = "cannot draw random bytes for the masking salt", false;
    if (!write_file_atomic(dir.file("salt"), crypto::to_hex(*salt) + "\n", error, true)) return false;
  }
  return sync_dir(dir.path(), error);
}

}  // namespace

std::string StateDir::file(std::string_view name) const { return (fs::path(path_) / name).string(); }

Result<StateDir> StateDir::open(const std::string& path, bool create) {
  Result<StateDir> r;
  StateDir dir;
  dir.path_ = path;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (fs::exists(path, ec)) return r.error = "state folder `" + path + "` is not a folder", r;
    if (!create) return r.error = "no state folder `" + path + "`", r;
    fs::create_directories(fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path(), ec);
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
      return r.error = "cannot create state folder `" + path + "`: " + errno_text(), r;
  }
  // The format is checked before anything is written: a future folder is left untouched.
  if (auto format = read_file(dir.file("FORMAT"))) {
    int version = 0;
    if (std::sscanf(format->c_str(), "redline-state %d", &version) != 1 || version < 1)
      return r.error = "state folder `" + path + "` has an unreadable FORMAT file", r;
    if (version > kFormatVersion)
      return r.error = "state folder `" + path + "` has format version " + std::to_string(version) +
                       "; this redline reads format " + std::to_string(kFormatVersion) + " at most (upgrade redline)",
             r;
  } else if (!create) {
    return r.error = "`" + path + "` is not a redline state folder (it has no FORMAT file)", r;
  }
  if (create) {
    std::string why = check_private(path);
    if (!why.empty()) return r.error = why, r;
  }
  bool complete = fs::exists(dir.file("FORMAT"), ec) && fs::exists(dir.file("key"), ec) && fs::exists(dir.file("salt"), ec) &&
                  fs::exists(dir.file("origin"), ec);
  if (create && !complete) {
    auto lock = FileLock::acquire(dir.file("lock"), true);
    if (!lock.ok()) return r.error = lock.error, r;
    if (!initialise(dir, r.error)) return r;
  }
  auto origin = read_file(dir.file("origin"), &r.error);
  if (!origin) return r;
  dir.origin_ = trim(*origin);
  auto pub = read_file(dir.file("key.pub"), &r.error);
  if (!pub) return r;
  auto verifier = crypto::parse_verifier_key(trim(*pub));
  if (!verifier) return r.error = "state folder `" + path + "` has an unreadable key.pub", r;
  dir.verifier_ = *verifier;
  if (auto secret = read_file(dir.file("key"))) {
    dir.signer_ = crypto::parse_signer_key(trim(*secret));
    if (dir.signer_ && dir.signer_->keys.public_key != dir.verifier_.public_key) dir.signer_.reset();
  }
  if (auto salt = read_file(dir.file("salt"))) {
    if (auto bytes = crypto::from_hex(trim(*salt))) dir.salt_ = *bytes;
  }
  if (auto mask = read_file(dir.file("mask.json"))) {
    auto j = nlohmann::json::parse(*mask, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("fields") || !j["fields"].is_array())
      return r.error = "`" + dir.file("mask.json") + "` must be {\"fields\": [JSON pointers]}", r;
    for (const auto& f : j["fields"]) {
      if (!f.is_string() || (!f.get<std::string>().empty() && f.get<std::string>()[0] != '/'))
        return r.error = "`" + dir.file("mask.json") + "`: every field must be a JSON pointer such as \"/actor/id\"", r;
      dir.mask_.push_back(f.get<std::string>());
    }
  }
  r.value = std::move(dir);
  return r;
}

std::string check_private(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return "cannot inspect state folder `" + path + "`: " + errno_text();
  if (st.st_uid != ::geteuid())
    return "state folder `" + path + "` is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
           std::to_string(::geteuid()) + "): another user could stall or alter its audit log; use a folder of your own";
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return "state folder `" + path + "` has mode " + mode +
           ": other users may read or write it (and holding its lock stalls kill-switch trips and audited decisions); "
           "run `chmod 700 " + path + "`";
  }
  return "";
}

bool lock_with_timeout(int fd, bool exclusive, std::chrono::milliseconds timeout, std::string& error) {
  // Poll with a non-blocking flock, backing off to 5 ms: a holder that never
  // lets go turns into an error after `timeout`, not a hang.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(50);
  while (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | (timeout.count() < 0 ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && std::chrono::steady_clock::now() < deadline) {
      ::usleep(static_cast<useconds_t>(pause.count()));
      pause = std::min(pause * 2, std::chrono::microseconds(5000));
      continue;
    }
    error = errno == EWOULDBLOCK ? "it was held by another process for more than " + std::to_string(timeout.count()) + " ms (failing closed)"
                                 : errno_text();
    return false;
  }
  return true;
}

Result<FileLock> FileLock::acquire(const std::string& path, bool exclusive, std::chrono::milliseconds timeout) {
  Result<FileLock> r;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    r.error = "cannot open lock file `" + path + "`: " + errno_text();
    return r;
  }
  std::string why;
  if (!lock_with_timeout(fd, exclusive, timeout, why)) {
    r.error = "cannot lock `" + path + "`: " + why;
    ::close(fd);
    return r;
  }
  r.value.emplace(FileLock(fd));
  return r;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

std::optional<std::string> read_file(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = "cannot read `" + path + "`: " + errno_text();
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = "cannot read `" + path + "`: " + errno_text();
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

bool write_all(int fd, const void* data, std::size_t size, std::string& error) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = errno_text(), false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool sync_dir(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return error = "cannot open `" + path + "`: " + errno_text(), false;
  bool ok = ::fsync(fd) == 0;
  if (!ok) error = "cannot sync `" + path + "`: " + errno_text();
  ::close(fd);
  return ok;
}

bool write_file_atomic(const std::string& path, std::string_view data, std::string& error, bool /*secret: every state file is 0600*/) {
  // INVARIANT: readers see either the old or the new content, never a mix.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return error = "cannot write `" + tmp + "`: " + errno_text(), false;
  std::string why;
  bool ok = write_all(fd, data.data(), data.size(), why) && ::fsync(fd) == 0;
  if (!ok && why.empty()) why = errno_text();
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    why = errno_text();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return error = "cannot write `" + path + "`: " + why, false;
  }
  return sync_dir(fs::path(path).parent_path().string().empty() ? "." : fs::path(path).parent_path().string(), error);
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace redline::state
