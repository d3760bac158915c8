// cli/eval.cc — `redline eval`: decide requests. JSON Lines on stdin give one
// decision line per input line, in order, even for invalid lines; `--request
// FILE` decides one request and pretty-prints it; `--expect FILE` compares
// each decision with an expected line and ends with `N passed, N failed`.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/cli.h"
#include "redline/audit.h"
#include "redline/engine.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline eval [options] FILE.pol...\n"
    "\n"
    "Decides requests (LANGUAGE.md §12) against the compiled policies. By default reads\n"
    "JSON Lines on stdin and writes one decision JSON per line on stdout, in order.\n"
    "\n"
    "  --request FILE   decide the one request in FILE and pretty-print the decision\n"
    "  --layer NAME     the layer whose stack decides (default: the unique most-derived one)\n"
    "  --explain        add an `explanation` (the path through the graph) to each decision\n"
    "  --expect FILE    compare decision N with line N of FILE (a JSON object whose `decision`,\n"
    "                   `obligations`, `reasons` (rule names, as a set), `killed_by` and\n"
    "                   `error` (code) must match); prints `N passed, N failed`\n"
    "  --tripped LIST   kill switches to treat as tripped (comma-separated names)\n"
    "  --keys FILE      approver keys (docs/approvals.md): signatures on approvals are checked\n"
    "                   against them, and `signed` rules can be satisfied\n"
    "  --require-signed every approval rule counts only approvals with a verified signature,\n"
    "                   as if each said `signed` (without --keys, no approval counts)\n"
    "  --stdlib DIR     the stdlib folder (default: $REDLINE_STDLIB or the built-in one)\n"
    "  --state DIR      audit every decision in the state folder DIR (created on first use) and\n"
    "                   honour its kill switches, as `redline switch` flips them, while running;\n"
    "                   a decision that cannot be audited is `deny` with error RL5009\n"
    "  --strict         with --state: print a decision only once its record is durable\n"
    "  --mask LIST      with --state: JSON pointers of request fields to log as salted hashes\n"
    "                   (comma-separated, e.g. /actor/id; DIR/mask.json adds more)\n"
    "\n"
    "Exit status: 0 whatever the decisions are; 1 when the policy does not compile or an\n"
    "--expect comparison fails; 2 on usage errors.\n";

std::string decide(const Program& prog, const SwitchBoard& board, const ApprovalOptions& approvals, const std::string& text, bool explain,
                   int indent, AuditTrail* trail = nullptr) {
  if (!explain) {   // the hot path: JSON text straight to a bound request
    Decision d = prog.evaluate_json(text, approvals, &board);
    if (std::string error; trail && !trail->record(prog, text, d, &board, error))
      return fail_closed_json(prog, "the audit record cannot be written: " + error, indent);  // fail closed
    return d.to_json(indent);
  }
  Request req = Request::from_json(text);
  Decision d = prog.evaluate(req, approvals, &board);
  if (std::string error; trail && !trail->record(prog, text, d, &board, error))
    return fail_closed_json(prog, "the audit record cannot be written: " + error, indent);  // fail closed
  auto j = nlohmann::ordered_json::parse(d.to_json());
  std::istringstream lines(prog.explain(req, approvals, &board));
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (std::string l; std::getline(lines, l);) arr.push_back(l);
  j["explanation"] = arr;
  return j.dump(indent);
}

// Why a decision differs from an expected line, or "" when it matches.
std::string mismatch(const std::string& decision_json, const nlohmann::json& want) {
  auto got = nlohmann::json::parse(decision_json);
  std::ostringstream why;
  if (want.contains("decision") && want["decision"] != got["decision"])
    why << "decision " << got["decision"].dump() << ", expected " << want["decision"].dump() << "; ";
  if (want.contains("obligations") && want["obligations"] != got["obligations"])
    why << "obligations " << got["obligations"].dump() << ", expected " << want["obligations"].dump() << "; ";
  if (want.contains("reasons")) {
    std::set<std::string> w, g;
    for (const auto& r : want["reasons"]) w.insert(r.get<std::string>());
    for (const auto& r : got["reasons"])
      if (r["rule"].get<std::string>().find("/default") == std::string::npos || w.count(r["rule"].get<std::string>()))
        g.insert(r["rule"].get<std::string>());
    if (w != g) why << "reasons " << nlohmann::json(g).dump() << ", expected " << nlohmann::json(w).dump() << "; ";
  }
  if (want.contains("killed_by")) {
    auto k = got["killed_by"];
    bool same = want["killed_by"].is_null() ? k.is_null()
                                            : (!k.is_null() && (k == want["killed_by"] || k.get<std::string>().ends_with("/" + want["killed_by"].get<std::string>())));
    if (!same) why << "killed_by " << k.dump() << ", expected " << want["killed_by"].dump() << "; ";
  }
  if (want.contains("error")) {
    std::string code = got.contains("error") ? got["error"]["code"].get<std::string>() : "none";
    if (code != want["error"].get<std::string>()) why << "error " << code << ", expected " << want["error"].dump() << "; ";
  }
  return why.str();
}

}  // namespace

int cmd_eval(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"request", "layer", "expect", "tripped", "stdlib", "format", "state", "mask", "keys"},
                         {"explain", "strict", "require-signed"}, "eval");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.empty()) {
    std::cerr << "redline eval: no policy files given\n" << kHelp;
    return 2;
  }
  CompileOptions opts;
  opts.layer = args->get("layer");
  opts.stdlib_root = args->get("stdlib", stdlib_root());
  CompileResult r = compile_files(args->positional, opts);
  print_diagnostics(r.diagnostics, false);
  if (!r.ok()) {
    bool usage = false;
    for (const auto& d : r.diagnostics.items) usage = usage || d.code == "RL4030" || d.code == "RL4031";
    return usage ? 2 : 1;
  }
  auto board = r.program->make_switchboard();
  if (args->has("tripped")) {
    std::stringstream names(args->get("tripped"));
    for (std::string n; std::getline(names, n, ',');) {
      if (!board->trip(n)) {
        std::cerr << "redline eval: no kill switch named `" << n << "`\n";
        return 2;
      }
    }
  }
  ApprovalOptions approvals;
  approvals.require_signed = args->has("require-signed");
  if (args->has("keys")) {
    std::string error;
    approvals.keys = ApproverKeys::load(args->get("keys"), error);
    if (!approvals.keys) {
      std::cerr << "redline eval: " << error << '\n';
      return 2;
    }
  }
  std::unique_ptr<AuditTrail> trail;
  if (args->has("state")) {
    if (args->has("tripped")) {
      std::cerr << "redline eval: `--tripped` cannot be combined with `--state` (use `redline switch trip`)\n";
      return 2;
    }
    AuditOptions ao;
    ao.strict = args->has("strict") || args->has("request");
    ao.stdlib_root = opts.stdlib_root;
    std::stringstream masks(args->get("mask"));
    for (std::string m; std::getline(masks, m, ',');)
      if (!m.empty()) ao.mask.push_back(m);
    std::string error;
    trail = AuditTrail::open(args->get("state"), ao, error);
    // The keys are stored in DIR, so `audit replay` checks signatures with them.
    if (!trail || !trail->load_policy(*r.program, error) || !trail->judge_approvals(approvals, error)) {
      std::cerr << "redline eval: " << error << '\n';
      return 1;
    }
    if (!trail->open_report().empty()) std::cerr << "redline eval: note: " << trail->open_report() << '\n';
    if (!trail->watch_switches(*board, error)) std::cerr << "redline eval: " << error << '\n';
  }
  bool explain = args->has("explain");
  if (args->has("request")) {
    std::ifstream in(args->get("request"), std::ios::binary);
    if (!in) {
      std::cerr << "redline eval: cannot read `" << args->get("request") << "`\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::cout << decide(*r.program, *board, approvals, ss.str(), explain, 2, trail.get()) << '\n';
    return 0;
  }
  std::ifstream expect;
  if (args->has("expect")) {
    expect.open(args->get("expect"));
    if (!expect) {
      std::cerr << "redline eval: cannot read `" << args->get("expect") << "`\n";
      return 2;
    }
  }
  std::size_t passed = 0, failed = 0, line_no = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    ++line_no;
    std::string out = decide(*r.program, *board, approvals, line, explain, -1, trail.get());
    std::cout << out << '\n';
    if (!expect.is_open()) continue;
    std::string want_line;
    if (!std::getline(expect, want_line)) {
      std::cerr << "line " << line_no << ": no expected decision\n";
      ++failed;
      continue;
    }
    auto want = nlohmann::json::parse(want_line, nullptr, false);
    std::string why = want.is_discarded() ? "the expected line is not JSON" : mismatch(out, want);
    if (why.empty()) ++passed;
    else {
      ++failed;
      std::cerr << "line " << line_no << ": " << why << '\n';
    }
  }
  std::cout.flush();
  if (std::string error; trail && !trail->flush(error)) {
    std::cerr << "redline eval: the audit log cannot be written: " << error << '\n';
    return 1;
  }
  if (expect.is_open()) {
    std::cerr << passed << " passed, " << failed << " failed\n";
    return failed ? 1 : 0;
  }
  return 0;
}

}  // namespace redline::cli
