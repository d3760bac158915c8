// flat/program_printer.h — the flat Program as text (`redline dump --stage=program`).
#pragma once

#include <string>

#include "flat/program_data.h"
#include "sema/model.h"

namespace redline::flat {

/// Renders the dispatch table, every slot's tables, tag groups, residual
/// rules and masks, with attribute and rule names from `model`.
std::string to_text(const ProgramData& d, const sema::Model& model);

}  // namespace redline::flat
