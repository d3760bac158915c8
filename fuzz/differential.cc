// fuzz/differential.cc — differential fuzzing: the input drives the random
// policy generator of the unit tests (tests/unit/eval/random_policy.h) and
// the requests against it (with an actor, approvals of its `require
// approval` and `escalate` rules, and a subset of its kill switches
// tripped); every request is decided by the compiled Program and by the
// reference interpreter, and any disagreement aborts (fuzz_support.h). A
// generated policy that does not compile aborts too: the generator only
// writes valid policies.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>

#include "eval/reference.h"
#include "flat/program_impl.h"
#include "fuzz_support.h"
#include "random_policy.h"

using namespace redline;

namespace {

// The generator's choices read from the fuzz input.
class ByteChoices : public testing::Choices {
 public:
  explicit ByteChoices(fuzz::Bytes& in) : in_(in) {}
  std::size_t pick(std::size_t n) override { return in_.pick(n); }
  bool coin(double p) override { return in_.coin(p); }
  double unit() override { return in_.byte() / 256.0; }

 private:
  fuzz::Bytes& in_;
};

// Adds an actor, a request time and approvals to a generated request.
std::string with_approvals(const std::string& request, const testing::RandomPolicy& gen, fuzz::Bytes& in) {
  auto doc = nlohmann::ordered_json::parse(request);
  if (in.coin(0.8)) doc["actor"]["id"] = "u" + std::to_string(in.pick(4));
  if (in.coin(0.3)) doc["request"]["time"] = "2026-03-05T14:00:00Z";
  const auto& rules = gen.approval_rules();
  std::size_t n = rules.empty() ? 0 : in.pick(6);
  for (std::size_t i = 0; i < n; ++i) {
    nlohmann::ordered_json a = {{"rule", rules[in.pick(rules.size())]},
                                {"by", "u" + std::to_string(in.pick(4))},
                                {"role", "r" + std::to_string(in.pick(5))},
                                {"verdict", in.coin(0.8) ? "approve" : "deny"},
                                {"at", in.coin(0.5) ? "2026-03-05T15:00:00Z" : "2026-03-05T13:00:00Z"}};
    if (in.coin(0.2)) a["step"] = "r" + std::to_string(1 + in.pick(2));
    doc["approvals"].push_back(std::move(a));
  }
  return doc.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  ByteChoices choices(in);
  testing::RandomPolicy gen(choices);
  CompileResult r = compile_source(gen.text(), "random.pol");
  if (!r.ok()) fuzz::fail("a generated policy does not compile:\n" + r.diagnostics.render(), gen.text());
  const Program& prog = *r.program;
  const ProgramImpl& impl = ProgramAccess::impl(prog);
  auto board = prog.make_switchboard();
  std::set<std::uint32_t> tripped;
  for (std::size_t s = 0; s < impl.switch_names.size(); ++s) {
    if (in.coin(0.3)) {
      board->trip(impl.switch_names[s]);
      tripped.insert(impl.data.switches[s]);
    }
  }
  for (int i = 0; i < 8 && (i == 0 || !in.empty()); ++i) {
    std::string text = gen.request();
    if (in.coin(0.5)) text = with_approvals(text, gen, in);
    fuzz::check_request(prog, text);
    // The chosen kill switches, through both evaluators.
    BoundRequest b = prog.bind_json(text);
    Decision d;
    prog.evaluate(b, d, {.switches = board.get()});
    eval::ReferenceDecision ref = eval::reference_evaluate(*impl.model, impl.data.top, b, impl.layout, tripped);
    if (ref.outcome != d.outcome() || ref.killed_by.has_value() != d.killed_by().has_value())
      fuzz::fail(std::string("with kill switches tripped the Program decided `") + to_string(d.outcome()) +
                     "`, the reference interpreter `" + to_string(ref.outcome) + "`\n" + gen.text(),
                 text);
  }
  return 0;
}
