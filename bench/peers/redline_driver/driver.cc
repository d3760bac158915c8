// bench/peers/redline_driver/driver.cc — redline embedded, measured the way
// the peer runners measure the peers (bench/peers/run-embedded.mjs):
//   redline_peers_driver POLICY.pol REQUESTS.jsonl EXPECTED.txt
//   1. compile POLICY.pol (timed; best of 3 when it is quick);
//   2. decide every request from its JSON text and check each decision
//      against EXPECTED.txt (the outcome per line: allow, require_approval,
//      escalate, deny) — any mismatch exits 1;
//   3. "json": JSON text → bind → decision, each call timed (median, p99), and
//      decisions/s in an untimed loop over all requests;
//   4. "bound": the first 10,000 requests bound once, then evaluated, each
//      call timed (median, p99), and decisions/s in an untimed loop.
// Per-call times include one steady_clock pair (`timer_overhead_ns`, reported).
// Prints one JSON object on stdout.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "redline/engine.h"

namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::nano>(b - a).count(); }

std::vector<std::string> read_lines(const char* path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(std::move(l));
  return out;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  auto i = static_cast<std::size_t>(std::max(0.0, std::ceil(q * static_cast<double>(v.size())) - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// VmHWM of this process image (getrusage's ru_maxrss would carry over the
// high-water mark of the process that forked and exec'd us, e.g. Node).
double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  for (std::string l; std::getline(in, l);)
    if (l.rfind("VmHWM:", 0) == 0) return std::strtod(l.c_str() + 6, nullptr) / 1024.0;
  return 0;
}

// Runs `decide(i)` over i in [0, count) repeatedly for at least `min_s` seconds; decisions/s.
template <class F>
double throughput(std::size_t count, double min_s, F&& decide) {
  std::size_t done = 0;
  auto t0 = Clock::now();
  double s = 0;
  do {
    for (std::size_t i = 0; i < count; ++i) decide(i);
    done += count;
    s = ns_since(t0, Clock::now()) / 1e9;
  } while (s < min_s);
  return static_cast<double>(done) / s;
}

// Times each call of `decide(i)` for i in [0, count); returns {median, p99} in µs.
template <class F>
std::pair<double, double> latencies(std::size_t count, F&& decide) {
  std::vector<double> ns(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto a = Clock::now();
    decide(i);
    auto b = Clock::now();
    ns[i] = ns_since(a, b);
  }
  return {quantile(ns, 0.5) / 1000, quantile(ns, 0.99) / 1000};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: redline_peers_driver POLICY.pol REQUESTS.jsonl EXPECTED.txt\n";
    return 2;
  }
  const double rss_start = peak_rss_mb();
  // 1. compile
  double compile_ms = 1e300;
  std::shared_ptr<const redline::Program> prog;
  for (int k = 0; k < 3; ++k) {
    auto t0 = Clock::now();
    redline::CompileResult r = redline::compile_files({argv[1]});
    double ms = ns_since(t0, Clock::now()) / 1e6;
    if (!r.ok()) {
      std::cerr << r.diagnostics.render();
      return 1;
    }
    compile_ms = std::min(compile_ms, ms);
    prog = r.program;
    if (ms > 2000) break;   // slow enough that one sample is fair
  }
  const double rss_compiled = peak_rss_mb();
  auto lines = read_lines(argv[2]);
  auto expected = read_lines(argv[3]);
  if (lines.size() != expected.size()) {
    std::cerr << "requests and expected decisions differ in length\n";
    return 2;
  }
  // 2. cross-check every decision
  redline::Decision d;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    redline::BoundRequest b = prog->bind_json(lines[i]);
    prog->evaluate(b, d);
    const char* got = redline::to_string(d.outcome());   // the full outcome (tree workload: 4 kinds)
    if (expected[i] != got) {
      if (mismatches < 5) std::cerr << "mismatch at line " << i + 1 << ": got " << got << ", want " << expected[i] << '\n';
      ++mismatches;
    }
  }
  // 3. JSON text → decision
  volatile int sink = 0;
  auto json_decide = [&](std::size_t i) {
    redline::BoundRequest b = prog->bind_json(lines[i]);
    prog->evaluate(b, d);
    sink = sink + static_cast<int>(d.outcome());
  };
  auto [json_med, json_p99] = latencies(lines.size(), json_decide);
  double json_rate = throughput(lines.size(), 1.0, json_decide);
  // 4. bound
  std::vector<redline::BoundRequest> bound;
  for (std::size_t i = 0; i < std::min<std::size_t>(10000, lines.size()); ++i) bound.push_back(prog->bind_json(lines[i]));
  auto bound_decide = [&](std::size_t i) {
    prog->evaluate(bound[i], d);
    sink = sink + static_cast<int>(d.outcome());
  };
  throughput(bound.size(), 0.2, bound_decide);   // warm
  double bound_med = 0, bound_p99 = 0;
  {
    std::vector<double> ns;
    for (int rep = 0; rep < 10; ++rep) {
      for (std::size_t i = 0; i < bound.size(); ++i) {
        auto a = Clock::now();
        bound_decide(i);
        ns.push_back(ns_since(a, Clock::now()));
      }
    }
    bound_med = quantile(ns, 0.5) / 1000;
    bound_p99 = quantile(ns, 0.99) / 1000;
  }
  double bound_rate = throughput(bound.size(), 1.0, bound_decide);
  // timer overhead: an empty steady_clock pair
  std::vector<double> empty(100000);
  for (auto& e : empty) {
    auto a = Clock::now();
    e = ns_since(a, Clock::now());
  }
  std::printf(
      "{\"engine\":\"redline\",\"version\":\"%s\",\"requests\":%zu,\"load_ms\":%.3f,\"compiled_bytes\":%zu,"
      "\"json\":{\"median_us\":%.4f,\"p99_us\":%.4f,\"mean_us\":%.4f,\"decisions_per_s\":%.0f},"
      "\"bound\":{\"median_us\":%.4f,\"p99_us\":%.4f,\"mean_us\":%.4f,\"decisions_per_s\":%.0f},"
      "\"timer_overhead_ns\":%.1f,\"rss_start_mb\":%.1f,\"rss_after_compile_mb\":%.1f,\"peak_rss_mb\":%.1f,\"mismatches\":%zu}\n",
      redline::version(), lines.size(), compile_ms, prog->compiled_bytes(), json_med, json_p99, 1e6 / json_rate, json_rate,
      bound_med, bound_p99, 1e6 / bound_rate, bound_rate, quantile(empty, 0.5), rss_start, rss_compiled, peak_rss_mb(),
      mismatches);
  return mismatches ? 1 : 0;
}
