// Tests for the purpose-tree pass and purpose references (sema/purpose_tree.cc,
// sema/purpose_refs.cc): merging, pre-order numbering, suffixes, RL2003,
// RL2004, RL2005, RL2023.
#include <doctest/doctest.h>

#include "sema/suggest.h"
#include "sema_builders.h"

using namespace redline;
using namespace redline::testing;
using ast::Effect;

TEST_CASE("purpose trees from several blocks merge and are numbered in pre-order") {
  Fixture f;
  f.purposes("chat biometrics \"biometric uses\" { face_match }");
  f.new_file("more.pol");
  f.purposes("biometrics { voice_match } analysis { bulk { us } }");
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& t = r.model->purposes;
  REQUIRE(t.nodes.size() == 7);
  std::vector<std::string> order;
  for (const auto& n : t.nodes) order.push_back(n.full);
  CHECK(order == std::vector<std::string>{"chat", "biometrics", "biometrics.face_match", "biometrics.voice_match", "analysis",
                                          "analysis.bulk", "analysis.bulk.us"});
  auto bio = static_cast<std::uint32_t>(t.find("biometrics"));
  CHECK(t.nodes[bio].last_descendant == 3);
  CHECK(t.nodes[bio].description == "biometric uses");
  CHECK(t.nodes[bio].children == std::vector<std::uint32_t>{2, 3});
  CHECK(t.nodes[3].parent == static_cast<std::int32_t>(bio));
  CHECK(t.nodes[6].depth == 2);
  CHECK(t.is_ancestor_or_self(4, 6));
  CHECK_FALSE(t.is_ancestor_or_self(1, 4));
  CHECK(t.nodes[0].last_descendant == 0);
  CHECK(t.find("nope") == -1);
}

TEST_CASE("purposes declared inside a policy join the global tree") {
  Fixture f;
  auto& p = f.policy("p");
  f.purposes("chat { small_talk }", &p);
  f.rule(p, "r", Effect::Permit, {"small_talk"});
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  CHECK(r.model->purposes.find("chat.small_talk") == 1);
  CHECK(r.model->rules[0].targets[0].purpose == 1);
}

TEST_CASE("a purpose described twice is RL2005, even across files") {
  Fixture f;
  f.purposes("chat \"talk\"");
  f.new_file("b.pol");
  f.purposes("chat \"talk again\"");
  auto r = f.run();
  CHECK_FALSE(r.model);
  REQUIRE(r.count("RL2005") == 1);
  const auto& d = r.first("RL2005");
  CHECK(d.message == "purpose `chat` is already described");
  CHECK(d.file == "b.pol");
  CHECK(d.source_line.substr(d.column - 1, 12) == "\"talk again\"");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].find("test.pol:1:") != std::string::npos);
}

TEST_CASE("the same child twice in one block is RL2023; in two blocks it merges") {
  Fixture f;
  f.purposes("a { x y x }");
  auto r = f.run();
  CHECK(r.count("RL2023") == 1);
  CHECK(r.first("RL2023").message == "purpose `a.x` is declared twice in this block");

  Fixture g;
  g.purposes("a { x }");
  g.purposes("a { x { deeper } }");
  auto r2 = g.run();
  REQUIRE_MESSAGE(r2.model, r2.text());
  CHECK(r2.model->purposes.nodes.size() == 3);
}

namespace {
// A fixture with purposes where `bulk` is ambiguous and `bulk_data_analysis` is not.
ast::Policy& purposes_fixture(Fixture& f) {
  f.purposes("intelligence_analysis { bulk_data_analysis targeting_support bulk } logistics { bulk } weapons { target_engagement }");
  return f.policy("p");
}
}  // namespace

TEST_CASE("purpose references: full path, unique suffix, P.* and *") {
  Fixture f;
  auto& p = purposes_fixture(f);
  f.rule(p, "a", Effect::Prohibit, {"bulk_data_analysis", "intelligence_analysis.bulk_data_analysis", "weapons.*", "*", "logistics.bulk"});
  auto r = f.run();
  REQUIRE_MESSAGE(r.model, r.text());
  const auto& t = r.model->rules[0].targets;
  REQUIRE(t.size() == 5);
  const auto& tree = r.model->purposes;
  CHECK(t[0].kind == sema::Target::Kind::Exact);
  CHECK(t[0].purpose == tree.find("intelligence_analysis.bulk_data_analysis"));
  CHECK(t[1].purpose == t[0].purpose);
  CHECK(t[2].kind == sema::Target::Kind::Descendants);
  CHECK(t[2].purpose == tree.find("weapons"));
  CHECK(t[3].kind == sema::Target::Kind::All);
  CHECK(t[4].purpose == tree.find("logistics.bulk"));
}

TEST_CASE("an unknown purpose is RL2003 with a did-you-mean over paths and suffixes") {
  Fixture f;
  auto& p = purposes_fixture(f);
  f.rule(p, "a", Effect::Prohibit, {"bulk_data_analysys", "weapons.target_engagment", "completely_unrelated"});
  auto r = f.run();
  CHECK_FALSE(r.model);
  REQUIRE(r.count("RL2003") == 3);
  const auto& d = r.diags.items[0];
  CHECK(d.message == "unknown purpose `bulk_data_analysys`");
  CHECK(d.help == "did you mean `bulk_data_analysis`?");
  CHECK(r.diags.items[1].help == "did you mean `weapons.target_engagement`?");
  CHECK(r.diags.items[2].help.empty());
  // The span is the path: the caret starts at the purpose name.
  CHECK(d.source_line.substr(d.column - 1, 18) == "bulk_data_analysys");
  CHECK(d.end_column - d.column == 18);
}

TEST_CASE("an ambiguous suffix is RL2004 listing the candidates; a full path is preferred over a suffix") {
  Fixture f;
  auto& p = purposes_fixture(f);
  f.rule(p, "a", Effect::Prohibit, {"bulk"});
  auto r = f.run();
  REQUIRE(r.count("RL2004") == 1);
  CHECK(r.first("RL2004").message == "purpose `bulk` is ambiguous: it may be `intelligence_analysis.bulk` and `logistics.bulk`");
  CHECK(r.first("RL2004").help == "write the full path, e.g. `intelligence_analysis.bulk`");

  Fixture g;
  g.purposes("a { b } b");  // `b` is the root b and a suffix of a.b: the full path wins
  auto& q = g.policy("q");
  g.rule(q, "r", Effect::Prohibit, {"b"});
  auto r2 = g.run();
  REQUIRE_MESSAGE(r2.model, r2.text());
  CHECK(r2.model->rules[0].targets[0].purpose == r2.model->purposes.find("b"));
}

TEST_CASE("edit distance and suggestions") {
  CHECK(sema::edit_distance("surveillacne", "surveillance") == 1);  // a transposition
  CHECK(sema::edit_distance("survelliance", "surveillance") == 2);
  CHECK(sema::edit_distance("", "abc") == 3);
  CHECK(sema::edit_distance("kitten", "sitting") == 3);
  CHECK(sema::closest("il9", {"il2", "xyz"}) == std::optional<std::string>("il2"));
  CHECK_FALSE(sema::closest("il9", {"il2", "il6"}));  // a tie: no guess
  CHECK_FALSE(sema::closest("zzzzzz", {"abc"}));
  CHECK(sema::quoted_list({"a", "b", "c"}) == "`a`, `b` and `c`");
  CHECK(sema::quoted_list({"a", "b", "c"}, 2) == "`a`, `b` and 1 more");
  CHECK(sema::plural(1, "escalation path") == "1 escalation path");
  CHECK(sema::plural(2, "kill switch", "kill switches") == "2 kill switches");
}
