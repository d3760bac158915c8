// report/report_model.cc — builds the report data (report_model.h) from a
// compiled Program: cover and provenance, red lines, rule cards, human
// oversight and kill switches. The sections that need the verifier (decision
// tables, coverage, findings, assertions) are in report_analysis.cc; tests
// in report_tests.cc; the picture in report_graph.cc.
#include "report/report_model.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "crypto/sha256.h"
#include "flat/program_impl.h"
#include "flat/program_printer.h"
#include "report/paraphrase.h"
#include "report/report_parts.h"
#include "verify/stack.h"
#include "verify/witness.h"

namespace redline::report {
namespace {

namespace fs = std::filesystem;

std::string display_path(const SourceFile& f, const ReportOptions& o) {
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(f.canonical().empty() ? fs::path(f.path()) : fs::path(f.canonical()), ec);
  if (!o.compile.stdlib_root.empty()) {
    fs::path root = fs::weakly_canonical(o.compile.stdlib_root, ec);
    fs::path rel = canon.lexically_relative(root);
    if (!rel.empty() && rel.native().rfind("..", 0) != 0) return "stdlib/" + rel.generic_string();
  }
  if (!o.base_dir.empty()) {
    fs::path rel = canon.lexically_relative(fs::weakly_canonical(o.base_dir, ec));
    if (!rel.empty() && rel.native().rfind("..", 0) != 0) return rel.generic_string();
  }
  return f.path();
}

std::string date_of(std::int64_t t) {
  std::string s = verify::format_rfc3339(t);
  return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

void build_cover(Ctx& c) {
  Cover& cv = c.out.cover;
  const auto& top = c.m.layers[c.top];
  cv.title = "Policy review: " + top.name + (top.version.empty() ? "" : " (version " + top.version + ")");
  cv.generated = date_of(c.opt.generated_at);
  cv.compiler_version = std::string("redline ") + version();
  cv.policy_hash = c.prog.hash();
  const Program::Impl& impl = c.prog.impl();
  cv.compiled_hash = crypto::sha256_tagged_hex(flat::to_text(impl.data, c.m));
  cv.deciding_layer = top.name;
  for (std::size_t i = 0; i < c.fe.sources.size(); ++i) {
    const SourceFile& f = c.fe.sources.file(static_cast<std::uint32_t>(i));
    SourceEntry e;
    e.path = display_path(f, c.opt);
    e.id = "file:" + e.path;
    e.sha256 = crypto::sha256_tagged_hex(f.text());
    e.bytes = f.text().size();
    cv.sources.push_back(e);
  }
  for (std::uint32_t l : c.chain) {
    const sema::Layer& L = c.m.layers[l];
    LayerEntry e{"policy:" + L.name, L.name, L.version, L.owner, L.description, L.effective,
                 outcome_words(L.default_outcome), L.parent >= 0 ? c.m.layers[static_cast<std::size_t>(L.parent)].name : "", c.where(L.span)};
    cv.layers.push_back(e);
  }
  cv.how_to_read = {
      "This report describes, in plain English, what the policy lets a capability be used for. It is generated from the "
      "compiled policy itself, so it says exactly what the running system enforces.",
      "Each request states its purpose and facts about the requester, the data and the environment. Every rule that "
      "applies to a request contributes an outcome; the most severe one wins (denied, then escalated for review, then "
      "needs approval, then allowed). Each policy layer decides separately and the final decision is the most severe of "
      "the layers' decisions, so a layer can only narrow what the layer below it allows. Where no rule of a layer "
      "applies, that layer's default decides.",
      "The system fails closed: if a request does not state a fact that a restriction depends on, the restriction "
      "applies; if it does not state a fact that a permission depends on, the permission does not apply. A request "
      "that names a broad purpose (for example “weapons” rather than a specific kind) is treated as possibly any of the "
      "specific kinds by the restrictions.",
      "Every item carries a stable identifier in brackets (for example [rule:policy/name]) that stays the same from one "
      "version of the report to the next, so comments and sign-offs can refer to it.",
  };
}

void build_red_lines(Ctx& c) {
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    if (r.effect != sema::Effect::Prohibit) continue;
    RedLine rl;
    rl.id = "redline:" + r.qualified;
    rl.rule_id = "rule:" + r.qualified;
    rl.rule = r.qualified;
    rl.sentence = rule_sentence(c.m, r);
    rl.condition = rule_condition_words(c.m, r);
    rl.unconditional = !r.when && !r.unless;
    rl.because = r.because;
    rl.cite = r.cite;
    c.prove_red_line(ri, rl);
    c.out.red_lines.push_back(std::move(rl));
  }
}

std::vector<TargetEntry> target_entries(const sema::Model& m, const std::vector<sema::Target>& ts) {
  std::vector<TargetEntry> out;
  for (const auto& t : ts) {
    TargetEntry e{target_text(m, t), target_words(m, t), ""};
    if (t.kind == sema::Target::Kind::All) e.description = "Every purpose, present and future.";
    else e.description = m.purposes.nodes[t.purpose].description;
    out.push_back(e);
  }
  return out;
}

// Rules whose reach overlaps and whose outcome is more severe override the other.
void link_overrides(Ctx& c) {
  std::vector<std::vector<std::uint32_t>> reach;
  for (std::uint32_t ri : c.rule_ids)
    reach.push_back(verify::reach(c.m, c.m.rules[ri].targets, c.m.rules[ri].effect != sema::Effect::Permit));
  for (std::size_t i = 0; i < c.rule_ids.size(); ++i)
    for (std::size_t j = 0; j < c.rule_ids.size(); ++j) {
      const sema::Rule& a = c.m.rules[c.rule_ids[i]];
      const sema::Rule& b = c.m.rules[c.rule_ids[j]];
      if (verify::rank_of(a) <= verify::rank_of(b)) continue;
      std::vector<std::uint32_t> both;
      std::set_intersection(reach[i].begin(), reach[i].end(), reach[j].begin(), reach[j].end(), std::back_inserter(both));
      if (both.empty()) continue;
      c.out.rules[i].overrides.push_back("rule:" + b.qualified);
      c.out.rules[j].overridden_by.push_back("rule:" + a.qualified);
    }
}

void build_rule_cards(Ctx& c) {
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    RuleCard k;
    k.id = "rule:" + r.qualified;
    k.qualified = r.qualified;
    k.policy = c.m.layers[r.layer].name;
    k.name = r.name;
    k.sentence = rule_sentence(c.m, r);
    k.effect = ast::to_string(r.effect);
    k.outcome = effect_words(r.effect);
    k.condition = rule_condition_words(c.m, r);
    if (k.condition.empty()) k.condition = "always (no conditions)";
    k.because = r.because;
    k.cite = r.cite;
    k.owner = r.owner.empty() ? c.m.layers[r.layer].owner : r.owner;
    if (r.effect == sema::Effect::RequireApproval) k.approval = approval_words(c.m, r);
    if (r.escalation >= 0) {
      const sema::Escalation& e = c.m.escalations[static_cast<std::size_t>(r.escalation)];
      k.escalation = e.title.empty() ? humanize(e.name) : e.title;
      k.escalation_id = "escalation:" + c.m.layers[e.layer].name + "/" + e.name;
    }
    k.source = c.where(r.span);
    k.targets = target_entries(c.m, r.targets);
    for (const auto& o : r.obligations) k.obligations.push_back(o.text);
    c.out.rules.push_back(std::move(k));
  }
  link_overrides(c);
}

void build_oversight(Ctx& c) {
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    if (r.effect != sema::Effect::RequireApproval) continue;
    ApprovalEntry a{"approval:" + r.qualified, "rule:" + r.qualified, targets_words(c.m, r.targets), roles_words(c.m, r.by, "or"),
                    std::to_string(r.quorum), r.within ? duration_words(*r.within) : "no time limit", rule_condition_words(c.m, r)};
    if (a.condition.empty()) a.condition = "always";
    c.out.approvals.push_back(a);
  }
  for (std::size_t ei = 0; ei < c.m.escalations.size(); ++ei) {
    const sema::Escalation& e = c.m.escalations[ei];
    if (!c.in_chain(e.layer)) continue;
    EscalationEntry x;
    x.policy = c.m.layers[e.layer].name;
    x.id = "escalation:" + x.policy + "/" + e.name;
    x.name = e.name;
    x.title = e.title.empty() ? humanize(e.name) : e.title;
    x.on_timeout = timeout_words(c.m, e);
    x.source = c.where(e.span);
    for (const sema::Step& s : e.steps)
      x.steps.push_back({roles_words(c.m, {s.role}), std::to_string(s.quorum), s.within ? duration_words(*s.within) : "no time limit"});
    for (std::uint32_t ri : c.rule_ids)
      if (c.m.rules[ri].escalation == static_cast<std::int32_t>(ei)) x.used_by.push_back("rule:" + c.m.rules[ri].qualified);
    c.out.escalations.push_back(std::move(x));
  }
}

void build_switches(Ctx& c) {
  for (const sema::KillSwitch& k : c.m.switches) {
    if (!c.in_chain(k.layer)) continue;
    SwitchEntry s{"switch:" + k.qualified, k.qualified, c.m.layers[k.layer].name,
                  "Denies every request for " + targets_words(c.m, k.covers) +
                      " (including requests that name a broader purpose that might be one of these) while it is tripped.",
                  roles_words(c.m, k.owners, "or"), k.because, c.where(k.span)};
    if (s.owners.empty()) s.owners = "(no owner named)";
    c.out.switches.push_back(s);
  }
}

}  // namespace

bool Ctx::in_chain(std::uint32_t layer) const {
  return std::find(chain.begin(), chain.end(), layer) != chain.end();
}

std::string Ctx::where(const Span& s) const {
  const SourceFile& f = fe.sources.file(s.file);
  return display_path(f, opt) + ":" + std::to_string(f.line_col(s.begin).line);
}

const std::array<const char*, 10>& section_titles() {
  static const std::array<const char*, 10> k = {
      "Cover and provenance", "Red lines", "Rule cards", "Decision tables", "Decision graph",
      "Coverage", "Human oversight", "Kill switches", "Analysis findings", "Tests and assertions"};
  return k;
}

std::string slug(std::string_view text) {
  std::string s;
  for (char ch : text) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
    s += ok ? ch : '-';
  }
  return s;
}

std::optional<Report> build_report(const std::vector<std::string>& paths, const ReportOptions& options, Diagnostics& diags) {
  CompileResult r = compile_files(paths, options.compile);
  diags = r.diagnostics;
  if (!r.ok()) return std::nullopt;
  const Program::Impl& impl = r.program->impl();
  Report out;
  Ctx c{*impl.model, *impl.frontend, *r.program, options, impl.compiled->top, impl.compiled->chain, {}, out, paths};
  for (std::uint32_t l : c.chain)
    for (std::uint32_t ri : c.m.layers[l].rules) c.rule_ids.push_back(ri);
  build_cover(c);
  build_assertions(c);
  build_red_lines(c);
  build_rule_cards(c);
  build_tests(c);
  build_tables(c);
  build_coverage(c);
  build_oversight(c);
  build_switches(c);
  build_findings(c);
  build_graph(c);
  return out;
}

}  // namespace redline::report
