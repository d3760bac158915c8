// cli/diff.cc — `redline diff OLD.pol NEW.pol [--layer NAME] [--format
// text|md|html|json] [--fail-on-new-access]`: the semantic diff of two policy
// versions (engine/report/diff.h), computed from the compiled policies.
#include <iostream>

#include "cli/cli.h"
#include "report/diff.h"

namespace redline::cli {
namespace {

const char* kDiffUsage =
    "usage: redline diff OLD.pol NEW.pol [--layer NAME] [--format text|md|html|json]\n"
    "                    [--fail-on-new-access] [--stdlib DIR]\n"
    "\n"
    "Compares two versions of a policy by what they decide, not by their text. For\n"
    "every purpose: equivalent, narrower, broader or incomparable, with a concrete\n"
    "request whose decision changes (OLD -> NEW) and the change in plain words.\n"
    "Requests using a term only one version has (purpose, tag, enum value, level,\n"
    "type) are searched too: the version lacking it refuses them (deny). Also lists\n"
    "vocabulary changes; rules, review paths, kill switches, policies, assertions\n"
    "and tests added, removed or changed, with a blackline of each change;\n"
    "weakened assertions; and approval or kill-switch safeguards that NEW loosens.\n"
    "The headline says NEW ACCESS GRANTED: yes when any request gets a less severe\n"
    "decision.\n"
    "\n"
    "options:\n"
    "  --layer NAME           compare the stacks ending at policy NAME in both versions\n"
    "  --format FMT           text (default), md, html or json\n"
    "  --fail-on-new-access   exit 1 when NEW grants any new access (for CI gates)\n"
    "  --stdlib DIR           the stdlib root for `import \"stdlib/...\"`\n"
    "\n"
    "exit status: 0 compared (and no new access with --fail-on-new-access), 1 new\n"
    "access with --fail-on-new-access or a version does not compile, 2 usage error\n";

std::shared_ptr<const Program> compile_one(const std::string& path, const CompileOptions& o, const char* which) {
  CompileResult r = compile_files({path}, o);
  if (!r.ok()) {
    std::cerr << "redline diff: the " << which << " version `" << path << "` does not compile:\n";
    print_diagnostics(r.diagnostics, false);
  }
  return r.program;
}

}  // namespace

int cmd_diff(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"format", "layer", "stdlib"}, {"fail-on-new-access"}, "diff");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kDiffUsage;
    return 0;
  }
  const std::string format = args->get("format", "text");
  if (args->positional.size() != 2 || (format != "text" && format != "md" && format != "html" && format != "json")) {
    std::cerr << "redline diff: " << (args->positional.size() != 2 ? "expected two policy files, OLD and NEW" : "unknown format `" + format + "`")
              << "\n\n" << kDiffUsage;
    return 2;
  }
  CompileOptions o;
  o.stdlib_root = args->get("stdlib", stdlib_root());
  o.layer = args->get("layer");
  auto old_p = compile_one(args->positional[0], o, "OLD");
  auto new_p = compile_one(args->positional[1], o, "NEW");
  if (!old_p || !new_p) return 1;
  report::DiffResult d = report::semantic_diff(*old_p, *new_p);
  if (format == "md") std::cout << report::diff_markdown(d);
  else if (format == "html") std::cout << report::diff_html(d);
  else if (format == "json") std::cout << report::diff_json(d);
  else std::cout << report::diff_text(d);
  return args->has("fail-on-new-access") && d.new_access ? 1 : 0;
}

}  // namespace redline::cli
