// bench/audited_bench.cc — audited decisions per second through the public
// AuditTrail API (the governance runtime): decide a request, record it in a
// fresh state folder's audit log (buffered, the default; `--strict` makes
// each record durable first), answer the decision JSON. A plain loop over N
// requests of four shapes (allow, deny by a rule, pending approval, a 2 KiB
// request with nested data); prints decisions/s (wall) and CPU per decision. Uses only the public API,
// so the same file measures any version of the library.
//
//   redline_audited_bench [N] [--strict]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "redline/audit.h"
#include "redline/engine.h"

namespace {

const char* kPolicy =
    "purposes {\n  weapons { targeting engagement }\n  intel { targeting_support bulk }\n  chat\n}\n"
    "context { actor.role: enum { analyst, safety, cdao } }\n"
    "policy \"svc\" version \"1\" {\n  default allow\n"
    "  rule no_engage: prohibit weapons.engagement when actor.role == analyst because \"No engagement.\";\n"
    "  rule bulk_review: require approval intel.bulk by cdao within 1h because \"Bulk needs sign-off.\";\n"
    "  kill_switch weapons_stop covers weapons, intel.targeting_support\n"
    "    owner safety, cdao because \"Stop all weapons-related use at once.\";\n"
    "}\n";

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 200000;
  bool strict = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--strict") strict = true;
    else n = std::strtoull(argv[i], nullptr, 10);
  }
  redline::CompileResult r = redline::compile_source(kPolicy, "svc.pol");
  if (!r.ok()) return std::fputs(r.diagnostics.render().c_str(), stderr), 1;
  std::string big = R"({"purpose":"chat","actor":{"id":"u1","role":"analyst"},"data":{"notes":[)";
  for (int i = 0; i < 40; ++i) big += std::string(i ? "," : "") + R"({"k":"v)" + std::to_string(i) + R"(","n":)" + std::to_string(i) + "}";
  big += "]}}";
  std::vector<std::string> requests = {
      R"({"purpose":"chat","actor":{"id":"u1","role":"analyst"}})",
      R"({"purpose":"weapons.engagement","actor":{"id":"u1","role":"analyst"}})",
      R"({"purpose":"intel.bulk","actor":{"id":"u1","role":"analyst"},"request":{"time":"2026-11-23T10:00:00Z"}})",
      big,
  };
  auto dir = std::filesystem::temp_directory_path() / ("redline-audited-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string error;
  double seconds = 0, cpu = 0;
  {
    redline::AuditOptions options;
    options.strict = strict;
    auto trail = redline::AuditTrail::open(dir.string(), options, error);
    if (!trail || !trail->load_policy(*r.program, error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    auto board = r.program->make_switchboard();
    std::size_t bytes = 0;
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    for (std::size_t i = 0; i < n; ++i) bytes += trail->decide_json(*r.program, requests[i % requests.size()], board.get()).size();
    if (!trail->flush(error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;   // every thread of the process (the log's committer too)
    if (bytes == 0) return 1;
  }
  std::filesystem::remove_all(dir);
  std::printf("%zu audited decisions (%s) in %.3f s: %.0f decisions/s; %.2f µs CPU per decision\n", n, strict ? "strict" : "buffered",
              seconds, static_cast<double>(n) / seconds, cpu * 1e6 / static_cast<double>(n));
  return 0;
}
