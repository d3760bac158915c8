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
  std::string base_dir;                  ///< source paths are shown relative to it (empty: as given)
  bool render_svg = true;                ///< run Graphviz `dot` for the picture
};

/// A source file of the compilation.
struct SourceEntry {
  std::string id, path, sha256;
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
  std::vector<SourceEntry> sources;      ///< load order
  std::vector<std::string> how_to_read;  ///< short paragraphs
};

/// Section 2: a red line (a `prohibit` rule).
struct RedLine {
  std::string id, rule_id, rule, sentence, condition, because, cite;
  bool unconditional = false;
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
  std::vector<TargetEntry> targets;
  std::vector<std::string> obligations;
  std::vector<std::string> overrides, overridden_by;   ///< rule IDs
  std::vector<std::string> tests;                      ///< test IDs
};

/// A row of a decision table.
struct DecisionRow {
  std::string rule_id, rule, policy, condition, outcome, obligations;
};

/// Section 4: the decision table of the purposes decided alike.
struct DecisionTable {
  std::string id;
  std::vector<std::string> purposes;      ///< full paths
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
};

/// Section 7: one step of an escalation path.
struct StepEntry {
  std::string role, quorum, deadline;
};

/// Section 7: an escalation path.
struct EscalationEntry {
  std::string id, name, title, policy, on_timeout, source;
  std::vector<StepEntry> steps;
  std::vector<std::string> used_by;       ///< rule IDs
};

/// Section 8: a kill switch.
struct SwitchEntry {
  std::string id, qualified, policy, scope, owners, because, source;
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
  std::vector<RedLine> red_lines;
  std::vector<RuleCard> rules;
  std::vector<DecisionTable> tables;
  std::string graph_dot, graph_svg, graph_note;   ///< graph_note: why the picture is missing, if it is
  std::vector<CoverageRow> coverage;
  std::vector<ApprovalEntry> approvals;
  std::vector<EscalationEntry> escalations;
  std::vector<SwitchEntry> switches;
  std::vector<FindingEntry> findings;
  bool analyses_available = true;
  std::vector<TestEntry> tests;
  std::vector<AssertionEntry> assertions;
};

/// Compiles `paths` and builds the report of the deciding stack. Returns
/// nullopt when the policies do not compile (diagnostics in `diags`).
std::optional<Report> build_report(const std::vector<std::string>& paths, const ReportOptions& options, Diagnostics& diags);

/// The ten section titles, in order (shared by every format).
const std::array<const char*, 10>& section_titles();

/// A string usable as an HTML id and Markdown anchor ("rule-vendor-aup-no-mass").
std::string slug(std::string_view text);

}  // namespace redline::report
