// audit/log_format.h — the on-disk framing of the audit log and of the
// checkpoints file: each entry is
//
//   u32 LE  length L of the payload
//   u32 LE  CRC-32C over (length ‖ sequence ‖ payload)
//   u64 LE  sequence number (0-based position of the entry in its file)
//   L bytes payload
//
// so a torn tail (a frame cut short by a crash) is detectable, and a record
// that was dropped or moved is named by position. The Merkle leaf of a
// record is its payload alone (RFC 6962: SHA-256(0x00 ‖ payload)); the frame
// is redundancy for locating damage, the signed Merkle roots are the proof.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace redline::audit {

/// Bytes of a frame header.
inline constexpr std::size_t kFrameHeader = 16;
/// The largest payload a frame may carry (a record bigger than this is refused).
inline constexpr std::uint32_t kMaxPayload = 16u << 20;

/// Returns the CRC-32C (Castagnoli) of the bytes, continuing from `crc`.
std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc = 0) noexcept;

/// Appends the frame of `payload` at sequence `seq` to `out`.
void append_frame(std::string& out, std::uint64_t seq, std::string_view payload);

/// What reading one frame found.
enum class FrameStatus : std::uint8_t {
  ok,         ///< a whole, intact frame
  end,        ///< no bytes left
  truncated,  ///< fewer bytes than the header or the declared length: a torn tail
  corrupt,    ///< the checksum does not match, or the length is impossible
};

/// One decoded frame; `payload` views the input buffer.
struct Frame {
  FrameStatus status = FrameStatus::end;
  std::uint64_t seq = 0;
  std::string_view payload;
  std::size_t size = 0;  ///< bytes the frame occupies (header + payload) when ok
};

/// Decodes the frame that starts at `offset` of `data`.
Frame read_frame(std::string_view data, std::size_t offset) noexcept;

/// A short lowercase description of a frame status.
const char* to_string(FrameStatus s) noexcept;

/// Reads the frames of a file descriptor in order through a bounded window
/// (a few MiB), so that scanning a log of any size takes bounded memory.
class FrameStream {
 public:
  /// Frames of `fd` from byte `from` to byte `end` (the size seen when starting).
  FrameStream(int fd, std::uint64_t from, std::uint64_t end) : fd_(fd), off_(from), end_(end) {}
  /// The frame at the current offset (its payload valid until the next call);
  /// status `end` at `end`. False (with `error`) when the file cannot be read.
  bool next(Frame& frame, std::string& error);
  /// Moves past the frame just read.
  void advance(const Frame& frame) { off_ += frame.size; }
  /// The current offset and the end.
  std::uint64_t offset() const { return off_; }
  std::uint64_t end() const { return end_; }
  /// Whether every byte from the current offset to the end is zero (a power-loss tail).
  bool rest_is_zero(std::string& error);

 private:
  bool fill(std::uint64_t need, std::string& error);
  int fd_;
  std::uint64_t off_, end_, base_ = 0;
  std::string buf_;
};

}  // namespace redline::audit
