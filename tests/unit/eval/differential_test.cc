// Differential testing: random policies and requests (seeded) through the
// compiled Program and the reference interpreter; they must agree on the
// outcome, the applying rules, obligations, missing attributes and kill switch.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "eval/reference.h"
#include "flat/program_impl.h"
#include "random_policy.h"
#include "redline/engine.h"

using namespace redline;

TEST_CASE("the Program agrees with the reference interpreter on 100,000 random pairs") {
  std::size_t pairs = 0, policies = 0, outcomes[4] = {0, 0, 0, 0};
  for (std::uint64_t seed = 1; pairs < 100000; ++seed) {
    testing::RandomPolicy gen(seed);
    CompileResult r = compile_source(gen.text(), "random.pol");
    INFO("seed ", seed, "\n", gen.text(), "\n", r.diagnostics.render());
    REQUIRE(r.ok());
    ++policies;
    const Program& prog = *r.program;
    const ProgramImpl& impl = ProgramAccess::impl(prog);
    auto board = prog.make_switchboard();
    std::set<std::uint32_t> tripped;
    for (std::uint32_t s = 0; s < impl.data.switches.size(); ++s) {
      if (seed % 3 == 0) {
        board->trip(impl.switch_names[s]);
        tripped.insert(impl.data.switches[s]);
      }
    }
    Decision d;
    for (int i = 0; i < 400; ++i, ++pairs) {
      std::string text = gen.request();
      BoundRequest b = prog.bind(Request::from_json(text));
      REQUIRE_MESSAGE(b.ok(), text, " ", (b.error() ? b.error()->message : ""));
      prog.evaluate(b, d, {.switches = board.get()});
      eval::ReferenceDecision ref = eval::reference_evaluate(*impl.model, impl.data.top, b, impl.layout, tripped);
      std::vector<std::string> ref_rules, got_rules;
      for (auto ri : ref.applying) ref_rules.push_back(impl.model->rules[ri].qualified);
      for (const auto& reason : d.reasons())
        if (!reason.rule.ends_with("/default")) got_rules.push_back(reason.rule);
      std::sort(ref_rules.begin(), ref_rules.end());
      std::sort(got_rules.begin(), got_rules.end());
      auto missing = d.missing();
      bool same = ref.outcome == d.outcome() && ref_rules == got_rules && ref.obligations == d.obligations() &&
                  ref.missing == std::set<std::string>(missing.begin(), missing.end()) &&
                  ref.killed_by.has_value() == d.killed_by().has_value();
      if (!same) {
        INFO("request ", text, "\n", prog.explain(Request::from_json(text), {.switches = board.get()}));
        CHECK(to_string(ref.outcome) == std::string(to_string(d.outcome())));
        CHECK(ref_rules == got_rules);
        CHECK(ref.obligations == d.obligations());
        REQUIRE(same);
      }
      ++outcomes[static_cast<int>(d.outcome())];
    }
  }
  MESSAGE(policies, " policies, ", pairs, " pairs; allow ", outcomes[0], ", require_approval ", outcomes[1], ", escalate ",
          outcomes[2], ", deny ", outcomes[3]);
  // Every outcome must occur, or the generator is not exercising the evaluator.
  for (auto n : outcomes) CHECK(n > 1000);
}
