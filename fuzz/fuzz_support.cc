// fuzz/fuzz_support.cc — the fixed policies, the structured request decoder
// and the decision invariants of fuzz/fuzz_support.h.
#include "fuzz_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ast/literals.h"
#include "eval/bind_fast.h"
#include "eval/reference.h"
#include "eval/bound.h"
#include "flat/program_impl.h"

namespace redline::fuzz {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Fixed compiled(std::string name, CompileResult r) {
  if (!r.ok()) fail("a fixed policy does not compile: " + name + "\n" + r.diagnostics.render());
  return {std::move(name), r.program};
}

// A request time that the structured decoder draws times around.
constexpr std::int64_t kBaseTime = 1772719200;   // 2026-03-05T14:00:00Z

}  // namespace

std::string source_dir() {
  if (const char* env = std::getenv("REDLINE_SOURCE_DIR"); env && *env) return env;
  return REDLINE_SOURCE_DIR;
}

std::string stdlib_root() {
  if (const char* env = std::getenv("REDLINE_STDLIB"); env && *env) return env;
  return source_dir() + "/stdlib";
}

void fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "\n== redline fuzz invariant broken: %s\n", what.c_str());
  if (!input.empty()) std::fprintf(stderr, "== input (%zu bytes): %.*s\n", input.size(), static_cast<int>(std::min<std::size_t>(input.size(), 4000)), input.data());
  std::fflush(stderr);
  std::abort();
}

Fixed compile_example(const std::string& name) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(fs::path(source_dir()) / "examples" / name))
    if (e.path().extension() == ".pol") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  CompileOptions opts;
  opts.stdlib_root = stdlib_root();
  return compiled("examples/" + name, compile_files(files, opts));
}

Fixed compile_conformance(const std::string& file) {
  json doc = json::parse(read_text(fs::path(source_dir()) / "tests/conformance" / file));
  CompileOptions opts;
  opts.stdlib_root = stdlib_root();
  std::vector<std::string> entry;
  const fs::path dir = fs::path(source_dir()) / "tests/conformance" / fs::path(file).stem();   // the file's policies
  for (const auto& name : doc["files"]) {
    opts.files[name.get<std::string>()] = read_text(dir / name.get<std::string>());
    entry.push_back(name.get<std::string>());
  }
  if (doc.contains("entry")) entry = doc["entry"].get<std::vector<std::string>>();
  if (doc.contains("layer")) opts.layer = doc["layer"].get<std::string>();
  return compiled("conformance/" + file, compile_files(entry, opts));
}

std::vector<Fixed> all_fixed() {
  std::vector<Fixed> out;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(source_dir()) / "examples"))
    if (e.is_directory() && fs::exists(e.path() / "requests.jsonl")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) out.push_back(compile_example(n));
  names.clear();
  for (const auto& e : fs::directory_iterator(fs::path(source_dir()) / "tests/conformance"))
    if (e.path().extension() == ".json") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) out.push_back(compile_conformance(n));
  return out;
}

std::vector<Fixed> approval_fixed() {
  std::vector<Fixed> out;
  for (Fixed& f : all_fixed()) {
    const ProgramImpl& p = ProgramAccess::impl(*f.program);
    bool any = false;
    for (const auto& r : p.model->rules)
      any = any || (p.data.chain_pos[r.layer] >= 0 &&
                    (r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate));
    if (any) out.push_back(std::move(f));
  }
  return out;
}

// ---------------------------------------------------------------- structured requests

namespace {

std::string time_text(std::int64_t t) { return format_rfc3339(t); }

// A wrong-typed (or otherwise unexpected) JSON value.
ordered_json odd_value(Bytes& in) {
  switch (in.pick(10)) {
    case 0: return 1.5;
    case 1: return "zz";
    case 2: return ordered_json::array({1, "a"});
    case 3: return ordered_json{{"nested", 1}};
    case 4: return true;
    case 5: return -1;
    case 6: return "";
    case 7: return std::uint64_t{18446744073709551615u};
    case 8: return ordered_json::array();
    default: return "2026-13-45T99:00:00Z";
  }
}

ordered_json valid_value(const sema::Model& m, const sema::Attribute& a, Bytes& in) {
  switch (a.kind) {
    case sema::TypeKind::Bool: return in.coin(0.5);
    case sema::TypeKind::Int: {
      static const std::int64_t kInts[] = {0, 1, -1, 2, 3, 5, 10, 100, 1000, INT64_MAX, INT64_MIN};
      return in.coin(0.7) ? kInts[in.pick(std::size(kInts))] : static_cast<std::int64_t>(in.byte()) - 64;
    }
    case sema::TypeKind::String:
      if (!m.strings.empty() && in.coin(0.7)) return m.strings[in.pick(m.strings.size())];
      return std::string("s") + std::to_string(in.pick(4));
    case sema::TypeKind::Duration: {
      static const char* kDurations[] = {"0s", "90s", "10m", "1h", "2h", "24h", "1d", "7d", "99999999999999999999d"};
      if (in.coin(0.5)) return kDurations[in.pick(std::size(kDurations))];
      return static_cast<std::int64_t>(in.pick(7 * 24 * 60)) * 60;
    }
    case sema::TypeKind::Timestamp:
      return time_text(kBaseTime + (static_cast<std::int64_t>(in.pick(512)) - 128) * 900);
    case sema::TypeKind::Enum:
    case sema::TypeKind::Level:
      if (a.values.empty()) return "none";
      return a.values[in.pick(a.values.size())];
    case sema::TypeKind::Tags: {
      ordered_json tags = ordered_json::array();
      std::size_t n = in.pick(a.values.size() + 2);
      for (std::size_t i = 0; i < n && !a.values.empty(); ++i) tags.push_back(a.values[in.pick(a.values.size())]);
      return tags;
    }
  }
  return nullptr;
}

// Sets `value` at a dotted path ("actor.role") inside `root`.
void put_path(ordered_json& root, const std::string& path, ordered_json value) {
  ordered_json* at = &root;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*at)[key] = std::move(value);
      return;
    }
    ordered_json& next = (*at)[key];
    if (!next.is_object()) next = ordered_json::object();
    at = &next;
    start = dot + 1;
  }
}

}  // namespace

std::string structured_request(const Program& program, Bytes& in, const RequestShape& shape) {
  const ProgramImpl& p = ProgramAccess::impl(program);
  const sema::Model& m = *p.model;
  ordered_json req = ordered_json::object();
  // Purpose: a declared one mostly; sometimes none, unknown or not a string.
  switch (in.pick(16)) {
    case 0: break;
    case 1: req["purpose"] = "no.such.purpose"; break;
    case 2: req["purpose"] = 7; break;
    default: req["purpose"] = m.purposes.nodes.empty() ? "none" : m.purposes.nodes[in.pick(m.purposes.nodes.size())].full;
  }
  static const char* kIds[] = {"u1", "u2", "u3", "u4", "u5"};
  std::size_t actor = in.pick(std::size(kIds) + 1);
  if (actor < std::size(kIds)) put_path(req, "actor.id", kIds[actor]);
  for (const auto& a : m.schema.attrs) {
    std::size_t how = in.pick(8);
    if (how <= 1) continue;                      // missing
    if (how == 2) put_path(req, a.path, nullptr);
    else if (how == 3 && shape.wrong_types) put_path(req, a.path, odd_value(in));
    else put_path(req, a.path, valid_value(m, a, in));
  }
  if (in.coin(0.05)) put_path(req, "env.undeclared", odd_value(in));
  if (in.coin(0.02)) req["unknown_field"] = 1;
  // Approvals: rules of the deciding stack that take them (and some that do not).
  std::vector<const sema::Rule*> rules;
  for (const auto& r : m.rules)
    if (p.data.chain_pos[r.layer] >= 0 && (r.effect == sema::Effect::RequireApproval || r.effect == sema::Effect::Escalate))
      rules.push_back(&r);
  std::vector<std::string> roles;
  if (m.schema.role_attr >= 0) roles = m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)].values;
  std::size_t n = shape.max_approvals ? in.pick(shape.max_approvals + 1) : 0;
  if (n == 0) return req.dump();
  ordered_json approvals = ordered_json::array();
  std::int64_t time = kBaseTime;
  if (auto* t = req.contains("request") ? &req["request"] : nullptr; t && t->contains("time") && (*t)["time"].is_string())
    if (auto parsed = parse_rfc3339((*t)["time"].get<std::string>())) time = *parsed;
  for (std::size_t i = 0; i < n; ++i) {
    ordered_json a = ordered_json::object();
    const sema::Rule* r = rules.empty() || in.coin(0.05) ? nullptr : rules[in.pick(rules.size())];
    if (r) a["rule"] = r->qualified;
    else a["rule"] = m.rules.empty() || in.coin(0.5) ? "no/such_rule" : m.rules[in.pick(m.rules.size())].qualified;
    if (r && r->effect == sema::Effect::Escalate && r->escalation >= 0 && in.coin(0.4)) {
      const auto& steps = m.escalations[static_cast<std::size_t>(r->escalation)].steps;
      if (!steps.empty() && !roles.empty()) a["step"] = roles[steps[in.pick(steps.size())].role % roles.size()];
    }
    // The approver: usually someone other than the actor.
    a["by"] = kIds[in.pick(std::size(kIds))];
    if (r && !roles.empty() && in.coin(0.8)) {
      // A role the rule asks for, or any role.
      if (r->effect == sema::Effect::RequireApproval && !r->by.empty() && in.coin(0.7))
        a["role"] = roles[r->by[in.pick(r->by.size())] % roles.size()];
      else if (r->effect == sema::Effect::Escalate && r->escalation >= 0 && in.coin(0.7)) {
        const auto& steps = m.escalations[static_cast<std::size_t>(r->escalation)].steps;
        a["role"] = steps.empty() ? roles[0] : roles[steps[in.pick(steps.size())].role % roles.size()];
      } else {
        a["role"] = roles[in.pick(roles.size())];
      }
    } else {
      a["role"] = in.coin(0.5) || roles.empty() ? "nobody" : roles[in.pick(roles.size())];
    }
    a["verdict"] = in.coin(0.85) ? "approve" : in.coin(0.9) ? "deny" : "maybe";
    // When: minutes around request.time, from a day before to a week after.
    std::size_t at = in.pick(64);
    if (at == 0) a["at"] = "yesterday";
    else if (at != 1) a["at"] = time_text(time + (static_cast<std::int64_t>(in.pick(1024)) - 96) * 900);
    if (in.coin(0.02)) a["signature"] = "c2ln";
    if (in.coin(0.01)) a["extra"] = 1;
    if (in.coin(0.01)) a = odd_value(in);
    approvals.push_back(std::move(a));
  }
  req["approvals"] = std::move(approvals);
  return req.dump();
}

// ---------------------------------------------------------------- invariants

namespace {

void same_binding(const Program& prog, std::string_view text) {
  BoundRequest fast = prog.bind_json(text);
  BoundRequest full = prog.bind(Request::from_json(text));
  check(fast.ok() == full.ok(), "the fast and the full binder disagree on whether the request binds", text);
  if (!full.ok()) {
    check(fast.error()->code == full.error()->code, "the binders report different error codes", text);
    check(fast.error()->pointer == full.error()->pointer, "the binders report different error pointers", text);
    return;
  }
  check(BoundAccess::purpose(fast) == BoundAccess::purpose(full), "the binders bind different purposes", text);
  check(BoundAccess::present(fast) == BoundAccess::present(full), "the binders bind different attributes", text);
  check(BoundAccess::tags(fast) == BoundAccess::tags(full), "the binders bind different tags", text);
  check(BoundAccess::actor_id(fast) == BoundAccess::actor_id(full), "the binders bind different actor ids", text);
  const auto& present = BoundAccess::present(full);
  for (std::size_t a = 0; a < BoundAccess::values(full).size(); ++a)
    if ((present[a / 64] >> (a % 64)) & 1u)
      check(BoundAccess::values(fast)[a] == BoundAccess::values(full)[a], "the binders bind different values", text);
  // The fast path must take only what the full path binds without error.
  BoundRequest b;
  if (eval::fast_bind(ProgramAccess::impl(prog), text, b)) check(full.ok(), "the fast path accepted a request the full path refuses", text);
}

const sema::Rule* rule_named(const sema::Model& m, const std::string& qualified) {
  for (const auto& r : m.rules)
    if (r.qualified == qualified) return &r;
  return nullptr;
}

// The invariants of one decision, whatever the request.
void decision_invariants(const Program& prog, const Decision& d, std::string_view text) {
  const sema::Model& m = *ProgramAccess::impl(prog).model;
  std::vector<Reason> reasons = d.reasons();
  if (d.error()) {
    check(d.outcome() == Outcome::deny, "a request error did not decide `deny`", text);
    check(d.error()->code.starts_with("RL5"), "a request error has no RL5xxx code", text);
    check(!d.error()->message.empty(), "a request error has no message", text);
    check(reasons.empty(), "a request error came with reasons", text);
    return;
  }
  if (d.killed_by()) {
    check(d.outcome() == Outcome::deny, "a tripped kill switch did not decide `deny`", text);
  } else {
    check(!reasons.empty(), "a decision without error or kill switch has no reason", text);
    Outcome most = Outcome::allow;
    for (const auto& r : reasons) most = std::max(most, r.outcome);
    check(most == d.outcome(), "the outcome is not the most severe reason", text);
  }
  for (const auto& r : reasons) {
    if (r.rule.ends_with("/default")) continue;
    if (r.rule.ends_with("/effective")) {
      // A layer not yet in force: a pseudo-rule that always denies.
      check(r.outcome == Outcome::deny && d.outcome() == Outcome::deny, "a policy not in force did not decide `deny`", text);
      check(d.not_in_force() && r.rule == *d.not_in_force() + "/effective", "an `effective` reason names no layer out of force", text);
      continue;
    }
    const sema::Rule* rule = rule_named(m, r.rule);
    check(rule != nullptr, "a reason names no rule", text);
    if (rule->effect == sema::Effect::Prohibit) {
      check(r.outcome == Outcome::deny, "an applying prohibit is not `deny`", text);
      check(d.outcome() == Outcome::deny, "a decision under an applying prohibit is not `deny`", text);
    }
    if (rule->effect == sema::Effect::Permit) check(r.outcome == Outcome::allow, "a permit reason is not `allow`", text);
  }
  if (d.outcome() == Outcome::allow) {
    for (const auto& r : reasons) check(r.outcome == Outcome::allow, "an `allow` has a reason that does not allow", text);
    check(!d.killed_by(), "an `allow` under a kill switch", text);
  }
  std::vector<Pending> pending = d.pending();
  if (d.outcome() == Outcome::require_approval || d.outcome() == Outcome::escalate)
    check(!pending.empty(), "a decision waiting for people does not say what it waits for", text);
  else
    check(pending.empty(), "a final decision lists pending approvals", text);
  for (const auto& p : pending) check(p.missing >= 1 && p.missing <= p.quorum, "a pending rule's missing count is off", text);
  json j = json::parse(d.to_json(), nullptr, false);
  check(!j.is_discarded() && j.is_object() && j["decision"] == to_string(d.outcome()), "the decision's JSON does not parse or disagrees", text);
}

// The reference interpreter must agree with the Program's decision.
void agrees_with_reference(const Program& prog, const BoundRequest& b, const Decision& d, const std::set<std::uint32_t>& tripped,
                           std::string_view text) {
  const ProgramImpl& impl = ProgramAccess::impl(prog);
  eval::ReferenceDecision ref = eval::reference_evaluate(*impl.model, impl.data.top, b, impl.layout, tripped);
  check(ref.error == !b.ok(), "the reference interpreter and the binder disagree on the error", text);
  if (ref.error) return;
  if (ref.outcome != d.outcome())
    fail(std::string("the Program decided `") + to_string(d.outcome()) + "`, the reference interpreter `" + to_string(ref.outcome) + "`",
         text);
  std::vector<std::string> ref_rules, got_rules;
  for (auto ri : ref.applying) ref_rules.push_back(impl.model->rules[ri].qualified);
  for (const auto& reason : d.reasons())
    if (!reason.rule.ends_with("/default") && !reason.rule.ends_with("/effective")) got_rules.push_back(reason.rule);
  const std::optional<std::string> out_of_force = d.not_in_force();
  check(out_of_force.has_value() == ref.not_in_force.has_value() &&
            (!out_of_force || *out_of_force == impl.model->layers[*ref.not_in_force].name),
        "the Program and the reference interpreter disagree on which policy is not in force", text);
  std::sort(ref_rules.begin(), ref_rules.end());
  std::sort(got_rules.begin(), got_rules.end());
  check(ref_rules == got_rules, "the Program and the reference interpreter disagree on the applying rules", text);
  check(ref.obligations == d.obligations(), "the Program and the reference interpreter disagree on the obligations", text);
  auto missing = d.missing();
  check(ref.missing == std::set<std::string>(missing.begin(), missing.end()),
        "the Program and the reference interpreter disagree on the missing attributes", text);
  check(ref.killed_by.has_value() == d.killed_by().has_value(), "the Program and the reference interpreter disagree on the kill switch", text);
}

}  // namespace

Checked check_request(const Program& prog, std::string_view text) {
  same_binding(prog, text);
  BoundRequest b = prog.bind_json(text);
  Decision d;
  prog.evaluate(b, d);
  decision_invariants(prog, d, text);
  agrees_with_reference(prog, b, d, {}, text);
  const std::string json_text = d.to_json();
  // Every way of deciding gives the same decision, and so does a reused Decision.
  if (std::string other = prog.evaluate_json(text).to_json(); other != json_text)
    fail("evaluate_json decides differently:\n  bound: " + json_text + "\n  json:  " + other, text);
  if (std::string other = prog.evaluate(Request::from_json(text)).to_json(); other != json_text)
    fail("evaluate(Request) decides differently:\n  bound:   " + json_text + "\n  Request: " + other, text);
  thread_local Decision reused;
  prog.evaluate(b, reused);
  if (std::string again = reused.to_json(); again != json_text)
    fail("a reused Decision decides differently:\n  fresh:  " + json_text + "\n  reused: " + again, text);
  // Every kill switch tripped.
  if (!prog.switch_names().empty()) {
    auto board = prog.make_switchboard();
    std::set<std::uint32_t> tripped;
    for (std::size_t s = 0; s < prog.switch_names().size(); ++s) {
      board->trip(prog.switch_names()[s]);
      tripped.insert(ProgramAccess::impl(prog).data.switches[s]);
    }
    Decision k;
    prog.evaluate(b, k, {.switches = board.get()});
    decision_invariants(prog, k, text);
    agrees_with_reference(prog, b, k, tripped, text);
    if (!k.killed_by()) check(k.to_json() == json_text, "tripping switches that cover nothing changed the decision", text);
  }
  if (text.size() < 4096) (void)prog.explain(Request::from_json(text));
  return {d.outcome(), d.error().has_value()};
}

}  // namespace redline::fuzz
