// flat/layout.h — how a Program lays out a bound request's tag bitsets: part
// of the Program (its schema's tags attributes, in order), read by binding
// and evaluation.
#pragma once

#include <cstdint>
#include <vector>

namespace redline::flat {

/// Where tags attributes keep their bits inside BoundRequest::tags_.
struct TagLayout {
  std::vector<std::uint32_t> offset;   ///< per attribute: first word (tags attributes only)
  std::uint32_t words = 0;             ///< total words
  std::uint32_t attr_words = 0;        ///< words of the per-attribute presence bitset
};

}  // namespace redline::flat
