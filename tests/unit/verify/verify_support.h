// tests/unit/verify/verify_support.h — helpers for the verification tests:
// loading policy text into a checked model, compiling it (without its
// assertions) into a Program for a given layer, and evaluating an example or
// counterexample request with kill switches tripped.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "redline/engine.h"
#include "sema/frontend.h"
#include "verify/verify.h"

namespace redline::testing {

/// A checked model loaded from text.
struct Loaded {
  std::unique_ptr<sema::Frontend> fe;
  Diagnostics diags;
  const sema::Model& model() const { return *fe->model; }
};

/// Loads and checks `text` (named "t.pol"); fails the test on errors.
inline Loaded load(const std::string& text) {
  Loaded l;
  sema::LoadOptions o;
  o.virtual_files["t.pol"] = text;
  l.fe = sema::load_and_check({"t.pol"}, o, l.diags);
  INFO(text, "\n", l.diags.render());
  REQUIRE(l.fe);
  REQUIRE(l.fe->model);
  REQUIRE(!l.diags.has_errors());
  return l;
}

/// The text without its `assert` lines (so failing assertions do not stop compilation).
inline std::string strip_asserts(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, 7, "assert ") == 0) continue;
    out += line + "\n";
  }
  return out;
}

/// Compiles `text` without assertions for the stack ending at `layer` (empty: the default).
inline std::shared_ptr<const Program> compile_for(const std::string& text, const std::string& layer = "") {
  CompileOptions o;
  o.layer = layer;
  CompileResult r = compile_source(strip_asserts(text), "t.pol", o);
  INFO(r.diagnostics.render());
  REQUIRE(r.ok());
  return r.program;
}

/// Evaluates a JSON request; `tripped` names kill switches to trip first.
inline Decision evaluate(const Program& prog, const std::string& json, const std::vector<std::string>& tripped = {}) {
  auto board = prog.make_switchboard();
  for (const auto& s : tripped) REQUIRE(board->trip(s));
  Decision d = prog.evaluate_json(json, {.switches = board.get()});
  INFO(json);
  REQUIRE(!d.error());
  return d;
}

/// The kill switch a finding's note says must be tripped ("" when none).
inline std::string tripped_switch(const verify::Finding& f) {
  for (const auto& n : f.notes) {
    auto a = n.find('`'), b = n.rfind('`');
    if (n.rfind("with kill switch", 0) == 0 && a != std::string::npos && b > a) return n.substr(a + 1, b - a - 1);
  }
  return "";
}

/// The findings with `code`.
inline std::vector<verify::Finding> with_code(const std::vector<verify::Finding>& all, diag::Code code) {
  std::vector<verify::Finding> out;
  for (const auto& f : all)
    if (f.code == code) out.push_back(f);
  return out;
}

}  // namespace redline::testing
