// report/diff.h — the semantic diff of two compiled policy versions (`redline
// diff`): for every purpose, whether NEW decides equivalently, more
// strictly (narrower), more permissively (broader) or both (incomparable)
// than OLD, each difference with a concrete request whose decision changes,
// found by an exact search over attribute value classes and checked by
// evaluating it with both Programs; plus the rules, review paths, kill
// switches and policies added, removed or changed, with a blackline of each
// change, the vocabulary (purposes, attributes, values, tags, levels) added,
// removed or changed, assertions weakened or strengthened, tests changed,
// and the human-oversight safeguards NEW loosens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "redline/engine.h"

namespace redline::report {

/// A request whose decision changes between the versions.
struct ChangedRequest {
  std::string request;                  ///< JSON (LANGUAGE.md §12)
  std::string old_outcome, new_outcome; ///< as evaluated by each Program
  std::string old_error, new_error;     ///< the request error of a version that refuses the request, or ""
  /// When one version refuses the request for terms only the other has: the
  /// request without those terms, and that version's decision of it.
  std::string without_terms, without_terms_outcome;
  std::string example;                  ///< the change as one plain-English sentence
};

/// How NEW decides one purpose compared with OLD.
struct PurposeDiff {
  std::string purpose;                  ///< full dotted path
  std::string verdict;                  ///< equivalent, narrower, broader or incomparable
  std::string note;                     ///< e.g. "only in NEW"
  std::optional<ChangedRequest> broader, narrower;   ///< examples: less / more severe under NEW
  /// Broader only for requests using terms OLD refuses (a tag, value, level or
  /// type OLD does not declare): every request OLD accepts is decided as before or more severely.
  bool broader_by_new_terms = false;
  /// Of those, broader only because OLD refused the terms: without them, OLD
  /// decides every request NEW accepts at most as severely as NEW does.
  bool refusal_only = false;
};

/// A purpose, attribute or value (enum value, tag, level) added, removed or changed.
struct VocabDiff {
  std::string kind;                     ///< purpose, attribute, value, tag, level
  std::string name;                     ///< purpose path or attribute path
  std::string status;                   ///< added, removed, changed
  std::string detail;                   ///< the value, tag or level; the type; or "OLD → NEW"
};

/// One changed field of a rule, path, switch or policy.
struct FieldDiff {
  std::string field, category;          ///< category: owner, deadline, quorum, approvers, switch, text
  std::string old_text, new_text;
};

/// A rule, review path, kill switch or policy added, removed or changed.
struct ItemDiff {
  std::string kind;                     ///< rule, escalation, kill switch, policy, assertion, test
  std::string id;                       ///< the report's stable ID ("rule:policy/name")
  std::string status;                   ///< added, removed, changed
  std::vector<FieldDiff> fields;        ///< changed: each field that differs; added/removed: every field
  std::string note;                     ///< assertions: "weakened: …", "strengthened: …" or "changed: …"
};

/// The whole diff.
struct DiffResult {
  std::string old_layers, new_layers, old_hash, new_hash;
  bool new_access = false;              ///< some request gets a less severe decision under NEW
  std::vector<PurposeDiff> purposes;    ///< every purpose of either version, NEW's order then OLD-only ones
  std::vector<VocabDiff> vocabulary;    ///< purposes, attributes and values added, removed or changed
  std::vector<ItemDiff> items;
  std::vector<std::string> loosened;    ///< oversight safeguards NEW weakens (each also new access)
};

/// Compares two compiled Programs (each with its deciding stack).
DiffResult semantic_diff(const Program& old_program, const Program& new_program);

/// The diff as plain text (deletions `[-…-]`, insertions `{+…+}`).
std::string diff_text(const DiffResult& d);
/// The diff as GitHub Markdown (deletions struck through, insertions bold).
std::string diff_markdown(const DiffResult& d);
/// The diff as one self-contained HTML page (`<del>` and `<ins>`).
std::string diff_html(const DiffResult& d);
/// The diff as JSON (schema in docs/reports.md).
std::string diff_json(const DiffResult& d);

/// Word-level blackline of two texts as (kind, words) runs: kind ' ' same, '-' deleted, '+' inserted.
std::vector<std::pair<char, std::string>> blackline(const std::string& a, const std::string& b);

}  // namespace redline::report
