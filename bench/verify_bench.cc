// bench/verify_bench.cc — Google Benchmark for static verification
// (engine/verify): proving every assertion and running every analysis of the
// generated tree workload (bench/workload.h) with N = 100, 1,000 and 3,000
// rules and 24 assertions (some hold, some fail). Goal: all of it for 1,000
// rules in ≤ 2 s. Also reports the findings and search nodes per run.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "sema/frontend.h"
#include "verify/search.h"
#include "verify/verify.h"
#include "workload.h"

using namespace redline;

namespace {

// The tree workload with assertions appended to its deployment layer.
std::string policy_with_assertions(std::size_t n) {
  std::string text = bench::tree_policy(n, 7);
  std::ostringstream os;
  for (int a = 0; a < 6; ++a) {
    std::string area = "area" + std::to_string(a);
    os << "  assert " << area << " is at least allow;\n";
    os << "  assert " << area << " when data.tags is missing and request.volume is missing is at least require_approval;\n";
    os << "  assert " << area << ".task" << a << "_1 when actor.kind == agent and actor.role is missing is deny;\n";
    os << "  assert " << area << ".*  when env.classification >= l3 is at least escalate;\n";
  }
  text.insert(text.rfind('}'), os.str());
  return text;
}

struct Loaded {
  std::unique_ptr<sema::Frontend> fe;
  Diagnostics diags;
};

const Loaded& load(std::size_t n) {
  static std::map<std::size_t, Loaded> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  Loaded l;
  sema::LoadOptions o;
  o.virtual_files["tree.pol"] = policy_with_assertions(n);
  l.fe = sema::load_and_check({"tree.pol"}, o, l.diags);
  if (!l.fe || !l.fe->model || l.diags.has_errors()) {
    std::cerr << l.diags.render();
    std::abort();
  }
  return cache.emplace(n, std::move(l)).first->second;
}

void BM_VerifyAll(benchmark::State& state) {
  const Loaded& l = load(static_cast<std::size_t>(state.range(0)));
  const sema::Model& m = *l.fe->model;
  std::size_t failed = 0, findings = 0;
  std::uint64_t nodes0 = verify::nodes_visited();
  for (auto _ : state) {
    auto a = verify::check_assertions(m);
    auto b = verify::analyze(m);
    failed = a.size();
    findings = b.size();
    benchmark::DoNotOptimize(a.data());
  }
  state.counters["rules"] = static_cast<double>(m.rules.size());
  state.counters["assertions"] = static_cast<double>(m.assertions.size());
  state.counters["failed"] = static_cast<double>(failed);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["nodes"] = static_cast<double>(verify::nodes_visited() - nodes0) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_VerifyAll)->Arg(100)->Arg(1000)->Arg(3000)->Unit(benchmark::kMillisecond);

void BM_Assertions(benchmark::State& state) {
  const sema::Model& m = *load(static_cast<std::size_t>(state.range(0))).fe->model;
  for (auto _ : state) benchmark::DoNotOptimize(verify::check_assertions(m).size());
}
BENCHMARK(BM_Assertions)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Analyses(benchmark::State& state) {
  const sema::Model& m = *load(static_cast<std::size_t>(state.range(0))).fe->model;
  for (auto _ : state) benchmark::DoNotOptimize(verify::analyze(m).size());
}
BENCHMARK(BM_Analyses)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
