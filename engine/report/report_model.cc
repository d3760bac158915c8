// report/report_model.cc — builds the report data (report_model.h) from a
// compiled Program: cover and provenance, red lines, rule cards, human
// oversight and kill switches. The sections that need the verifier (decision
// tables, coverage, findings, assertions) are in report_analysis.cc; tests
// in report_tests.cc; the picture in report_graph.cc.
#include "report/report_model.h"

#include <algorithm>
#include <cctype>
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
    if (!rel.empty()) return rel.generic_string();
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
  const ProgramImpl& impl = ProgramAccess::impl(c.prog);
  cv.compiled_hash = crypto::sha256_tagged_hex(flat::to_text(impl.data, c.m));
  cv.deciding_layer = top.name;
  for (std::size_t i = 0; i < c.fe.sources.size(); ++i) {
    const SourceFile& f = c.fe.sources.file(static_cast<std::uint32_t>(i));
    SourceEntry e;
    e.path = display_path(f, c.opt);
    e.id = "file:" + e.path;
    e.sha256 = crypto::sha256_tagged_hex(f.text());
    e.bytes = f.text().size();
    e.text = std::string(f.text());
    cv.sources.push_back(e);
  }
  // By path, not load order: the order the files were named in changes nothing.
  std::sort(cv.sources.begin(), cv.sources.end(), [](const SourceEntry& a, const SourceEntry& b) { return a.path < b.path; });
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
    if (r.effect != sema::Effect::Prohibit && !r.red_line) continue;
    RedLine rl;
    rl.marked = r.red_line;
    rl.id = (r.red_line ? "redline:" : "guard:") + r.qualified;
    rl.rule_id = "rule:" + r.qualified;
    rl.rule = r.qualified;
    rl.sentence = rule_sentence(c.m, r);
    rl.condition = rule_condition_words(c.m, r);
    rl.unconditional = !r.when && !r.unless;
    rl.because = r.because;
    rl.cite = r.cite;
    c.prove_red_line(ri, rl);
    (rl.marked ? c.out.red_lines : c.out.guards).push_back(std::move(rl));
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
    reach.push_back(verify::reach(c.m, c.m.rules[ri].targets, false));   // purposes both name, not ones merely vaguer
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
    k.title = humanize(r.name);
    k.title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k.title[0])));
    k.title += " — " + k.policy;
    k.cite_version = r.cite_version;
    k.cite_quote = r.cite_quote;
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
    for (const auto& o : r.obligations) k.obligations.push_back(obligation_words(o));
    c.out.rules.push_back(std::move(k));
  }
  link_overrides(c);
}

// "a commander", "an analyst".
std::string a_or_an(const std::string& noun) {
  bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + noun;
}

std::string approval_demands(bool signed_only, bool human_only) {
  if (signed_only && human_only)
    return "Only approvals signed with the key of a human approver in the approver keys file, for this very request and policy "
           "version, count.";
  if (signed_only) return "Only approvals signed with an approver's key from the approver keys file, for this very request and policy version, count.";
  if (human_only) return "Only approvals by approvers known to be human count.";
  return "Approvals need not be signed and may come from software agents: the request's own list of approvals is taken at its word.";
}

void build_oversight(Ctx& c) {
  const char* kRolesNote =
      " Roles are not tied to a policy layer: anyone the request names with one of these roles counts, whichever "
      "organisation they belong to.";
  for (std::uint32_t ri : c.rule_ids) {
    const sema::Rule& r = c.m.rules[ri];
    if (r.effect != sema::Effect::RequireApproval) continue;
    std::string deadline = r.within ? c.written_duration(r.span, *r.within) : "no time limit";
    ApprovalEntry a{"approval:" + r.qualified, "rule:" + r.qualified, targets_words(c.m, r.targets), roles_words(c.m, r.by, "or"),
                    std::to_string(r.quorum), deadline, rule_condition_words(c.m, r), "", r.signed_only, r.human_only};
    if (a.condition.empty()) a.condition = "always";
    std::string who = r.quorum > 1 ? std::to_string(r.quorum) + " different approvers, each " + a_or_an(a.roles) + " approve"
                                   : "one approver who is " + a_or_an(a.roles) + " approves";
    a.exactly = "Allowed once " + who + (r.within ? " within " + deadline + " of the request" : " (no time limit)") +
                "; the requester cannot approve their own request. One denial by an eligible approver vetoes: denied. Without enough "
                "approvals it stays “needs approval” — silence never allows it" +
                std::string(r.within ? ", and approvals given after the deadline do not count." : ".") + " " +
                approval_demands(r.signed_only, r.human_only) + kRolesNote;
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
    std::int64_t total = 0;
    bool limited = true;
    std::vector<std::string> alternatives;
    for (const sema::Step& s : e.steps) {
      StepEntry st{roles_words(c.m, {s.role}), std::to_string(s.quorum), s.within ? c.written_duration(s.span, *s.within) : "no time limit", ""};
      if (s.within && limited) {
        total += *s.within;
        st.by = "request time + " + (total == *s.within ? st.deadline : duration_words(total));
      } else {
        limited = false;
        st.by = "no time limit";
      }
      std::string who = s.quorum > 1 ? std::to_string(s.quorum) + " " + st.role + " approvers" : a_or_an(st.role);
      alternatives.push_back(who + (limited ? " by " + st.by : " (no time limit)"));
      x.steps.push_back(st);
    }
    // Used by every rule whose path is this one or chains to it through `on_timeout escalate to`.
    for (std::uint32_t ri : c.rule_ids) {
      std::set<std::int32_t> seen;
      for (std::int32_t at = c.m.rules[ri].escalation; at >= 0 && seen.insert(at).second;) {
        if (at == static_cast<std::int32_t>(ei)) {
          x.used_by.push_back("rule:" + c.m.rules[ri].qualified);
          x.signed_only = x.signed_only || c.m.rules[ri].signed_only;
          x.human_only = x.human_only || c.m.rules[ri].human_only;
          break;
        }
        const sema::Escalation& path = c.m.escalations[static_cast<std::size_t>(at)];
        at = path.on_timeout == ast::Escalation::Timeout::EscalateTo ? path.next : -1;
      }
    }
    std::string silence;
    switch (e.on_timeout) {
      case ast::Escalation::Timeout::Deny: silence = "Silence past the last deadline: denied."; break;
      case ast::Escalation::Timeout::EscalateTo: {
        const sema::Escalation& n = c.m.escalations[static_cast<std::size_t>(e.next)];
        silence = "Silence past the last deadline: the request moves on to the review path “" + (n.title.empty() ? humanize(n.name) : n.title) + "”.";
        break;
      }
      case ast::Escalation::Timeout::None: silence = "Silence past the last deadline: it stays escalated (marked expired), never allowed."; break;
    }
    if (!limited) silence = "A step has no time limit, so the path never times out: without an answer it stays escalated.";
    x.exactly = std::string(e.steps.size() > 1 ? "Any ONE of these resolves it (allowed): " : "Resolved (allowed) by: ") + join_words(alternatives, "or") +
                ". " + (e.steps.size() > 1 ? "The steps are alternatives, not a chain of sign-offs: no step waits for another, and a later "
                                             "step may act early. "
                                           : "") +
                "Deadlines count from the request time and add up step by step. One denial by an eligible approver vetoes: denied. " + silence +
                " The requester cannot approve their own request. " + approval_demands(x.signed_only, x.human_only) + kRolesNote;
    c.out.escalations.push_back(std::move(x));
  }
  // By name, not load order.
  std::sort(c.out.escalations.begin(), c.out.escalations.end(), [](const EscalationEntry& a, const EscalationEntry& b) { return a.id < b.id; });
}

void build_switches(Ctx& c) {
  for (const sema::KillSwitch& k : c.m.switches) {
    if (!c.in_chain(k.layer)) continue;
    SwitchEntry s{"switch:" + k.qualified, k.qualified, c.m.layers[k.layer].name,
                  "Denies every request for " + targets_words(c.m, k.covers) +
                      " (including requests that name a broader purpose that might be one of these) while it is tripped.",
                  roles_words(c.m, k.owners, "or"), k.because, c.where(k.span), ""};
    if (s.owners.empty()) {
      s.owners = "(no owner named)";
      s.control = "No owner is named, so no one can trip or reset it through redline.";
    } else {
      std::string who = a_or_an(s.owners);
      s.control = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(who[0])))) + who.substr(1) + " may trip it, and only " + who +
                  " may reset it; any one of them acts alone. Every trip and reset is written to the audit log with who did it and when.";
    }
    c.out.switches.push_back(s);
  }
  std::sort(c.out.switches.begin(), c.out.switches.end(), [](const SwitchEntry& a, const SwitchEntry& b) { return a.id < b.id; });
}

}  // namespace

bool Ctx::in_chain(std::uint32_t layer) const {
  return std::find(chain.begin(), chain.end(), layer) != chain.end();
}

std::string Ctx::written_duration(const Span& span, std::int64_t seconds) const {
  const std::string& text = fe.sources.file(span.file).text();
  std::string_view v = std::string_view(text).substr(std::min<std::size_t>(span.begin, text.size()),
                                                      span.end > span.begin ? span.end - span.begin : 0);
  for (std::size_t at = v.find("within"); at != std::string_view::npos; at = v.find("within", at + 6)) {
    std::size_t i = at + 6;
    if (i >= v.size() || !std::isspace(static_cast<unsigned char>(v[i]))) continue;
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    std::size_t j = i;
    while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
    if (j == i || j >= v.size() || j - i > 9) continue;
    std::int64_t n = std::stoll(std::string(v.substr(i, j - i)));
    struct Unit {
      char c;
      std::int64_t s;
      const char* name;
    };
    for (Unit u : {Unit{'s', 1, "second"}, Unit{'m', 60, "minute"}, Unit{'h', 3600, "hour"}, Unit{'d', 86400, "day"}})
      if (v[j] == u.c && n * u.s == seconds) return std::to_string(n) + " " + u.name + (n == 1 ? "" : "s");
  }
  return duration_words(seconds);
}

std::string Ctx::where(const Span& s) const {
  const SourceFile& f = fe.sources.file(s.file);
  return display_path(f, opt) + ":" + std::to_string(f.line_col(s.begin).line);
}

const std::array<const char*, 12>& section_titles() {
  static const std::array<const char*, 12> k = {
      "Cover and provenance", "Red lines and guards", "Rule cards", "Decision tables", "Decision graph",
      "Coverage", "Human oversight", "Kill switches", "Analysis findings", "Tests and assertions",
      "Clause-by-clause schedule", "Assumptions and limits"};
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
  const ProgramImpl& impl = ProgramAccess::impl(*r.program);
  Report out;
  // Paths (and so the `file:` IDs) are relative to the folder of the deciding
  // policy's file unless the caller chose a base: the same policy gets the
  // same IDs whatever the working directory or the order of the arguments.
  ReportOptions opt = options;
  if (opt.base_dir.empty()) {
    const sema::Layer& top = impl.model->layers[impl.data.top];
    const SourceFile& f = impl.frontend->sources.file(top.span.file);
    std::error_code ec;
    fs::path file = fs::weakly_canonical(f.canonical().empty() ? fs::path(f.path()) : fs::path(f.canonical()), ec);
    if (!ec && file.has_parent_path()) opt.base_dir = file.parent_path().string();
  }
  Ctx c{*impl.model, *impl.frontend, *r.program, opt, impl.data.top, impl.data.chain, {}, out, paths};
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
  build_clauses(c);
  build_limits(c);
  return out;
}

}  // namespace redline::report
