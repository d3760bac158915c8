// report/report_model.h — the reviewer report as data: everything the ten
// sections show (cover and provenance, red lines, rule cards, decision
// tables, the decision graph, coverage, human oversight, kill switches,
// analysis findings, test and assertion results), already in plain English
// and with a stable ID on every item. The HTML, Markdown and JSON renderers
// (report/render.h) only lay this out, so all formats say the same thing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redline/diagnostic.h"
#include "redline/engine.h"

namespace redline::report {

/// How to build a report.
struct ReportOptions {
  CompileOptions compile;                ///< stdlib root and the deciding layer
  std::int64_t generated_at = 0;         ///< Unix seconds (SOURCE_DATE_EPOCH in the CLI)
  std::string base_dir;                  ///< source paths are shown relative to it (empty: the deciding policy's folder)
  bool render_svg = true;                ///< run Graphviz `dot` for the picture
};

/// A source file of the compilation.
struct SourceEntry {
  std::string id, path, sha256;
  std::string text;                      ///< the full source (the HTML/PDF appendix prints it with line numbers)
  std::size_t bytes = 0;
};

/// One policy layer of the deciding stack.
struct LayerEntry {
  std::string id, name, version, owner, description, effective, default_outcome, extends, source;
};

/// Section 1: cover and provenance.
struct Cover {
  std::string title, generated, compiler_version, policy_hash, compiled_hash, deciding_layer;
  std::vector<LayerEntry> layers;        ///< root first
  std::vector<SourceEntry> sources;      ///< by path
  std::vector<std::string> how_to_read;  ///< short paragraphs
};

/// Section 2: a contract red line (a rule its author marked `red_line`) or a
/// deployment guard (a `prohibit` rule not so marked).
struct RedLine {
  std::string id, rule_id, rule, sentence, condition, because, cite;
  bool unconditional = false;
  bool marked = false;                   ///< marked `red_line` by its author
  std::string proof;                     ///< "proved", "partly proved" or "not proved"
  std::string proof_text;                ///< which assertion proves it and how
  std::vector<std::string> proof_by;     ///< assertion IDs
};

/// A purpose a rule targets, with its description.
struct TargetEntry {
  std::string pattern, name, description;
};

/// Section 3: a rule card.
struct RuleCard {
  std::string id, qualified, policy, name, sentence, effect, outcome, condition, because, cite, owner;
  std::string approval, escalation, escalation_id, source;
  std::string title;                                   ///< heading in words ("No mass surveillance, of vendor-gov-aup")
  std::string cite_version, cite_quote;
  std::vector<TargetEntry> targets;
  std::vector<std::string> obligations;
  std::vector<std::string> overrides, overridden_by;   ///< rule IDs
  std::vector<std::string> tests;                      ///< test IDs
};

/// A row of a decision table.
struct DecisionRow {
  std::string rule_id, rule, policy, condition, outcome, obligations;
};

/// Section 5: the picture of one group of purposes decided alike.
struct GroupGraph {
  std::string id, title, dot, svg;        ///< id "graph:FIRST-PURPOSE"; svg empty when not rendered
};

/// Section 11: one clause of a cited document and the rules that cite it.
struct ClauseEntry {
  std::string id, clause, version, quote;
  std::vector<std::string> rules;        ///< rule IDs
  std::string status;                    ///< "enforced", "partly enforced" or "not enforced"
  std::string status_text;               ///< why
  std::vector<std::string> proved_by;    ///< assertion IDs that depend on a citing rule
};

/// Section 12: what the report rests on and what the policy does not see.
struct Limits {
  std::vector<std::string> claims;        ///< facts taken on the caller's word
  std::vector<std::string> unread;        ///< declared attributes and values no rule reads
  std::vector<std::string> missing;       ///< where a missing fact makes a restriction apply
  std::vector<std::string> authors;       ///< the authors' own `limits`, "policy: text"
};

/// Section 4: the decision table of the purposes decided alike.
struct DecisionTable {
  std::string id;
  std::vector<std::string> purposes;      ///< full paths
  std::string title;                      ///< the purposes in words
  std::vector<DecisionRow> rows;
  std::vector<std::string> defaults;      ///< "policy: outcome", root first
  std::vector<std::string> switches;      ///< switch IDs that can stop these purposes
  std::string combining;                  ///< the combining rule in words
};

/// Section 6: one purpose's possible outcomes.
struct CoverageRow {
  std::string id, purpose, description;
  std::array<bool, 4> outcomes{};         ///< allow, approval, escalate, deny (no kill switch tripped)
  bool default_only = false;              ///< no rule can apply: only the defaults decide
  bool stoppable = false;                 ///< a kill switch covers it
};

/// Section 7: an approval requirement.
struct ApprovalEntry {
  std::string id, rule_id, purposes, roles, quorum, deadline, condition;
  std::string exactly;                    ///< the requirement as the engine runs it, in words
  bool signed_only = false, human_only = false;
};

/// Section 7: one step of an escalation path.
struct StepEntry {
  std::string role, quorum, deadline;
  std::string by;                         ///< cumulative deadline from the request ("+28 hours"), or "no time limit"
};

/// Section 7: an escalation path.
struct EscalationEntry {
  std::string id, name, title, policy, on_timeout, source;
  std::string exactly;                    ///< the path as the engine runs it: any one step resolves, vetoes, silence
  bool signed_only = false, human_only = false;   ///< what the rules using it demand of approvals
  std::vector<StepEntry> steps;
  std::vector<std::string> used_by;       ///< rule IDs
};

/// Section 8: a kill switch.
struct SwitchEntry {
  std::string id, qualified, policy, scope, owners, because, source;
  std::string control;                    ///< who may trip and reset it, and that flips are audited
};

/// Section 9: an analysis finding.
struct FindingEntry {
  std::string id, code, kind, subject, message, request, source;
  std::vector<std::string> notes;
};

/// Section 10: a test result.
struct TestEntry {
  std::string id, policy, name, expected, actual, source;
  bool passed = false;
};

/// Section 10: an assertion result.
struct AssertionEntry {
  std::string id, policy, sentence, counterexample, source;
  bool proved = false;
};

/// The whole report.
struct Report {
  Cover cover;
  std::vector<RedLine> red_lines;        ///< marked `red_line`
  std::vector<RedLine> guards;           ///< other prohibitions
  std::vector<RuleCard> rules;
  std::vector<DecisionTable> tables;
  std::vector<GroupGraph> graphs;                 ///< one per decision table
  std::string graph_note;                         ///< why the pictures are missing, if they are
  std::vector<CoverageRow> coverage;
  std::vector<std::string> global_switches;       ///< switch IDs covering every purpose (said once, not on every row)
  std::vector<ApprovalEntry> approvals;
  std::vector<EscalationEntry> escalations;
  std::vector<SwitchEntry> switches;
  std::vector<FindingEntry> findings;
  bool analyses_available = true;
  std::vector<TestEntry> tests;
  std::vector<AssertionEntry> assertions;
  std::vector<ClauseEntry> clauses;
  Limits limits;
};

/// Compiles `paths` and builds the report of the deciding stack. Returns
/// nullopt when the policies do not compile (diagnostics in `diags`).
std::optional<Report> build_report(const std::vector<std::string>& paths, const ReportOptions& options, Diagnostics& diags);

/// The section titles, in order (shared by every format).
const std::array<const char*, 12>& section_titles();

/// A string usable as an HTML id and Markdown anchor ("rule-vendor-aup-no-mass").
std::string slug(std::string_view text);

}  // namespace redline::report
