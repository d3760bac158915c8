// audit/segments.h — the audit log as a sequence of segment files.
//
// `audit.log` is the active segment, the one writers append to. When it has
// grown past LogOptions::segment_bytes, a writer seals it: under the folder's
// lock, right after a signed checkpoint of the whole log, the file is linked
// to `segments/<first record, 20 digits>.log` and a new `audit.log` replaces
// it, opened by a **segment record** (`"type":"segment"`): the number of the
// record it is (`first`), the compact range of the Merkle tree of every record
// before it (`hashes`), and the kill-switch flips up to it (`flips`). Records
// keep one numbering and one Merkle tree across segments; frames carry the
// record's global sequence number.
//
// The segment record is the continuity proof: its `hashes` determine the root
// of the records before it, which must equal the signed checkpoint written
// at the boundary (and, when the earlier segment is present, the root of its
// records). So a segment can be checked on its own against the checkpoints,
// older segments can be archived (moved out of the folder), and a writer can
// start from the active segment without reading the sealed ones first.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.h"
#include "state/state_dir.h"

namespace redline::audit {

/// The last applied flip of one switch, as the log's switch records say.
struct LoggedFlip {
  bool tripped = false;
  std::uint64_t seq = 0;
  std::string by, role, because, at;
};

/// One file of the log.
struct SegmentFile {
  std::uint64_t first = 0;   ///< the sequence number of its first record
  std::string path;
  bool active = false;       ///< `audit.log` (the last one)
};

/// `segments/<first, 20 digits>.log`, relative to the state folder.
std::string segment_file_name(std::uint64_t first);

/// The sealed segments found in DIR/segments and in each of `extra` (folders
/// holding archived segments), in order of their first record (the first copy
/// of a number wins), then DIR/audit.log (first record read from its first
/// frame; the next number after the sealed ones when it is empty, 0 when
/// there are none). Leftovers of a rotation cut short by a crash are ignored
/// here (writers remove them: see AuditLog). False with `error` when a folder
/// or the first frame of `audit.log` cannot be read.
bool list_segments(const state::StateDir& dir, const std::vector<std::string>& extra, std::vector<SegmentFile>& out,
                   std::string& error);

/// What a segment record says.
struct SegmentStart {
  std::uint64_t first = 0;                  ///< the record's own sequence number
  std::vector<Hash> hashes;                 ///< the compact range of records [0, first)
  std::map<std::string, LoggedFlip> flips;  ///< each switch's last applied flip before it
};

/// The payload of a segment record (one line of JSON).
std::string segment_record(const SegmentStart& s, const std::string& time);
/// Whether a payload is a segment record (by its type).
bool is_segment_record(std::string_view payload);
/// Parses a segment record; nullopt when it is not one or is malformed.
std::optional<SegmentStart> parse_segment_record(std::string_view payload);
/// The tree of the records before a segment record; nullopt when its hashes
/// do not fit its `first`.
std::optional<CompactRange> tree_before(const SegmentStart& s);

/// Switch flips as a JSON object text {"name": {"tripped", "seq", "by", "role",
/// "because", "at"}, ...} and back (shared with the stored frontier).
std::string flips_to_json(const std::map<std::string, LoggedFlip>& flips);
std::optional<std::map<std::string, LoggedFlip>> flips_from_json(std::string_view text);

}  // namespace redline::audit
