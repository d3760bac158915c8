// audit/verify.h — reading a state folder's audit log without writing it:
// full verification (every frame, every record, every checkpoint signature,
// every checkpoint root recomputed from the records, the policy store),
// record iteration, and inclusion proofs against the latest checkpoint.
//
// Readers take no lock and tolerate a writer appending meanwhile: the
// checkpoints are read before the log, so every checkpoint read covers
// records already in the log, and a frame cut short after the last
// checkpoint is an incomplete tail (reported, not tampering).
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "state/state_dir.h"

namespace redline::audit {

/// What `audit verify` found.
struct VerifyReport {
  bool ok = false;
  std::string error;                  ///< the first problem, naming the record or checkpoint
  std::optional<std::uint64_t> bad_record;  ///< the first bad record, when one is named
  std::string warning;                ///< an incomplete tail (crash or writer in progress)
  std::uint64_t records = 0, checkpoints = 0, policies = 0;
  std::uint64_t key_sets = 0;         ///< stored approver keys (DIR/keys) checked
  std::uint64_t covered = 0;          ///< records covered by the latest checkpoint
  std::uint64_t archived = 0;         ///< leading records not at hand (archived segments), when allowed
  std::uint64_t segments = 0;         ///< segment files read (sealed ones and audit.log)
};

/// What a verifier knows from outside the folder (all optional).
struct VerifyExpect {
  std::optional<std::uint64_t> size{};  ///< the log holds at least this many records...
  std::optional<Hash> root{};           ///< ...whose root at `size` is this
  std::string witness{};                ///< a witness (audit/witness.h): every checkpoint it holds must match, under its pinned key
  std::vector<std::string> segment_dirs{};  ///< folders holding archived segments (audit/segments.h), read besides DIR/segments
  /// Accept a log whose oldest segments are not at hand: verify from the
  /// signed checkpoint at the first segment present (its segment record is
  /// the continuity proof). Without it, missing leading records are an error.
  bool allow_archived = false;
};

/// Verifies everything; `progress(records_done, bytes_done, bytes_total)` is
/// called now and then. Besides the records, checkpoints and policy store:
/// a log with records must have checkpoints, every policy a policy_load
/// record names must be in the store, and switches.json must agree with the
/// last applied flip of every switch in the log.
VerifyReport verify_log(const state::StateDir& dir,
                        const std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>& progress = {},
                        const VerifyExpect& expect = {});

/// Calls `visit(seq, payload)` for every intact record in order, across the
/// segments present (stopping at the first damaged frame or when `visit`
/// returns false); false with `error` when the log cannot be read or a
/// segment is missing between two present ones. Archived leading segments
/// are skipped: the first record visited may have a number above 0.
bool for_each_record(const state::StateDir& dir, const std::function<bool(std::uint64_t, std::string_view)>& visit,
                     std::string& error);

/// An inclusion proof of one record against a signed checkpoint.
struct InclusionProof {
  std::uint64_t seq = 0, tree_size = 0;
  Hash leaf{}, root{};
  std::vector<Hash> path;
  std::string record;      ///< the record payload
  std::string checkpoint;  ///< the signed checkpoint note
};

/// Proves record `seq` against the latest checkpoint (verified first).
state::Result<InclusionProof> prove_inclusion(const state::StateDir& dir, std::uint64_t seq);

/// The proof as JSON (seq, tree_size, leaf_hash, root, proof, record,
/// checkpoint, verifier_key; hashes in base64), `indent` < 0 for one line.
std::string proof_json(const state::StateDir& dir, const InclusionProof& proof, int indent = -1);

/// The latest signed checkpoint note, after verifying it; nullopt when there is none.
state::Result<std::optional<std::string>> latest_checkpoint_note(const state::StateDir& dir);

/// Returns the latest checkpoint after verifying its signature; nullopt when there is none.
state::Result<std::optional<Checkpoint>> latest_checkpoint(const state::StateDir& dir);

}  // namespace redline::audit
