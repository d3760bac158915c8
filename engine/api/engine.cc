// api/engine.cc — the embedding API of redline/engine.h: compile_files and
// compile_source (front end → decision graph → flat Program), Program's
// accessors, and SwitchBoard.
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "compile/decision_graph.h"
#include "crypto/policy_hash.h"
#include "eval/switch_names.h"
#include "diag/sink.h"
#include "flat/graph_to_program.h"
#include "flat/program_impl.h"
#include "verify/verify.h"

namespace redline {

const char* version() { return REDLINE_VERSION; }

namespace {

// The folder of the binary this code is in: the shared library when it is
// one (dladdr), else the executable (/proc/self/exe; dladdr names the main
// program by its argv[0], which may be relative). Empty when unknown.
std::filesystem::path own_binary_dir() {
  std::error_code ec;
  Dl_info info{};
  std::filesystem::path self;
  if (dladdr(reinterpret_cast<void*>(&own_binary_dir), &info) != 0 && info.dli_fname && info.dli_fname[0] == '/')
    self = info.dli_fname;
  else
    self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (self.empty()) return {};
  std::filesystem::path real = std::filesystem::canonical(self, ec);
  return (ec ? self : real).parent_path();
}

}  // namespace

std::string default_stdlib_root() {
  if (const char* env = std::getenv("REDLINE_STDLIB"); env && *env) return env;
  // Installed: <prefix>/share/redline/stdlib, relative to <prefix>/bin or
  // <prefix>/lib; a build tree or a Python package: `stdlib` beside the binary.
  static const std::string found = [] {
    std::filesystem::path dir = own_binary_dir();
    if (dir.empty()) return std::string("stdlib");
    std::error_code ec;
    for (const char* rel : {REDLINE_BIN_TO_STDLIB, REDLINE_LIB_TO_STDLIB, "stdlib"}) {
      std::filesystem::path candidate = (dir / rel).lexically_normal();
      if (std::filesystem::is_directory(candidate, ec)) return candidate.string();
    }
    return std::string("stdlib");
  }();
  return found;
}

namespace {

// The layer whose stack decides: the chosen one, or the unique most-derived one.
std::int64_t choose_layer(const sema::Model& m, const std::string& wanted, diag::Sink& sink, const std::string& file) {
  if (!wanted.empty()) {
    std::int64_t l = m.find_layer(wanted);
    if (l < 0) sink.report_global(diag::Code::UnknownLayerChoice, file, "no policy named `" + wanted + "` to decide with");
    return l;
  }
  auto leaves = m.leaves();
  if (leaves.size() == 1) return leaves[0];
  if (leaves.empty()) {
    sink.report_global(diag::Code::UnknownLayerChoice, file, "there is no policy to decide with", "declare a `policy`");
    return -1;
  }
  std::string names;
  for (auto l : leaves) names += (names.empty() ? "" : ", ") + diag::quote(m.layers[l].name);
  sink.report_global(diag::Code::AmbiguousLayer, file, "more than one most-derived policy (" + names + ")",
                     "choose the layer that decides with `--layer NAME`");
  return -1;
}

std::string source_hash(const SourceManager& sm) {
  std::vector<std::string_view> texts;
  for (std::uint32_t i = 0; i < sm.size(); ++i) texts.push_back(sm.file(i).text());
  return policy_hash(texts);
}

CompileResult compile_stack(const std::vector<std::string>& paths, const CompileOptions& options) {
  CompileResult result;
  sema::LoadOptions load;
  load.stdlib_root = options.stdlib_root.empty() ? default_stdlib_root() : options.stdlib_root;
  load.virtual_files = options.files;
  std::shared_ptr<sema::Frontend> fe = sema::load_and_check(paths, load, result.diagnostics);
  if (!fe || !fe->model || result.diagnostics.has_errors()) return result;
  diag::Sink sink(fe->sources, result.diagnostics);
  verify::report(verify::check_assertions(*fe->model), sink);   // a failed assertion (RL4010) fails the compilation
  if (result.diagnostics.has_errors()) return result;
  std::int64_t top = choose_layer(*fe->model, options.layer, sink, paths.empty() ? "" : paths[0]);
  if (top < 0) return result;

  auto impl = std::make_unique<ProgramImpl>();
  fe->modules.clear();   // the ASTs served checking; the model and the sources are what a Program keeps
  fe->modules.shrink_to_fit();
  impl->frontend = fe;
  impl->model = fe->model.get();
  const sema::Model& m = *impl->model;
  // The decision graph is a compile-time structure: flattened, then dropped
  // (`redline dump --stage=graph` builds it again from the model).
  impl->data = flat::flatten(*compile::build_graph(m, static_cast<std::uint32_t>(top)));
  impl->layout.offset.assign(m.schema.attrs.size(), 0);
  for (std::size_t a = 0; a < m.schema.attrs.size(); ++a) {
    if (m.schema.attrs[a].kind != sema::TypeKind::Tags) continue;
    impl->layout.offset[a] = impl->layout.words;
    impl->layout.words += static_cast<std::uint32_t>((m.schema.attrs[a].values.size() + 63) / 64);
  }
  impl->layout.attr_words = static_cast<std::uint32_t>((m.schema.attrs.size() + 63) / 64);
  for (std::size_t i = 0; i < m.strings.size(); ++i) impl->string_ids.emplace(m.strings[i], static_cast<std::uint32_t>(i));
  for (std::size_t q = 0; q < m.purposes.nodes.size(); ++q) impl->purpose_ids.emplace(m.purposes.nodes[q].full, static_cast<std::uint32_t>(q));
  impl->value_ids.resize(m.schema.attrs.size());
  for (std::size_t a = 0; a < m.schema.attrs.size(); ++a) {
    impl->attr_ids.emplace(m.schema.attrs[a].path, static_cast<std::uint32_t>(a));
    for (const auto& [name, index] : m.schema.attrs[a].value_index) impl->value_ids[a].emplace(name, index);
  }
  for (std::uint32_t l : impl->data.chain) impl->layer_names.push_back(m.layers[l].name);
  for (std::uint32_t s : impl->data.switches) impl->switch_names.push_back(m.switches[s].qualified);
  impl->hash = source_hash(fe->sources);
  impl->time_attr = m.schema.find("request.time");
  impl->now_attr = m.schema.find("request.now");
  result.program = ProgramAccess::make(std::move(impl));
  return result;
}

}  // namespace

CompileResult compile_files(const std::vector<std::string>& paths, const CompileOptions& options) {
  return compile_stack(paths, options);
}

CompileResult compile_source(std::string_view text, std::string name, const CompileOptions& options) {
  CompileOptions o = options;
  o.files[name] = std::string(text);
  return compile_stack({name}, o);
}

Program::Program(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Program::~Program() = default;

const std::vector<std::string>& Program::layers() const { return impl_->layer_names; }
const std::string& Program::hash() const { return impl_->hash; }
const std::vector<std::string>& Program::switch_names() const { return impl_->switch_names; }
std::unique_ptr<SwitchBoard> Program::make_switchboard() const { return std::make_unique<SwitchBoard>(impl_->switch_names); }
std::size_t Program::compiled_bytes() const { return impl_->data.bytes(); }

SwitchBoard::SwitchBoard(std::vector<std::string> names)
    : names_(std::move(names)), size_(names_.size()), bits_(new std::atomic<bool>[names_.size() ? names_.size() : 1]) {
  for (std::size_t i = 0; i < size_; ++i) bits_[i].store(false);
}

std::int64_t SwitchBoard::index_of(std::string_view name) const {
  // The one resolver: an ambiguous plain name names no switch.
  std::int64_t i = eval::resolve_switch(names_, name);
  return i < 0 ? -1 : i;
}

bool SwitchBoard::trip(std::string_view name) {
  std::int64_t i = index_of(name);
  if (i < 0) return false;
  bits_[static_cast<std::size_t>(i)].store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

bool SwitchBoard::reset(std::string_view name) {
  std::int64_t i = index_of(name);
  if (i < 0) return false;
  bits_[static_cast<std::size_t>(i)].store(false, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

bool SwitchBoard::tripped(std::string_view name) const {
  std::int64_t i = index_of(name);
  return i >= 0 && tripped(static_cast<std::size_t>(i));
}

}  // namespace redline
