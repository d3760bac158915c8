// server/policy_host.cc — see policy_host.h.
#include "server/policy_host.h"

#include <sys/stat.h>

#include <algorithm>

#include "audit/policy_store.h"
#include "audit/record.h"
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

PolicyHost::PolicyHost(std::vector<std::string> files, CompileOptions options) : files_(std::move(files)), options_(std::move(options)) {}

PolicyHost::~PolicyHost() {
  std::lock_guard lk(mu_);
  current_.reset();   // stop the switch watchers before the log goes
}

bool PolicyHost::open_state(const std::string& dir, std::string& error) {
  auto sd = state::StateDir::open(dir, true);
  if (!sd.ok()) return error = sd.error, false;
  dir_ = std::move(*sd.value);
  for (const auto& m : dir_->mask()) mask_.push_back(m);
  auto log = audit::AuditLog::open(*dir_);
  if (!log.ok()) return error = log.error, false;
  log_ = std::move(*log.value);
  if (!log_->open_report().empty()) log_event("warning", "audit_log_opened", {{"note", log_->open_report()}});
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
  const auto& sources = r.program->impl().frontend->sources;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string& path = sources.file(static_cast<std::uint32_t>(i)).path();
    bool given = false;
    for (std::size_t k = 0; k < files_.size(); ++k)
      if (files_[k] == path) v->files.push_back(before[k]), given = true;
    if (!given) v->files.push_back(stamp_file(sources.file(static_cast<std::uint32_t>(i)).canonical()));
  }
  std::string error;
  v->approvals.require_signed = v->judging.require_signed = require_signed_;
  if (!keys_path_.empty()) {
    v->approvals.keys = ApproverKeys::load(keys_path_, error);
    if (!v->approvals.keys) return fail("cannot use the approver keys `" + keys_path_ + "`: " + error);
    v->files.push_back(before.back());   // editing the keys file reloads too
  }
  if (log_) {
    if (v->approvals.keys) {
      auto name = audit::store_keys(*dir_, *v->approvals.keys, error);
      if (!name) return fail("cannot store the approver keys: " + error);
      v->judging.keys = *name;
    }
    if (!audit::store_policy(*dir_, *r.program, options_.stdlib_root, error)) return fail("cannot store the policy version: " + error);
    auto rec = log_->append_durable(audit::policy_load_record(*r.program, rep.at), true);
    if (!rec.ok()) return fail("cannot log the policy load: " + rec.error);
    // The persisted switches apply to the new board before it serves (fail closed when unreadable).
    v->watcher = killswitch::SwitchWatcher::start(*dir_, *v->board, {}, error);
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
