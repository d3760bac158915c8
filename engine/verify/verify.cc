// verify/verify.cc — the public face of verification (verify/verify.h):
// running the analyses over the chosen stacks, and reporting findings as
// diagnostics or JSON.
#include "verify/verify.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "verify/analyses.h"

namespace redline::verify {
namespace {

bool before(const Finding& a, const Finding& b) {
  if (a.span.file != b.span.file) return a.span.file < b.span.file;
  if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
  return static_cast<int>(a.code) < static_cast<int>(b.code);
}

// Marks the findings that their rule acknowledges (`acknowledge RL4004`), and
// reports an acknowledgement that matches no finding (RL4006): it would
// otherwise silence a warning the rule may gain later.
void acknowledge(const sema::Model& m, const std::vector<std::uint32_t>& ids, std::vector<Finding>& out) {
  std::map<std::string, std::uint32_t> by_name;
  for (std::uint32_t ri : ids)
    if (!m.rules[ri].acknowledged.empty()) by_name.emplace(m.rules[ri].qualified, ri);
  if (by_name.empty()) return;
  std::set<std::pair<std::uint32_t, std::string>> used;
  for (Finding& f : out) {
    auto it = by_name.find(f.subject);
    if (it == by_name.end()) continue;
    const std::string code(diag::info(f.code).text);
    const auto& acked = m.rules[it->second].acknowledged;
    if (std::find(acked.begin(), acked.end(), code) == acked.end()) continue;
    f.acknowledged = true;
    used.emplace(it->second, code);
  }
  for (const auto& [name, ri] : by_name) {
    const sema::Rule& r = m.rules[ri];
    for (const std::string& code : r.acknowledged) {
      if (used.count({ri, code})) continue;
      Finding f;
      f.code = diag::Code::StaleAcknowledgement;
      f.span = r.acknowledge_span;
      f.layer = m.layers[r.layer].name;
      f.subject = r.qualified;
      f.message = "rule " + diag::quote(r.name) + " acknowledges " + diag::quote(code) + ", but the analyses find no such warning on it";
      f.notes.push_back("remove " + diag::quote(code) + " from its `acknowledge` clause, so that a later warning of that kind is not silenced");
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

std::vector<Finding> analyze(const sema::Model& m, std::optional<std::uint32_t> top) {
  Analyzer an(m);
  std::vector<std::uint32_t> ids;
  std::vector<std::uint32_t> tops = top ? std::vector<std::uint32_t>{*top} : m.leaves();
  for (std::uint32_t t : tops)
    for (std::uint32_t l : m.chain(t)) ids.insert(ids.end(), m.layers[l].rules.begin(), m.layers[l].rules.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  an.rules(ids);
  for (std::uint32_t t : tops) an.gaps(t);
  std::vector<Finding> out = std::move(an.findings());
  acknowledge(m, ids, out);
  std::stable_sort(out.begin(), out.end(), before);
  return out;
}

void check_all(const sema::Model& m, diag::Sink& sink) {
  report(check_assertions(m), sink);
  report(analyze(m), sink);
}

void report(const std::vector<Finding>& findings, diag::Sink& sink) {
  for (const Finding& f : findings) {
    if (f.acknowledged) continue;   // the authors accept it on purpose (`acknowledge CODE`)
    Diagnostic& d = sink.report(f.code, f.span, f.message);
    if (!f.request.empty())
      d.notes.push_back((f.code == diag::Code::AssertionFailed ? "counterexample: " : "example request: ") + f.request);
    d.notes.insert(d.notes.end(), f.notes.begin(), f.notes.end());
  }
}

std::string to_json(const std::vector<Finding>& findings, const SourceManager& sources) {
  Diagnostics located;
  diag::Sink sink(sources, located);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Finding& f : findings) {
    Diagnostic& d = sink.report(f.code, f.span, f.message);
    nlohmann::ordered_json j;
    j["code"] = d.code;
    j["severity"] = to_string(d.severity);
    j["file"] = d.file;
    j["line"] = d.line;
    j["column"] = d.column;
    j["message"] = d.message;
    j["subject"] = f.subject;
    j["layer"] = f.layer;
    j["request"] = f.request.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json::parse(f.request);
    j["notes"] = f.notes;
    j["acknowledged"] = f.acknowledged;
    out.push_back(std::move(j));
  }
  return out.dump(2);
}

}  // namespace redline::verify
