// killswitch/switch_state.h — persisted kill-switch state (DIR/switches.json,
// replaced atomically), applying it to a SwitchBoard (failing closed: when the
// state cannot be read every switch on the board is tripped), and flipping a
// switch: ownership check against the switch's `owner` roles (LANGUAGE.md §7),
// the flip (or the refusal) logged and checkpointed before the state changes.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/log.h"
#include "redline/engine.h"
#include "state/state_dir.h"

namespace redline::killswitch {

/// The persisted state of one switch.
struct SwitchEntry {
  bool tripped = false;
  std::string by, role, because, at;
  std::uint64_t seq = 0;  ///< the audit record of the last flip
};

/// Every switch ever flipped in a state folder, by qualified name.
struct SwitchState {
  std::uint64_t generation = 0;  ///< bumped by every flip
  std::map<std::string, SwitchEntry> switches;
};

/// Reads DIR/switches.json; a missing file is the empty state (nothing ever flipped).
state::Result<SwitchState> read_switch_state(const state::StateDir& dir);
/// Replaces DIR/switches.json atomically and durably.
bool write_switch_state(const state::StateDir& dir, const SwitchState& s, std::string& error);

/// Sets every switch of the board as the state says (unmentioned: reset).
void apply_state(const SwitchState& s, SwitchBoard& board);
/// Trips every switch of the board (fail closed when the state is unreadable).
void trip_all(SwitchBoard& board);
/// Loads the state into the board; on failure trips every switch and returns false with `error`.
bool load_into(const state::StateDir& dir, SwitchBoard& board, std::string& error);
/// The same, with the audit log as the authority: a switch is tripped when
/// its last applied flip in the log is a trip (or when switches.json says so:
/// fail closed). A switches.json that disagrees with the log (deleted,
/// edited) is an error (`error`, false), and the board keeps every switch the
/// log says is tripped.
bool load_into(const state::StateDir& dir, audit::AuditLog& log, SwitchBoard& board, std::string& error);

/// Trips of this process that could not be logged (still honoured by load_into).
std::vector<std::string> unlogged_trips(const state::StateDir& dir);
/// The switches the log says are tripped, by qualified name.
std::vector<std::string> tripped_switches(audit::AuditLog& log);
/// The tripped switches a new policy would drop (it no longer declares them):
/// a reload that drops one must be refused until an owner resets it.
std::vector<std::string> reload_drops_tripped(audit::AuditLog& log, const Program& next);

/// A request to flip a switch.
struct FlipRequest {
  std::string name;   ///< qualified "policy/switch" or plain when unambiguous
  bool trip = true;   ///< trip, or reset
  std::string by, role, because;
};

/// What a flip did.
struct FlipResult {
  bool applied = false;
  bool refused = false;      ///< the role is not an owner (the refusal was logged)
  bool unlogged = false;     ///< a trip the log could not record: not applied to the folder, but the caller must trip its board
  std::string qualified;     ///< the switch's qualified name, once resolved
  std::string message;       ///< one line for the user
  std::uint64_t seq = 0;     ///< the audit record
};

/// Which switch a flip names and whether its role may flip it.
struct FlipCheck {
  std::int64_t index = -1;           ///< the model's switch index, or < 0 when none matches (`message` says why)
  std::string qualified;
  std::vector<std::string> owners;   ///< the switch's owner roles
  std::string refused;               ///< why the role may not flip it, or ""
  std::string message;               ///< one line for the user when not found or refused
};
/// Resolves the switch a flip names and checks the role against its owners.
FlipCheck check_flip(const Program& program, const FlipRequest& request);

/// Checks ownership, logs and checkpoints the flip (or the refusal), then
/// persists the new state. Serialised across processes by DIR/switches.lock.
FlipResult flip_switch(const state::StateDir& dir, audit::AuditLog& log, const Program& program, const FlipRequest& request);

}  // namespace redline::killswitch
