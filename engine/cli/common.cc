// cli/common.cc — argument parsing and output helpers shared by the verbs.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "cli/cli.h"
#include "redline/engine.h"

namespace redline::cli {

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::optional<Args> parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& with_value,
                               const std::vector<std::string>& flags, const char* verb) {
  Args a;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (only_positional || s.size() < 2 || s[0] != '-') {
      a.positional.push_back(s);
      continue;
    }
    if (s == "--") {
      only_positional = true;
      continue;
    }
    std::string body = s.substr(s[1] == '-' ? 2 : 1);
    std::string name = body, value;
    bool has_eq = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_eq = true;
    }
    bool takes = std::find(with_value.begin(), with_value.end(), name) != with_value.end();
    bool flag = std::find(flags.begin(), flags.end(), name) != flags.end() || name == "help";
    if (!takes && !flag) {
      std::cerr << "redline " << verb << ": unknown option `" << s << "` (see `redline " << verb << " --help`)\n";
      return std::nullopt;
    }
    if (takes && !has_eq) {
      if (i + 1 >= argv.size()) {
        std::cerr << "redline " << verb << ": option `--" << name << "` needs a value\n";
        return std::nullopt;
      }
      value = argv[++i];
    }
    a.options[name] = value;
  }
  return a;
}

void print_diagnostics(const Diagnostics& diags, bool json) {
  if (json) {
    std::cout << diags.to_json() << '\n';
    return;
  }
  bool color = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
  std::cerr << diags.render(color);
}

std::string stdlib_root() { return default_stdlib_root(); }

std::vector<std::vector<std::string>> compilations(const std::vector<std::string>& operands, const char* verb, bool& bad) {
  std::vector<std::string> named;
  std::vector<std::vector<std::string>> found_in_folders;
  for (const auto& o : operands) {
    std::error_code ec;
    if (std::filesystem::is_directory(o, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(o, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".pol") found.push_back(it->path().string());
      if (ec) {
        std::cerr << "redline " << verb << ": cannot read folder `" << o << "`: " << ec.message() << '\n';
        bad = true;
        continue;
      }
      if (found.empty()) {
        std::cerr << "redline " << verb << ": no `*.pol` file in folder `" << o << "`\n";
        bad = true;
      }
      std::sort(found.begin(), found.end());
      for (auto& f : found) found_in_folders.push_back({std::move(f)});
    } else if (std::filesystem::exists(o, ec)) {
      named.push_back(o);
    } else {
      std::cerr << "redline " << verb << ": no such file or folder `" << o << "`\n";
      bad = true;
    }
  }
  std::vector<std::vector<std::string>> out;
  if (!named.empty()) out.push_back(std::move(named));
  for (auto& f : found_in_folders) out.push_back(std::move(f));
  return out;
}

}  // namespace redline::cli
