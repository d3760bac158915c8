// cli/main.cc — `redline VERB ...`: dispatches to the verb functions of cli.h.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace {

struct Verb {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Verb kVerbs[] = {
    {"check", redline::cli::cmd_check, "check policies and print diagnostics"},
    {"fmt", redline::cli::cmd_fmt, "format policies canonically (--check to verify only)"},
    {"dump", redline::cli::cmd_dump, "print a compilation stage (--stage=ast|graph|dot|program)"},
    {"eval", redline::cli::cmd_eval, "evaluate requests (JSON Lines on stdin, or --request FILE)"},
    {"test", redline::cli::cmd_test, "run the `test` blocks of policies"},
    {"audit", redline::cli::cmd_audit, "verify, show, prove or replay a state folder's audit log"},
    {"switch", redline::cli::cmd_switch, "trip, reset or show kill switches (--state DIR)"},
    {"verify", redline::cli::cmd_verify, "prove assertions and analyze rules (dead, shadowed, gaps, conflicts)"},
    {"report", redline::cli::cmd_report, "write the reviewer report (--format html|md|json|pdf)"},
    {"diff", redline::cli::cmd_diff, "compare two policy versions semantically (does NEW grant new access?)"},
    {"serve", redline::cli::cmd_serve, "serve decisions over HTTP (the decision service; docs/serve.md)"},
    {"keygen", redline::cli::cmd_keygen, "make an approver's Ed25519 key pair and keys-file entry"},
    {"approve", redline::cli::cmd_approve, "sign an approval of a request for a rule (--key, --request, --rule)"},
};

void usage(std::ostream& os) {
  os << "redline " << REDLINE_VERSION << " — a declarative use-policy engine\n\n"
     << "usage: redline VERB [options] FILE...\n\nverbs:\n";
  for (const auto& v : kVerbs) os << "  " << v.name << std::string(8 - std::strlen(v.name), ' ') << v.summary << '\n';
  os << "\n`redline VERB --help` describes a verb. Exit status: 0 ok, 1 failure, 2 usage error.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    usage(std::cout);
    return 0;
  }
  if (verb == "--version" || verb == "version") {
    std::cout << "redline " << REDLINE_VERSION << '\n';
    return 0;
  }
  std::vector<std::string> rest(argv + 2, argv + argc);
  for (const auto& v : kVerbs) {
    if (verb == v.name) return v.run(rest);
  }
  std::cerr << "redline: unknown verb `" << verb << "`\n\n";
  usage(std::cerr);
  return 2;
}
