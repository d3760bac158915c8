// tests/capi/conformance_dump.cc — the C++ API's decision JSON for every case
// of tests/conformance/*.json, one JSON line per case, for the Python
// package's byte-for-byte comparison (python/tests/test_conformance.py).
//
// Each line: {"file", "case", "request_text" (the request as decided, signed
// approvals included), "tripped", "keys" (the approvers keys file or null),
// "require_signed", "decision" (Decision::to_json())}. Signing follows
// tests/unit/eval/conformance_test.cc; only the public API is used.
// Usage: conformance_dump CONFORMANCE_DIR
#include <redline/approval_hash.h>
#include <redline/approvers.h>
#include <redline/engine.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

using nlohmann::json;
using namespace redline;

namespace {

std::shared_ptr<const ApproverKeys> keys_of(const json& approvers) {
  std::vector<ApproverKey> entries;
  for (auto it = approvers.begin(); it != approvers.end(); ++it) {
    if (!it.value().value("keyed", true)) continue;
    auto pub = approver_public_key(it.value()["seed"].get<std::string>());
    if (!pub) throw std::runtime_error("bad seed for " + it.key());
    ApproverKind kind = it.value().value("kind", "human") == "agent" ? ApproverKind::agent : ApproverKind::human;
    entries.push_back({it.key(), *pub, it.value()["roles"].get<std::vector<std::string>>(), kind});
  }
  std::string error;
  auto keys = ApproverKeys::from_entries(std::move(entries), error);
  if (!keys) throw std::runtime_error("keys: " + error);
  return keys;
}

Approval approval_of(const json& a) {
  Approval out;
  out.rule = a.value("rule", "");
  out.step = a.value("step", "");
  out.by = a.value("by", "");
  out.role = a.value("role", "");
  out.verdict = a.value("verdict", "");
  out.at = a.value("at", "");
  return out;
}

void sign_case(const json& c, const json& approvers, const Program& prog, json& request) {
  std::string own = Request::from_json(request.dump()).digest();
  for (const auto& s : c["sign"]) {
    json& a = request["approvals"][s["approval"].get<std::size_t>()];
    std::string signer = s.value("key", a.value("by", ""));
    std::string digest = s.contains("for_request")        ? Request::from_json(s["for_request"].dump()).digest()
                         : s.contains("for_request_text") ? Request::from_json(s["for_request_text"].get<std::string>()).digest()
                                                          : own;
    Approval signed_one = approval_of(a);
    std::string error;
    if (!sign_approval(signed_one, approvers[signer]["seed"].get<std::string>(), digest, s.value("for_policy", approval_hash(prog)), error))
      throw std::runtime_error("sign: " + error);
    a["signature"] = signed_one.signature;
    json then = s.value("then", json::object());
    for (auto it = then.begin(); it != then.end(); ++it) a[it.key()] = it.value();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: conformance_dump CONFORMANCE_DIR\n";
    return 2;
  }
  try {
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::directory_iterator(argv[1]))
      if (e.path().extension() == ".json") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      json doc = json::parse(ss.str());
      CompileOptions opts;
      std::vector<std::string> entry;
      for (const auto& name : doc["files"]) {   // the policies, in the folder named after the file
        std::ifstream pin(path.parent_path() / path.stem() / name.get<std::string>());
        std::stringstream text;
        text << pin.rdbuf();
        opts.files[name.get<std::string>()] = text.str();
        entry.push_back(name.get<std::string>());
      }
      if (doc.contains("entry")) entry = doc["entry"].get<std::vector<std::string>>();
      if (doc.contains("layer")) opts.layer = doc["layer"].get<std::string>();
      CompileResult r = compile_files(entry, opts);
      if (!r.ok()) {
        std::cerr << path << ":\n" << r.diagnostics.render();
        return 1;
      }
      const Program& prog = *r.program;
      for (const auto& c : doc["cases"]) {
        json request = c.contains("request") ? c["request"] : json();
        if (c.contains("sign")) sign_case(c, doc["approvers"], prog, request);
        std::string text = c.contains("request_text") ? c["request_text"].get<std::string>() : request.dump();
        ApprovalOptions approvals;
        if (doc.contains("approvers") && c.value("keys", true)) approvals.keys = keys_of(doc["approvers"]);
        approvals.require_signed = c.value("require_signed", false);
        auto board = prog.make_switchboard();
        for (const auto& t : c.value("tripped", json::array())) board->trip(t.get<std::string>());
        Decision d = prog.evaluate_json(text, {.approvals = &approvals, .switches = board.get()});
        json line = {{"file", path.filename().string()},
                     {"case", c["name"]},
                     {"request_text", text},
                     {"tripped", c.value("tripped", json::array())},
                     {"keys", approvals.keys ? json(approvals.keys->to_json()) : json(nullptr)},
                     {"require_signed", approvals.require_signed},
                     {"decision", d.to_json()}};
        std::cout << line.dump() << '\n';
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "conformance_dump: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
