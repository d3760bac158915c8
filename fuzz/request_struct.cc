// fuzz/request_struct.cc — structure-aware request fuzzing: the first byte
// picks one of the fixed policies (every example and conformance policy), the
// rest is decoded into a request over that policy's schema (purposes,
// attributes present, missing, null or ill-typed, an actor, a few approvals;
// fuzz_support.h), so mutations explore decisions rather than JSON syntax.
// The request is then checked like fuzz/request.cc's.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"

using namespace redline;

namespace {

const std::vector<fuzz::Fixed>& programs() {
  static const std::vector<fuzz::Fixed> fixed = fuzz::all_fixed();
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)programs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const auto& fixed = programs();
  const Program& prog = *fixed[in.pick(fixed.size())].program;
  fuzz::check_request(prog, fuzz::structured_request(prog, in));
  return 0;
}
