// source/source.cc — line index and file registry for source/source.h.
#include "source/source.h"

#include <algorithm>

namespace redline {

SourceFile::SourceFile(std::string path, std::string canonical, std::string text)
    : path_(std::move(path)), canonical_(std::move(canonical)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::line_col(std::uint32_t offset) const {
  if (offset > text_.size()) offset = static_cast<std::uint32_t>(text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::uint32_t line = static_cast<std::uint32_t>(it - line_starts_.begin());
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t column = 1;
  for (std::uint32_t i = start; i < offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<std::uint32_t>(text_.size());
  std::string_view v(text_.data() + start, end - start);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

std::uint32_t SourceManager::add(std::string path, std::string canonical, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(canonical), std::move(text)));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::int64_t SourceManager::find_canonical(std::string_view canonical) const {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (files_[i]->canonical() == canonical) return static_cast<std::int64_t>(i);
  }
  return -1;
}

}  // namespace redline
