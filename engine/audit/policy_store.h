// audit/policy_store.h — the content-addressed store of every policy version
// that decided something: DIR/policies/<hex>.json holds the source texts of
// a compilation (in load order, with the paths they were loaded under), the
// stdlib root and the deciding layer, named by the Program's hash (SHA-256
// over the source texts). `audit replay` recompiles a stored version from
// memory alone, so it decides exactly as the version that was logged.
//
// The approver keys a process judged signed approvals with are stored the
// same way, DIR/keys/<hex>.json named by SHA-256 of their keys-file text, so
// replay checks signatures with exactly those keys.
//
// Nothing here throws.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "redline/engine.h"
#include "state/state_dir.h"

namespace redline::audit {

/// Stores the Program's sources unless that version is already stored.
bool store_policy(const state::StateDir& dir, const Program& program, const std::string& stdlib_root, std::string& error);

/// Recompiles a stored version ("sha256:<hex>"); an error when it is absent,
/// does not compile, or no longer hashes to its name.
CompileResult load_policy(const state::StateDir& dir, const std::string& hash, std::string& error);

/// Stores approver keys unless already stored; their name "sha256:<hex>", or
/// nullopt with `error`.
std::optional<std::string> store_keys(const state::StateDir& dir, const ApproverKeys& keys, std::string& error);

/// Reads stored approver keys by name; null with `error` when absent,
/// unreadable, or no longer hashing to their name.
std::shared_ptr<const ApproverKeys> load_keys(const state::StateDir& dir, const std::string& hash, std::string& error);

}  // namespace redline::audit
