// crypto/policy_hash.h — the policy hash (Program::hash()) of a set of source
// texts, shared by the compiler and `audit verify`'s check of the policy store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace redline {

/// "sha256:<hex>" over the sorted SHA-256s of the texts: neither the order the
/// files were given or loaded in nor the paths they were loaded from change it.
std::string policy_hash(const std::vector<std::string_view>& texts);

}  // namespace redline
