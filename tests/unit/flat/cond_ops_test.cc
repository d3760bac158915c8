// tests/unit/flat/cond_ops_test.cc — residual conditions lowered to flat
// instructions decide exactly as the condition trees they came from, in
// Kleene logic, on random conditions and random requests; and the Program
// keeps them as data of its own.
#include <doctest/doctest.h>

#include <random>

#include "flat/cond_ops.h"
#include "flat/graph_to_program.h"
#include "flat/program_impl.h"
#include "sema/tri.h"

using namespace redline;

namespace {

constexpr std::uint32_t kAttrs = 4;

// A request over kAttrs attributes: presence, a small value, a tag set.
struct FakeRequest {
  bool present_[kAttrs] = {};
  std::int64_t value_[kAttrs] = {};
  std::uint64_t tags_[kAttrs] = {};
  bool present(std::uint32_t a) const { return present_[a]; }
  std::int64_t value(std::uint32_t a) const { return value_[a]; }
  bool has_tag(std::uint32_t a, std::int64_t t) const { return (tags_[a] >> t) & 1u; }
};

sema::Cond random_cond(std::mt19937& rng, int depth) {
  using K = sema::Cond::Kind;
  std::uniform_int_distribution<int> kind(depth > 0 ? 0 : 4, 9), small(0, 4), attr(0, kAttrs - 1), op(0, 5), count(1, 3);
  sema::Cond c;
  switch (kind(rng)) {
    case 0: c.kind = K::And; break;
    case 1: c.kind = K::Or; break;
    case 2: c.kind = K::Not; break;
    case 3: c.kind = K::Const; c.constant = small(rng) % 2; return c;
    case 4: c.kind = K::Compare; break;
    case 5: c.kind = K::In; break;
    case 6: c.kind = K::HasAny; break;
    case 7: c.kind = K::HasAll; break;
    case 8: c.kind = K::Present; break;
    default: c.kind = K::Missing; break;
  }
  if (c.kind == K::And || c.kind == K::Or) {
    for (int i = 0, n = 1 + count(rng); i < n; ++i) c.kids.push_back(random_cond(rng, depth - 1));
    return c;
  }
  if (c.kind == K::Not) {
    c.kids.push_back(random_cond(rng, depth - 1));
    return c;
  }
  c.attr = static_cast<std::uint32_t>(attr(rng));
  c.op = static_cast<sema::CmpOp>(op(rng));
  if (c.kind == K::Compare) c.values.push_back(small(rng));
  else if (c.kind != K::Present && c.kind != K::Missing)
    for (int i = 0, n = count(rng); i < n; ++i) c.values.push_back(small(rng));
  return c;
}

}  // namespace

TEST_CASE("flat conditions: instructions decide as the condition trees, on random conditions and requests") {
  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> bit(0, 1), small(0, 4);
  std::uniform_int_distribution<std::uint64_t> tags(0, 31);
  int unknown = 0, decided = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<sema::Cond> conds;
    for (int i = 0, n = 1 + small(rng) % 3; i < n; ++i) conds.push_back(random_cond(rng, 3));
    flat::ProgramData d;
    d.ops.push_back({});   // lowered conditions need not start at 0
    const auto begin = static_cast<std::uint32_t>(d.ops.size());
    for (const auto& c : conds) flat::lower_cond(c, d);
    const auto end = static_cast<std::uint32_t>(d.ops.size());
    for (int k = 0; k < 8; ++k) {
      FakeRequest r;
      for (std::uint32_t a = 0; a < kAttrs; ++a) {
        r.present_[a] = bit(rng);
        r.value_[a] = small(rng);
        r.tags_[a] = tags(rng);
      }
      sema::Tri want = sema::Tri::T;
      for (const auto& c : conds) want = sema::tri_and(want, sema::evaluate(c, r));
      const sema::Tri got = flat::run_conjunction(d, begin, end, r);
      REQUIRE(static_cast<int>(got) == static_cast<int>(want));
      (want == sema::Tri::U ? unknown : decided)++;
    }
  }
  // The generator reaches all three truth values.
  CHECK(unknown > 1000);
  CHECK(decided > 1000);
}

TEST_CASE("flat conditions: a Program's residuals are its own data") {
  // A disjunction across two attributes cannot be split per attribute: it stays residual.
  CompileResult r = compile_source(R"(
purposes { work }
context {
  actor.a: int
  actor.b: int
}
policy "p" {
  default deny
  rule r: permit work when actor.a == 1 or actor.b == 2;
}
)", "p.pol");
  REQUIRE_MESSAGE(r.ok(), r.diagnostics.render(false));
  const ProgramImpl& p = ProgramAccess::impl(*r.program);
  REQUIRE(p.data.residuals.size() == 1);
  const flat::Residual& res = p.data.residuals[0];
  CHECK(res.ops_end > res.ops_begin);
  CHECK(p.data.ops[res.ops_begin].kind == flat::CondOp::Kind::Or);
  // Counted in compiled_bytes: the instructions and their constants.
  CHECK(r.program->compiled_bytes() >= p.data.ops.size() * sizeof(flat::CondOp) + p.data.cond_values.size() * 8);
  auto decide = [&](const char* json) { return r.program->evaluate_json(json).outcome(); };
  CHECK(decide(R"({"purpose":"work","actor":{"a":1,"b":7}})") == Outcome::allow);
  CHECK(decide(R"({"purpose":"work","actor":{"a":5,"b":2}})") == Outcome::allow);
  CHECK(decide(R"({"purpose":"work","actor":{"a":5,"b":7}})") == Outcome::deny);
  CHECK(decide(R"({"purpose":"work","actor":{"b":7}})") == Outcome::deny);   // unknown: a permit does not apply
  CHECK(decide(R"({"purpose":"work","actor":{"b":2}})") == Outcome::allow);  // `or` with a true side is true
}
