// flat/program_impl.h — what a Program holds: the flat arrays the evaluator
// walks (self-contained: no pointer into anything built while compiling), the
// binding layout of requests, the name tables that bind them, and the checked
// model with its sources (rule texts, approval requirements and the purpose
// tree, read for reasons, approvals, explanations, reports and the audit's
// policy store; the ASTs are dropped once checked, and the decision graph once
// flattened). ProgramAccess is the one door to them (Program keeps them private).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "flat/layout.h"
#include "flat/program_data.h"
#include "redline/engine.h"
#include "sema/frontend.h"

namespace redline {

/// A string-keyed map that can be searched with a string_view (no allocation).
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using NameMap = std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>>;

struct Program::Impl {
  std::shared_ptr<const sema::Frontend> frontend;   ///< sources and model (its ASTs are cleared after checking)
  const sema::Model* model = nullptr;               ///< frontend->model
  flat::ProgramData data;
  flat::TagLayout layout;
  NameMap string_ids;                  ///< interned literals
  NameMap purpose_ids;                 ///< full purpose path → id
  NameMap attr_ids;                    ///< attribute path → index
  std::vector<NameMap> value_ids;      ///< per attribute: enum/level/tag name → index
  std::vector<std::string> layer_names;
  std::vector<std::string> switch_names;   ///< qualified, SwitchBoard order
  std::string hash;
  std::int64_t time_attr = -1, now_attr = -1;   ///< request.time, request.now
};

/// Friend of Program: what internal code (the compiler, the evaluator,
/// reports, the CLI, tests and fuzzers) reads of a Program, and the one way
/// to make one.
struct ProgramAccess {
  using Impl = Program::Impl;
  static const Impl& impl(const Program& p) { return *p.impl_; }
  /// A Program owning `impl` (compile_files and compile_source make them).
  static std::shared_ptr<const Program> make(std::unique_ptr<Impl> impl) {
    return std::shared_ptr<const Program>(new Program(std::move(impl)));
  }
};

/// The name internal code uses for what a Program holds.
using ProgramImpl = ProgramAccess::Impl;

}  // namespace redline
