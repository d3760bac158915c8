// eval/bind.cc — binds a Request to a Program's schema once: the purpose to
// its id, enum and level values to indices, tags to bitsets, durations and
// timestamps to seconds, strings to interned literal ids. A value outside its
// declared type is a request error (the decision is `deny`).
#include <algorithm>
#include <cmath>

#include "ast/literals.h"
#include "crypto/sha256.h"
#include "eval/approvals.h"
#include "eval/bind_common.h"
#include "sema/semantic_text.h"
#include "eval/bind_fast.h"
#include "eval/bound.h"
#include "eval/request_limits.h"
#include "flat/program_impl.h"

namespace redline {
namespace {

struct Binder {
  const ProgramImpl& p;
  BoundRequest& b;
  const ApprovalOptions& options;
  const Request* request = nullptr;
  std::optional<std::string> digest;   // computed once, when a signature is checked

  bool fail(diag::Code code, std::string msg, std::string ptr) {
    if (!BoundAccess::error(b)) BoundAccess::error(b) = eval::request_error(code, std::move(msg), std::move(ptr));
    return false;
  }

  static std::string kind_name(RequestValue::Kind k) {
    switch (k) {
      case RequestValue::Kind::Null: return "null";
      case RequestValue::Kind::Bool: return "a boolean";
      case RequestValue::Kind::Int:
      case RequestValue::Kind::Number: return "a number";
      case RequestValue::Kind::String: return "a string";
      case RequestValue::Kind::StringList:
      case RequestValue::Kind::Array: return "an array";
      case RequestValue::Kind::Object: return "an object";
    }
    return "a value";
  }

  bool wrong(const sema::Attribute& a, const RequestValue& v, const char* expected) {
    return fail(diag::Code::RequestBadValue, "`" + a.path + "` must be " + expected + ", not " + kind_name(v.kind), Request::pointer_of(a.path));
  }

  bool named(const sema::Attribute& a, const std::string& s, std::int64_t& out, const char* what) {
    auto it = a.value_index.find(s);
    if (it == a.value_index.end())
      return fail(diag::Code::RequestBadValue, "`" + s + "` is not " + what + " of `" + a.path + "`", Request::pointer_of(a.path));
    out = it->second;
    return true;
  }

  bool scalar(std::uint32_t attr, const sema::Attribute& a, const RequestValue& v) {
    std::int64_t& out = BoundAccess::values(b)[attr];
    using K = RequestValue::Kind;
    switch (a.kind) {
      case sema::TypeKind::Bool:
        if (v.kind != K::Bool) return wrong(a, v, "`true` or `false`");
        out = v.boolean;
        return true;
      case sema::TypeKind::Int:
        if (v.kind != K::Int) return wrong(a, v, "an integer");
        out = v.integer;
        return true;
      case sema::TypeKind::String: {
        if (v.kind != K::String) return wrong(a, v, "a string");
        auto it = p.string_ids.find(v.string);
        out = it == p.string_ids.end() ? -1 : static_cast<std::int64_t>(it->second);
        return true;
      }
      case sema::TypeKind::Duration: {
        if (v.kind == K::Int && v.integer >= 0) { out = v.integer; return true; }
        if (v.kind == K::String) {
          if (auto d = parse_duration(v.string)) { out = *d; return true; }
          return fail(diag::Code::RequestBadValue, "`" + v.string + "` is not a duration (like `90s`, `10m`, `2h`, `1d`) for `" + a.path + "`",
                      Request::pointer_of(a.path));
        }
        return wrong(a, v, "a duration (a string like `90s`, or a number of seconds)");
      }
      case sema::TypeKind::Timestamp: {
        if (v.kind != K::String) return wrong(a, v, "an RFC 3339 timestamp string");
        if (auto t = parse_rfc3339(v.string)) { out = *t; return true; }
        return fail(diag::Code::RequestBadValue, "`" + v.string + "` is not an RFC 3339 timestamp for `" + a.path + "`", Request::pointer_of(a.path));
      }
      case sema::TypeKind::Enum:
        if (v.kind != K::String) return wrong(a, v, "a string naming one of its values");
        return named(a, v.string, out, "a value");
      case sema::TypeKind::Level:
        if (v.kind != K::String) return wrong(a, v, "a string naming one of its levels");
        return named(a, v.string, out, "a level");
      case sema::TypeKind::Tags: break;
    }
    return false;
  }

  bool tags(std::uint32_t attr, const sema::Attribute& a, const RequestValue& v) {
    if (v.kind != RequestValue::Kind::StringList) {
      if (v.kind == RequestValue::Kind::Array) return fail(diag::Code::RequestBadValue, "`" + a.path + "` must be an array of tag names", Request::pointer_of(a.path));
      return wrong(a, v, "an array of tag names");
    }
    auto* words = BoundAccess::tags(b).data() + p.layout.offset[attr];
    for (std::size_t i = 0; i < v.strings.size(); ++i) {
      auto it = a.value_index.find(v.strings[i]);
      if (it == a.value_index.end())
        return fail(diag::Code::RequestBadValue, "`" + v.strings[i] + "` is not a tag of `" + a.path + "`", Request::pointer_of(a.path) + "/" + std::to_string(i));
      words[it->second >> 6] |= std::uint64_t{1} << (it->second & 63);
    }
    return true;
  }

  // Binds one approval: it must name a `require approval` or `escalate` rule of
  // the deciding stack, a role of `actor.role`, a step of the rule's path, and
  // an RFC 3339 time; anything else is a malformed approval (RL5006).
  bool approval(const Approval& a, std::size_t i) {
    const sema::Model& m = *p.model;
    std::string ptr = "/approvals/" + std::to_string(i);
    BoundApproval out;
    out.index = static_cast<std::uint32_t>(i);
    std::int64_t rule = -1;
    for (std::size_t k = 0; k < m.rules.size() && rule < 0; ++k)
      if (m.rules[k].qualified == a.rule && p.data.chain_pos[m.rules[k].layer] >= 0) rule = static_cast<std::int64_t>(k);
    if (rule < 0) return fail(diag::Code::RequestBadApproval, "the approval names unknown rule `" + a.rule + "` (expected `policy/rule`)", ptr + "/rule");
    const sema::Rule& r = m.rules[static_cast<std::size_t>(rule)];
    if (r.effect != sema::Effect::RequireApproval && r.effect != sema::Effect::Escalate)
      return fail(diag::Code::RequestBadApproval, "rule `" + a.rule + "` takes no approvals (it is not `require approval` or `escalate`)", ptr + "/rule");
    out.rule = static_cast<std::uint32_t>(rule);
    if (m.schema.role_attr < 0) return fail(diag::Code::RequestBadApproval, "the policy declares no `actor.role` for approvers", ptr + "/role");
    const sema::Attribute& roles = m.schema.attrs[static_cast<std::size_t>(m.schema.role_attr)];
    auto role = roles.value_index.find(a.role);
    if (role == roles.value_index.end()) return fail(diag::Code::RequestBadApproval, "`" + a.role + "` is not a role of `actor.role`", ptr + "/role");
    out.role = role->second;
    if (!a.step.empty()) {
      if (r.effect != sema::Effect::Escalate)
        return fail(diag::Code::RequestBadApproval, "rule `" + a.rule + "` has no escalation steps; remove `step`", ptr + "/step");
      auto step = roles.value_index.find(a.step);
      bool known = false;
      if (step != roles.value_index.end())
        // Every step of the chain counts, paths reached by `on_timeout escalate to`
      // included (an origin time makes step_windows follow the chain).
      for (const auto& w : eval::step_windows(m, r, std::int64_t{0})) known = known || w.role == step->second;
      if (!known) return fail(diag::Code::RequestBadApproval, "`" + a.step + "` is not a step of the escalation of `" + a.rule + "`", ptr + "/step");
      out.step_role = static_cast<std::int32_t>(step->second);
    }
    if (!a.at.empty()) {
      auto at = parse_rfc3339(a.at);
      if (!at) return fail(diag::Code::RequestBadApproval, "`" + a.at + "` is not an RFC 3339 time", ptr + "/at");
      out.has_at = true;
      out.at = *at;
    }
    out.by = a.by;
    out.approve = a.verdict == "approve";
    if (!a.kind.empty()) {
      if (a.kind == "human") out.kind = ApproverKind::human;
      else if (a.kind == "agent") out.kind = ApproverKind::agent;
      else return fail(diag::Code::RequestBadApproval, "an approval's kind must be `human` or `agent`, not `" + a.kind + "`", ptr + "/kind");
    }
    if (!a.signature.empty() && !signature(a, out))
      return fail(diag::Code::RequestBadApproval, "the approval's `signature` is not base64 of a 64-byte Ed25519 signature", ptr + "/signature");
    BoundAccess::approvals(b).push_back(std::move(out));
    BoundAccess::raw_approvals(b).push_back(a);
    return true;
  }

  // Checks a signature against the approver keys (docs/approvals.md): it must
  // be well-formed (false otherwise: a malformed approval), then verify for
  // this request's digest and this Program's approval hash (its meaning, not its text) under `by`'s key, whose
  // roles must hold the approval's role. A verified approval takes its
  // approver's kind from the keys.
  bool signature(const Approval& a, BoundApproval& out) {
    auto raw = crypto::base64_decode(a.signature);
    if (!raw || raw->size() != 64) return false;
    using S = BoundApproval::Signature;
    if (!options.keys) {
      out.signature = S::unchecked;
      return true;
    }
    const ApproverKey* key = options.keys->find(a.by);
    if (!key) {
      out.signature = S::unknown_approver;
      return true;
    }
    if (!digest) digest = request->digest();
    if (!options.keys->verify(a.by, approval_message(a, *digest, sema::semantic_hash(*p.model, p.data.chain)), a.signature)) {
      out.signature = S::invalid;
      return true;
    }
    if (std::find(key->roles.begin(), key->roles.end(), a.role) == key->roles.end()) {
      out.signature = S::role_not_keyed;
      return true;
    }
    out.signature = S::verified;
    out.kind = key->kind;
    return true;
  }

  void bind(const Request& r) {
    const sema::Model& m = *p.model;
    request = &r;
    eval::start_binding(p, b);
    BoundAccess::require_signed(b) = options.require_signed;
    BoundAccess::have_keys(b) = options.keys != nullptr;
    if (r.error()) {
      BoundAccess::error(b) = r.error();
      return;
    }
    if (!r.purpose()) {
      fail(diag::Code::RequestNoPurpose, "the request has no `purpose`", "/purpose");
      return;
    }
    std::int64_t q = m.purposes.find(*r.purpose());
    if (q < 0) {
      fail(diag::Code::RequestUnknownPurpose, "unknown purpose `" + *r.purpose() + "`", "/purpose");
      return;
    }
    BoundAccess::purpose(b) = static_cast<std::int32_t>(q);
    for (const auto& [path, v] : r.attributes()) {
      std::int64_t attr = m.schema.find(path);
      if (attr < 0 || v.kind == RequestValue::Kind::Null) continue;   // undeclared: cannot matter; null: missing
      const sema::Attribute& a = m.schema.attrs[static_cast<std::size_t>(attr)];
      auto ai = static_cast<std::uint32_t>(attr);
      bool ok = a.kind == sema::TypeKind::Tags ? tags(ai, a, v) : scalar(ai, a, v);
      if (!ok) return;
      eval::set_bit(BoundAccess::present(b), ai);
    }
    if (const RequestValue* id = r.find("actor.id"); id && id->kind == RequestValue::Kind::String) BoundAccess::actor_id(b) = id->string;
    for (std::size_t i = 0; i < r.approvals().size(); ++i)
      if (!approval(r.approvals()[i], i)) return;
    eval::default_now(p, b);
  }
};

}  // namespace

// Out of line: BoundApproval is complete only here (redline/engine.h
// declares it), and std::vector of an incomplete type must not be
// instantiated where it is incomplete.
BoundRequest::BoundRequest() = default;
BoundRequest::~BoundRequest() = default;
BoundRequest::BoundRequest(const BoundRequest&) = default;
BoundRequest::BoundRequest(BoundRequest&&) noexcept = default;
BoundRequest& BoundRequest::operator=(const BoundRequest&) = default;
BoundRequest& BoundRequest::operator=(BoundRequest&&) noexcept = default;

namespace {
const ApprovalOptions kNoApprovalOptions;
}

BoundRequest Program::bind(const Request& request, const EvalOptions& options) const {
  BoundRequest b;
  BoundAccess::program(b) = this;
  Binder{*impl_, b, options.approvals ? *options.approvals : kNoApprovalOptions, nullptr, std::nullopt}.bind(request);
  return b;
}

BoundRequest Program::bind_json(std::string_view json, const EvalOptions& options) const {
  BoundRequest b;
  if (eval::fast_bind(*impl_, json, b)) {   // a request with approvals never binds here: no signature to check
    BoundAccess::program(b) = this;
    if (options.approvals) {
      BoundAccess::require_signed(b) = options.approvals->require_signed;
      BoundAccess::have_keys(b) = options.approvals->keys != nullptr;
    }
    return b;
  }
  return bind(Request::from_json(json), options);   // errors, approvals and anything unusual: the full path
}

Decision Program::evaluate(const Request& request, const EvalOptions& options) const {
  Decision d;
  evaluate(bind(request, options), d, options);
  return d;
}

Decision Program::evaluate_json(std::string_view json, const EvalOptions& options) const {
  Decision d;
  evaluate(bind_json(json, options), d, options);
  return d;
}

}  // namespace redline
