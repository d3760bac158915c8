// bench/engine_bench.cc — Google Benchmark for the engine on the seeded
// workloads of bench/workload.h: compile time and compiled bytes per rule,
// evaluation of a bound request, and JSON text to decision, for
// N = 10, 100, 1,000, 10,000 rules. Decisions are cross-checked against the
// workload's reference before timing (a wrong engine is not benchmarked).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "redline/engine.h"
#include "workload.h"

using namespace redline;

namespace {

struct Fixture {
  std::shared_ptr<const Program> program;
  std::vector<std::string> json;
  std::vector<BoundRequest> bound;
};

const Fixture& peer(std::size_t n) {
  static std::map<std::size_t, Fixture> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  Fixture f;
  auto rules = bench::peer_rules(n);
  CompileResult r = compile_source(bench::peer_policy(rules), "peers.pol");
  if (!r.ok()) {
    std::cerr << r.diagnostics.render();
    std::abort();
  }
  f.program = r.program;
  auto requests = bench::peer_requests(10000);
  for (const auto& q : requests) {
    f.json.push_back(bench::peer_request_json(q));
    f.bound.push_back(f.program->bind_json(f.json.back()));
    Decision d;
    f.program->evaluate(f.bound.back(), d);
    if ((d.outcome() == Outcome::allow) != bench::peer_reference(rules, q)) {
      std::cerr << "decision mismatch against the workload reference for " << f.json.back() << '\n';
      std::abort();
    }
  }
  return cache.emplace(n, std::move(f)).first->second;
}

const Fixture& tree(std::size_t n) {
  static std::map<std::size_t, Fixture> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  Fixture f;
  CompileResult r = compile_source(bench::tree_policy(n, 7), "tree.pol");
  if (!r.ok()) {
    std::cerr << r.diagnostics.render();
    std::abort();
  }
  f.program = r.program;
  f.json = bench::tree_requests(10000, 11);
  for (const auto& j : f.json) f.bound.push_back(f.program->bind_json(j));
  return cache.emplace(n, std::move(f)).first->second;
}

void compile_bench(benchmark::State& state, std::string text, std::size_t n) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    CompileResult r = compile_source(text, "bench.pol");
    bytes = r.program->compiled_bytes();
    benchmark::DoNotOptimize(r.program);
  }
  state.counters["bytes_per_rule"] = static_cast<double>(bytes) / static_cast<double>(n);
}

void BM_PeerCompile(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  compile_bench(state, bench::peer_policy(bench::peer_rules(n)), n);
}

void BM_TreeCompile(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  compile_bench(state, bench::tree_policy(n, 7), n);
}

void eval_bound(benchmark::State& state, const Fixture& f) {
  Decision d;
  std::size_t i = 0;
  for (auto _ : state) {
    f.program->evaluate(f.bound[i], d);
    benchmark::DoNotOptimize(d.outcome());
    if (++i == f.bound.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void eval_json(benchmark::State& state, const Fixture& f) {
  Decision d;
  std::size_t i = 0;
  for (auto _ : state) {
    BoundRequest b = f.program->bind_json(f.json[i]);
    f.program->evaluate(b, d);
    benchmark::DoNotOptimize(d.outcome());
    if (++i == f.json.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_PeerEvalBound(benchmark::State& state) { eval_bound(state, peer(static_cast<std::size_t>(state.range(0)))); }
void BM_PeerEvalJson(benchmark::State& state) { eval_json(state, peer(static_cast<std::size_t>(state.range(0)))); }
void BM_TreeEvalBound(benchmark::State& state) { eval_bound(state, tree(static_cast<std::size_t>(state.range(0)))); }
void BM_TreeEvalJson(benchmark::State& state) { eval_json(state, tree(static_cast<std::size_t>(state.range(0)))); }

}  // namespace

BENCHMARK(BM_PeerCompile)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TreeCompile)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeerEvalBound)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_TreeEvalBound)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_PeerEvalJson)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_TreeEvalJson)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK_MAIN();
