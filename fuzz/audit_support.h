// fuzz/audit_support.h — what fuzz/audit.cc and the seed generator share: a
// state folder with a fixed signing key and origin (so the checkpoints of
// generated seeds verify in the fuzzer's own folder), and the two shapes of
// an audit fuzz input:
//
//   raw:        byte 0 even, then the bytes of DIR/checkpoints, kSplit, the
//               bytes of DIR/audit.log, kSplit, a signed note — written as is;
//   structured: byte 0 odd, kControl control bytes, then record payloads
//               separated by kRecordSep — framed, checkpointed (signed with
//               the fixed key) and then damaged as the control bytes say, so
//               the fuzzer reaches past the checksums and signatures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"
#include "state/state_dir.h"

namespace redline::fuzz {

/// Separates the sections of a raw audit input.
inline constexpr std::string_view kSplit = "\n--redline-fuzz--\n";
/// Separates the record payloads of a structured audit input.
inline constexpr char kRecordSep = '\x1e';
/// Control bytes of a structured input, after byte 0.
inline constexpr std::size_t kControl = 8;

/// The policy the audit seeds decide with (and the fuzzer stores, so replay
/// recompiles it): tests/conformance/approvals_require.json, small and quick
/// to compile, with approvals.
std::shared_ptr<const Program> audit_policy();
/// Requests for it: its conformance cases' requests.
std::vector<std::string> audit_requests();

/// Creates (or reuses) `path` as a state folder with the fixed key and origin, and opens it.
state::StateDir fixed_state_dir(const std::string& path);

/// A fresh temporary folder (under /dev/shm when there is one), removed at exit.
std::string temp_dir(const char* prefix);

/// Splits `s` at every `sep`.
std::vector<std::string_view> split(std::string_view s, std::string_view sep);

/// The files a structured input turns into.
struct AuditFiles {
  std::string checkpoints, log;
};

/// Frames `payloads`, signs checkpoints of them with `dir`'s key, then
/// applies the damage the control bytes ask for.
AuditFiles build_audit_files(const state::StateDir& dir, const std::uint8_t control[kControl],
                             const std::vector<std::string_view>& payloads);

}  // namespace redline::fuzz
