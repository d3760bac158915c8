// sema/model.cc — look-ups and layer-chain helpers of sema/model.h.
#include "sema/model.h"

#include <algorithm>

namespace redline::sema {

const char* to_string(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::String: return "string";
    case TypeKind::Duration: return "duration";
    case TypeKind::Timestamp: return "timestamp";
    case TypeKind::Enum: return "enum";
    case TypeKind::Level: return "level";
    case TypeKind::Tags: return "tags";
  }
  return "string";
}

std::int64_t PurposeTree::find(std::string_view full) const {
  auto it = by_full.find(std::string(full));
  return it == by_full.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::int64_t Schema::find(std::string_view path) const {
  auto it = by_path.find(std::string(path));
  return it == by_path.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::int64_t Model::find_layer(std::string_view name) const {
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == name) return static_cast<std::int64_t>(i);
  return -1;
}

std::vector<std::uint32_t> Model::chain(std::uint32_t top) const {
  std::vector<std::uint32_t> out;
  for (std::int64_t l = top; l >= 0 && out.size() <= layers.size(); l = layers[static_cast<std::size_t>(l)].parent)
    out.push_back(static_cast<std::uint32_t>(l));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> Model::leaves() const {
  std::vector<bool> extended(layers.size(), false);
  for (const auto& l : layers)
    if (l.parent >= 0) extended[static_cast<std::size_t>(l.parent)] = true;
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < layers.size(); ++i)
    if (!extended[i]) out.push_back(i);
  return out;
}

std::int64_t Model::find_string(std::string_view s) const {
  for (std::size_t i = 0; i < strings.size(); ++i)
    if (strings[i] == s) return static_cast<std::int64_t>(i);
  return -1;
}

}  // namespace redline::sema
