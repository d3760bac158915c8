// tests/unit/main.cc — the doctest runner for every test in tests/unit.
// `--update-golden` (or REDLINE_UPDATE_GOLDEN=1) rewrites golden files
// instead of comparing them.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace redline::testing {
bool update_golden = false;
}

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--update-golden") == 0) {
      redline::testing::update_golden = true;
      continue;
    }
    args.push_back(argv[i]);
  }
  if (const char* env = std::getenv("REDLINE_UPDATE_GOLDEN"); env && std::string(env) == "1") redline::testing::update_golden = true;
  doctest::Context ctx(static_cast<int>(args.size()), args.data());
  return ctx.run();
}
