// The simdjson fast path and the full path (Request::from_json + bind) must
// bind every request identically, and the fast path must hand every request
// it cannot bind exactly to the full path (which words the error).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "eval/bind_fast.h"
#include "eval/bound.h"
#include "eval/conformance_files.h"
#include "random_policy.h"
#include "redline/engine.h"
#include "test_support.h"

using namespace redline;

namespace {

void same_binding(const Program& prog, const std::string& text) {
  INFO("request: ", text);
  BoundRequest fast = prog.bind_json(text);
  BoundRequest full = prog.bind(Request::from_json(text));
  REQUIRE(fast.ok() == full.ok());
  if (!full.ok()) {
    CHECK(fast.error()->code == full.error()->code);
    CHECK(fast.error()->pointer == full.error()->pointer);
    return;
  }
  CHECK(BoundAccess::purpose(fast) == BoundAccess::purpose(full));
  CHECK(BoundAccess::present(fast) == BoundAccess::present(full));
  CHECK(BoundAccess::tags(fast) == BoundAccess::tags(full));
  CHECK(BoundAccess::actor_id(fast) == BoundAccess::actor_id(full));
  const auto& pv = BoundAccess::present(full);
  for (std::size_t a = 0; a < BoundAccess::values(full).size(); ++a)
    if ((pv[a / 64] >> (a % 64)) & 1u) CHECK(BoundAccess::values(fast)[a] == BoundAccess::values(full)[a]);
}

}  // namespace

TEST_CASE("fast and full binding agree on random requests") {
  std::size_t fast_taken = 0, n = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomPolicy gen(seed);
    CompileResult r = compile_source(gen.text(), "random.pol");
    REQUIRE(r.ok());
    for (int i = 0; i < 200; ++i, ++n) {
      std::string text = gen.request();
      same_binding(*r.program, text);
      BoundRequest b;
      fast_taken += eval::fast_bind(ProgramAccess::impl(*r.program), text, b);
    }
  }
  // The generator only writes valid requests: the fast path must take them all.
  CHECK(fast_taken == n);
}

TEST_CASE("fast and full binding agree on every conformance request, valid or not") {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() / "tests/conformance")) {
    if (entry.path().extension() != ".json") continue;
    auto doc = nlohmann::json::parse(testing::read_file(entry.path()));
    CompileOptions opts;
    const std::vector<std::string> files = testing::load_conformance_files(doc, entry.path(), opts);
    CompileResult r = compile_files(files, opts);
    REQUIRE(r.ok());
    for (const auto& c : doc["cases"]) {
      same_binding(*r.program, c.contains("request_text") ? c["request_text"].get<std::string>() : c["request"].dump());
      ++n;
    }
  }
  CHECK(n > 100);
}

TEST_CASE("the fast path refuses what it cannot bind exactly") {
  CompileResult r = compile_source(
      "purposes { chat }\ncontext { actor.role: enum { a, b }\n request.count: int\n data.tags: tags { x, y } }\n"
      "policy \"p\" { default deny rule r: permit chat when actor.role == a; }",
      "p.pol");
  REQUIRE(r.ok());
  const auto& impl = ProgramAccess::impl(*r.program);
  for (const char* text : {
           R"({"purpose":"chat","actor":{"role":"c"}})",                 // not a value
           R"({"purpose":"chat","request":{"count":1.5}})",              // not an integer
           R"({"purpose":"chat","actor":{"role":"a","role":"b"}})",      // duplicate key
           R"({"purpose":"chat","actor":{"role":{"x":1}}})",             // object where a value is declared
           R"({"purpose":"chat","approvals":[]})",                       // approvals: the full path
           R"({"purpose":"chat","actor":{"x": tru}})",                   // invalid JSON inside an ignored field
           R"({"purpose":"chat"} trailing)",
           R"({"purpose":"nope"})",
           R"(["purpose","chat"])",
       }) {
    BoundRequest b;
    CHECK_MESSAGE(!eval::fast_bind(impl, text, b), text);
  }
}
