// cli/approve.cc — `redline approve`: signs an approval of one request for
// one rule with an approver's private key, bound to the request's digest and
// the policy's hash (docs/approvals.md "Signed approvals"), and prints it as
// the JSON object a request's `approvals` holds (or, with --append, the
// request with it appended). For tests, demos and small deployments.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ast/literals.h"
#include "cli/cli.h"
#include "redline/approval_hash.h"
#include "redline/approvers.h"
#include "redline/engine.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline approve --key FILE --request FILE --rule POLICY/RULE --by ID --role ROLE\n"
    "                       [--step ROLE] [--deny] [--at TIME] [--kind human|agent]\n"
    "                       (--hash sha256:HEX | [--layer NAME] [--stdlib DIR] FILE.pol...)\n"
    "                       [--keys FILE] [--append]\n"
    "\n"
    "Signs an approval of the request in FILE for rule POLICY/RULE with the private key\n"
    "in --key (as `redline keygen` writes it). The signature covers the request's digest\n"
    "(approvals and request.now left out), the policy's approval hash (what the deciding\n"
    "stack means: reformatting or comments do not change it), and the approval's rule,\n"
    "step, role, verdict, approver and time, so it counts for this request under this\n"
    "policy version only. Prints the approval as one JSON object.\n"
    "\n"
    "  --step ROLE    the escalation step the approval speaks for\n"
    "  --deny         a denial (verdict `deny`) instead of an approval\n"
    "  --at TIME      when it was given, RFC 3339 (default: now)\n"
    "  --kind KIND    add `kind` to the approval (a keys file's kind wins when it verifies)\n"
    "  --hash HASH    the approval hash to sign for (`redline::approval_hash()`), instead\n"
    "                 of compiling FILE.pol...; with\n"
    "                 policies given, the approval is also checked against them\n"
    "  --keys FILE    check that the key is --by's key in this keys file, for --role\n"
    "  --append       print the request with the approval appended to its `approvals`\n"
    "\n"
    "Exit status: 0 when the approval was signed; 1 when it could not be (unreadable or\n"
    "malformed key, request or policy, or an approval the policy would refuse); 2 on\n"
    "usage errors.\n";

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

int fail(const std::string& message) {
  std::cerr << "redline approve: " << message << '\n';
  return 1;
}

nlohmann::ordered_json approval_json(const Approval& a) {
  nlohmann::ordered_json j = {{"rule", a.rule}};
  if (!a.step.empty()) j["step"] = a.step;
  j["by"] = a.by;
  j["role"] = a.role;
  j["verdict"] = a.verdict;
  j["at"] = a.at;
  if (!a.kind.empty()) j["kind"] = a.kind;
  j["signature"] = a.signature;
  return j;
}

// Checks the approval against the compiled policy by binding the request with
// it: the binder words what is wrong exactly as evaluation would.
bool check_against(const Program& prog, Request req, const Approval& a, std::string& error) {
  std::size_t index = req.approvals().size();
  req.approve(a);
  BoundRequest b = prog.bind(req);
  if (b.ok()) return true;
  const RequestError& e = *b.error();
  bool ours = e.pointer.rfind("/approvals/" + std::to_string(index), 0) == 0;
  error = (ours ? "the policy would refuse this approval: " : "the request is malformed: ") + e.code + ": " + e.message +
          (e.pointer.empty() ? "" : " (at " + e.pointer + ")");
  return false;
}

}  // namespace

int cmd_approve(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"key", "request", "rule", "step", "by", "role", "at", "kind", "hash", "layer", "stdlib", "keys"},
                         {"deny", "append"}, "approve");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  for (const char* required : {"key", "request", "rule", "by", "role"}) {
    if (!args->has(required) || args->get(required).empty()) {
      std::cerr << "redline approve: `--" << required << "` is required\n" << kHelp;
      return 2;
    }
  }
  if (!args->has("hash") && args->positional.empty()) {
    std::cerr << "redline approve: give the policy files, or `--hash`\n" << kHelp;
    return 2;
  }
  std::string kind = args->get("kind");
  if (!kind.empty() && kind != "human" && kind != "agent") {
    std::cerr << "redline approve: `--kind` is `human` or `agent`, not `" << kind << "`\n";
    return 2;
  }

  Approval a;
  a.rule = args->get("rule");
  a.step = args->get("step");
  a.by = args->get("by");
  a.role = args->get("role");
  a.verdict = args->has("deny") ? "deny" : "approve";
  a.kind = kind;
  if (args->has("at")) {
    a.at = args->get("at");
    if (!parse_rfc3339(a.at)) {
      std::cerr << "redline approve: `--at` must be an RFC 3339 time, not `" << a.at << "`\n";
      return 2;
    }
  } else {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    a.at = format_rfc3339(now);
  }

  std::string key_text, request_text;
  if (!read_text(args->get("key"), key_text)) return fail("cannot read the key `" + args->get("key") + "`");
  key_text = trimmed(key_text);
  if (!read_text(args->get("request"), request_text)) return fail("cannot read the request `" + args->get("request") + "`");
  Request req = Request::from_json(request_text);
  if (req.error()) return fail("the request is malformed: " + req.error()->code + ": " + req.error()->message);

  std::string hash = args->get("hash");
  if (!args->positional.empty()) {
    CompileOptions opts;
    opts.layer = args->get("layer");
    opts.stdlib_root = args->get("stdlib", stdlib_root());
    CompileResult r = compile_files(args->positional, opts);
    print_diagnostics(r.diagnostics, false);
    if (!r.ok()) return 1;
    if (!hash.empty() && hash != approval_hash(*r.program))
      return fail("`--hash` " + hash + " is not the approval hash of the policies given (" + approval_hash(*r.program) + ")");
    hash = approval_hash(*r.program);
    std::string error;
    if (!check_against(*r.program, req, a, error)) return fail(error);
  }

  auto public_key = approver_public_key(key_text);
  if (!public_key) return fail("`" + args->get("key") + "` does not hold a private key (base64 of a 32-byte Ed25519 seed)");
  if (args->has("keys")) {
    std::string error;
    auto keys = ApproverKeys::load(args->get("keys"), error);
    if (!keys) return fail(error);
    const ApproverKey* k = keys->find(a.by);
    if (!k) return fail("approver `" + a.by + "` is not in the keys file `" + args->get("keys") + "`");
    if (k->public_key != *public_key) return fail("the key is not the one the keys file lists for `" + a.by + "`");
    if (std::find(k->roles.begin(), k->roles.end(), a.role) == k->roles.end())
      return fail("the keys file does not let `" + a.by + "` sign as `" + a.role + "`");
  }
  std::string error;
  if (!sign_approval(a, key_text, req.digest(), hash, error)) return fail(error);

  if (!args->has("append")) {
    std::cout << approval_json(a).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    return 0;
  }
  auto doc = nlohmann::ordered_json::parse(request_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail("the request is not a JSON object");
  if (!doc.contains("approvals") || doc["approvals"].is_null()) doc["approvals"] = nlohmann::ordered_json::array();
  doc["approvals"].push_back(approval_json(a));
  std::cout << doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  return 0;
}

}  // namespace redline::cli
