// fuzz/request.cc — request binding and evaluation on arbitrary bytes: each
// input is a JSON request decided against a few fixed policies (the examples
// and the conformance policies of every attribute type and of approvals),
// through both binders (simdjson fast path and full path), the compiled
// Program and the reference interpreter; see fuzz_support.h for the
// invariants. Bad input must decide `deny` with an error, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

using namespace redline;

namespace {

const std::vector<fuzz::Fixed>& programs() {
  static const std::vector<fuzz::Fixed> fixed = {
      fuzz::compile_example("defense-deployment"),    fuzz::compile_example("fintech-fraud"),
      fuzz::compile_conformance("types.json"),        fuzz::compile_conformance("approvals_escalate.json"),
      fuzz::compile_conformance("kill_switches.json"),
  };
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)programs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& f : programs()) fuzz::check_request(*f.program, text);
  return 0;
}
