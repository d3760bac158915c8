// source/source.h — source files held in memory, byte spans into them, and the
// line index that turns a byte offset into a 1-based line and column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace redline {

/// A half-open byte range [begin, end) in one source file.
struct Span {
  std::uint32_t file = 0;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  /// The smallest span covering both (same file assumed).
  Span to(const Span& other) const { return {file, begin, other.end > end ? other.end : end}; }
};

/// A 1-based line and column (columns count code points).
struct LineCol {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// One loaded file: its path as the user named it, its canonical path (for
/// import de-duplication) and its text.
class SourceFile {
 public:
  SourceFile(std::string path, std::string canonical, std::string text);
  const std::string& path() const { return path_; }
  const std::string& canonical() const { return canonical_; }
  const std::string& text() const { return text_; }
  /// Line and column of a byte offset (clamped to the text).
  LineCol line_col(std::uint32_t offset) const;
  /// The text of a 1-based line, without its line terminator.
  std::string_view line_text(std::uint32_t line) const;
  /// The number of lines (at least 1).
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  std::string path_, canonical_, text_;
  std::vector<std::uint32_t> line_starts_;  // INVARIANT: sorted, first is 0
};

/// Owns every file of a compilation; files are addressed by a dense id.
class SourceManager {
 public:
  /// Adds a file and returns its id.
  std::uint32_t add(std::string path, std::string canonical, std::string text);
  /// The file with the given id.
  const SourceFile& file(std::uint32_t id) const { return *files_.at(id); }
  /// The id of a file already added under this canonical path, or -1.
  std::int64_t find_canonical(std::string_view canonical) const;
  /// The number of files.
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace redline
