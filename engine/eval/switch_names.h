// eval/switch_names.h — the one resolver of kill-switch names, used by the
// SwitchBoard, `redline eval --tripped`, `redline switch` and the server's
// switch endpoints: a qualified name ("policy/switch") names its switch; a
// plain name ("switch") names the one switch of that name, and is refused
// when more than one policy of the stack declares it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace redline::eval {

/// What resolve_switch() returns besides an index.
inline constexpr std::int64_t kNoSuchSwitch = -1;
inline constexpr std::int64_t kAmbiguousSwitch = -2;

/// The index of the switch `name` among the qualified `names`, or
/// kNoSuchSwitch / kAmbiguousSwitch with `error` worded for a person.
std::int64_t resolve_switch(std::span<const std::string> names, std::string_view name, std::string& error);

/// The same, without the wording.
std::int64_t resolve_switch(std::span<const std::string> names, std::string_view name);

}  // namespace redline::eval
