// audit/witness.cc — FileWitness of audit/witness.h.
#include "audit/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "audit/log_format.h"

namespace redline::audit {
namespace {

std::string errno_text() {
  std::string s = std::strerror(errno);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// Entries are framed payloads "KEY\nNOTE"; the key line has no newline.
state::Result<std::vector<WitnessEntry>> parse(const std::string& path, const std::string& data) {
  state::Result<std::vector<WitnessEntry>> r;
  std::vector<WitnessEntry> out;
  std::size_t off = 0;
  for (;;) {
    Frame f = read_frame(data, off);
    if (f.status == FrameStatus::end) break;
    if (f.status != FrameStatus::ok || f.seq != out.size())
      return r.error = "witness `" + path + "` is damaged at entry " + std::to_string(out.size()) + " (" + to_string(f.status) + ")", r;
    std::size_t nl = f.payload.find('\n');
    if (nl == std::string_view::npos) return r.error = "witness `" + path + "` entry " + std::to_string(out.size()) + " has no key", r;
    out.push_back({std::string(f.payload.substr(0, nl)), std::string(f.payload.substr(nl + 1))});
    off += f.size;
  }
  r.value = std::move(out);
  return r;
}

}  // namespace

state::Result<std::vector<WitnessEntry>> FileWitness::read() const {
  state::Result<std::vector<WitnessEntry>> r;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return r.error = "no witness file `" + path_ + "`", r;
  std::string error;
  auto data = state::read_file(path_, &error);
  if (!data) return r.error = error, r;
  return parse(path_, *data);
}

bool FileWitness::publish(const WitnessEntry& entry, std::string& error) {
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return error = "cannot open witness `" + path_ + "`: " + errno_text(), false;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // Writers of one witness (several processes, several folders' logs) serialise on it.
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return error = "cannot lock witness `" + path_ + "`: " + errno_text(), false;
  std::string data;
  {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return error = "cannot read witness `" + path_ + "`: " + errno_text(), false;
    data.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < data.size()) {
      ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return error = "cannot read witness `" + path_ + "`: " + errno_text(), false;
      got += static_cast<std::size_t>(n);
    }
  }
  auto entries = parse(path_, data);
  if (!entries.ok()) return error = entries.error, false;
  // INVARIANT: a witness holds checkpoints of one key only (the first one pins it).
  if (!entries.value->empty() && entries.value->front().key != entry.key)
    return error = "witness `" + path_ + "` pins another checkpoint key (" + entries.value->front().key + ")", false;
  std::string frame;
  append_frame(frame, entries.value->size(), entry.key + "\n" + entry.note);
  if (!state::write_all(fd, frame.data(), frame.size(), error) || ::fdatasync(fd) != 0) {
    if (error.empty()) error = errno_text();
    error = "cannot write witness `" + path_ + "`: " + error;
    if (::ftruncate(fd, static_cast<off_t>(data.size())) != 0) error += " (and cannot cut the partial write)";
    return false;
  }
  return true;
}

std::unique_ptr<Witness> open_witness(const std::string& spec) { return std::make_unique<FileWitness>(spec); }

}  // namespace redline::audit
