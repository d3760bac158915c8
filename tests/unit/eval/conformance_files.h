// tests/unit/eval/conformance_files.h — the policies of a conformance file:
// `"files": ["a.pol", ...]` names .pol files in the folder beside the JSON
// file named after it (tests/conformance/layers.json → tests/conformance/layers/).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "redline/engine.h"
#include "test_support.h"

namespace redline::testing {

/// Loads the policies `doc` names into opts.files (by name) and returns the
/// entry files to compile: `entry` when given, else every file in order.
inline std::vector<std::string> load_conformance_files(const nlohmann::json& doc, const std::filesystem::path& json_path,
                                                       CompileOptions& opts) {
  std::vector<std::string> entry;
  const std::filesystem::path dir = json_path.parent_path() / json_path.stem();
  for (const auto& name : doc["files"]) {
    const std::string n = name.get<std::string>();
    opts.files[n] = read_file(dir / n);
    entry.push_back(n);
  }
  if (doc.contains("entry")) entry = doc["entry"].get<std::vector<std::string>>();
  if (doc.contains("layer")) opts.layer = doc["layer"].get<std::string>();
  return entry;
}

}  // namespace redline::testing
