// eval/switch_names.cc — see switch_names.h.
#include "eval/switch_names.h"

namespace redline::eval {
namespace {

std::string_view plain(std::string_view qualified) {
  auto slash = qualified.rfind('/');
  return slash == std::string_view::npos ? qualified : qualified.substr(slash + 1);
}

}  // namespace

std::int64_t resolve_switch(std::span<const std::string> names, std::string_view name) {
  std::int64_t found = kNoSuchSwitch;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<std::int64_t>(i);
    if (name.find('/') == std::string_view::npos && plain(names[i]) == name) {
      if (found >= 0) found = kAmbiguousSwitch;
      else if (found == kNoSuchSwitch) found = static_cast<std::int64_t>(i);
    }
  }
  return found;
}

std::int64_t resolve_switch(std::span<const std::string> names, std::string_view name, std::string& error) {
  std::int64_t i = resolve_switch(names, name);
  if (i == kAmbiguousSwitch) {
    error = "more than one kill switch is named `" + std::string(name) + "`; write it as `policy/" + std::string(name) + "`";
  } else if (i == kNoSuchSwitch) {
    std::string candidates;
    for (const auto& n : names) candidates += (candidates.empty() ? "`" : ", `") + n + "`";
    error = "no kill switch named `" + std::string(name) + "`" +
            (candidates.empty() ? std::string(" (the policies declare none)") : " (there are " + candidates + ")");
  }
  return i;
}

}  // namespace redline::eval
