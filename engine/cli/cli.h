// cli/cli.h — the `redline` command line: one function per verb (one file
// each), and the small helpers they share (argument parsing, file reading,
// diagnostics output). Exit codes: 0 success, 1 failure (policy errors,
// failed tests), 2 usage errors.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redline/diagnostic.h"

namespace redline::cli {

/// Parsed arguments: positional operands and `--name[=value]` options.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;   ///< "--stage=ast" -> {"stage","ast"}; "--check" -> {"check",""}
  bool has(const std::string& name) const { return options.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
};

/// Parses argv after the verb. `with_value` lists options that take the next
/// argument as their value when written without `=` (e.g. `--layer NAME`).
/// Returns nullopt and prints to stderr on an unknown option.
std::optional<Args> parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& with_value,
                               const std::vector<std::string>& flags, const char* verb);

/// Prints diagnostics to stderr (text, colour on a terminal) or as JSON on stdout.
void print_diagnostics(const Diagnostics& diags, bool json);

/// The stdlib root: $REDLINE_STDLIB, else <prefix>/share/redline/stdlib found from
/// the executable's own path (redline::default_stdlib_root, docs/embedding.md).
std::string stdlib_root();

/// The compilations that `check` and `test` examine, from their operands
/// (docs/cli.md "Files and folders"): the files named are one compilation,
/// as for every other verb; each `*.pol` file found (recursively, sorted)
/// under a folder named is a compilation of its own, with its imports. An
/// operand that does not exist, or a folder without `*.pol` files, is
/// reported on stderr and sets `bad`.
std::vector<std::vector<std::string>> compilations(const std::vector<std::string>& operands, const char* verb, bool& bad);

int cmd_check(const std::vector<std::string>& argv);
int cmd_fmt(const std::vector<std::string>& argv);
int cmd_dump(const std::vector<std::string>& argv);
int cmd_eval(const std::vector<std::string>& argv);
int cmd_test(const std::vector<std::string>& argv);
int cmd_audit(const std::vector<std::string>& argv);
int cmd_switch(const std::vector<std::string>& argv);
int cmd_verify(const std::vector<std::string>& argv);
int cmd_report(const std::vector<std::string>& argv);
int cmd_diff(const std::vector<std::string>& argv);
int cmd_serve(const std::vector<std::string>& argv);
int cmd_keygen(const std::vector<std::string>& argv);
int cmd_approve(const std::vector<std::string>& argv);

}  // namespace redline::cli
