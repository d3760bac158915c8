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
#include "audit/log.h"
#include "eval/request_limits.h"
#include "eval/switch_names.h"
#include "killswitch/watcher.h"
#include "redline/engine.h"
#include "runtime/runtime.h"

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
    "  --durability L   with --state: buffered, written (default) or durable (docs/audit.md)\n"
    "  --witness FILE   with --state: also append every signed checkpoint to FILE (outside DIR)\n"
    "  --mask LIST      with --state: JSON pointers of request fields to log as salted hashes\n"
    "                   (comma-separated, e.g. /actor/id; DIR/mask.json adds more)\n"
    "\n"
    "Exit status: 0 whatever the decisions are; 1 when the policy does not compile or an\n"
    "--expect comparison fails; 2 on usage errors.\n";

std::string decide(const Program& prog, const SwitchBoard& board, const runtime::Judging& judging, const std::string& text, bool explain,
                   int indent, const runtime::Runtime& rt) {
  // The runtime decides (parsing the text once) and records when it has a state folder.
  std::string out;
  if (!explain) {
    Decision d;
    rt.decide(prog, &board, judging, text, d, out, indent);
    return out;
  }
  Decision d;
  runtime::Decided got = rt.decide(prog, &board, judging, text, d, out);
  auto j = nlohmann::ordered_json::parse(out);
  // No explanation for a decision that could not be recorded (it was never made).
  if (!got.error || !j.contains("error") || j["error"]["code"] != eval::code_text(diag::Code::RequestInternal)) {
    std::istringstream lines(prog.explain(Request::from_json(text), {.approvals = &judging.options, .switches = &board}));
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (std::string l; std::getline(lines, l);) arr.push_back(l);
    j["explanation"] = arr;
  }
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
  auto args = parse_args(argv, {"request", "layer", "expect", "tripped", "stdlib", "format", "state", "mask", "keys", "witness", "durability"},
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
      // The one switch-name resolver (`redline switch` uses it too): a plain name
      // that more than one policy declares is refused, not guessed.
      std::string error;
      std::int64_t i = eval::resolve_switch(board->names(), n, error);
      if (i < 0) {
        std::cerr << "redline eval: " << error << '\n';
        return 2;
      }
      board->trip(board->names()[static_cast<std::size_t>(i)]);
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
  auto rt = std::make_unique<runtime::Runtime>();
  runtime::Judging judging;
  judging.options = approvals;
  std::unique_ptr<killswitch::SwitchWatcher> watcher;
  if (args->has("state")) {
    if (args->has("tripped")) {
      std::cerr << "redline eval: `--tripped` cannot be combined with `--state` (use `redline switch trip`)\n";
      return 2;
    }
    runtime::RuntimeOptions ro;
    ro.strict = args->has("strict") || args->has("request");
    ro.stdlib_root = opts.stdlib_root;
    ro.log.witness = args->get("witness");
    if (args->has("durability")) {
      auto level = audit::durability_from_string(args->get("durability"));
      if (!level) {
        std::cerr << "redline eval: unknown --durability `" << args->get("durability") << "` (buffered, written or durable)\n";
        return 2;
      }
      ro.log.level = *level;
    }
    std::stringstream masks(args->get("mask"));
    for (std::string m; std::getline(masks, m, ',');)
      if (!m.empty()) ro.mask.push_back(m);
    std::string error;
    rt = runtime::Runtime::open(args->get("state"), ro, error);
    // The keys are stored in DIR, so `audit replay` checks signatures with them.
    if (!rt || !rt->load_policy(*r.program, error) || !rt->judge(approvals, judging, error)) {
      if (error.starts_with("cannot store the policy version: ")) error.erase(0, 33);
      std::cerr << "redline eval: " << error << '\n';
      return 1;
    }
    if (!rt->open_report().empty()) std::cerr << "redline eval: note: " << rt->open_report() << '\n';
    watcher = rt->watch(*board, error);
    if (!error.empty()) std::cerr << "redline eval: " << error << '\n';
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
    std::cout << decide(*r.program, *board, judging, ss.str(), explain, 2, *rt) << '\n';
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
    std::string out = decide(*r.program, *board, judging, line, explain, -1, *rt);
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
  if (std::string error; rt->has_state() && !rt->log().flush(&error)) {
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
