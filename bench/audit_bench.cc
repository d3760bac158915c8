// bench/audit_bench.cc — audit log and kill-switch benchmarks (Google
// Benchmark): appends/s buffered and durable (group commit from 8 threads,
// and one strict writer alone), `audit verify` records/s, inclusion proof
// size and verification time, and flip-to-enforcement latency in-process
// and through the state folder (inotify and polling watchers).
//
// Runs in a temporary folder under $TMPDIR (ext4 on the reference machine:
// fdatasync is real).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "audit/log.h"
#include "audit/verify.h"
#include "killswitch/switch_state.h"
#include "killswitch/watcher.h"
#include "redline/engine.h"

namespace {

using namespace redline;

// A fresh state folder, removed at scope exit.
struct Folder {
  std::string path;
  state::StateDir dir;
  Folder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "redline-bench-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
    dir = *state::StateDir::open(path, true).value;
  }
  ~Folder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A decision-sized record (~400 bytes, like a real one).
std::string record(std::uint64_t i) {
  return R"({"type":"decision","time":"2026-03-05T14:00:00.000Z","policy":"sha256:70ce9682217abcd77247f0490f3100c28c67329e369ed50e2bb411d99089b00c","layer":"agency-deployment","request_digest":"sha256:f29518bb12e27a812f11ac720a6ade32c3648a2b938435311f1fc08cc3b287fb","request":{"purpose":"translation","actor":{"id":"a)" +
         std::to_string(i) + R"(","role":"analyst"}},"masked":[],"switches":[],"decision":"allow","reasons":[{"rule":"agency-deployment/green_zone","outcome":"allow","missing":[]}],"obligations":[],"killed_by":null})";
}

void BM_AppendBuffered(benchmark::State& st) {
  Folder f;
  auto log = std::move(*audit::AuditLog::open(f.dir).value);
  std::uint64_t i = 0;
  std::vector<std::string> recs;
  for (int k = 0; k < 1024; ++k) recs.push_back(record(static_cast<std::uint64_t>(k)));
  for (auto _ : st) log->append(recs[i++ & 1023]);
  log->flush();  // everything appended is written before the figure is reported
  st.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_AppendBuffered)->UseRealTime()->MinTime(2.0);

// Durable appends from `threads` writers at once: one fdatasync covers every
// record buffered while the previous one ran.
void BM_AppendDurable(benchmark::State& st) {
  const int threads = static_cast<int>(st.range(0));
  const int per_thread = 2000;
  Folder f;
  auto log = std::move(*audit::AuditLog::open(f.dir).value);
  std::string rec = record(1);
  for (auto _ : st) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&] {
        for (int k = 0; k < per_thread; ++k) benchmark::DoNotOptimize(log->append_durable(rec));
      });
    for (auto& t : ts) t.join();
  }
  st.SetItemsProcessed(st.iterations() * threads * per_thread);
}
BENCHMARK(BM_AppendDurable)->Arg(1)->Arg(8)->Arg(64)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Verify(benchmark::State& st) {
  Folder f;
  {
    auto log = std::move(*audit::AuditLog::open(f.dir).value);
    for (std::int64_t i = 0; i < st.range(0); ++i) log->append(record(static_cast<std::uint64_t>(i)));
  }
  for (auto _ : st) {
    auto r = audit::verify_log(f.dir);
    if (!r.ok) st.SkipWithError(r.error.c_str());
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_Verify)->Arg(200000)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_InclusionProof(benchmark::State& st) {
  std::vector<audit::Hash> leaves;
  for (std::int64_t i = 0; i < st.range(0); ++i) leaves.push_back(audit::leaf_hash(std::to_string(i)));
  audit::MerkleTree tree(leaves);
  audit::Hash root = tree.root();
  std::uint64_t n = static_cast<std::uint64_t>(st.range(0));
  auto proof = *tree.inclusion_proof(n / 3, n);
  for (auto _ : st) benchmark::DoNotOptimize(audit::verify_inclusion(n / 3, n, leaves[n / 3], proof, root));
  st.counters["proof_hashes"] = static_cast<double>(proof.size());
  st.counters["proof_bytes"] = static_cast<double>(proof.size() * 32);
}
BENCHMARK(BM_InclusionProof)->Arg(1000)->Arg(1000000);

void BM_InclusionProofBuild(benchmark::State& st) {
  std::vector<audit::Hash> leaves;
  for (std::int64_t i = 0; i < st.range(0); ++i) leaves.push_back(audit::leaf_hash(std::to_string(i)));
  audit::MerkleTree tree(leaves);
  std::uint64_t n = static_cast<std::uint64_t>(st.range(0)), i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(tree.inclusion_proof((i++ * 7919) % n, n));
}
BENCHMARK(BM_InclusionProofBuild)->Arg(1000000);

const char* kPolicy =
    "purposes { weapons { targeting } chat }\ncontext { actor.role: enum { analyst, safety } }\n"
    "policy \"ks\" { default allow\n kill_switch stop covers weapons owner safety; }\n";

// In-process: a flip is seen by the very next evaluation.
void BM_FlipInProcess(benchmark::State& st) {
  auto prog = compile_source(kPolicy, "ks.pol").program;
  auto board = prog->make_switchboard();
  auto req = prog->bind_json(R"({"purpose":"weapons.targeting","actor":{"id":"a","role":"analyst"}})");
  const EvalOptions opts{.switches = board.get()};
  Decision d;
  bool wrong = false;
  for (auto _ : st) {
    board->trip("stop");
    prog->evaluate(req, d, opts);
    wrong |= d.outcome() != Outcome::deny;
    board->reset("stop");
    prog->evaluate(req, d, opts);
    wrong |= d.outcome() != Outcome::allow;
  }
  if (wrong) st.SkipWithError("a flip was not seen by the next evaluation");
}
BENCHMARK(BM_FlipInProcess);

// Through the state folder: the time from the rename that publishes a new
// switches.json to the watching board changing (what a running process's next
// decision sees). The writer does what `redline switch` does last.
void BM_FlipThroughFolder(benchmark::State& st) {
  bool inotify = st.range(0) == 1;
  Folder f;
  auto prog = compile_source(kPolicy, "ks.pol").program;
  auto board = prog->make_switchboard();
  std::string error;
  auto watcher = killswitch::SwitchWatcher::start(f.dir, *board, {.inotify = inotify, .poll_interval = std::chrono::milliseconds(20)}, error);
  double total_us = 0;
  bool want = false;
  for (auto _ : st) {
    want = !want;
    st.PauseTiming();
    // Write the new state beside the live file first, then publish it by rename (as write_switch_state does).
    std::string tmp = f.dir.file("switches.json.next");
    {
      std::ofstream out(tmp);
      out << R"({"format":1,"generation":1,"switches":{"ks/stop":{"tripped":)" << (want ? "true" : "false") << "}}}\n";
    }
    st.ResumeTiming();
    auto t0 = std::chrono::steady_clock::now();
    std::filesystem::rename(tmp, f.dir.file("switches.json"));
    while (board->tripped("ks/stop") != want) std::this_thread::yield();
    total_us += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  st.counters["latency_us"] = total_us / static_cast<double>(st.iterations());
}
BENCHMARK(BM_FlipThroughFolder)->Arg(1)->Arg(0)->UseRealTime()->Iterations(200)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
