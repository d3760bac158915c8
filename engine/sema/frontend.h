// sema/frontend.h — loads a compilation: reads the root files, parses them,
// follows imports (relative to the importing file, or to the stdlib root for
// "stdlib/..."), then resolves and checks everything into a sema::Model.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "diag/sink.h"
#include "sema/model.h"
#include "source/source.h"

namespace redline::sema {

/// Where files come from.
struct LoadOptions {
  std::string stdlib_root;  ///< the `stdlib` directory itself: "stdlib/a/b.pol" reads stdlib_root + "/a/b.pol"
  /// In-memory files consulted before the disk, keyed by path as written
  /// (used by compile_source and the conformance tests).
  std::map<std::string, std::string> virtual_files;
};

/// The result of loading and checking a compilation.
struct Frontend {
  SourceManager sources;
  std::vector<ast::Module> modules;   ///< one per file, by file id
  std::unique_ptr<Model> model;       ///< null when a phase reported errors that make it meaningless
};

/// Loads, parses and checks `paths`. Diagnostics go to `out` (sorted).
/// The model is produced when there are no errors (warnings allowed).
std::unique_ptr<Frontend> load_and_check(const std::vector<std::string>& paths, const LoadOptions& options, Diagnostics& out);

/// Checks already parsed modules into a model (errors to `sink`).
std::unique_ptr<Model> check(const SourceManager& sources, const std::vector<ast::Module>& modules, diag::Sink& sink);

}  // namespace redline::sema
