// tests/unit/test_support.h — helpers shared by the tests: paths, file I/O,
// golden-file comparison.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace redline::testing {

extern bool update_golden;

/// The repository root.
inline std::filesystem::path source_dir() { return REDLINE_SOURCE_DIR; }
/// tests/data: test vectors from elsewhere, kept with their licence and source.
inline std::filesystem::path test_data_dir() { return REDLINE_TEST_DATA_DIR; }

/// The whole content of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Writes a file, creating its directory.
inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace redline::testing
