// report/json.cc — the report as JSON for tools (schema "redline-report/1",
// documented in docs/reports.md): one object per section, keys in a fixed
// order, every item with its stable `id`.
#include <nlohmann/json.hpp>

#include "report/render.h"

namespace redline::report {
namespace {

using J = nlohmann::ordered_json;

J cover(const Cover& c) {
  J layers = J::array(), sources = J::array();
  for (const auto& l : c.layers)
    layers.push_back({{"id", l.id}, {"name", l.name}, {"version", l.version}, {"owner", l.owner}, {"description", l.description},
                      {"effective", l.effective}, {"default", l.default_outcome}, {"extends", l.extends}, {"source", l.source}});
  for (const auto& s : c.sources) sources.push_back({{"id", s.id}, {"path", s.path}, {"bytes", s.bytes}, {"sha256", s.sha256}});
  return {{"title", c.title}, {"generated", c.generated}, {"compiler", c.compiler_version}, {"deciding_policy", c.deciding_layer},
          {"policy_hash", c.policy_hash}, {"compiled_hash", c.compiled_hash}, {"policies", layers}, {"sources", sources},
          {"how_to_read", c.how_to_read}};
}

J red_lines(const std::vector<RedLine>& v) {
  J a = J::array();
  for (const auto& l : v)
    a.push_back({{"id", l.id}, {"rule", l.rule_id}, {"text", l.sentence}, {"unconditional", l.unconditional}, {"condition", l.condition},
                 {"because", l.because}, {"cite", l.cite}, {"proof", l.proof}, {"proof_text", l.proof_text}, {"proved_by", l.proof_by}});
  return a;
}

J clauses(const Report& r) {
  J a = J::array();
  for (const auto& c : r.clauses)
    a.push_back({{"id", c.id}, {"clause", c.clause}, {"version", c.version}, {"quote", c.quote}, {"rules", c.rules}, {"status", c.status},
                 {"status_text", c.status_text}, {"proved_by", c.proved_by}});
  return a;
}

J rules(const Report& r) {
  J a = J::array();
  for (const auto& k : r.rules) {
    J targets = J::array();
    for (const auto& t : k.targets) targets.push_back({{"pattern", t.pattern}, {"name", t.name}, {"description", t.description}});
    a.push_back({{"id", k.id}, {"policy", k.policy}, {"name", k.name}, {"text", k.sentence}, {"effect", k.effect}, {"outcome", k.outcome},
                 {"targets", targets}, {"condition", k.condition}, {"approval", k.approval}, {"escalation", k.escalation_id},
                 {"because", k.because}, {"cite", k.cite}, {"cite_version", k.cite_version}, {"cite_quote", k.cite_quote},
                 {"owner", k.owner}, {"obligations", k.obligations},
                 {"overrides", k.overrides}, {"overridden_by", k.overridden_by}, {"source", k.source}, {"tests", k.tests}});
  }
  return a;
}

J tables(const Report& r) {
  J a = J::array();
  for (const auto& t : r.tables) {
    J rows = J::array();
    for (const auto& x : t.rows)
      rows.push_back({{"rule", x.rule_id}, {"policy", x.policy}, {"when", x.condition}, {"outcome", x.outcome}, {"obligations", x.obligations}});
    a.push_back({{"id", t.id}, {"purposes", t.purposes}, {"title", t.title}, {"rows", rows}, {"defaults", t.defaults}, {"kill_switches", t.switches},
                 {"combining", t.combining}});
  }
  return a;
}

J coverage(const Report& r) {
  J a = J::array();
  for (const auto& c : r.coverage)
    a.push_back({{"id", c.id}, {"purpose", c.purpose}, {"description", c.description},
                 {"outcomes", {{"allow", c.outcomes[0]}, {"require_approval", c.outcomes[1]}, {"escalate", c.outcomes[2]}, {"deny", c.outcomes[3]}}},
                 {"default_only", c.default_only}, {"kill_switch", c.stoppable}});
  return a;
}

J oversight(const Report& r) {
  J approvals = J::array(), paths = J::array();
  for (const auto& x : r.approvals)
    approvals.push_back({{"id", x.id}, {"rule", x.rule_id}, {"purposes", x.purposes}, {"when", x.condition}, {"roles", x.roles},
                         {"quorum", x.quorum}, {"deadline", x.deadline}, {"signed", x.signed_only}, {"human", x.human_only},
                         {"exactly", x.exactly}});
  for (const auto& e : r.escalations) {
    J steps = J::array();
    for (const auto& s : e.steps) steps.push_back({{"role", s.role}, {"quorum", s.quorum}, {"deadline", s.deadline}, {"by", s.by}});
    paths.push_back({{"id", e.id}, {"policy", e.policy}, {"name", e.name}, {"title", e.title}, {"steps", steps},
                     {"on_timeout", e.on_timeout}, {"signed", e.signed_only}, {"human", e.human_only}, {"exactly", e.exactly},
                     {"used_by", e.used_by}, {"source", e.source}});
  }
  return {{"approvals", approvals}, {"escalations", paths}};
}

J switches(const Report& r) {
  J a = J::array();
  for (const auto& s : r.switches)
    a.push_back({{"id", s.id}, {"policy", s.policy}, {"scope", s.scope}, {"owners", s.owners}, {"control", s.control}, {"because", s.because},
                 {"source", s.source}});
  return a;
}

J findings(const Report& r) {
  J a = J::array();
  for (const auto& f : r.findings) {
    J req = f.request.empty() ? J(nullptr) : J::parse(f.request, nullptr, false);
    a.push_back({{"id", f.id}, {"code", f.code}, {"kind", f.kind}, {"subject", f.subject}, {"message", f.message},
                 {"request", req}, {"notes", f.notes}, {"source", f.source}});
  }
  return a;
}

J results(const Report& r) {
  J tests = J::array(), asserts = J::array();
  for (const auto& t : r.tests)
    tests.push_back({{"id", t.id}, {"policy", t.policy}, {"name", t.name}, {"expected", t.expected}, {"actual", t.actual},
                     {"passed", t.passed}, {"source", t.source}});
  for (const auto& a : r.assertions) {
    J cx = a.counterexample.empty() ? J(nullptr) : J::parse(a.counterexample, nullptr, false);
    asserts.push_back({{"id", a.id}, {"policy", a.policy}, {"text", a.sentence}, {"proved", a.proved}, {"counterexample", cx}, {"source", a.source}});
  }
  return {{"tests", tests}, {"assertions", asserts}};
}

}  // namespace

std::string to_json(const Report& r) {
  J j;
  j["schema"] = kReportSchema;
  j["cover"] = cover(r.cover);
  j["red_lines"] = red_lines(r.red_lines);
  j["guards"] = red_lines(r.guards);
  j["rules"] = rules(r);
  j["decision_tables"] = tables(r);
  J groups = J::array();
  for (const auto& g : r.graphs) groups.push_back({{"id", g.id}, {"title", g.title}, {"dot", g.dot}, {"svg_rendered", !g.svg.empty()}});
  j["graph"] = {{"groups", groups}, {"note", r.graph_note}};
  j["coverage"] = coverage(r);
  j["coverage_switches_all"] = r.global_switches;
  j["oversight"] = oversight(r);
  j["kill_switches"] = switches(r);
  j["findings"] = findings(r);
  j["results"] = results(r);
  j["clauses"] = clauses(r);
  j["limits"] = {{"claims", r.limits.claims}, {"unread", r.limits.unread}, {"missing", r.limits.missing}, {"authors", r.limits.authors}};
  return j.dump(2) + "\n";
}

}  // namespace redline::report
