// cases/sqlite_store.cc — the embedded CaseStore: one SQLite database in the
// state folder (cases.db), WAL journal, synchronous=FULL (a committed action
// survives kill -9 and power loss), a busy timeout so connections of other
// threads or processes wait for each other instead of failing. Every change
// runs in a BEGIN IMMEDIATE transaction: the write lock is taken before the
// case is read, so two approvers of one case are serialised and the second
// sees the first's action (and a closed case, when it closed it). Changes
// submitted at the same time commit together (group commit, see Job), each
// under its own savepoint. Statements are prepared once per connection and
// reused (StmtCache).
#include <sqlite3.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "cases/case_store.h"
#include "crypto/sha256.h"

namespace redline::cases {

std::string_view to_string(CaseState s) { return s == CaseState::open ? "open" : "decided"; }

std::string case_id_for(std::string_view request_id, std::string_view request_digest) {
  crypto::Sha256 h;
  std::string len = std::to_string(request_id.size()) + ":";
  h.update("redline-case-v1\n").update(len).update(request_id).update("\n").update(request_digest);
  crypto::Sha256Digest d = h.final();
  return "c-" + crypto::to_hex(std::span(d.data(), 16));
}

bool valid_case_id(std::string_view id) {
  if (id.size() != 34 || id.substr(0, 2) != "c-") return false;
  for (char c : id.substr(2))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

namespace {

const char* kSchema =
    "CREATE TABLE IF NOT EXISTS cases("
    " id TEXT PRIMARY KEY, request_id TEXT NOT NULL, request_digest TEXT NOT NULL, requester TEXT NOT NULL,"
    " request TEXT NOT NULL, policy TEXT NOT NULL, state TEXT NOT NULL, outcome TEXT NOT NULL, decision TEXT NOT NULL,"
    " opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS case_roles(case_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY(case_id, role));"
    "CREATE INDEX IF NOT EXISTS case_roles_by_role ON case_roles(role, case_id);"
    "CREATE INDEX IF NOT EXISTS cases_by_state ON cases(state, id);"
    "CREATE TABLE IF NOT EXISTS case_actions(case_id TEXT NOT NULL, seq INTEGER NOT NULL, by TEXT NOT NULL,"
    " role TEXT NOT NULL, verdict TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL, targets TEXT NOT NULL,"
    " PRIMARY KEY(case_id, seq), UNIQUE(case_id, by));"
    // The webhook outbox: one row per (case event, webhook URL).
    "CREATE TABLE IF NOT EXISTS webhook_deliveries(id TEXT PRIMARY KEY, case_id TEXT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL,"
    " body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER NOT NULL, last_error TEXT NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, delivered_ms INTEGER NOT NULL, seq INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries(state, next_attempt_ms);"
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_case ON webhook_deliveries(case_id, seq);";

/// The connection's prepared statements by their SQL text: each is prepared
/// once and reused (preparing dominated listing 100 cases, which loads each
/// case's roles). Used under the store's mutex only; finalised with the store.
using StmtCache = std::unordered_map<std::string, sqlite3_stmt*>;

/// A statement from the cache (prepared on first use), reset at scope exit —
/// which also ends the read it may hold open — with its bindings cleared.
class Stmt {
 public:
  Stmt(sqlite3* db, StmtCache& cache, const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
      sqlite3_stmt* s = nullptr;
      rc_ = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
      if (rc_ != SQLITE_OK) {
        sqlite3_finalize(s);
        return;
      }
      it = cache.emplace(sql, s).first;
    }
    s_ = it->second;
    rc_ = SQLITE_OK;
  }
  ~Stmt() {
    if (s_) sqlite3_reset(s_), sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(s_); }
  std::string text(int i) const {
    const unsigned char* t = sqlite3_column_text(s_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  std::int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

const char* kCaseColumns =
    "SELECT id, request_id, request_digest, requester, request, policy, state, outcome, decision, opened_at, updated_at, version FROM cases";

void read_case(const Stmt& s, Case& c) {
  c.id = s.text(0), c.request_id = s.text(1), c.request_digest = s.text(2), c.requester = s.text(3);
  c.request = s.text(4), c.policy = s.text(5);
  c.state = s.text(6) == "open" ? CaseState::open : CaseState::decided;
  c.outcome = s.text(7), c.decision = s.text(8), c.opened_at = s.text(9), c.updated_at = s.text(10);
  c.version = static_cast<std::uint64_t>(s.integer(11));
  c.roles.clear(), c.actions.clear();
}

class SqliteCaseStore final : public CaseStore {
 public:
  ~SqliteCaseStore() override {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  bool open(const std::string& path, std::string& error) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) return error = "cannot open the case store " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)), false;
    sqlite3_busy_timeout(db_, 5000);   // as the audit log waits for its lock
    if (!exec("PRAGMA journal_mode=WAL", error) || !exec("PRAGMA synchronous=FULL", error) || !exec("PRAGMA foreign_keys=ON", error) ||
        !exec(kSchema, error))
      return error = "cannot prepare the case store " + path + ": " + error, false;
    return true;
  }

  void set_journal(Journal journal) override { journal_ = std::move(journal); }

  bool open_case(const NewCase& n, Case& out, bool& created, std::string& error) override {
    std::string id = case_id_for(n.request_id, n.request_digest);
    created = false;
    bool ok = false;
    Job job([&](std::vector<std::string>& records) {
      Found f = load(id, out, error);
      if (f == Found::failed) return false;
      if (f == Found::yes) return ok = true;
      Stmt ins(db_, stmts_,
               "INSERT INTO cases(id, request_id, request_digest, requester, request, policy, state, outcome, decision, opened_at,"
               " updated_at, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?9, 1)");
      if (!ins.ok()) return fail(error), false;
      ins.bind(1, id).bind(2, n.request_id).bind(3, n.request_digest).bind(4, n.requester).bind(5, n.request).bind(6, n.policy);
      ins.bind(7, n.outcome).bind(8, n.decision).bind(9, n.at);
      if (ins.step() != SQLITE_DONE) return fail(error), false;
      if (!set_roles(id, n.roles, error)) return false;
      records.insert(records.end(), n.records.begin(), n.records.end());
      created = true;
      out = Case{id, n.request_id, n.request_digest, n.requester, n.request, n.policy, CaseState::open, n.outcome, n.decision, n.roles,
                 n.at, n.at, 1, {}};
      return ok = true;
    });
    submit(job);
    if (!job.committed) {
      if (ok) error = job.error;
      created = false;
      return false;
    }
    return ok;
  }

  Found get(std::string_view id, Case& out, std::string& error) override {
    std::lock_guard lock(mu_);
    if (!exec("BEGIN", error)) return Found::failed;   // one snapshot: the case, its roles and actions agree
    Found f = load(id, out, error);
    std::string ignored;
    exec("COMMIT", ignored);
    return f;
  }

  bool list(const CaseQuery& q, std::vector<Case>& out, std::string& error) override {
    std::lock_guard lock(mu_);
    out.clear();
    std::string sql = std::string(kCaseColumns) + " WHERE id > ?1";
    if (!q.state.empty()) sql += " AND state = ?2";
    if (!q.roles.empty()) {
      sql += " AND id IN (SELECT case_id FROM case_roles WHERE role IN (";
      for (std::size_t i = 0; i < q.roles.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(i + 4);
      sql += "))";
    }
    sql += " ORDER BY id LIMIT ?3";
    if (!exec("BEGIN", error)) return false;
    Stmt s(db_, stmts_, sql);
    if (!s.ok()) return fail(error), rollback(), false;
    s.bind(1, q.after).bind(3, static_cast<std::int64_t>(q.limit));
    if (!q.state.empty()) s.bind(2, q.state);
    for (std::size_t i = 0; i < q.roles.size(); ++i) s.bind(static_cast<int>(i + 4), q.roles[i]);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      out.emplace_back();
      read_case(s, out.back());
    }
    if (rc != SQLITE_DONE) return fail(error), rollback(), false;
    for (Case& c : out)
      if (!load_roles(c, error)) return rollback(), false;
    std::string ignored;
    exec("COMMIT", ignored);
    return true;
  }

  ActResult act(std::string_view id, CaseAction action, const Decider& decide) override {
    ActResult r;
    Job job([&](std::vector<std::string>& records) {
      Case c;
      if (!load_open(id, c, r)) return false;
      for (const CaseAction& a : c.actions)
        if (a.by == action.by) return r.after = std::move(c), r.status = ActStatus::already_acted, false;
      CaseAction taken = action;
      Recomputed next;
      if (!decide(c, taken, next, r.refusal)) return r.after = std::move(c), r.status = ActStatus::refused, false;
      Stmt ins(db_, stmts_, "INSERT INTO case_actions(case_id, seq, by, role, verdict, comment, at, targets) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      if (!ins.ok()) return fail(r.error), false;
      ins.bind(1, c.id).bind(2, static_cast<std::int64_t>(c.actions.size() + 1)).bind(3, taken.by).bind(4, taken.role);
      ins.bind(5, taken.verdict).bind(6, taken.comment).bind(7, taken.at).bind(8, taken.targets);
      if (ins.step() != SQLITE_DONE) return fail(r.error), false;
      if (!update(c, next, taken.at, r.error)) return false;
      records.insert(records.end(), std::make_move_iterator(next.records.begin()), std::make_move_iterator(next.records.end()));
      c.actions.push_back(std::move(taken));
      r.after = std::move(c);
      r.status = ActStatus::done;
      return true;
    });
    submit(job);
    return settle(job, r);
  }

  ActResult refresh(std::string_view id, const Refresher& refresh, const std::string& at) override {
    ActResult r;
    Job job([&](std::vector<std::string>& records) {
      Case c;
      if (!load_open(id, c, r)) return false;
      Recomputed next;
      if (!refresh(c, next)) return r.after = std::move(c), r.status = ActStatus::refused, false;
      if (!update(c, next, at, r.error)) return false;
      records.insert(records.end(), std::make_move_iterator(next.records.begin()), std::make_move_iterator(next.records.end()));
      r.after = std::move(c);
      r.status = ActStatus::done;
      return true;
    });
    submit(job);
    return settle(job, r);
  }

  bool enqueue(const std::vector<Delivery>& ds, std::string& error) override {
    std::lock_guard lock(mu_);
    if (ds.empty()) return true;
    if (!exec("BEGIN IMMEDIATE", error)) return false;
    for (const Delivery& d : ds) {
      Stmt ins(db_, stmts_,
               "INSERT OR IGNORE INTO webhook_deliveries(id, case_id, event, url, body, state, attempts, last_status, last_error,"
               " next_attempt_ms, created_ms, delivered_ms, seq)"
               " VALUES(?1, ?2, ?3, ?4, ?5, 'pending', 0, 0, '', ?6, ?7, 0, (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_deliveries))");
      if (!ins.ok()) return fail(error), rollback(), false;
      ins.bind(1, d.id).bind(2, d.case_id).bind(3, d.event).bind(4, d.url).bind(5, d.body).bind(6, d.next_attempt_ms).bind(7, d.created_ms);
      if (ins.step() != SQLITE_DONE) return fail(error), rollback(), false;
    }
    return exec("COMMIT", error) || (rollback(), false);
  }

  bool claim(std::int64_t now_ms, std::int64_t lease_until_ms, std::size_t limit, std::vector<Delivery>& out, std::string& error) override {
    std::lock_guard lock(mu_);
    out.clear();
    if (!exec("BEGIN IMMEDIATE", error)) return false;
    {
      Stmt s(db_, stmts_, (std::string(kDeliveryColumns) +
                   ", body FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, seq LIMIT ?2")
                      .c_str());
      if (!s.ok()) return fail(error), rollback(), false;
      s.bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
      int rc;
      while ((rc = s.step()) == SQLITE_ROW) {
        out.emplace_back();
        read_delivery(s, out.back());
        out.back().body = s.text(11);
      }
      if (rc != SQLITE_DONE) return fail(error), rollback(), false;
    }
    for (Delivery& d : out) {
      Stmt up(db_, stmts_, "UPDATE webhook_deliveries SET next_attempt_ms = ?2 WHERE id = ?1");
      if (!up.ok()) return fail(error), rollback(), false;
      up.bind(1, d.id).bind(2, lease_until_ms);
      if (up.step() != SQLITE_DONE) return fail(error), rollback(), false;
    }
    if (!exec("COMMIT", error)) return rollback(), out.clear(), false;
    return true;
  }

  bool record_attempt(std::string_view id, const Attempt& a, std::string& error) override {
    std::lock_guard lock(mu_);
    Stmt up(db_, stmts_,
            "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + 1, last_status = ?3, last_error = ?4, next_attempt_ms = ?5,"
            " delivered_ms = ?6 WHERE id = ?1 AND state = 'pending'");
    if (!up.ok()) return fail(error), false;
    up.bind(1, id).bind(2, a.state).bind(3, static_cast<std::int64_t>(a.status)).bind(4, a.error);
    up.bind(5, a.state == "pending" ? a.next_attempt_ms : std::int64_t{0}).bind(6, a.state == "delivered" ? a.at_ms : std::int64_t{0});
    if (up.step() != SQLITE_DONE) return fail(error), false;
    return true;
  }

  bool deliveries(std::string_view case_id, std::vector<Delivery>& out, std::string& error) override {
    std::lock_guard lock(mu_);
    out.clear();
    Stmt s(db_, stmts_, (std::string(kDeliveryColumns) + " FROM webhook_deliveries WHERE case_id = ?1 ORDER BY seq").c_str());
    if (!s.ok()) return fail(error), false;
    s.bind(1, case_id);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      out.emplace_back();
      read_delivery(s, out.back());
    }
    if (rc != SQLITE_DONE) return fail(error), out.clear(), false;
    return true;
  }

  std::int64_t next_due(std::string& error) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, stmts_, "SELECT MIN(next_attempt_ms) FROM webhook_deliveries WHERE state = 'pending'");
    if (!s.ok()) return fail(error), 0;
    return s.step() == SQLITE_ROW ? s.integer(0) : 0;
  }

 private:
  static constexpr const char* kDeliveryColumns =
      "SELECT id, case_id, event, url, state, attempts, last_status, last_error, next_attempt_ms, created_ms, delivered_ms";
  static void read_delivery(const Stmt& s, Delivery& d) {
    d.id = s.text(0), d.case_id = s.text(1), d.event = s.text(2), d.url = s.text(3), d.state = s.text(4);
    d.attempts = static_cast<std::uint32_t>(s.integer(5));
    d.last_status = static_cast<int>(s.integer(6));
    d.last_error = s.text(7);
    d.next_attempt_ms = s.integer(8), d.created_ms = s.integer(9), d.delivered_ms = s.integer(10);
  }

  // ---- group commit ----
  // A change is a Job: its body runs inside a transaction under a savepoint
  // of its own and returns whether to keep what it did (false: rolled back
  // to the savepoint, the others in the transaction unaffected). Whoever
  // submits while no transaction is running leads: it takes every job
  // queued so far, runs them in one BEGIN IMMEDIATE transaction, has the
  // journal write all their audit records, and commits — one audit sync and
  // one database sync for all of them. The others wait for their job to be
  // done; a job submitted during a commit goes into the next one.
  struct Job {
    explicit Job(std::function<bool(std::vector<std::string>& records)> b) : body(std::move(b)) {}
    std::function<bool(std::vector<std::string>& records)> body;
    bool done = false;
    bool committed = false;   ///< the transaction holding the job committed (or the job kept nothing)
    std::string error;        ///< why it did not
  };

  void submit(Job& job) {
    std::unique_lock lk(queue_mu_);
    queue_.push_back(&job);
    while (!job.done) {
      if (leading_) {
        queue_cv_.wait(lk);
        continue;
      }
      leading_ = true;
      std::vector<Job*> batch;
      batch.swap(queue_);
      lk.unlock();
      run_batch(batch);
      lk.lock();
      leading_ = false;
      for (Job* j : batch) j->done = true;
      queue_cv_.notify_all();
    }
  }

  void run_batch(const std::vector<Job*>& batch) {
    std::lock_guard lock(mu_);
    std::string error;
    auto fail_all = [&](const std::string& why) {
      rollback();
      for (Job* j : batch) j->committed = false, j->error = why;
    };
    if (!exec("BEGIN IMMEDIATE", error)) return fail_all(error);
    std::vector<std::string> records;
    for (Job* j : batch) {
      if (!exec("SAVEPOINT job", error)) return fail_all(error);
      std::vector<std::string> mine;
      bool keep = false;
      try {
        keep = j->body(mine);
      } catch (...) {   // nothing below throws; if it did, the job alone fails
        keep = false;
        j->error = "internal error while changing a case";
      }
      if (!keep && !exec("ROLLBACK TO job", error)) return fail_all(error);
      if (!exec("RELEASE job", error)) return fail_all(error);
      if (keep) records.insert(records.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
    }
    if (!records.empty() && journal_ && !journal_(records, error))
      return fail_all("the audit records cannot be written, so nothing changed: " + error);
    if (!exec("COMMIT", error)) return fail_all(error);
    for (Job* j : batch) j->committed = true;
  }

  // A job's result once its transaction ended: a change that did not commit failed.
  static ActResult settle(Job& job, ActResult& r) {
    if (!job.committed && r.status == ActStatus::done) {
      r.status = ActStatus::failed;
      r.error = job.error;
      r.after = Case{};
    }
    return std::move(r);
  }

  // Reads the case inside the transaction (which holds the write lock, so
  // whoever comes second reads what the first committed); false with `r`
  // saying why when there is no such case, it is closed, or the store failed.
  bool load_open(std::string_view id, Case& c, ActResult& r) {
    Found f = load(id, c, r.error);
    if (f != Found::yes) {
      r.status = f == Found::no ? ActStatus::unknown_case : ActStatus::failed;
      return false;
    }
    if (c.state != CaseState::open) return r.after = std::move(c), r.status = ActStatus::closed, false;
    return true;
  }

  // Writes the case's new state; `c` becomes the case as written.
  bool update(Case& c, Recomputed& next, const std::string& at, std::string& error) {
    CaseState state = next.final ? CaseState::decided : CaseState::open;
    if (next.final) next.roles.clear();
    Stmt up(db_, stmts_, "UPDATE cases SET state = ?2, outcome = ?3, decision = ?4, updated_at = ?5, version = version + 1 WHERE id = ?1");
    if (!up.ok()) return fail(error), false;
    up.bind(1, c.id).bind(2, to_string(state)).bind(3, next.outcome).bind(4, next.decision).bind(5, at);
    if (up.step() != SQLITE_DONE) return fail(error), false;
    if (!set_roles(c.id, next.roles, error)) return false;
    c.state = state, c.outcome = next.outcome, c.decision = next.decision, c.roles = next.roles;
    c.updated_at = at, ++c.version;
    return true;
  }

  bool exec(const char* sql, std::string& error) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK) return true;
    error = msg ? msg : sqlite3_errmsg(db_);
    sqlite3_free(msg);
    return false;
  }
  void rollback() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void fail(std::string& error) { error = sqlite3_errmsg(db_); }

  bool set_roles(const std::string& id, const std::vector<std::string>& roles, std::string& error) {
    Stmt del(db_, stmts_, "DELETE FROM case_roles WHERE case_id = ?1");
    if (!del.ok()) return fail(error), false;
    del.bind(1, id);
    if (del.step() != SQLITE_DONE) return fail(error), false;
    for (const std::string& role : roles) {
      Stmt ins(db_, stmts_, "INSERT OR IGNORE INTO case_roles(case_id, role) VALUES(?1, ?2)");
      if (!ins.ok()) return fail(error), false;
      ins.bind(1, id).bind(2, role);
      if (ins.step() != SQLITE_DONE) return fail(error), false;
    }
    return true;
  }

  bool load_roles(Case& c, std::string& error) {
    Stmt s(db_, stmts_, "SELECT role FROM case_roles WHERE case_id = ?1 ORDER BY role");
    if (!s.ok()) return fail(error), false;
    s.bind(1, c.id);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) c.roles.push_back(s.text(0));
    if (rc != SQLITE_DONE) return fail(error), false;
    return true;
  }

  Found load(std::string_view id, Case& c, std::string& error) {
    Stmt s(db_, stmts_, std::string(kCaseColumns) + " WHERE id = ?1");
    if (!s.ok()) return fail(error), Found::failed;
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return Found::no;
    if (rc != SQLITE_ROW) return fail(error), Found::failed;
    read_case(s, c);
    if (!load_roles(c, error)) return Found::failed;
    Stmt a(db_, stmts_, "SELECT by, role, verdict, comment, at, targets FROM case_actions WHERE case_id = ?1 ORDER BY seq");
    if (!a.ok()) return fail(error), Found::failed;
    a.bind(1, c.id);
    while ((rc = a.step()) == SQLITE_ROW) c.actions.push_back({a.text(0), a.text(1), a.text(2), a.text(3), a.text(4), a.text(5)});
    if (rc != SQLITE_DONE) return fail(error), Found::failed;
    return Found::yes;
  }

  sqlite3* db_ = nullptr;
  std::mutex mu_;   // one transaction at a time on this connection
  Journal journal_;
  std::mutex queue_mu_;   // guards queue_ and leading_
  std::condition_variable queue_cv_;
  std::vector<Job*> queue_;
  bool leading_ = false;
  StmtCache stmts_;   // under mu_
};

}  // namespace

std::unique_ptr<CaseStore> open_sqlite_case_store(const std::string& path, std::string& error) {
  auto s = std::make_unique<SqliteCaseStore>();
  if (!s->open(path, error)) return nullptr;
  return s;
}

}  // namespace redline::cases
