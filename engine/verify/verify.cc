// verify/verify.cc — the public face of verification (verify/verify.h):
// running the analyses over the chosen stacks, and reporting findings as
// diagnostics or JSON.
#include "verify/verify.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "verify/analyses.h"

namespace redline::verify {
namespace {

bool before(const Finding& a, const Finding& b) {
  if (a.span.file != b.span.file) return a.span.file < b.span.file;
  if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
  return static_cast<int>(a.code) < static_cast<int>(b.code);
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
  std::stable_sort(out.begin(), out.end(), before);
  return out;
}

void check_all(const sema::Model& m, diag::Sink& sink) {
  report(check_assertions(m), sink);
  report(analyze(m), sink);
}

void report(const std::vector<Finding>& findings, diag::Sink& sink) {
  for (const Finding& f : findings) {
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
    out.push_back(std::move(j));
  }
  return out.dump(2);
}

}  // namespace redline::verify
