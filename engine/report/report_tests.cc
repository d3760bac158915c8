// report/report_tests.cc — section 10's test results: every `test` of the
// deciding stack is run against the stack ending at its own policy (as
// `redline test` does), and each rule card learns which tests made it apply.
#include <map>
#include <memory>

#include "report/paraphrase.h"
#include "report/report_parts.h"
#include "sema/semantic_text.h"

namespace redline::report {
namespace {

std::string test_slug(const std::string& name) {
  std::string s;
  for (char ch : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch));
    if (ok) s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s;
}

std::string outcome_with(const std::string& outcome, const std::vector<std::string>& obligations) {
  if (obligations.empty()) return outcome;
  std::string s = outcome + " (obliging ";
  for (std::size_t i = 0; i < obligations.size(); ++i) s += (i ? ", " : "") + obligations[i];
  return s + ")";
}

// The Program deciding for layer `l`: the report's own for the top layer.
std::shared_ptr<const Program> program_for(Ctx& c, std::uint32_t l, std::map<std::uint32_t, std::shared_ptr<const Program>>& cache) {
  auto& p = cache[l];
  if (p) return p;
  CompileOptions o = c.opt.compile;
  o.layer = c.m.layers[l].name;
  CompileResult r = compile_files(c.paths, o);
  p = r.program;
  return p;
}

}  // namespace

void build_tests(Ctx& c) {
  std::map<std::uint32_t, std::shared_ptr<const Program>> cache;
  std::map<std::string, std::size_t> card_of;
  for (std::size_t i = 0; i < c.out.rules.size(); ++i) card_of[c.out.rules[i].qualified] = i;
  for (std::uint32_t l : c.chain) {
    const sema::Layer& L = c.m.layers[l];
    for (std::uint32_t ti : L.tests) {
      const sema::TestCase& t = c.m.tests[ti];
      TestEntry e;
      e.id = "test:" + L.name + "/" + test_slug(t.name);
      e.policy = L.name;
      e.name = t.name;
      e.source = c.where(t.span);
      const std::string expect_error = sema::expected_error(c.fe.sources.file(t.span.file).text(), t);
      e.expected = outcome_with(expect_error.empty() ? std::string(ast::to_string(t.expect)) : "error " + expect_error,
                                t.has_obliging ? t.obliging : std::vector<std::string>{});
      auto prog = program_for(c, l, cache);
      if (!prog) {
        e.actual = "the policy stack ending at this test's policy does not compile";
        c.out.tests.push_back(e);
        continue;
      }
      Decision d = prog->evaluate(Request::from_json(t.given_json));
      std::vector<std::string> obligations = d.obligations();
      e.actual = outcome_with(to_string(d.outcome()), obligations);
      // A request error fails a test unless it expects exactly that error.
      e.passed = expect_error.empty()
                     ? !d.error() && static_cast<int>(d.outcome()) == static_cast<int>(t.expect) && (!t.has_obliging || obligations == t.obliging)
                     : d.error() && d.error()->code == expect_error && (!t.has_obliging || obligations == t.obliging);
      if (d.error()) e.actual = outcome_with("error " + d.error()->code, obligations);
      for (const Reason& r : d.reasons()) {
        auto it = card_of.find(r.rule);
        if (it != card_of.end()) c.out.rules[it->second].tests.push_back(e.id);
      }
      c.out.tests.push_back(e);
    }
  }
}

}  // namespace redline::report
