// audit/witness.h — publishing signed checkpoints outside the state folder,
// so that someone who can rewrite the whole folder (cut both files back,
// re-sign everything with a new key) still cannot rewrite history unseen.
//
// A witness is an append-only sequence of entries, each one signed
// checkpoint and the verifier key that signed it. The first entry pins the
// key: a witness refuses an entry signed by another key, and `audit verify
// --witness` fails when the folder's key is not the pinned one. A witness is
// an interface (publish, read) so that a shared store (the fleet's etcd) can
// be one later; FileWitness keeps the entries in a file of frames
// (audit/log_format.h), appended with O_APPEND and fdatasync'd.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "state/state_dir.h"

namespace redline::audit {

/// One published checkpoint.
struct WitnessEntry {
  std::string key;   ///< the verifier key string of the signer
  std::string note;  ///< the signed checkpoint note
};

/// Somewhere outside the state folder that holds published checkpoints.
class Witness {
 public:
  virtual ~Witness() = default;
  /// Appends one signed checkpoint (refused when its key is not the pinned one).
  virtual bool publish(const WitnessEntry& entry, std::string& error) = 0;
  /// Every entry, in publication order.
  virtual state::Result<std::vector<WitnessEntry>> read() const = 0;
  /// Where it is, for messages.
  virtual std::string where() const = 0;
};

/// A witness kept in a file (created 0600 on first publication).
class FileWitness : public Witness {
 public:
  explicit FileWitness(std::string path) : path_(std::move(path)) {}
  bool publish(const WitnessEntry& entry, std::string& error) override;
  state::Result<std::vector<WitnessEntry>> read() const override;
  std::string where() const override { return "witness `" + path_ + "`"; }

 private:
  std::string path_;
};

/// Opens the witness named by `spec` (today: a file path).
std::unique_ptr<Witness> open_witness(const std::string& spec);

}  // namespace redline::audit
