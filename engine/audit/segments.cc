// audit/segments.cc — segment files and segment records of audit/segments.h.
#include "audit/segments.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "audit/log_format.h"
#include "crypto/sha256.h"

namespace redline::audit {
namespace {

namespace fs = std::filesystem;

// "<20 digits>.log" → the number; nullopt for any other name.
std::optional<std::uint64_t> parse_segment_name(const std::string& name) {
  if (name.size() != 24 || !name.ends_with(".log")) return std::nullopt;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t next = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (next / 10 != n) return std::nullopt;   // overflow
    n = next;
  }
  return n;
}

}  // namespace

std::string segment_file_name(std::uint64_t first) {
  std::string digits = std::to_string(first);
  return "segments/" + std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits + ".log";
}

bool list_segments(const state::StateDir& dir, const std::vector<std::string>& extra, std::vector<SegmentFile>& out, std::string& error) {
  out.clear();
  std::map<std::uint64_t, std::string> sealed;
  std::vector<std::string> folders{dir.file("segments")};
  folders.insert(folders.end(), extra.begin(), extra.end());
  for (const std::string& folder : folders) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
      if (&folder != &folders.front()) return error = "no folder `" + folder + "`", false;
      continue;
    }
    fs::directory_iterator it(folder, ec), end;
    if (ec) return error = "cannot list `" + folder + "`: " + ec.message(), false;
    for (; it != end; it.increment(ec)) {
      if (ec) return error = "cannot list `" + folder + "`: " + ec.message(), false;
      if (auto n = parse_segment_name(it->path().filename().string())) sealed.emplace(*n, it->path().string());
    }
  }
  for (const auto& [first, path] : sealed) out.push_back({first, path, false});

  SegmentFile active{0, dir.file("audit.log"), true};
  int fd = ::open(active.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) return error = "cannot read `" + active.path + "`: " + std::strerror(errno), false;
  bool have_first = false;
  if (fd >= 0) {
    struct stat st{};
    std::uint64_t size = ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    FrameStream in(fd, 0, size);
    Frame f;
    bool ok = in.next(f, error);
    ::close(fd);
    if (!ok) return false;
    if (f.status == FrameStatus::ok) active.first = f.seq, have_first = true;
  }
  // An empty (or torn) active segment continues after the sealed ones; their
  // record count is not known without reading them, so it is left to the
  // reader: the number after the last sealed segment's first is a lower bound.
  if (!have_first && !out.empty()) active.first = out.back().first;
  // A sealed link of the active segment itself (a rotation cut short before
  // the new audit.log replaced it) is not a sealed segment.
  if (!out.empty() && out.back().first == active.first && have_first) {
    struct stat a{}, b{};
    if (::stat(active.path.c_str(), &a) == 0 && ::stat(out.back().path.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
      out.pop_back();
  }
  out.push_back(std::move(active));
  return true;
}

std::string flips_to_json(const std::map<std::string, LoggedFlip>& flips) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, f] : flips)
    j[name] = {{"tripped", f.tripped}, {"seq", f.seq}, {"by", f.by}, {"role", f.role}, {"because", f.because}, {"at", f.at}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

std::optional<std::map<std::string, LoggedFlip>> flips_from(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  std::map<std::string, LoggedFlip> flips;
  for (const auto& [name, f] : j.items()) {
    if (!f.is_object() || !f.contains("tripped") || !f["tripped"].is_boolean() || !f.contains("seq") || !f["seq"].is_number_unsigned())
      return std::nullopt;
    LoggedFlip l;
    l.tripped = f["tripped"].get<bool>();
    l.seq = f["seq"].get<std::uint64_t>();
    for (auto [key, field] : {std::pair{"by", &l.by}, {"role", &l.role}, {"because", &l.because}, {"at", &l.at}}) {
      if (!f.contains(key) || !f[key].is_string()) return std::nullopt;
      *field = f[key].get<std::string>();
    }
    flips[name] = std::move(l);
  }
  return flips;
}

}  // namespace

std::optional<std::map<std::string, LoggedFlip>> flips_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return flips_from(j);
}

std::string segment_record(const SegmentStart& s, const std::string& time) {
  // Written by hand in the records' own style: the type first (audit/record.h).
  std::string out = "{\"type\":\"segment\",\"time\":\"" + time + "\",\"first\":" + std::to_string(s.first) + ",\"hashes\":[";
  for (std::size_t i = 0; i < s.hashes.size(); ++i) out += (i ? ",\"" : "\"") + crypto::to_hex(s.hashes[i]) + "\"";
  out += "],\"flips\":" + flips_to_json(s.flips) + "}";
  return out;
}

bool is_segment_record(std::string_view payload) { return payload.starts_with("{\"type\":\"segment\""); }

std::optional<SegmentStart> parse_segment_record(std::string_view payload) {
  if (!is_segment_record(payload)) return std::nullopt;
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("first") || !j["first"].is_number_unsigned() || !j.contains("hashes") ||
      !j["hashes"].is_array() || !j.contains("flips"))
    return std::nullopt;
  SegmentStart s;
  s.first = j["first"].get<std::uint64_t>();
  for (const auto& h : j["hashes"]) {
    if (!h.is_string()) return std::nullopt;
    auto bytes = crypto::from_hex(h.get<std::string>());
    auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
    if (!hash) return std::nullopt;
    s.hashes.push_back(*hash);
  }
  auto flips = flips_from(j["flips"]);
  if (!flips) return std::nullopt;
  s.flips = std::move(*flips);
  return s;
}

std::optional<CompactRange> tree_before(const SegmentStart& s) { return CompactRange::restore(s.first, s.hashes); }

}  // namespace redline::audit
