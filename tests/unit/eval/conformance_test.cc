// Runs every case of tests/conformance/*.json (written from LANGUAGE.md, not
// from this implementation's output) through the compiled Program AND the
// reference interpreter; both must give the expected decision.
//
// Signed approvals (docs/approvals.md): a file's "approvers" maps approver
// ids to a private seed (base64), roles and kind; they make the keys file of
// every case unless the case says "keys": false (an approver with "keyed":
// false signs but is left out), and "require_signed": true
// sets the engine option. A case's "sign" list signs its approvals here, at
// run time, since a signature covers the policy hash: {"approval": index,
// "key": approver whose seed signs (default: the approval's `by`),
// "for_request": object or "for_request_text": text to sign for instead of
// this request (a replay), "for_policy": hash to sign under instead of the
// Program's, "then": fields to change after signing (tampering)}.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "eval/conformance_files.h"
#include "eval/reference.h"
#include "flat/program_impl.h"
#include "redline/approval_hash.h"
#include "redline/engine.h"
#include "test_support.h"

using namespace redline;
using nlohmann::json;

namespace {

std::set<std::string> as_set(const json& arr) {
  std::set<std::string> s;
  for (const auto& e : arr) s.insert(e.get<std::string>());
  return s;
}

// The keys file of a conformance file's "approvers" (seeds → public keys).
std::shared_ptr<const ApproverKeys> keys_of(const json& approvers) {
  std::vector<ApproverKey> entries;
  for (auto it = approvers.begin(); it != approvers.end(); ++it) {
    if (!it.value().value("keyed", true)) continue;   // can sign, but is not in the keys file
    auto pub = approver_public_key(it.value()["seed"].get<std::string>());
    REQUIRE(pub.has_value());
    ApproverKind kind = it.value().value("kind", "human") == "agent" ? ApproverKind::agent : ApproverKind::human;
    entries.push_back({it.key(), *pub, it.value()["roles"].get<std::vector<std::string>>(), kind});
  }
  std::string error;
  auto keys = ApproverKeys::from_entries(std::move(entries), error);
  INFO(error);
  REQUIRE(keys);
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

// Carries out a case's "sign" list on its request JSON.
void sign_case(const json& c, const json& approvers, const Program& prog, json& request) {
  std::string own = Request::from_json(request.dump()).digest();
  for (const auto& s : c["sign"]) {
    json& a = request["approvals"][s["approval"].get<std::size_t>()];
    std::string signer = s.value("key", a.value("by", ""));
    REQUIRE(approvers.contains(signer));
    std::string digest = s.contains("for_request")        ? Request::from_json(s["for_request"].dump()).digest()
                         : s.contains("for_request_text") ? Request::from_json(s["for_request_text"].get<std::string>()).digest()
                                                          : own;
    Approval signed_one = approval_of(a);
    std::string error;
    REQUIRE(sign_approval(signed_one, approvers[signer]["seed"].get<std::string>(), digest, s.value("for_policy", approval_hash(prog)), error));
    a["signature"] = signed_one.signature;
    json then = s.value("then", json::object());
    for (auto it = then.begin(); it != then.end(); ++it) a[it.key()] = it.value();
  }
}

// Conformance files are parsed strictly: a misspelt key (`"reason"` for
// `"reasons"`) would otherwise make a check silently vanish. Returns every
// problem found.
void only_keys(const json& obj, std::initializer_list<const char*> allowed, const std::string& where, std::vector<std::string>& problems) {
  if (!obj.is_object()) return problems.push_back(where + " must be an object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* k : allowed) known = known || it.key() == k;
    if (!known) problems.push_back(where + " has an unknown key `" + it.key() + "`");
  }
}

std::vector<std::string> shape_problems(const json& doc, const std::string& file) {
  std::vector<std::string> p;
  only_keys(doc, {"description", "files", "entry", "layer", "approvers", "cases"}, file, p);
  if (!p.empty()) return p;
  if (!doc.contains("files") || !doc["files"].is_array() || doc["files"].empty()) p.push_back(file + " has no `files` list");
  else
    for (const json& f : doc["files"])
      if (!f.is_string() || !f.get<std::string>().ends_with(".pol")) p.push_back(file + " names a file that is not a .pol file");
  if (!doc.contains("cases") || !doc["cases"].is_array()) return p.push_back(file + " has no `cases` array"), p;
  if (doc.contains("approvers"))
    for (auto it = doc["approvers"].begin(); it != doc["approvers"].end(); ++it)
      only_keys(it.value(), {"seed", "roles", "kind", "keyed"}, file + " approver " + it.key(), p);
  for (const json& c : doc["cases"]) {
    std::string where = file + " case " + (c.is_object() ? c.value("name", "?") : "?");
    only_keys(c, {"name", "spec", "request", "request_text", "sign", "tripped", "keys", "require_signed", "expect"}, where, p);
    if (!c.is_object()) continue;
    if (!c.contains("name")) p.push_back(where + " has no `name`");
    if (c.contains("request") == c.contains("request_text")) p.push_back(where + " needs exactly one of `request` and `request_text`");
    if (!c.contains("expect")) {
      p.push_back(where + " has no `expect`");
      continue;
    }
    only_keys(c["expect"],
              {"decision", "error", "reasons", "obligations", "missing", "killed_by", "pending", "approved_by", "uncounted", "blocked"},
              where + " expect", p);
    if (c["expect"].is_object() && !c["expect"].contains("decision")) p.push_back(where + " expects no `decision`");
    if (c.contains("sign"))
      for (const json& sg : c["sign"]) only_keys(sg, {"approval", "key", "for_request", "for_request_text", "for_policy", "then"}, where + " sign", p);
  }
  return p;
}

bool switch_matches(const std::string& qualified, const std::string& wanted) {
  return qualified == wanted || qualified.ends_with("/" + wanted);
}

std::size_t run_file(const std::filesystem::path& path) {
  json doc = json::parse(testing::read_file(path));
  std::vector<std::string> problems = shape_problems(doc, path.filename().string());
  for (const std::string& pr : problems) FAIL_CHECK(pr);
  REQUIRE(problems.empty());
  CompileOptions opts;
  const std::vector<std::string> entry = testing::load_conformance_files(doc, path, opts);
  CompileResult r = compile_files(entry, opts);
  INFO("file: ", path.filename().string(), "\n", r.diagnostics.render());
  REQUIRE(r.ok());
  const Program& prog = *r.program;
  const ProgramImpl& impl = ProgramAccess::impl(prog);
  std::size_t n = 0;
  for (const auto& c : doc["cases"]) {
    std::string name = c["name"].get<std::string>();
    INFO("case: ", path.filename().string(), " / ", name);
    json request = c.contains("request") ? c["request"] : json();
    if (c.contains("sign")) sign_case(c, doc["approvers"], prog, request);
    Request req = c.contains("request_text") ? Request::from_json(c["request_text"].get<std::string>()) : Request::from_json(request.dump());
    ApprovalOptions approvals;
    if (doc.contains("approvers") && c.value("keys", true)) approvals.keys = keys_of(doc["approvers"]);
    approvals.require_signed = c.value("require_signed", false);
    auto board = prog.make_switchboard();
    std::set<std::uint32_t> tripped_ids;
    for (const auto& t : c.value("tripped", json::array())) {
      REQUIRE(board->trip(t.get<std::string>()));
      for (std::uint32_t s = 0; s < impl.data.switches.size(); ++s)
        if (switch_matches(impl.switch_names[s], t.get<std::string>())) tripped_ids.insert(impl.data.switches[s]);
    }
    const EvalOptions options{.approvals = &approvals, .switches = board.get()};
    BoundRequest b = prog.bind(req, options);
    Decision d;
    prog.evaluate(b, d, options);
    const json& want = c["expect"];
    CHECK(to_string(d.outcome()) == want["decision"].get<std::string>());
    if (want.contains("error")) {
      CHECK(d.error().has_value());
      if (d.error()) CHECK(d.error()->code == want["error"].get<std::string>());
    } else {
      CHECK_MESSAGE(!d.error().has_value(), (d.error() ? d.error()->message : ""));
    }
    if (want.contains("obligations")) CHECK(json(d.obligations()) == want["obligations"]);
    if (want.contains("reasons")) {
      std::set<std::string> got;
      for (const auto& reason : d.reasons())
        if (!reason.rule.ends_with("/default")) got.insert(reason.rule);
      CHECK(got == as_set(want["reasons"]));
    }
    if (want.contains("missing")) {
      auto m = d.missing();
      CHECK(std::set<std::string>(m.begin(), m.end()) == as_set(want["missing"]));
    }
    if (want.contains("killed_by")) {
      if (want["killed_by"].is_null()) CHECK(!d.killed_by().has_value());
      else {
        REQUIRE(d.killed_by().has_value());
        CHECK(switch_matches(*d.killed_by(), want["killed_by"].get<std::string>()));
      }
    }
    if (want.contains("pending")) {
      std::set<std::string> got;
      for (const auto& pend : d.pending()) got.insert(pend.rule);
      CHECK(got == as_set(want["pending"]));
    }
    if (want.contains("uncounted")) {   // approver → reason, over every pending rule
      json got = json::object();
      for (const auto& pend : d.pending())
        for (const auto& u : pend.uncounted) got[u.by] = u.reason;
      CHECK(got == want["uncounted"]);
    }
    if (want.contains("blocked")) {
      bool blocked = false;
      for (const auto& pend : d.pending()) blocked = blocked || !pend.blocked.empty();
      CHECK(blocked == want["blocked"].get<bool>());
    }
    if (want.contains("approved_by")) {
      std::set<std::string> got;
      for (const auto& a : d.approvals()) got.insert(a.by);
      CHECK(got == as_set(want["approved_by"]));
    }
    // The reference interpreter must agree with the Program.
    eval::ReferenceDecision ref = eval::reference_evaluate(*impl.model, impl.data.top, b, impl.layout, tripped_ids);
    CHECK(ref.error == d.error().has_value());
    if (!ref.error) {
      CHECK(ref.outcome == d.outcome());
      CHECK(ref.obligations == d.obligations());
      auto m = d.missing();
      CHECK(ref.missing == std::set<std::string>(m.begin(), m.end()));
      CHECK(ref.killed_by.has_value() == d.killed_by().has_value());
      CHECK(ref.not_in_force.has_value() == d.not_in_force().has_value());
    }
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("conformance cases from the spec") {
  std::size_t files = 0, cases = 0;
  std::vector<std::filesystem::path> paths;   // in sorted order: the same run everywhere
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() / "tests/conformance"))
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    cases += run_file(path);
    ++files;
  }
  MESSAGE(files, " files, ", cases, " cases");
  CHECK(files >= 10);
  CHECK(cases >= 60);
}

TEST_CASE("conformance files are read strictly: unknown or missing keys are reported") {
  json good = json::parse(R"({"description": "d", "files": ["a.pol"], "cases": [
    {"name": "n", "spec": "s", "request": {}, "expect": {"decision": "deny", "reasons": []}}]})");
  CHECK(shape_problems(good, "f.json").empty());
  json misspelt = good;
  misspelt["cases"][0]["expect"]["reason"] = json::array();
  auto p = shape_problems(misspelt, "f.json");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "f.json case n expect has an unknown key `reason`");
  json both = good;
  both["cases"][0]["request_text"] = "{}";
  CHECK(shape_problems(both, "f.json").size() == 1);
  json top = good;
  top["case"] = json::array();
  CHECK(shape_problems(top, "f.json") == std::vector<std::string>{"f.json has an unknown key `case`"});
  json no_decision = good;
  no_decision["cases"][0]["expect"].erase("decision");
  CHECK(shape_problems(no_decision, "f.json").size() == 1);
}
