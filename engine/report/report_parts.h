// report/report_parts.h — internal to the report builder: the context shared
// by the section builders (report_model.cc, report_analysis.cc,
// report_tests.cc, report_graph.cc) and their entry points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report_model.h"
#include "sema/frontend.h"
#include "sema/model.h"

namespace redline::report {

/// What every section builder reads and the report it fills.
struct Ctx {
  const sema::Model& m;
  const sema::Frontend& fe;
  const Program& prog;
  const ReportOptions& opt;
  std::uint32_t top;
  std::vector<std::uint32_t> chain;      ///< root first
  std::vector<std::uint32_t> rule_ids;   ///< rules of the chain, stack then source order
  Report& out;
  std::vector<std::string> paths;        ///< the files compiled

  /// Whether a model layer belongs to the deciding stack.
  bool in_chain(std::uint32_t layer) const;
  /// "file:line" of a span, with the report's display path.
  std::string where(const Span& s) const;
  /// A `within` duration in words as the author wrote it ("5d" → "5 days",
  /// "72h" → "72 hours"), read from the source of `span`; duration_words otherwise.
  std::string written_duration(const Span& span, std::int64_t seconds) const;
  /// The proved assertions of the stack (indices into out.assertions) whose
  /// claims overlap rule `rule`'s purposes, split into those that fail with
  /// the rule deleted (`needs`) and those that still hold (`holds`).
  void dependents(std::uint32_t rule, std::vector<std::size_t>& needs, std::vector<std::size_t>& holds) const;
  /// The k-th assertion of the stack (out.assertions order).
  const sema::Assertion& assertion_at(std::size_t k) const;
  /// Fills the proof fields of a red line from the assertion results.
  void prove_red_line(std::uint32_t rule, RedLine& rl) const;
};

/// Section 10 (assertions): proves every assertion of the stack.
void build_assertions(Ctx& c);
/// Section 10 (tests), and the tests each rule card lists.
void build_tests(Ctx& c);
/// Section 4: one decision table per group of purposes decided alike.
void build_tables(Ctx& c);
/// Section 6: the outcomes each purpose can get.
void build_coverage(Ctx& c);
/// Section 9: the verifier's analyses.
void build_findings(Ctx& c);
/// Section 11: the clause-by-clause schedule from the rules' `cite`.
void build_clauses(Ctx& c);
/// Section 12: assumptions and limits.
void build_limits(Ctx& c);
/// Section 5: the decision graph as DOT, and as SVG when Graphviz is installed.
void build_graph(Ctx& c);

}  // namespace redline::report
