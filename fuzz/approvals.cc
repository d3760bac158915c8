// fuzz/approvals.cc — human-in-the-loop decisions: requests carrying many
// approvals (up to past the limit of 256) against the fixed policies with
// `require approval` and `escalate` rules. Approvals name the stack's rules,
// roles and escalation steps, by several approvers (the actor among them),
// approving or denying, at times around request.time. Besides the invariants
// of fuzz_support.h (never `allow` when a prohibit applies, the Program
// agrees with the reference interpreter), the outcome must not depend on the
// order of the approvals, nor change when each is given twice.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>

#include "fuzz_support.h"

using namespace redline;

namespace {

const std::vector<fuzz::Fixed>& programs() {
  static const std::vector<fuzz::Fixed> fixed = fuzz::approval_fixed();
  return fixed;
}

struct Summary {
  Outcome outcome;
  std::set<std::string> rules, pending;
  bool operator==(const Summary&) const = default;
};

Summary summary(const Program& prog, const std::string& text) {
  Decision d = prog.evaluate_json(text);
  Summary s{d.outcome(), {}, {}};
  for (const auto& r : d.reasons()) s.rules.insert(r.rule + ":" + to_string(r.outcome));
  for (const auto& p : d.pending()) s.pending.insert(p.rule);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (programs().empty()) fuzz::fail("no fixed policy takes approvals");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const auto& fixed = programs();
  const Program& prog = *fixed[in.pick(fixed.size())].program;
  fuzz::RequestShape shape;
  shape.max_approvals = in.coin(0.05) ? 300 : 40;
  shape.wrong_types = in.coin(0.1);
  std::string text = fuzz::structured_request(prog, in, shape);
  fuzz::Checked c = fuzz::check_request(prog, text);
  if (c.error) return 0;
  auto doc = nlohmann::ordered_json::parse(text);
  if (!doc.contains("approvals") || doc["approvals"].size() < 2) return 0;
  const Summary base = summary(prog, text);
  auto& approvals = doc["approvals"];
  std::reverse(approvals.begin(), approvals.end());
  fuzz::check(summary(prog, doc.dump()) == base, "the decision depends on the order of the approvals", text);
  if (approvals.size() <= 128) {
    auto twice = nlohmann::ordered_json::array();
    for (const auto& a : approvals) {
      twice.push_back(a);
      twice.push_back(a);
    }
    approvals = std::move(twice);
    fuzz::check(summary(prog, doc.dump()) == base, "giving every approval twice changes the decision", text);
  }
  return 0;
}
