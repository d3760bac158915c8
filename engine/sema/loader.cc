// sema/loader.cc — load_and_check of sema/frontend.h: reads the root files
// (in-memory files first, then the disk), parses them, follows imports depth
// first ("stdlib/..." from the stdlib root, anything else relative to the
// importing file), reports unreadable files (RL2001) and import cycles
// (RL2002), then runs the checker. Files keep the path the user gave (or the
// importing path joined with the import) for diagnostics; de-duplication
// uses canonical paths.
#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "parse/parse.h"
#include "sema/frontend.h"

namespace redline::sema {
namespace {

namespace fs = std::filesystem;

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : c.string();
}

// Where an import string points, given the path of the importing file.
std::string resolve_import(const std::string& importer, const std::string& import, const std::string& stdlib_root) {
  constexpr std::string_view kStd = "stdlib/";
  if (import.compare(0, kStd.size(), kStd) == 0) return (fs::path(stdlib_root) / import.substr(kStd.size())).lexically_normal().string();
  fs::path p(import);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(importer).parent_path() / p).lexically_normal().string();
}

class Loader {
 public:
  Loader(const LoadOptions& options, Frontend& fe, diag::Sink& sink) : options_(options), fe_(fe), sink_(sink) {}

  // Loads `path` and, depth first, everything it imports. `from` is the
  // import string that named it (none for a root file).
  void load(const std::string& path, std::optional<Span> from) {
    std::string canon = canonical_path(path);
    if (std::int64_t id = fe_.sources.find_canonical(canon); id >= 0) {
      auto on_stack = std::find(stack_.begin(), stack_.end(), static_cast<std::uint32_t>(id));
      if (on_stack != stack_.end() && from) report_cycle(on_stack, static_cast<std::uint32_t>(id), *from);
      return;  // already loaded: importing twice is a no-op
    }
    std::string why;
    std::optional<std::string> text = read(path, why);
    if (!text) {
      if (from) sink_.report(diag::Code::ImportNotFound, *from, "cannot read the imported file " + diag::quote(path) + ": " + why);
      else sink_.report_global(diag::Code::ImportNotFound, path, "cannot read " + diag::quote(path) + ": " + why);
      return;
    }
    std::uint32_t id = fe_.sources.add(path, canon, std::move(*text));
    fe_.modules.emplace_back();  // INVARIANT: modules[i] belongs to file i
    fe_.modules[id] = parse::parse_file(fe_.sources, id, sink_);
    std::vector<std::pair<std::string, Span>> imports;
    for (const auto& im : fe_.modules[id].imports) imports.emplace_back(im.path.value, im.path.span);
    stack_.push_back(id);
    for (const auto& [imp, span] : imports) load(resolve_import(path, imp, options_.stdlib_root), span);
    stack_.pop_back();
  }

 private:
  std::optional<std::string> read(const std::string& path, std::string& why) const {
    if (auto it = options_.virtual_files.find(path); it != options_.virtual_files.end()) return it->second;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      why = "it is a directory";
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      why = fs::exists(path, ec) ? "it cannot be opened (" + std::string(std::strerror(errno)) + ")" : "no such file";
      for (auto& c : why) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return std::nullopt;
    }
    // Read at most one byte past the limit: the parser reports the size (RL1010).
    std::size_t cap = parse::Limits{}.max_file_bytes + 1;
    std::string text(cap, '\0');
    in.read(text.data(), static_cast<std::streamsize>(cap));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
  }

  void report_cycle(std::vector<std::uint32_t>::const_iterator first, std::uint32_t id, Span at) {
    std::string chain;
    for (auto it = first; it != stack_.end(); ++it) chain += diag::quote(fe_.sources.file(*it).path()) + " → ";
    chain += diag::quote(fe_.sources.file(id).path());
    sink_.report(diag::Code::ImportCycle, at, "import cycle: " + chain, "remove one of the imports in the cycle");
  }

  const LoadOptions& options_;
  Frontend& fe_;
  diag::Sink& sink_;
  std::vector<std::uint32_t> stack_;  // files being loaded, outermost first
};

}  // namespace

std::unique_ptr<Frontend> load_and_check(const std::vector<std::string>& paths, const LoadOptions& options, Diagnostics& out) {
  auto fe = std::make_unique<Frontend>();
  diag::Sink sink(fe->sources, out);
  Loader loader(options, *fe, sink);
  for (const auto& p : paths) loader.load(p, std::nullopt);
  // Syntax and load errors leave the modules incomplete: checking them would only add noise.
  if (!out.has_errors()) fe->model = check(fe->sources, fe->modules, sink);
  if (out.has_errors()) fe->model.reset();
  out.sort();
  return fe;
}

}  // namespace redline::sema
