// cli/approve.cc — `redline approve`: signs an approval of one request for
// one rule with an approver's private key, bound to the request's digest and
// the policy's hash (docs/approvals.md "Signed approvals"), and prints it as
// the JSON object a request's `approvals` holds (or, with --append, the
// request with it appended). For tests, demos and small deployments.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ast/literals.h"
#include "cli/cli.h"
#include "redline/approval_hash.h"
#include "redline/approvers.h"
#include "redline/engine.h"
#include "server/http_client.h"

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
    "usage errors.\n"
    "\n"
    "usage: redline approve --case ID --server URL --key FILE [--role ROLE] [--deny]\n"
    "                       [--comment TEXT] [--token-file FILE] [--ca-file FILE] [--print]\n"
    "\n"
    "Signs an action on an approval case of `redline serve` and sends it: reads who the\n"
    "token is (GET /v1/whoami) and the case (GET /v1/cases/ID), signs one approval per\n"
    "rule the case awaits in ROLE (default: the first of the token's roles it awaits)\n"
    "for the case's request digest and the serving policy's approval hash, and posts\n"
    "them (POST /v1/cases/ID/approve, or /deny) with `at` = now. Prints the case after\n"
    "the action. The bearer token is read from --token-file, else $REDLINE_TOKEN.\n"
    "\n"
    "  --server URL   the service, http://HOST:PORT or https://HOST[:PORT] (the server's\n"
    "                 certificate is verified against the system's trust store)\n"
    "  --ca-file FILE for https: trust the CA certificates of this PEM file instead\n"
    "  --comment TEXT the comment to go with the action\n"
    "  --print        print the signed action body instead of sending it\n"
    "\n"
    "Exit status: 0 when the action was taken (or printed); 1 when it was refused or\n"
    "could not be signed or sent; 2 on usage errors.\n";

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

using ojson = nlohmann::ordered_json;

/// `redline approve --case`: sign and send an action on a case.
int approve_case(const Args& args) {
  for (const char* required : {"server", "key"}) {
    if (!args.has(required) || args.get(required).empty()) {
      std::cerr << "redline approve: `--case` needs `--" << required << "`\n" << kHelp;
      return 2;
    }
  }
  for (const char* other : {"request", "rule", "by", "step", "at", "hash", "keys", "append", "layer"}) {
    if (args.has(other)) {
      std::cerr << "redline approve: `--" << other << "` does not go with `--case` (the case says what to sign)\n";
      return 2;
    }
  }
  const std::string id = args.get("case");
  server::HttpUrl url;
  std::string error;
  if (!server::parse_http_url(args.get("server"), url, error)) {
    std::cerr << "redline approve: `--server`: " << error << '\n';
    return 2;
  }
  server::HttpClientOptions options;
  if (args.has("ca-file")) {
    if (!url.https()) {
      std::cerr << "redline approve: `--ca-file` is only for an https:// `--server`\n";
      return 2;
    }
    options.ca_file = args.get("ca-file");
    if (!server::check_ca_file(options.ca_file, error)) return fail("`--ca-file`: " + error);
  }
  std::string token;
  if (args.has("token-file")) {
    if (!read_text(args.get("token-file"), token)) return fail("cannot read the token file `" + args.get("token-file") + "`");
  } else if (const char* env = std::getenv("REDLINE_TOKEN")) {
    token = env;
  }
  token = trimmed(token);
  if (token.empty()) return fail("no bearer token: give `--token-file FILE` or set REDLINE_TOKEN");
  std::string key_text;
  if (!read_text(args.get("key"), key_text)) return fail("cannot read the key `" + args.get("key") + "`");
  key_text = trimmed(key_text);
  if (!approver_public_key(key_text)) return fail("`" + args.get("key") + "` does not hold a private key (base64 of a 32-byte Ed25519 seed)");

  const std::vector<std::string> auth = {"Authorization: Bearer " + token, "Accept: application/json"};
  std::string base = url.path == "/" ? "" : url.path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto get = [&](const std::string& path, ojson& out) -> bool {
    server::HttpClientResponse r = server::http_call(url, "GET", base + path, auth, "", options);
    if (!r.ok()) return error = r.error, false;
    out = ojson::parse(r.body, nullptr, false);
    if (r.status != 200) {
      error = "GET " + path + ": " + std::to_string(r.status);
      if (out.is_object() && out.contains("error") && out["error"].is_object())
        error += " " + out["error"].value("code", "") + ": " + out["error"].value("message", "");
      return false;
    }
    if (!out.is_object()) return error = "GET " + path + ": the answer is not a JSON object", false;
    return true;
  };
  ojson who, c;
  if (!get("/v1/whoami", who)) return fail(error);
  if (!get("/v1/cases/" + id, c)) return fail(error);
  const std::string by = who.value("actor", "");
  std::vector<std::string> token_roles;
  if (who.contains("roles") && who["roles"].is_array())
    for (const ojson& r : who["roles"])
      if (r.is_string()) token_roles.push_back(r.get<std::string>());
  if (c.value("state", "") != "open") return fail("case " + id + " is " + c.value("state", "?") + " (" + c.value("outcome", "") + "): nothing to sign");
  if (!c.contains("signing") || !c["signing"].is_object()) return fail("the server gives no signing data for case " + id);
  const std::string digest = c["signing"].value("request_digest", ""), policy = c["signing"].value("policy", "");
  std::vector<std::string> awaited;
  if (c.contains("roles") && c["roles"].is_array())
    for (const ojson& r : c["roles"])
      if (r.is_string()) awaited.push_back(r.get<std::string>());
  std::string role = args.get("role");
  if (role.empty())
    for (const std::string& r : token_roles)
      if (std::find(awaited.begin(), awaited.end(), r) != awaited.end()) {
        role = r;
        break;
      }
  if (role.empty()) return fail("the token's roles include none the case awaits now");

  // One approval per pending rule that awaits the role, at the step of that
  // name when the rule escalates: what the server applies the action to.
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string at = format_rfc3339(now);
  ojson signatures = ojson::object();
  const ojson* rules = nullptr;
  if (c.contains("decision") && c["decision"].is_object() && c["decision"].contains("pending") && c["decision"]["pending"].is_object() &&
      c["decision"]["pending"].contains("rules") && c["decision"]["pending"]["rules"].is_array())
    rules = &c["decision"]["pending"]["rules"];
  if (rules)
    for (const ojson& p : *rules) {
      if (!p.is_object() || !p.contains("roles") || !p["roles"].is_array()) continue;
      bool awaits = false;
      for (const ojson& r : p["roles"]) awaits = awaits || (r.is_string() && r.get<std::string>() == role);
      if (!awaits) continue;
      bool escalates = p.contains("current_step") && p["current_step"].is_string() && !p["current_step"].get<std::string>().empty();
      Approval a{p.value("rule", ""), escalates ? role : "", by, role, args.has("deny") ? "deny" : "approve", at, "", ""};
      if (!sign_approval(a, key_text, digest, policy, error)) return fail(error);
      std::cerr << "signing: " << a.verdict << " " << a.rule << (a.step.empty() ? "" : " step " + a.step) << " as " << by << " (" << role
                << ") for request " << c.value("request_id", "") << " [" << digest.substr(0, 19) << "…]\n";
      signatures[a.rule] = a.signature;
    }
  if (signatures.empty()) return fail("no pending rule of case " + id + " awaits `" + role + "`");
  ojson body = {{"role", role}, {"at", at}, {"signatures", signatures}};
  if (args.has("comment")) body["comment"] = args.get("comment");
  const std::string text = body.dump(-1, ' ', false, ojson::error_handler_t::replace);
  if (args.has("print")) {
    std::cout << text << '\n';
    return 0;
  }
  std::vector<std::string> post_headers = auth;
  post_headers.push_back("Content-Type: application/json");
  const std::string path = base + "/v1/cases/" + id + (args.has("deny") ? "/deny" : "/approve");
  server::HttpClientResponse r = server::http_call(url, "POST", path, post_headers, text, options);
  if (!r.ok()) return fail(r.error);
  ojson answer = ojson::parse(r.body, nullptr, false);
  if (r.status != 200) {
    std::string why = std::to_string(r.status);
    if (answer.is_object() && answer.contains("error") && answer["error"].is_object())
      why += " " + answer["error"].value("code", "") + ": " + answer["error"].value("message", "");
    return fail("the server refused the action: " + why);
  }
  std::cout << r.body << '\n';
  return 0;
}

}  // namespace

int cmd_approve(const std::vector<std::string>& argv) {
  auto args = parse_args(argv,
                         {"key", "request", "rule", "step", "by", "role", "at", "kind", "hash", "layer", "stdlib", "keys", "case", "server",
                          "comment", "token-file", "ca-file"},
                         {"deny", "append", "print"}, "approve");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->has("case")) return approve_case(*args);
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
