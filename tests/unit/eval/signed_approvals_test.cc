// Signed approvals (redline/approvers.h, docs/approvals.md): the canonical
// request form and digest, the signed message, keys files, and round trips
// through the library API and the `redline keygen` / `approve` / `eval` verbs.
// The fixed vectors below were computed once with an independent
// implementation (Python's hashlib and `cryptography` Ed25519) from the
// format in docs/approvals.md; they must never change, or every signature in
// the field stops verifying.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/replay.h"
#include "redline/approval_hash.h"
#include "audit/verify.h"
#include "eval/canonical_json.h"
#include "redline/approvers.h"
#include "redline/audit.h"
#include "redline/engine.h"
#include "test_support.h"

using namespace redline;
using namespace redline::testing;

namespace {

constexpr const char* kVectorRequest =
    R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk","name":"Zo\u00eb \"Z\"\n"},)"
    R"("data":{"rows":[3,1.5,{"b":null,"a":true}],"tags":["pii"]},)"
    R"("request":{"id":"r-1","time":"2026-03-05T14:00:00Z","now":"2026-03-05T15:00:00Z","volume":10,"ratio":1.0}})";
constexpr const char* kVectorCanonical =
    "{\"actor.id\":\"u1\",\"actor.name\":\"Zo\xc3\xab \\\"Z\\\"\\n\",\"actor.role\":\"clerk\",\"data.rows\":[3,1.5,{\"a\":true,\"b\":null}],"
    "\"data.tags\":[\"pii\"],\"purpose\":\"ops.deploy\",\"request.id\":\"r-1\",\"request.ratio\":1.0,"
    "\"request.time\":\"2026-03-05T14:00:00Z\",\"request.volume\":10}";
constexpr const char* kVectorDigest = "sha256:f3e7c8e6393bce5a91cd2fa5c1240436a1eb41028b3d8c43205b6f7f3931f773";
constexpr const char* kVectorPolicy = "sha256:abababababababababababababababababababababababababababababababab";
constexpr const char* kVectorSeed = "QFtkm//RBG978dZBNTv7lQRiSwM4ilDgxLsbVy5A4Bw=";
constexpr const char* kVectorPublic = "wbT1E5RqhpnEsWKtDsxjae2eUHN4rOdq8vjXTXiSylk=";
constexpr const char* kVectorSignature = "UpQ27K8Qtb3qwerTAo6U18BbTfPrH1RCbxMgZg5g2/gUyf4Tfr06ptyNKHU3VOWTIWo0IvhAcOIqqX1SYIXuAg==";

Approval vector_approval() {
  Approval a;
  a.rule = "sig/deploy";
  a.by = "m1";
  a.role = "manager";
  a.verdict = "approve";
  a.at = "2026-03-05T15:10:00+01:00";   // signed as 2026-03-05T14:10:00Z
  return a;
}

const char* kPolicy = R"(
purposes { ops { deploy wipe } }
context {
  actor.id:   string
  actor.role: enum { clerk, manager, director }
  actor.kind: enum { human, agent }
}
policy "sig" {
  default allow
  rule deploy: require approval ops.deploy by manager signed;
  rule wipe:   require approval ops.wipe by manager, director quorum 2 human;
}
)";

const char* kRequest =
    R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z","now":"2026-03-05T15:00:00Z"}})";

std::shared_ptr<const Program> program() {
  CompileResult r = compile_source(kPolicy, "sig.pol");
  INFO(r.diagnostics.render());
  REQUIRE(r.ok());
  return r.program;
}

}  // namespace

TEST_CASE("approvals: the canonical request form and digest are a fixed vector") {
  Request r = Request::from_json(kVectorRequest);
  REQUIRE(!r.error());
  CHECK(eval::canonical_request(r) == kVectorCanonical);
  CHECK(r.digest() == kVectorDigest);
}

TEST_CASE("approvals: the signed message and an Ed25519 signature are a fixed vector") {
  Approval a = vector_approval();
  CHECK(approval_message(a, kVectorDigest, kVectorPolicy) ==
        "redline-approval-v1\n"
        "request 71:sha256:f3e7c8e6393bce5a91cd2fa5c1240436a1eb41028b3d8c43205b6f7f3931f773\n"
        "policy 71:sha256:abababababababababababababababababababababababababababababababab\n"
        "rule 10:sig/deploy\n"
        "step 0:\n"
        "role 7:manager\n"
        "verdict 7:approve\n"
        "by 2:m1\n"
        "at 20:2026-03-05T14:10:00Z\n");
  CHECK(approver_public_key(kVectorSeed) == std::optional<std::string>(kVectorPublic));
  std::string error;
  REQUIRE(sign_approval(a, kVectorSeed, kVectorDigest, kVectorPolicy, error));
  CHECK(a.signature == kVectorSignature);   // Ed25519 is deterministic (RFC 8032)
  CHECK(verify_approval(a, kVectorPublic, kVectorDigest, kVectorPolicy));
  CHECK(!verify_approval(a, kVectorPublic, kVectorDigest, "sha256:" + std::string(64, '0')));
  Approval other = a;
  other.by = "m2";
  CHECK(!verify_approval(other, kVectorPublic, kVectorDigest, kVectorPolicy));
  other = a;
  other.role = "director";   // the role is signed: a key for two roles cannot move an approval between them
  CHECK(!verify_approval(other, kVectorPublic, kVectorDigest, kVectorPolicy));
  other = a;
  other.step = "manager";
  CHECK(!verify_approval(other, kVectorPublic, kVectorDigest, kVectorPolicy));
  other = a;
  other.signature = "not base64";
  CHECK(!verify_approval(other, kVectorPublic, kVectorDigest, kVectorPolicy));
}

TEST_CASE("approvals: the digest covers what the engine reads, and nothing else") {
  const std::string base = Request::from_json(kRequest).digest();
  // Spelling does not matter: key order, whitespace, escapes.
  CHECK(Request::from_json(R"( { "request": {"time":"2026-03-05T14:00:00Z", "id":"r-1"},
                                  "actor": {"role":"clerk","id":"u1"}, "purpose":"ops.deploy" } )")
            .digest() == base);
  CHECK(Request::from_json(R"({"purpose":"ops.deploy","actor":{"id":"\u0075\u0031","role":"clerk"},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z"}})")
            .digest() == base);
  // request.now, approvals and nulls are left out: re-asking later keeps the digest.
  CHECK(Request::from_json(R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk","x":null},"env":null,
      "request":{"id":"r-1","time":"2026-03-05T14:00:00Z","now":"2026-03-06T00:00:00Z"},
      "approvals":[{"rule":"sig/deploy","by":"m1","role":"manager","verdict":"approve","at":"2026-03-05T14:10:00Z"}]})")
            .digest() == base);
  // A request built in C++ has the digest of the same request in JSON.
  Request built;
  built.purpose("ops.deploy").set("actor.id", "u1").set("actor.role", "clerk").set("request.id", "r-1").set("request.time", "2026-03-05T14:00:00Z");
  CHECK(built.digest() == base);
  // Any value the request holds changes it, declared or not.
  for (const char* changed : {
           R"({"purpose":"ops.wipe","actor":{"id":"u1","role":"clerk"},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z"}})",
           R"({"purpose":"ops.deploy","actor":{"id":"u2","role":"clerk"},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z"}})",
           R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},"request":{"id":"r-2","time":"2026-03-05T14:00:00Z"}})",
           R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},"request":{"id":"r-1","time":"2026-03-05T14:00:01Z"}})",
           R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},"data":{"note":"x"},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z"}})",
           R"({"purpose":"ops.deploy","actor":{"id":"u1","role":"clerk"},"data":{"rows":[1]},"request":{"id":"r-1","time":"2026-03-05T14:00:00Z"}})"}) {
    INFO(changed);
    CHECK(Request::from_json(changed).digest() != base);
  }
  // Numbers: 1 and 1.0 differ (the engine reads them differently); non-string arrays are covered in full.
  CHECK(Request::from_json(R"({"data":{"n":1}})").digest() != Request::from_json(R"({"data":{"n":1.0}})").digest());
  CHECK(Request::from_json(R"({"data":{"rows":[1,2]}})").digest() != Request::from_json(R"({"data":{"rows":[2,1]}})").digest());
  CHECK(Request::from_json(R"({"data":{"rows":[{"a":1,"b":2}]}})").digest() == Request::from_json(R"({"data":{"rows":[{"b":2,"a":1}]}})").digest());
}

TEST_CASE("approvals: keys files are read strictly") {
  auto pair = generate_approver_key();
  REQUIRE(pair);
  std::string pub = pair->public_key, error;
  auto keys = ApproverKeys::parse(R"({"approvers":{"m1":{"public_key":")" + pub + R"(","roles":["manager"],"kind":"human"},
                                      "bot":{"public_key":")" + pub + R"(","roles":["manager","director"],"kind":"agent"}}})", error);
  INFO(error);
  REQUIRE(keys);
  REQUIRE(keys->find("m1"));
  CHECK(keys->find("m1")->kind == ApproverKind::human);
  CHECK(keys->find("bot")->kind == ApproverKind::agent);
  CHECK(keys->find("m2") == nullptr);
  CHECK(keys->entries().size() == 2);
  auto again = ApproverKeys::parse(keys->to_json(), error);
  REQUIRE(again);
  CHECK(again->to_json() == keys->to_json());
  std::string entry = R"("public_key":")" + pub + R"(")";
  for (const auto& text_says : std::vector<std::pair<std::string, std::string>>{
           {"not json", "not valid JSON"},
           {"[]", "`approvers`"},
           {R"({"approvers":{},"extra":1})", "unknown field `extra`"},
           {R"({"approvers":{"m1":{"public_key":"AAAA","roles":["manager"],"kind":"human"}}})", "`public_key`"},
           {R"({"approvers":{"m1":{)" + entry + R"(,"roles":[],"kind":"human"}}})", "no role"},
           {R"({"approvers":{"m1":{)" + entry + R"(,"roles":["manager"]}}})", "`kind`"},
           {R"({"approvers":{"m1":{)" + entry + R"(,"roles":["manager"],"kind":"robot"}}})", "`kind`"},
           {R"({"approvers":{"m1":{)" + entry + R"(,"roles":["manager"],"kind":"human","secret":1}}})", "unknown field `secret`"},
           {R"({"approvers":{"m1":{)" + entry + R"(,"roles":["manager"],"kind":"human"},"m1":{)" + entry + R"(,"roles":["cro"],"kind":"human"}}})",
            "`m1` is given twice"},
       }) {
    const std::string& text = text_says.first;   // (a plain variable: INFO's lambda cannot capture a binding in clang 14)
    INFO(text);
    CHECK(ApproverKeys::parse(text, error) == nullptr);
    CHECK(error.find(text_says.second) != std::string::npos);
  }
  CHECK(ApproverKeys::from_entries({{"m1", pub, {"manager"}, ApproverKind::human}, {"m1", pub, {"director"}, ApproverKind::human}}, error) == nullptr);
  CHECK(error.find("twice") != std::string::npos);
  CHECK(ApproverKeys::load("/nonexistent/keys.json", error) == nullptr);
}

TEST_CASE("approvals: round trip through the library — sign, evaluate, tamper") {
  auto prog = program();
  auto pair = generate_approver_key();
  REQUIRE(pair);
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m1", pair->public_key, {"manager"}, ApproverKind::human}}, error);
  REQUIRE(keys);
  ApprovalOptions judging{keys, false};
  const EvalOptions opts{.approvals = &judging};

  Request req = Request::from_json(kRequest);
  Approval a{"sig/deploy", "", "m1", "manager", "approve", "2026-03-05T14:10:00Z", "", ""};
  REQUIRE(sign_approval(a, pair->private_key, req.digest(), approval_hash(*prog), error));
  Request with = req;
  with.approve(a);
  Decision d = prog->evaluate(with, opts);
  CHECK(d.outcome() == Outcome::allow);
  REQUIRE(d.approvals().size() == 1);
  CHECK(d.approvals()[0].by == "m1");
  // Through the JSON path as well (bind_json hands requests with approvals to the full binder).
  std::string json = std::string(kRequest).insert(std::string(kRequest).size() - 1,
                                                  R"(,"approvals":[{"rule":"sig/deploy","by":"m1","role":"manager","verdict":"approve","at":"2026-03-05T14:10:00Z","signature":")" +
                                                      a.signature + R"("}])");
  CHECK(prog->evaluate_json(json, opts).outcome() == Outcome::allow);
  // Without keys, `signed` cannot be satisfied, and the decision says why.
  Decision none = prog->evaluate(with);
  CHECK(none.outcome() == Outcome::require_approval);
  REQUIRE(none.pending().size() == 1);
  CHECK(none.pending()[0].signed_only);
  CHECK(!none.pending()[0].blocked.empty());
  CHECK(prog->evaluate_json(kRequest).pending().at(0).blocked.size() > 0);   // lazily computed pending says it too
  CHECK(prog->evaluate_json(kRequest, opts).pending().at(0).blocked.empty());

  // Tamper with one field at a time: the approval no longer counts.
  auto tampered = [&](auto change) {
    Approval t = a;
    Request r = req;
    change(t, r);
    r.approve(t);
    Decision x = prog->evaluate(r, opts);
    CHECK(x.outcome() == Outcome::require_approval);
    return x.pending().empty() || x.pending()[0].uncounted.empty() ? std::string() : x.pending()[0].uncounted[0].reason;
  };
  CHECK(tampered([](Approval& t, Request&) { t.at = "2026-03-05T14:11:00Z"; }) == "signature_invalid");
  CHECK(tampered([](Approval& t, Request&) { t.by = "m2"; }) == "unknown_approver");
  CHECK(tampered([](Approval& t, Request&) { t.signature = t.signature.substr(0, 80) + "AAAAAA=="; }) == "signature_invalid");
  CHECK(tampered([](Approval&, Request& r) { r.set("actor.id", "u2"); }) == "signature_invalid");
  CHECK(tampered([](Approval&, Request& r) { r.set("data.note", "another request"); }) == "signature_invalid");
  CHECK(tampered([](Approval& t, Request&) { t.signature.clear(); }) == "unsigned");
  // A malformed signature is a request error.
  Request bad = req;
  Approval b = a;
  b.signature = "%%%";
  bad.approve(b);
  Decision e = prog->evaluate(bad, opts);
  CHECK(e.outcome() == Outcome::deny);
  REQUIRE(e.error());
  CHECK(e.error()->code == "RL5006");
  CHECK(e.error()->pointer == "/approvals/0/signature");
}

TEST_CASE("approvals: the decision JSON says what signed and human rules demand and what was set aside") {
  auto prog = program();
  std::string json = R"({"purpose":"ops.wipe","actor":{"id":"u1","role":"clerk"},"request":{"time":"2026-03-05T14:00:00Z","now":"2026-03-05T15:00:00Z"},
    "approvals":[{"rule":"sig/wipe","by":"m1","role":"manager","verdict":"approve","at":"2026-03-05T14:10:00Z","kind":"agent"},
                 {"rule":"sig/wipe","by":"d1","role":"director","verdict":"approve","at":"2026-03-05T14:10:00Z"}]})";
  Decision d = prog->evaluate_json(json);
  CHECK(d.outcome() == Outcome::require_approval);
  std::string out = d.to_json();
  CHECK(out.find(R"("signed":false,"human":true,"blocked":null,"uncounted":[{"by":"m1","role":"manager","reason":"agent"},{"by":"d1","role":"director","reason":"not_human"}])") !=
        std::string::npos);
}

TEST_CASE("approvals: redline keygen, approve and eval --keys round trip") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("redline-approve-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);   // it is also the state folder, which must be private
  write_file(dir / "sig.pol", kPolicy);
  write_file(dir / "req.json", kRequest);
  std::string cli = REDLINE_CLI_PATH;
  auto run = [&](const std::string& args) {
    std::string cmd = "cd " + dir.string() + " && " + cli + " " + args;
    return WEXITSTATUS(std::system(cmd.c_str()));
  };
  REQUIRE(run("keygen --out m1 --id m1 --role manager > keys.json 2>/dev/null") == 0);
  struct stat st {};
  REQUIRE(::stat((dir / "m1.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(run("keygen --out m1 --id m1 --role manager > /dev/null 2>&1") == 1);   // never overwrites
  std::string error;
  CHECK(ApproverKeys::load((dir / "keys.json").string(), error) != nullptr);

  REQUIRE(run("approve --key m1.key --request req.json --rule sig/deploy --by m1 --role manager --at 2026-03-05T14:10:00Z"
              " --keys keys.json --append sig.pol > signed.json") == 0);
  CHECK(run("eval --keys keys.json --request signed.json sig.pol | grep -q '\"decision\": \"allow\"'") == 0);
  CHECK(run("eval --request signed.json sig.pol | grep -q '\"decision\": \"require_approval\"'") == 0);   // no keys: blocked
  // The same approval pasted into another request does not count.
  std::string other = read_file(dir / "signed.json");
  other.replace(other.find("\"r-1\""), 5, "\"r-2\"");
  write_file(dir / "replayed.json", other);
  CHECK(run("eval --keys keys.json --request replayed.json sig.pol | grep -q 'signature_invalid'") == 0);
  // --hash signs without the policy files; a role the policy lacks is refused when they are given.
  CHECK(run("approve --key m1.key --request req.json --rule sig/deploy --by m1 --role manager --hash sha256:" + std::string(64, 'a') +
            " > /dev/null") == 0);
  CHECK(run("approve --key m1.key --request req.json --rule sig/deploy --by m1 --role boss sig.pol > /dev/null 2>&1") == 1);
  CHECK(run("approve --key m1.key --request req.json --rule sig/deploy --by m1 --role director --keys keys.json --hash sha256:" +
            std::string(64, 'a') + " > /dev/null 2>&1") == 1);   // the keys file does not let m1 sign as director
  CHECK(run("approve --request req.json --rule sig/deploy --by m1 --role manager sig.pol > /dev/null 2>&1") == 2);
  fs::remove_all(dir);
}

TEST_CASE("approvals: the audit trail stores the keys it judged with, and replay checks signatures with them") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("redline-approve-audit-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto prog = program();
  auto pair = generate_approver_key();
  REQUIRE(pair);
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m1", pair->public_key, {"manager"}, ApproverKind::human}}, error);
  REQUIRE(keys);
  Approval a{"sig/deploy", "", "m1", "manager", "approve", "2026-03-05T14:10:00Z", "", ""};
  REQUIRE(sign_approval(a, pair->private_key, Request::from_json(kRequest).digest(), approval_hash(*prog), error));
  std::string json = std::string(kRequest);
  json.insert(json.size() - 1, R"(,"approvals":[{"rule":"sig/deploy","by":"m1","role":"manager","verdict":"approve","at":"2026-03-05T14:10:00Z","signature":")" +
                                   a.signature + R"("}])");
  {
    auto trail = AuditTrail::open(dir.string(), {.strict = true, .mask = {}, .stdlib_root = ""}, error);
    REQUIRE_MESSAGE(trail, error);
    REQUIRE_MESSAGE(trail->load_policy(*prog, error), error);
    REQUIRE_MESSAGE(trail->judge_approvals({keys, true}, error), error);
    CHECK(trail->decide_json(*prog, json, nullptr).find(R"("decision":"allow")") != std::string::npos);
    CHECK(trail->decide_json(*prog, kRequest, nullptr).find(R"("decision":"require_approval")") != std::string::npos);
    REQUIRE(trail->flush(error));
  }
  auto sd = state::StateDir::open(dir.string(), false);
  REQUIRE_MESSAGE(sd.ok(), sd.error);
  audit::VerifyReport v = audit::verify_log(*sd.value);
  CHECK_MESSAGE(v.ok, v.error);
  CHECK(v.key_sets == 1);
  std::vector<std::string> lines;
  audit::ReplayReport r = audit::replay_log(*sd.value, [&](const std::string& l) { lines.push_back(l); });
  CHECK(r.ok);
  CHECK(r.decisions == 2);
  CHECK(r.same == 2);
  // Altered keys no longer hash to their name: verify says so, replay cannot check signatures with them.
  for (const auto& e : fs::directory_iterator(dir / "keys")) write_file(e.path(), keys->to_json() + " ");
  CHECK(!audit::verify_log(*sd.value).ok);
  r = audit::replay_log(*sd.value, [&](const std::string& l) { lines.push_back(l); });
  CHECK(!r.ok);
  CHECK(r.unreplayable == 2);
  fs::remove_all(dir);
}

TEST_CASE("approvals: a signature survives reformatting and comments, not a change of meaning") {
  auto pair = generate_approver_key();
  REQUIRE(pair);
  std::string error;
  auto keys = ApproverKeys::from_entries({{"m1", pair->public_key, {"manager"}, ApproverKind::human}}, error);
  REQUIRE(keys);
  ApprovalOptions judging{keys, false};
  const EvalOptions opts{.approvals = &judging};
  auto compiled = [](const std::string& text) {
    CompileResult r = compile_source(text, "sig.pol");
    INFO(r.diagnostics.render());
    REQUIRE(r.ok());
    return r.program;
  };
  auto prog = compiled(kPolicy);
  Request req = Request::from_json(kRequest);
  Approval a{"sig/deploy", "", "m1", "manager", "approve", "2026-03-05T14:10:00Z", "", ""};
  REQUIRE(sign_approval(a, pair->private_key, req.digest(), approval_hash(*prog), error));
  Request with = req;
  with.approve(a);
  CHECK(prog->evaluate(with, opts).outcome() == Outcome::allow);

  // Reformatted, commented, with explanatory text: another source hash, the same meaning.
  std::string reformatted = std::string("// reviewed by counsel\n") + kPolicy;
  const std::string one_line = "rule deploy: require approval ops.deploy by manager signed;";
  reformatted.replace(reformatted.find(one_line), one_line.size(),
                      "rule deploy:\n    require approval ops.deploy\n      by manager signed\n    because \"Deploys need a manager.\";");
  auto same = compiled(reformatted);
  CHECK(same->hash() != prog->hash());
  CHECK(approval_hash(*same) == approval_hash(*prog));
  CHECK(same->evaluate(with, opts).outcome() == Outcome::allow);

  // A change of what the rule demands voids the signature.
  std::string changed = kPolicy;
  const std::string by = "by manager signed";
  changed.replace(changed.find(by), by.size(), "by manager, director signed");
  auto other = compiled(changed);
  CHECK(approval_hash(*other) != approval_hash(*prog));
  CHECK(other->evaluate(with, opts).outcome() == Outcome::require_approval);
}
