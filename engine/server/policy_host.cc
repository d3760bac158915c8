// server/policy_host.cc — see policy_host.h.
#include "server/policy_host.h"

#include <sys/stat.h>

#include <algorithm>

#include "flat/program_impl.h"
#include "killswitch/switch_state.h"
#include "server/log.h"

namespace redline::server {

PolicyVersion::~PolicyVersion() = default;

FileStamp stamp_file(const std::string& path) {
  FileStamp s;
  s.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.size = static_cast<std::int64_t>(st.st_size);
  s.inode = static_cast<std::int64_t>(st.st_ino);
  return s;
}

PolicyHost::PolicyHost(std::vector<std::string> files, CompileOptions options)
    : files_(std::move(files)), options_(std::move(options)), runtime_(std::make_unique<runtime::Runtime>()) {}

PolicyHost::~PolicyHost() {
  std::lock_guard lk(mu_);
  current_.reset();   // stop the switch watchers before the log goes
}

bool PolicyHost::open_state(const std::string& dir, std::string& error, audit::LogOptions log_options) {
  runtime::RuntimeOptions ro{strict_, mask_, options_.stdlib_root, std::move(log_options), {}};
  ro.on_switch_error = [](const std::string& e) {
    log_event("error", "switch_state_mismatch", {{"reason", e}, {"effect", "switches stay tripped"}});
  };
  auto rt = runtime::Runtime::open(dir, ro, error);
  if (!rt) return false;
  runtime_ = std::move(rt);
  cases_ = cases::open_sqlite_case_store(runtime_->state().path() + "/cases.db", error);
  if (!cases_) return false;
  // A case's change commits only once its audit records are durable, under
  // one checkpoint for all the changes committed together.
  cases_->set_journal([log = &runtime_->log()](std::vector<std::string>& records, std::string& e) {
    auto r = log->append_durable(std::move(records), true);
    if (!r.ok()) e = r.error;
    return r.ok();
  });
  if (!runtime_->open_report().empty()) log_event("warning", "audit_log_opened", {{"note", runtime_->open_report()}});
  return true;
}

ReloadReport PolicyHost::reload(const std::string& trigger) {
  std::lock_guard reload_lock(reload_mu_);
  ReloadReport rep;
  rep.at = state::now_rfc3339();
  rep.trigger = trigger;
  // Stamp before compiling: a change made while compiling is seen next time.
  std::vector<FileStamp> before;
  for (const auto& f : files_) before.push_back(stamp_file(f));
  if (!keys_path_.empty()) before.push_back(stamp_file(keys_path_));
  CompileResult r = compile_files(files_, options_);
  auto fail = [&](std::string message) {
    rep.ok = false;
    rep.message = std::move(message);
    rep.generation = generation();
    log_event("error", "policy_refused", {{"trigger", trigger}, {"reason", rep.message}});
    std::lock_guard lk(mu_);
    last_ = rep;
    // What was just refused counts as seen: only a further edit retries.
    for (FileStamp& w : watched_) w = stamp_file(w.path);
    for (const FileStamp& b : before)
      if (std::find(watched_.begin(), watched_.end(), b) == watched_.end()) watched_.push_back(b);
    return rep;
  };
  if (!r.ok()) return fail(r.diagnostics.render());
  auto v = std::make_shared<PolicyVersion>();
  v->program = r.program;
  v->board = r.program->make_switchboard();
  v->loaded_at = rep.at;
  // Every source file (imports and stdlib included), so editing any of them reloads.
  const auto& sources = ProgramAccess::impl(*r.program).frontend->sources;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string& path = sources.file(static_cast<std::uint32_t>(i)).path();
    bool given = false;
    for (std::size_t k = 0; k < files_.size(); ++k)
      if (files_[k] == path) v->files.push_back(before[k]), given = true;
    if (!given) v->files.push_back(stamp_file(sources.file(static_cast<std::uint32_t>(i)).canonical()));
  }
  std::string error;
  ApprovalOptions approvals;
  approvals.require_signed = require_signed_;
  if (!keys_path_.empty()) {
    approvals.keys = ApproverKeys::load(keys_path_, error);
    if (!approvals.keys) return fail("cannot use the approver keys `" + keys_path_ + "`: " + error);
    v->files.push_back(before.back());   // editing the keys file reloads too
  }
  // The runtime governs the new version: keys stored, policy stored and its
  // load logged, persisted switches applied to the board before it serves.
  // A tripped switch stays until an owner resets it: a version that drops it is refused.
  if (has_state())
    for (const std::string& name : killswitch::reload_drops_tripped(runtime_->log(), *r.program))
      return fail("the new policy drops kill switch `" + name + "`, which is tripped; an owner must reset it first");
  if (!runtime_->judge(approvals, v->judging, error)) return fail("cannot store the approver keys: " + error);
  if (!runtime_->load_policy(*r.program, error)) return fail(error);
  if (has_state()) {
    v->watcher = runtime_->watch(*v->board, error);
    if (!error.empty()) log_event("error", "switch_state_unreadable", {{"reason", error}, {"effect", "every switch tripped"}});
  } else if (auto old = current()) {
    // In-memory switches survive a reload, by name.
    for (const auto& name : v->board->names())
      if (old->board->tripped(name)) v->board->trip(name);
  }
  std::lock_guard lk(mu_);
  v->generation = generation_.load() + 1;
  watched_ = v->files;
  current_ = std::move(v);
  generation_.store(current_->generation, std::memory_order_release);
  rep.generation = current_->generation;
  last_ = rep;
  log_event("info", "policy_loaded", {{"trigger", trigger}, {"hash", r.program->hash()}, {"generation", std::to_string(rep.generation)}});
  return rep;
}

bool PolicyHost::files_changed() const {
  std::vector<FileStamp> watched;
  {
    std::lock_guard lk(mu_);
    watched = watched_;
  }
  for (const FileStamp& s : watched)
    if (!(stamp_file(s.path) == s)) return true;
  return false;
}

std::shared_ptr<const PolicyVersion> PolicyHost::current() const {
  std::lock_guard lk(mu_);
  return current_;
}

ReloadReport PolicyHost::last_reload() const {
  std::lock_guard lk(mu_);
  return last_;
}

}  // namespace redline::server
