// The hot path allocates nothing: evaluating a bound request into a reused
// Decision, with EvalOptions carrying a SwitchBoard, makes no heap
// allocation once the Decision's buffers have grown (redline/engine.h).
// Counted by replacing the global operator new for this test binary; left
// out under AddressSanitizer, which owns operator new there.
#include <doctest/doctest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "redline/engine.h"

#if defined(__SANITIZE_ADDRESS__)
#define REDLINE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REDLINE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef REDLINE_COUNT_ALLOCATIONS
#define REDLINE_COUNT_ALLOCATIONS 1
#endif

#if REDLINE_COUNT_ALLOCATIONS
namespace {
thread_local std::size_t g_allocations = 0;
}

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace redline;

namespace {

const char* kPolicy = R"(
purposes { ops { deploy wipe } chat }
context {
  actor.role:  enum { clerk, manager }
  data.tags:   tags { pii, public, minors }
  data.rows:   int
  env.zone:    level { open < restricted < secret }
}
policy "hot" {
  default deny
  rule talk:   permit chat when data.tags has public and not (data.tags has minors);
  rule secret: prohibit chat when env.zone >= secret and data.tags has pii;
  rule big:    prohibit ops when data.rows > 1000 or actor.role == clerk;
  rule ops_ok: permit ops when actor.role == manager;
  kill_switch stop covers ops.wipe;
}
)";

}  // namespace

TEST_CASE("hot path: evaluating a bound request into a reused Decision allocates nothing") {
  std::size_t before = g_allocations;
  std::vector<int> probe(16);   // the counter sees allocations at all
  CHECK(g_allocations > before);

  CompileResult r = compile_source(kPolicy, "hot.pol");
  INFO(r.diagnostics.render());
  REQUIRE(r.ok());
  const Program& prog = *r.program;
  auto board = prog.make_switchboard();
  REQUIRE(board->trip("stop"));
  const EvalOptions opts{.switches = board.get()};
  std::vector<BoundRequest> bound;
  for (const char* text : {R"({"purpose":"chat","data":{"tags":["public"]},"env":{"zone":"open"}})",
                           R"({"purpose":"chat","data":{"tags":["pii","public"]},"env":{"zone":"secret"}})",
                           R"({"purpose":"chat","data":{"tags":["public","minors"]}})",
                           R"({"purpose":"ops.deploy","actor":{"role":"manager"},"data":{"rows":12}})",
                           R"({"purpose":"ops.wipe","actor":{"role":"manager"},"data":{"rows":12}})",
                           R"({"purpose":"ops.deploy"})"}) {
    bound.push_back(prog.bind_json(text, opts));
    REQUIRE(bound.back().ok());
  }
  Decision d;
  for (const auto& b : bound) prog.evaluate(b, d, opts);   // grow the Decision's buffers
  before = g_allocations;
  int outcomes[4] = {0, 0, 0, 0};
  for (int round = 0; round < 100; ++round) {
    for (const auto& b : bound) {
      prog.evaluate(b, d, opts);
      ++outcomes[static_cast<int>(d.outcome())];
    }
  }
  CHECK(g_allocations == before);
  // The loop decided: allows and denies both (a kill switch among them).
  CHECK(outcomes[static_cast<int>(Outcome::allow)] == 200);
  CHECK(outcomes[static_cast<int>(Outcome::deny)] == 400);
  prog.evaluate(bound[4], d, opts);
  CHECK(d.killed_by() == std::optional<std::string>("hot/stop"));
  // Deciding from text or a Request parses and binds, which allocates.
  before = g_allocations;
  (void)prog.evaluate_json(R"({"purpose":"chat"})", opts);
  CHECK(g_allocations > before);
}
#endif
