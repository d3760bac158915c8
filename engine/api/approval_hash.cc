// api/approval_hash.cc — redline/approval_hash.h.
#include "redline/approval_hash.h"

#include "flat/program_impl.h"
#include "sema/semantic_text.h"

namespace redline {

std::string approval_hash(const Program& program) {
  const ProgramImpl& p = ProgramAccess::impl(program);
  return sema::semantic_hash(*p.model, p.data.chain);
}

}  // namespace redline
