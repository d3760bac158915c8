// cli/audit.cc — `redline audit verify|show|prove|replay --state DIR`: check a
// state folder's audit log end to end, print its records as JSON Lines, prove
// one record's inclusion under the latest signed checkpoint, and re-evaluate
// every logged decision with the exact policy version that made it.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "audit/record.h"
#include "audit/replay.h"
#include "audit/verify.h"
#include "cli/cli.h"
#include "crypto/sha256.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline audit verify|show|prove|replay --state DIR [options]\n"
    "\n"
    "  verify            recompute every record, checkpoint root and signature, and the policy\n"
    "                    store; exit 1 naming the first bad record or checkpoint\n"
    "      --expect-size N --expect-root HEX\n"
    "                    the log must hold at least N records, whose tree root at N is HEX\n"
    "                    (from a checkpoint kept elsewhere; base64 works too)\n"
    "      --witness FILE  every checkpoint FILE holds (see `serve --witness`) must match the\n"
    "                    log, under the key FILE pins\n"
    "      --segments DIR[,DIR...]  folders holding archived segments of the log\n"
    "      --allow-archived  verify from the signed checkpoint at the oldest segment at hand\n"
    "                    when older segments are archived (else missing records are an error)\n"
    "  show              print the records as JSON Lines (each with its `seq`)\n"
    "      --since N     only records N and later\n"
    "      --type T      only records of type T (decision, switch, policy_load, approval, access_denied, case)\n"
    "      --case ID     only the events of approval case ID (`case` records)\n"
    "  prove SEQ         the inclusion proof of record SEQ against the latest checkpoint (JSON)\n"
    "  replay            re-evaluate every logged decision with the policy version that made it\n"
    "                    and the switches tripped then; exit 1 on any difference\n"
    "\n"
    "  --state DIR       the state folder (required)\n"
    "\n"
    "Exit status: 0 ok; 1 tampering, a difference, or an unreadable log; 2 usage errors.\n";

std::optional<std::uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

int verify(const state::StateDir& dir, const Args& args) {
  audit::VerifyExpect expect;
  if (args.has("expect-size")) {
    expect.size = parse_u64(args.get("expect-size"));
    if (!expect.size) {
      std::cerr << "redline audit verify: `--expect-size` needs a record count\n";
      return 2;
    }
  }
  if (args.has("expect-root")) {
    std::string text = args.get("expect-root");
    auto bytes = crypto::from_hex(text);
    if (!bytes) bytes = crypto::base64_decode(text);
    if (!bytes || bytes->size() != 32 || !expect.size) {
      std::cerr << "redline audit verify: `--expect-root` needs 64 hex digits (or base64) of a root, with `--expect-size`\n";
      return 2;
    }
    audit::Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    expect.root = h;
  }
  expect.witness = args.get("witness");
  const std::string segments = args.get("segments");
  for (std::string_view rest = segments; !rest.empty();) {
    std::size_t comma = rest.find(',');
    if (comma != 0) expect.segment_dirs.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  expect.allow_archived = args.has("allow-archived");
  bool tty = isatty(STDERR_FILENO);
  auto progress = [&](std::uint64_t records, std::uint64_t done, std::uint64_t total) {
    if (!tty || total == 0) return;
    std::cerr << "\rverifying: " << records << " records (" << (100 * done / total) << "%)" << std::flush;
  };
  audit::VerifyReport r = audit::verify_log(dir, progress, expect);
  if (tty) std::cerr << "\r\033[K";
  if (!r.warning.empty()) std::cerr << "redline audit verify: warning: " << r.warning << '\n';
  if (!r.ok) {
    std::cerr << "redline audit verify: " << r.error << '\n';
    return 1;
  }
  std::cout << "ok: " << r.records << " records";
  if (r.segments > 1) std::cout << " in " << r.segments << " segments";
  if (r.archived) std::cout << " (" << r.archived << " archived, not checked: verified from the signed checkpoint at " << r.archived << ")";
  std::cout << ", " << r.checkpoints << " signed checkpoints (the latest covers " << r.covered
            << " records), " << r.policies << " stored policy versions";
  if (r.key_sets) std::cout << ", " << r.key_sets << " stored approver key sets";
  std::cout << '\n';
  return 0;
}

int show(const state::StateDir& dir, const Args& args) {
  std::uint64_t since = 0;
  if (args.has("since")) {
    auto v = parse_u64(args.get("since"));
    if (!v) {
      std::cerr << "redline audit show: `--since` needs a record number\n";
      return 2;
    }
    since = *v;
  }
  std::string type = args.get("type");
  std::string case_id = args.get("case");
  std::string error;
  bool ok = audit::for_each_record(
      dir,
      [&](std::uint64_t seq, std::string_view payload) {
        if (seq < since) return true;
        auto j = audit::record_depth_ok(payload) ? nlohmann::ordered_json::parse(payload, nullptr, false)
                                                 : nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
        if (j.is_discarded() || !j.is_object()) {   // unreadable, or nested deeper than any record redline writes
          std::cout << nlohmann::ordered_json({{"seq", seq}, {"unreadable", true}}).dump() << '\n';
          return true;
        }
        if (!type.empty() && j.value("type", "") != type) return true;
        if (!case_id.empty() && (j.value("type", "") != "case" || j.value("case", "") != case_id)) return true;
        nlohmann::ordered_json out = {{"seq", seq}};
        for (auto& [k, v] : j.items()) out[k] = v;
        std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
        return true;
      },
      error);
  if (!ok) {
    std::cerr << "redline audit show: " << error << '\n';
    return 1;
  }
  return 0;
}

int prove(const state::StateDir& dir, const Args& args) {
  auto seq = args.positional.size() == 2 ? parse_u64(args.positional[1]) : std::nullopt;
  if (!seq) {
    std::cerr << "redline audit prove: give one record number (`redline audit prove SEQ --state DIR`)\n";
    return 2;
  }
  auto p = audit::prove_inclusion(dir, *seq);
  if (!p.ok()) {
    std::cerr << "redline audit prove: " << p.error << '\n';
    return 1;
  }
  std::cout << audit::proof_json(dir, *p.value, 2) << '\n';
  return 0;
}

int replay(const state::StateDir& dir) {
  auto r = audit::replay_log(dir, [](const std::string& line) { std::cout << line << '\n'; });
  if (!r.error.empty()) {
    std::cerr << "redline audit replay: " << r.error << '\n';
    return 1;
  }
  std::cerr << r.decisions << " decisions replayed: " << r.same << " same, " << r.differ << " different, " << r.masked
            << " not reproducible (masked fields), " << r.unreplayable << " without their policy\n";
  return r.ok ? 0 : 1;
}

}  // namespace

int cmd_audit(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"state", "since", "type", "case", "expect-size", "expect-root", "witness", "segments"}, {"allow-archived"}, "audit");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.empty()) {
    std::cerr << "redline audit: say what to do: verify, show, prove or replay\n" << kHelp;
    return 2;
  }
  const std::string& what = args->positional[0];
  if (what != "verify" && what != "show" && what != "prove" && what != "replay") {
    std::cerr << "redline audit: unknown action `" << what << "` (verify, show, prove or replay)\n";
    return 2;
  }
  if (!args->has("state") || args->get("state").empty()) {
    std::cerr << "redline audit " << what << ": `--state DIR` is required\n";
    return 2;
  }
  auto dir = state::StateDir::open(args->get("state"), false);
  if (!dir.ok()) {
    std::cerr << "redline audit " << what << ": " << dir.error << '\n';
    return 1;
  }
  if (what == "verify") return verify(*dir.value, *args);
  if (what == "show") return show(*dir.value, *args);
  if (what == "prove") return prove(*dir.value, *args);
  return replay(*dir.value);
}

}  // namespace redline::cli
