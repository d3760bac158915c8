// killswitch/switch_state.cc — persistence, board loading and flip_switch of
// killswitch/switch_state.h.
#include "killswitch/switch_state.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "audit/record.h"
#include "eval/switch_names.h"
#include "flat/program_impl.h"

namespace redline::killswitch {

state::Result<SwitchState> read_switch_state(const state::StateDir& dir) {
  state::Result<SwitchState> r;
  std::string path = dir.file("switches.json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return r.value = SwitchState{}, r;  // nothing ever flipped
  std::string error;
  auto text = state::read_file(path, &error);
  if (!text) return r.error = error, r;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("switches") || !j["switches"].is_object())
    return r.error = "the kill-switch state `" + path + "` is unreadable", r;
  SwitchState s;
  s.generation = j.value("generation", std::uint64_t{0});
  for (const auto& [name, e] : j["switches"].items()) {
    if (!e.is_object() || !e.contains("tripped") || !e["tripped"].is_boolean())
      return r.error = "the kill-switch state `" + path + "` is unreadable (switch `" + name + "`)", r;
    SwitchEntry se;
    se.tripped = e["tripped"].get<bool>();
    se.by = e.value("by", "");
    se.role = e.value("role", "");
    se.because = e.value("because", "");
    se.at = e.value("at", "");
    se.seq = e.value("seq", std::uint64_t{0});
    s.switches[name] = se;
  }
  r.value = std::move(s);
  return r;
}

bool write_switch_state(const state::StateDir& dir, const SwitchState& s, std::string& error) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["generation"] = s.generation;
  nlohmann::ordered_json sw = nlohmann::ordered_json::object();
  for (const auto& [name, e] : s.switches)
    sw[name] = {{"tripped", e.tripped}, {"by", e.by}, {"role", e.role}, {"because", e.because}, {"at", e.at}, {"seq", e.seq}};
  j["switches"] = std::move(sw);
  return state::write_file_atomic(dir.file("switches.json"), j.dump(1) + "\n", error);
}

void apply_state(const SwitchState& s, SwitchBoard& board) {
  for (const std::string& name : board.names()) {
    auto it = s.switches.find(name);
    bool want = it != s.switches.end() && it->second.tripped;
    if (board.tripped(name) != want) {
      if (want) board.trip(name);
      else board.reset(name);
    }
  }
}

void trip_all(SwitchBoard& board) {
  for (const std::string& name : board.names())
    if (!board.tripped(name)) board.trip(name);
}

bool load_into(const state::StateDir& dir, SwitchBoard& board, std::string& error) {
  auto s = read_switch_state(dir);
  if (!s.ok()) {
    trip_all(board);
    error = s.error + "; every kill switch is treated as tripped (fail closed)";
    return false;
  }
  apply_state(*s.value, board);
  return true;
}

namespace {

// Trips this process applied but could not log (a full disk): kept tripped
// here until a later flip of the same switch is logged. Keyed "DIR\nNAME".
std::mutex unlogged_mu;
std::set<std::string> unlogged;

std::string unlogged_key(const state::StateDir& dir, const std::string& name) { return dir.path() + "\n" + name; }

}  // namespace

std::vector<std::string> unlogged_trips(const state::StateDir& dir) {
  std::lock_guard lk(unlogged_mu);
  std::vector<std::string> out;
  std::string prefix = dir.path() + "\n";
  for (const auto& k : unlogged)
    if (k.starts_with(prefix)) out.push_back(k.substr(prefix.size()));
  return out;
}

bool load_into(const state::StateDir& dir, audit::AuditLog& log, SwitchBoard& board, std::string& error) {
  std::string why;
  auto flips = log.switch_flips(true, &why);
  auto file = read_switch_state(dir);
  SwitchState s;
  bool ok = true;
  if (!file.ok()) {
    error = file.error;
    ok = false;
  } else {
    s = *file.value;
  }
  // INVARIANT: a switch the log says is tripped stays tripped, whatever switches.json says.
  std::string mismatch;
  for (const auto& [name, f] : flips) {
    auto it = s.switches.find(name);
    bool cached = it != s.switches.end() && it->second.tripped;
    if (cached != f.tripped) mismatch += (mismatch.empty() ? "`" : ", `") + name + "`";
    if (f.tripped) s.switches[name].tripped = true;
  }
  for (const auto& [name, e] : s.switches) {
    if (e.tripped && !flips.count(name)) mismatch += (mismatch.empty() ? "`" : ", `") + name + "`";
  }
  if (!mismatch.empty()) {
    if (!error.empty()) error += "; ";
    error += "the kill-switch state `" + dir.file("switches.json") + "` disagrees with the audit log's flips for " + mismatch +
             " (deleted or edited?): a switch tripped by either stays tripped (fail closed)";
    ok = false;
  }
  if (!file.ok()) {
    // Unreadable cache: every switch tripped, as before, on top of the log's.
    trip_all(board);
    error += "; every kill switch is treated as tripped (fail closed)";
    return false;
  }
  for (const std::string& name : unlogged_trips(dir)) s.switches[name].tripped = true;
  apply_state(s, board);
  if (!why.empty()) error += (error.empty() ? "" : "; ") + why;
  return ok;
}

std::vector<std::string> tripped_switches(audit::AuditLog& log) {
  std::vector<std::string> out;
  for (const auto& [name, f] : log.switch_flips(true))
    if (f.tripped) out.push_back(name);
  return out;
}

std::vector<std::string> reload_drops_tripped(audit::AuditLog& log, const Program& next) {
  std::vector<std::string> out;
  const auto& names = next.switch_names();
  for (const std::string& name : tripped_switches(log))
    if (std::find(names.begin(), names.end(), name) == names.end()) out.push_back(name);
  return out;
}

namespace {

// The model index of the switch named `name` among the program's switches, or an error.
std::int64_t find_switch(const Program& program, const std::string& name, std::string& error) {
  // The one switch-name resolver (eval/switch_names.h), over the stack's switches.
  std::int64_t i = eval::resolve_switch(program.switch_names(), name, error);
  if (i < 0) return i;
  const sema::Model& m = *ProgramAccess::impl(program).model;
  const std::string& qualified = program.switch_names()[static_cast<std::size_t>(i)];
  for (std::size_t k = 0; k < m.switches.size(); ++k)
    if (m.switches[k].qualified == qualified) return static_cast<std::int64_t>(k);
  error = "no kill switch named `" + name + "`";
  return -1;
}

}  // namespace

FlipCheck check_flip(const Program& program, const FlipRequest& req) {
  FlipCheck out;
  out.index = find_switch(program, req.name, out.message);
  if (out.index < 0) return out;
  const sema::Model& m = *ProgramAccess::impl(program).model;
  const sema::KillSwitch& sw = m.switches[static_cast<std::size_t>(out.index)];
  out.qualified = sw.qualified;
  if (m.schema.role_attr >= 0) {
    const auto& roles = m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values;
    for (std::uint32_t o : sw.owners)
      if (o < roles.size()) out.owners.push_back(roles[o]);
  }
  if (std::find(out.owners.begin(), out.owners.end(), req.role) == out.owners.end()) {
    std::string who;
    for (const auto& o : out.owners) who += (who.empty() ? "`" : ", `") + o + "`";
    out.refused = out.owners.empty() ? "the switch declares no owner" : "role `" + req.role + "` is not an owner (owners: " + who + ")";
    out.message = "refused: " + std::string(req.trip ? "tripping" : "resetting") + " `" + sw.qualified + "` needs an owner role; " +
                  out.refused;
  }
  return out;
}

FlipResult flip_switch(const state::StateDir& dir, audit::AuditLog& log, const Program& program, const FlipRequest& req) {
  FlipResult out;
  FlipCheck check = check_flip(program, req);
  out.message = check.message;
  if (check.index < 0) return out;
  out.qualified = check.qualified;
  audit::SwitchFlip flip{check.qualified, req.trip ? "trip" : "reset", req.by, req.role, req.because, program.hash(), check.refused};
  if (!check.refused.empty()) {
    out.refused = true;
    auto r = log.append_durable(audit::switch_record(flip, state::now_rfc3339()), true);
    if (!r.ok()) out.message += " (and the refusal could not be logged: " + r.error + ")";
    else out.seq = *r.value;
    return out;
  }
  // INVARIANT: a flip is durable in the log, under a signed checkpoint, before the state changes.
  auto lock = state::FileLock::acquire(dir.file("switches.lock"), true);
  if (!lock.ok()) return out.message = lock.error, out;
  auto current = read_switch_state(dir);
  if (!current.ok()) return out.message = current.error, out;
  std::string at = state::now_rfc3339();
  auto r = log.append_durable(audit::switch_record(flip, at), true);
  if (!r.ok()) {
    if (req.trip) {
      // Fail closed: a trip is never lost because it cannot be logged. It holds in
      // this process (the caller trips its board) until a flip of the switch is logged.
      std::lock_guard lk(unlogged_mu);
      unlogged.insert(unlogged_key(dir, check.qualified));
      out.unlogged = true;
      return out.message = "the trip of `" + check.qualified + "` holds in this process but is not logged (the audit log cannot be written: " +
                           r.error + "); trip it again once the log recovers",
             out;
    }
    return out.message = "the reset was not applied: the audit log cannot be written: " + r.error, out;
  }
  {
    std::lock_guard lk(unlogged_mu);
    unlogged.erase(unlogged_key(dir, check.qualified));
  }
  SwitchState s = std::move(*current.value);
  s.generation += 1;
  s.switches[check.qualified] = SwitchEntry{req.trip, req.by, req.role, req.because, at, *r.value};
  std::string error;
  if (!write_switch_state(dir, s, error))
    return out.message = "the flip is logged (record " + std::to_string(*r.value) + ") but the state could not be saved: " + error, out;
  out.applied = true;
  out.seq = *r.value;
  out.message = std::string(req.trip ? "tripped" : "reset") + " `" + check.qualified + "` (audit record " + std::to_string(out.seq) + ")";
  return out;
}

}  // namespace redline::killswitch
