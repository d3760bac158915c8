// cli/keygen.cc — `redline keygen`: makes an approver's Ed25519 key pair
// (PREFIX.key, the private seed, mode 0600; PREFIX.pub, the public key),
// never overwriting a file, and prints the approver's keys-file entry
// (docs/approvals.md "Signed approvals").
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "redline/approvers.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline keygen [--out PREFIX] [--id ID] [--role ROLE[,ROLE...]] [--kind human|agent]\n"
    "\n"
    "Makes an Ed25519 key pair for an approver: PREFIX.key holds the private key (base64,\n"
    "file mode 0600: keep it secret) and PREFIX.pub the public key (base64). Neither file\n"
    "is overwritten. Prints a keys file (docs/approvals.md) with the approver's entry, for\n"
    "`redline eval --keys` and redline::ApproverKeys; merge entries into one file.\n"
    "\n"
    "  --out PREFIX   where to write the pair (default: the --id, else `approver`)\n"
    "  --id ID        the approver id approvals carry in `by` (default: PREFIX's file name)\n"
    "  --role LIST    the `actor.role` values the key may sign for, comma-separated\n"
    "  --kind KIND    `human` (default) or `agent`\n"
    "\n"
    "Exit status: 0 when the pair was written; 1 when it could not be; 2 on usage errors.\n";

// Writes `text` to a new file with mode `mode`; false with `error` if it exists or cannot be written.
bool write_new(const std::string& path, const std::string& text, mode_t mode, std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    error = "cannot create `" + path + "`: " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, mode) == 0;   // whatever the umask said
  for (std::size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) error = "cannot write `" + path + "`: " + std::strerror(errno);
  return ok;
}

}  // namespace

int cmd_keygen(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"out", "id", "role", "kind"}, {}, "keygen");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (!args->positional.empty()) {
    std::cerr << "redline keygen: unexpected operand `" << args->positional[0] << "`\n" << kHelp;
    return 2;
  }
  std::string kind = args->get("kind", "human");
  if (kind != "human" && kind != "agent") {
    std::cerr << "redline keygen: `--kind` is `human` or `agent`, not `" << kind << "`\n";
    return 2;
  }
  std::string prefix = args->get("out", args->get("id", "approver"));
  if (prefix.empty()) {
    std::cerr << "redline keygen: `--out` needs a file name prefix\n";
    return 2;
  }
  std::string id = args->get("id", std::filesystem::path(prefix).filename().string());
  std::vector<std::string> roles;
  std::stringstream list(args->get("role"));
  for (std::string r; std::getline(list, r, ',');)
    if (!r.empty()) roles.push_back(r);

  std::string key_path = prefix + ".key", pub_path = prefix + ".pub";
  for (const auto& p : {key_path, pub_path}) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) {
      std::cerr << "redline keygen: `" << p << "` already exists; not overwriting it\n";
      return 1;
    }
  }
  auto pair = generate_approver_key();
  if (!pair) {
    std::cerr << "redline keygen: no randomness to make a key from\n";
    return 1;
  }
  std::string error;
  if (!write_new(key_path, pair->private_key + "\n", 0600, error) || !write_new(pub_path, pair->public_key + "\n", 0644, error)) {
    std::cerr << "redline keygen: " << error << '\n';
    return 1;
  }
  nlohmann::ordered_json entry = {{"public_key", pair->public_key}, {"roles", roles}, {"kind", kind}};
  nlohmann::ordered_json file = {{"approvers", {{id, entry}}}};
  std::cout << file.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  std::cerr << "redline keygen: wrote " << key_path << " (private, mode 0600) and " << pub_path << '\n';
  if (roles.empty()) std::cerr << "redline keygen: note: no `--role` given; list the approver's roles in `roles`\n";
  return 0;
}

}  // namespace redline::cli
