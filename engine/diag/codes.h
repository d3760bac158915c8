// diag/codes.h — the diagnostic code enum and its table (from codes.def).
#pragma once

#include <string_view>

#include "redline/diagnostic.h"

namespace redline::diag {

/// Every diagnostic code; the enumerators follow codes.def.
enum class Code : unsigned short {
#define REDLINE_CODE(name, text, severity, summary) name,
#include "diag/codes.def"
#undef REDLINE_CODE
};

/// One row of the table.
struct CodeInfo {
  Code code;
  std::string_view text;      ///< "RL2003"
  Severity severity;          ///< default severity
  std::string_view summary;   ///< what the code means
};

/// The row of a code.
const CodeInfo& info(Code c);
/// Every row, in table order.
const CodeInfo* all_codes(std::size_t* count);

}  // namespace redline::diag
