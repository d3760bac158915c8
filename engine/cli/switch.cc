// cli/switch.cc — `redline switch trip|reset NAME` and `redline switch status`:
// flip a kill switch of the compiled policies (owner roles only; the flip or
// the refusal is logged and checkpointed before the state changes) and show
// the persisted state of every switch.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "audit/log.h"
#include "audit/policy_store.h"
#include "audit/segments.h"
#include "audit/verify.h"
#include "cli/cli.h"
#include "killswitch/switch_state.h"
#include "redline/engine.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline switch trip|reset NAME --state DIR --by ID --role ROLE [--because TEXT] FILE.pol...\n"
    "       redline switch status --state DIR [--json] FILE.pol...\n"
    "\n"
    "Trips or resets a kill switch (LANGUAGE.md §7). Only a role among the switch's `owner`\n"
    "roles may flip it; anyone else is refused (exit 1) and the refusal is logged. Every flip is\n"
    "logged and covered by a signed checkpoint before it takes effect; running `redline eval\n"
    "--state DIR` processes see it within milliseconds.\n"
    "\n"
    "  --state DIR      the state folder (required)\n"
    "  --by ID          who flips (required for trip/reset)\n"
    "  --role ROLE      the role they act in (required for trip/reset)\n"
    "  --because TEXT   why (recorded)\n"
    "  --json           status as JSON Lines\n"
    "  --layer NAME     the layer whose stack decides\n"
    "  --stdlib DIR     the stdlib folder\n"
    "\n"
    "Exit status: 0 done; 1 refused, unknown switch, or the state cannot be written; 2 usage errors.\n";

int status(const Program& prog, const std::string& dir_path, bool json) {
  killswitch::SwitchState s;
  auto dir = state::StateDir::open(dir_path, false);
  if (dir.ok()) {
    auto st = killswitch::read_switch_state(*dir.value);
    if (!st.ok()) {
      std::cerr << "redline switch status: " << st.error << " (evaluators treat every switch as tripped)\n";
      return 1;
    }
    s = *st.value;
    // The audit log's flips are the authority; switches.json is a cache of them.
    std::map<std::string, killswitch::SwitchEntry> logged;
    std::string error;
    audit::for_each_record(
        *dir.value,
        [&](std::uint64_t seq, std::string_view p) {
          if (auto start = audit::parse_segment_record(p)) {
            // A segment record carries every flip before it (older segments may be archived).
            for (const auto& [name, f] : start->flips) logged[name] = {f.tripped, f.by, f.role, f.because, f.at, f.seq};
            return true;
          }
          if (!p.starts_with("{\"type\":\"switch\"")) return true;
          auto j = nlohmann::json::parse(p, nullptr, false);
          if (!j.is_object() || j.value("result", "") != "applied") return true;
          logged[j.value("switch", "")] = {j.value("action", "") == "trip", j.value("by", ""), j.value("role", ""), j.value("because", ""),
                                           j.value("time", ""), seq};
          return true;
        },
        error);
    for (const auto& [name, e] : logged) {
      auto it = s.switches.find(name);
      if (it == s.switches.end() || it->second.tripped != e.tripped)
        std::cerr << "redline switch status: `" << name << "`: switches.json disagrees with the audit log (deleted or edited?); "
                  << "showing the log's last flip\n";
      s.switches[name] = e;
    }
  }
  for (const std::string& name : prog.switch_names()) {
    auto it = s.switches.find(name);
    killswitch::SwitchEntry e = it == s.switches.end() ? killswitch::SwitchEntry{} : it->second;
    bool flipped = it != s.switches.end();
    if (json) {
      nlohmann::ordered_json j = {{"switch", name}, {"tripped", e.tripped}};
      if (flipped) j.update({{"by", e.by}, {"role", e.role}, {"because", e.because}, {"at", e.at}, {"record", e.seq}});
      std::cout << j.dump() << '\n';
      continue;
    }
    std::cout << name << ": " << (e.tripped ? "TRIPPED" : "reset");
    if (flipped) {
      std::cout << " by `" << e.by << "` (" << e.role << ") at " << e.at << ", audit record " << e.seq;
      if (!e.because.empty()) std::cout << " — " << e.because;
    } else {
      std::cout << " (never flipped)";
    }
    std::cout << '\n';
  }
  if (prog.switch_names().empty()) std::cerr << "redline switch status: the policies declare no kill switch\n";
  return 0;
}

}  // namespace

int cmd_switch(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"state", "by", "role", "because", "layer", "stdlib"}, {"json"}, "switch");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.empty() || (args->positional[0] != "trip" && args->positional[0] != "reset" && args->positional[0] != "status")) {
    std::cerr << "redline switch: say what to do: trip, reset or status\n" << kHelp;
    return 2;
  }
  std::string what = args->positional[0];
  bool flip = what != "status";
  std::size_t first_file = flip ? 2 : 1;
  if (flip && args->positional.size() < 2) {
    std::cerr << "redline switch " << what << ": name the switch (`redline switch " << what << " NAME ...`)\n";
    return 2;
  }
  if (args->positional.size() <= first_file) {
    std::cerr << "redline switch " << what << ": no policy files given\n";
    return 2;
  }
  if (args->get("state").empty()) {
    std::cerr << "redline switch " << what << ": `--state DIR` is required\n";
    return 2;
  }
  if (flip && (args->get("by").empty() || args->get("role").empty())) {
    std::cerr << "redline switch " << what << ": `--by ID` and `--role ROLE` are required\n";
    return 2;
  }
  CompileOptions opts;
  opts.layer = args->get("layer");
  opts.stdlib_root = args->get("stdlib", stdlib_root());
  std::vector<std::string> files(args->positional.begin() + static_cast<std::ptrdiff_t>(first_file), args->positional.end());
  CompileResult r = compile_files(files, opts);
  print_diagnostics(r.diagnostics, false);
  if (!r.ok()) return 1;
  if (!flip) return status(*r.program, args->get("state"), args->has("json"));

  auto dir = state::StateDir::open(args->get("state"), true);
  if (!dir.ok()) {
    std::cerr << "redline switch " << what << ": " << dir.error << '\n';
    return 1;
  }
  auto log = audit::AuditLog::open(*dir.value, {.background = false});
  if (!log.ok()) {
    std::cerr << "redline switch " << what << ": " << log.error << '\n';
    return 1;
  }
  if (!(*log.value)->open_report().empty()) std::cerr << "redline switch " << what << ": note: " << (*log.value)->open_report() << '\n';
  std::string error;
  if (!audit::store_policy(*dir.value, *r.program, opts.stdlib_root, error)) {
    std::cerr << "redline switch " << what << ": " << error << '\n';
    return 1;
  }
  killswitch::FlipRequest req{args->positional[1], what == "trip", args->get("by"), args->get("role"), args->get("because")};
  killswitch::FlipResult res = killswitch::flip_switch(*dir.value, **log.value, *r.program, req);
  if (!res.applied) {
    std::cerr << "redline switch " << what << ": " << res.message << '\n';
    return 1;
  }
  std::cout << res.message << '\n';
  return 0;
}

}  // namespace redline::cli
