// Tests for condition resolution and type checking (sema/conditions.cc).
#include <doctest/doctest.h>

#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;
using K = ast::Type::Kind;
using ast::CmpOp;
using ast::Effect;

namespace {

// Purposes and a schema with one attribute of every kind; returns the policy.
ast::Policy& base(Fixture& f) {
  f.purposes("chat biometrics { face_match voice_match }");
  f.attr("actor.role", f.type(K::Enum, {"clerk", "officer", "supervisor"}));
  f.attr("actor.trusted", f.type(K::Bool));
  f.attr("actor.age", f.type(K::Int));
  f.attr("actor.name", f.type(K::String));
  f.attr("data.retention", f.type(K::Duration));
  f.attr("data.tags", f.type(K::Tags, {"minors", "consented"}));
  f.attr("env.zone", f.type(K::Level, {"public", "restricted", "secret"}));
  return f.policy("demo");
}

// Checks a policy with one rule `permit chat when <cond>`.
template <class Make>
CheckResult with_condition(Make make) {
  Fixture f;
  auto& p = base(f);
  auto& r = f.rule(p, "r", Effect::Permit, {"chat"});
  r.when = make(f);
  return f.run();
}

}  // namespace

TEST_CASE("well-typed conditions resolve and encode their literals") {
  Fixture f;
  auto& p = base(f);
  auto& r = f.rule(p, "r", Effect::Permit, {"chat"});
  r.when = f.and_(f.cmp("env.zone", CmpOp::Ge, f.vid("restricted")), f.has("data.tags", f.vid("consented")));
  r.unless = f.or_(f.cmp("actor.role", CmpOp::Eq, f.vid("supervisor")),
                   f.not_(f.in("actor.name", {f.vstr("bob"), f.vstr("alice"), f.vstr("bob")})));
  auto& r2 = f.rule(p, "r2", Effect::Prohibit, {"chat"});
  r2.when = f.and_(f.and_(f.cmp("actor.trusted", CmpOp::Ne, f.vbool(true)), f.cmp("actor.age", CmpOp::Lt, f.vint(18))),
                   f.and_(f.cmp("data.retention", CmpOp::Gt, f.vdur("10m", 600)), f.cmp("data.retention", CmpOp::Le, f.vint(7200))));
  auto& r3 = f.rule(p, "r3", Effect::Prohibit, {"chat"});
  r3.when = f.and_(f.and_(f.has_any("data.tags", {f.vid("minors"), f.vid("consented")}), f.missing("actor.age")),
                   f.and_(f.cmp("request.time", CmpOp::Ge, f.vstr("2026-03-05T14:00:00Z")), f.present("request.id")));
  auto res = f.run();
  REQUIRE_MESSAGE(res.model, res.text());
  const auto& m = *res.model;
  const sema::Cond& w = *m.rules[0].when;
  REQUIRE(w.kind == sema::Cond::Kind::And);
  CHECK(w.kids[0].kind == sema::Cond::Kind::Compare);
  CHECK(w.kids[0].op == CmpOp::Ge);
  CHECK(w.kids[0].attr == m.schema.find("env.zone"));
  CHECK(w.kids[0].values == std::vector<std::int64_t>{1});
  CHECK(w.kids[1].kind == sema::Cond::Kind::HasAll);  // `has x` is HasAll [x]
  CHECK(w.kids[1].values == std::vector<std::int64_t>{1});
  const sema::Cond& u = *m.rules[0].unless;
  CHECK(u.kind == sema::Cond::Kind::Or);
  CHECK(u.kids[0].values == std::vector<std::int64_t>{2});
  CHECK(u.kids[1].kind == sema::Cond::Kind::Not);
  CHECK(u.kids[1].kids[0].kind == sema::Cond::Kind::In);
  CHECK(u.kids[1].kids[0].values == std::vector<std::int64_t>{0, 1, 0});  // interned
  CHECK(m.strings == std::vector<std::string>{"bob", "alice"});
  CHECK(m.find_string("alice") == 1);
  const sema::Cond& w2 = *m.rules[1].when;
  CHECK(w2.kids[0].kids[0].values == std::vector<std::int64_t>{1});
  CHECK(w2.kids[0].kids[1].values == std::vector<std::int64_t>{18});
  CHECK(w2.kids[1].kids[0].values == std::vector<std::int64_t>{600});
  CHECK(w2.kids[1].kids[1].values == std::vector<std::int64_t>{7200});
  const sema::Cond& w3 = *m.rules[2].when;
  CHECK(w3.kids[0].kids[0].kind == sema::Cond::Kind::HasAny);
  CHECK(w3.kids[0].kids[1].kind == sema::Cond::Kind::Missing);
  CHECK(w3.kids[1].kids[0].values == std::vector<std::int64_t>{1772719200});
  CHECK(w3.kids[1].kids[1].kind == sema::Cond::Kind::Present);
}

TEST_CASE("undeclared attribute: RL2018 with did-you-mean; a bad root: RL2019") {
  auto r = with_condition([](Fixture& f) { return f.cmp("env.zon", CmpOp::Eq, f.vid("public")); });
  REQUIRE(r.count("RL2018") == 1);
  CHECK(r.first("RL2018").message == "unknown attribute `env.zon`");
  CHECK(r.first("RL2018").help == "did you mean `env.zone`?");
  auto r2 = with_condition([](Fixture& f) { return f.present("context.zone"); });
  CHECK(r2.count("RL2019") == 1);
  auto r3 = with_condition([](Fixture& f) { return f.present("env.totally_new"); });
  CHECK(r3.first("RL2018").help == "declare it in a `context { }` block, e.g. `env.totally_new: string`");
}

TEST_CASE("enum, level and tags values must exist: RL3003") {
  auto r = with_condition([](Fixture& f) { return f.cmp("env.zone", CmpOp::Le, f.vid("secrett")); });
  REQUIRE(r.count("RL3003") == 1);
  CHECK(r.first("RL3003").message == "`secrett` is not a value of `env.zone`");
  CHECK(r.first("RL3003").help == "did you mean `secret`?");
  auto r2 = with_condition([](Fixture& f) { return f.has_all("data.tags", {f.vid("adults"), f.vid("minors"), f.vid("x")}); });
  CHECK(r2.count("RL3003") == 2);
  CHECK(r2.first("RL3003").help == "its values are `minors` and `consented`");
}

TEST_CASE("wrong literal kinds: RL3006") {
  auto r = with_condition([](Fixture& f) { return f.cmp("actor.age", CmpOp::Eq, f.vstr("18")); });
  REQUIRE(r.count("RL3006") == 1);
  CHECK(r.first("RL3006").message == "`actor.age` is an int, but string `\"18\"` is not");
  CHECK(r.first("RL3006").help == "write the number without quotes");
  auto r2 = with_condition([](Fixture& f) { return f.cmp("actor.name", CmpOp::Eq, f.vid("bob")); });
  CHECK(r2.first("RL3006").help == "quote it: `\"bob\"`");
  auto r3 = with_condition([](Fixture& f) { return f.cmp("actor.trusted", CmpOp::Eq, f.vint(1)); });
  CHECK(r3.first("RL3006").help == "compare with `true` or `false`");
  auto r4 = with_condition([](Fixture& f) { return f.cmp("actor.role", CmpOp::Eq, f.vstr("clerk")); });
  CHECK(r4.first("RL3006").help == "write the value without quotes: `clerk`");
  auto r5 = with_condition([](Fixture& f) { return f.cmp("actor.age", CmpOp::Lt, f.vdur("10m", 600)); });
  CHECK(r5.count("RL3006") == 1);
  auto r6 = with_condition([](Fixture& f) { return f.cmp("data.retention", CmpOp::Lt, f.vstr("10m")); });
  CHECK(r6.count("RL3006") == 1);
  auto r7 = with_condition([](Fixture& f) { return f.cmp("request.time", CmpOp::Lt, f.vint(5)); });
  CHECK(r7.count("RL3006") == 1);
}

TEST_CASE("order comparisons only on int, duration, level, timestamp: RL3004") {
  auto r = with_condition([](Fixture& f) { return f.cmp("actor.role", CmpOp::Ge, f.vid("officer")); });
  REQUIRE(r.count("RL3004") == 1);
  CHECK(r.first("RL3004").message == "`>=` needs an ordered attribute, but `actor.role` is an enum");
  auto r2 = with_condition([](Fixture& f) { return f.cmp("actor.trusted", CmpOp::Lt, f.vbool(true)); });
  CHECK(r2.count("RL3004") == 1);
  auto r3 = with_condition([](Fixture& f) { return f.cmp("actor.name", CmpOp::Gt, f.vstr("a")); });
  CHECK(r3.count("RL3004") == 1);
}

TEST_CASE("`has` only on tags (RL3005); ==, < and in on tags are RL3011") {
  auto r = with_condition([](Fixture& f) { return f.has("actor.role", f.vid("clerk")); });
  REQUIRE(r.count("RL3005") == 1);
  CHECK(r.first("RL3005").message == "`has` needs a `tags` attribute, but `actor.role` is an enum");
  auto r2 = with_condition([](Fixture& f) { return f.cmp("data.tags", CmpOp::Eq, f.vid("minors")); });
  CHECK(r2.first("RL3011").message == "`==` cannot compare `data.tags`, a set of tags");
  auto r3 = with_condition([](Fixture& f) { return f.in("data.tags", {f.vid("minors")}); });
  CHECK(r3.count("RL3011") == 1);
  auto r4 = with_condition([](Fixture& f) { return f.cmp("data.tags", CmpOp::Lt, f.vid("minors")); });
  CHECK(r4.count("RL3011") == 1);
}

TEST_CASE("malformed timestamps are RL3012") {
  auto r = with_condition([](Fixture& f) { return f.cmp("request.time", CmpOp::Lt, f.vstr("2026-02-30T00:00:00Z")); });
  REQUIRE(r.count("RL3012") == 1);
  CHECK(r.first("RL3012").message == "`\"2026-02-30T00:00:00Z\"` is not an RFC 3339 timestamp");
}

TEST_CASE("every error of a condition is reported, not just the first") {
  auto r = with_condition([](Fixture& f) {
    return f.and_(f.cmp("env.zone", CmpOp::Le, f.vid("il9")), f.or_(f.present("env.nothing"), f.has("actor.age", f.vint(3))));
  });
  // (argument evaluation order decides where the builder puts each token, so compare as a set)
  auto codes = r.codes();
  std::sort(codes.begin(), codes.end());
  CHECK(codes == std::vector<std::string>{"RL2018", "RL3003", "RL3005"});
  CHECK_FALSE(r.model);
}
