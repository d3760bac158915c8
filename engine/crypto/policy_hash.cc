// crypto/policy_hash.cc — the policy hash: the tagged SHA-256 of the sorted
// per-file hashes, so the order files were named in does not matter.
#include "crypto/policy_hash.h"

#include <algorithm>

#include "crypto/sha256.h"

namespace redline {

std::string policy_hash(const std::vector<std::string_view>& texts) {
  std::vector<std::string> files;
  for (std::string_view t : texts) files.push_back(crypto::sha256_tagged_hex(t));
  std::sort(files.begin(), files.end());
  std::string all = "redline-sources/1\n";
  for (const auto& f : files) all += f + '\n';
  return crypto::sha256_tagged_hex(all);
}

}  // namespace redline
