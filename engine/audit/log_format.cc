// audit/log_format.cc — CRC-32C and the frame codec of audit/log_format.h.
#include "audit/log_format.h"
#include <cerrno>
#include <algorithm>
#include <unistd.h>

#include <array>
#include <cstring>

namespace redline::audit {
namespace {

// Slicing-by-8 tables for the reflected Castagnoli polynomial 0x82F63B78.
struct Crc32cTables {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  Crc32cTables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

const Crc32cTables& tables() {
  static const Crc32cTables kTables;
  return kTables;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint64_t get_le(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint32_t frame_crc(const char* length_le, const char* seq_le, std::string_view payload) {
  auto bytes = [](const char* p, std::size_t n) { return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(p), n); };
  std::uint32_t c = crc32c(bytes(length_le, 4));
  c = crc32c(bytes(seq_le, 8), c);
  return crc32c(bytes(payload.data(), payload.size()), c);
}

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc) noexcept {
  const auto& t = tables().t;
  std::uint32_t c = ~crc;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint32_t lo = c ^ (static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                            static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^
        t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xFF];
  return ~c;
}

void append_frame(std::string& out, std::uint64_t seq, std::string_view payload) {
  std::size_t start = out.size();
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, 0);
  put_u64(out, seq);
  out.append(payload);
  std::uint32_t crc = frame_crc(out.data() + start, out.data() + start + 8, payload);
  for (int i = 0; i < 4; ++i) out[start + 4 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFF);
}

Frame read_frame(std::string_view data, std::size_t offset) noexcept {
  Frame f;
  if (offset >= data.size()) return f;
  std::size_t left = data.size() - offset;
  if (left < kFrameHeader) {
    f.status = FrameStatus::truncated;
    return f;
  }
  const char* p = data.data() + offset;
  std::uint64_t len = get_le(p, 4);
  if (len > kMaxPayload) {
    f.status = FrameStatus::corrupt;
    return f;
  }
  if (left - kFrameHeader < len) {
    f.status = FrameStatus::truncated;
    return f;
  }
  std::string_view payload(p + kFrameHeader, static_cast<std::size_t>(len));
  if (frame_crc(p, p + 8, payload) != static_cast<std::uint32_t>(get_le(p + 4, 4))) {
    f.status = FrameStatus::corrupt;
    return f;
  }
  f.status = FrameStatus::ok;
  f.seq = get_le(p + 8, 8);
  f.payload = payload;
  f.size = kFrameHeader + static_cast<std::size_t>(len);
  return f;
}

const char* to_string(FrameStatus s) noexcept {
  switch (s) {
    case FrameStatus::ok: return "intact";
    case FrameStatus::end: return "end of file";
    case FrameStatus::truncated: return "cut short";
    case FrameStatus::corrupt: return "checksum mismatch";
  }
  return "?";
}

bool FrameStream::fill(std::uint64_t need, std::string& error) {
  if (off_ >= base_ && off_ + need <= base_ + buf_.size()) return true;
  constexpr std::uint64_t kWindow = 4u << 20;
  std::uint64_t to = std::min<std::uint64_t>(end_, off_ + std::max<std::uint64_t>(need, kWindow));
  buf_.resize(static_cast<std::size_t>(to - off_));
  std::size_t got = 0;
  while (got < buf_.size()) {
    ssize_t n = ::pread(fd_, buf_.data() + got, buf_.size() - got, static_cast<off_t>(off_ + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = std::string("cannot read the audit log: ") + std::strerror(errno), false;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf_.resize(got);
  base_ = off_;
  return true;
}

bool FrameStream::next(Frame& frame, std::string& error) {
  frame = Frame{};
  if (off_ >= end_) return true;
  if (!fill(kFrameHeader, error)) return false;
  std::size_t rel = static_cast<std::size_t>(off_ - base_);
  if (buf_.size() - rel >= 4) {
    std::uint64_t len = 0;
    for (int i = 0; i < 4; ++i) len |= static_cast<std::uint64_t>(static_cast<unsigned char>(buf_[rel + static_cast<std::size_t>(i)])) << (8 * i);
    if (!fill(kFrameHeader + std::min<std::uint64_t>(len, kMaxPayload), error)) return false;
    rel = static_cast<std::size_t>(off_ - base_);
  }
  frame = read_frame(std::string_view(buf_).substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size(), end_ - base_))), rel);
  return true;
}

bool FrameStream::rest_is_zero(std::string& error) {
  std::uint64_t saved = off_;
  bool zero = true;
  while (zero && off_ < end_) {
    if (!fill(1, error)) return off_ = saved, false;
    for (std::size_t i = static_cast<std::size_t>(off_ - base_); i < buf_.size(); ++i)
      if (buf_[i] != 0) zero = false;
    off_ = base_ + buf_.size();
    if (buf_.empty()) break;
  }
  off_ = saved;
  return zero;
}

}  // namespace redline::audit
