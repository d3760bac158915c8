// cases/case_store.h — approval cases: a request that a decision paused for
// human review (`require_approval`, `escalate`), the approvers' actions on
// it, and the decision it has now. The narrow CaseStore interface is all the
// service sees, so another backend (a store shared by a fleet of servers)
// can replace the embedded SQLite one (open_sqlite_case_store) without
// touching the service.
//
// A case's id is derived from the request's `request.id` and digest
// (case_id_for), so opening the same request twice finds the same case.
// Acting on a case is one transaction: the store checks the case is open and
// the approver has not acted, then asks the caller's Decider (which decides
// the request again with every approval so far) for the new state, and
// commits the action and that state together — or nothing. The audit
// records of a change are written (by the Journal) before it commits, so a
// committed change is always in the audit log. Concurrent changes may be
// committed together, each under its own savepoint, so that they share one
// audit sync and one database sync; each still succeeds or fails alone
// (unless the commit itself fails, which fails them all). Concurrent
// actions on one case, from threads or processes, are serialised by the
// store, so a case is decided once.
//
// Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace redline::cases {

/// `open` until a decision is final (allow or deny), then `decided`.
enum class CaseState : std::uint8_t { open, decided };
std::string_view to_string(CaseState s);

/// One approver's action on a case.
struct CaseAction {
  std::string by;        ///< the approver's actor id (from their token)
  std::string role;      ///< the role they acted in
  std::string verdict;   ///< "approve" or "deny"
  std::string comment;
  std::string at;        ///< RFC 3339
  std::string targets;   ///< what the action applies to, as the service writes it (JSON)
};

/// A case as stored.
struct Case {
  std::string id;
  std::string request_id;       ///< the request's `request.id` ("" when it has none)
  std::string request_digest;   ///< Request::digest()
  std::string requester;        ///< the request's `actor.id` ("" when it has none)
  std::string request;          ///< the request text as first posted
  std::string policy;           ///< the hash of the policy that opened it
  CaseState state = CaseState::open;
  std::string outcome;          ///< the current decision's outcome
  std::string decision;         ///< the current decision (JSON)
  std::vector<std::string> roles;   ///< the roles that may act now (empty once decided)
  std::string opened_at, updated_at;
  std::uint64_t version = 0;    ///< +1 per change
  std::vector<CaseAction> actions;   ///< in the order they were taken
};

/// What opening a case needs (its id is case_id_for(request_id, request_digest)).
struct NewCase {
  std::string request_id, request_digest, requester, request, policy, outcome, decision, at;
  std::vector<std::string> roles;
  std::vector<std::string> records;   ///< audit records the journal writes with the commit, when the case is created
};

/// The case an act settled on, as the Decider computes it.
struct Recomputed {
  std::string outcome, decision;
  std::vector<std::string> roles;
  bool final = false;   ///< the case closes (state `decided`)
  std::vector<std::string> records;   ///< audit records the journal writes with the commit
};

/// Why the Decider refused an action (the store then changes nothing).
struct Refusal {
  int status = 0;
  std::string code, message;
};

/// Given the case as it stands (inside the transaction) and the new action
/// (whose `targets` it may fill), computes the case's new state; false with
/// `refusal` to refuse the action.
using Decider = std::function<bool(const Case& current, CaseAction& action, Recomputed& out, Refusal& refusal)>;

/// Given the case as it stands (inside the transaction), computes the state
/// time alone has brought it to (a step's deadline passed, the last one
/// expired); false when that changes nothing (the store then writes nothing).
using Refresher = std::function<bool(const Case& current, Recomputed& out)>;

enum class ActStatus : std::uint8_t {
  done,            ///< committed; `after` is the case now
  unknown_case,
  closed,          ///< the case is already decided
  already_acted,   ///< this approver acted on it before
  refused,         ///< the Decider refused (see `refusal`); for refresh: nothing changed
  failed,          ///< the store failed (see `error`); nothing changed
};

struct ActResult {
  ActStatus status = ActStatus::failed;
  Case after;         ///< done: the case after the action; closed/already_acted: as it is
  Refusal refusal;
  std::string error;
};

/// A filter for listing cases.
struct CaseQuery {
  std::vector<std::string> roles;   ///< cases awaiting any of these roles (empty: any)
  std::string state = "open";       ///< "open", "decided" or "" (any)
  std::size_t limit = 100;
  std::string after;                ///< page after this case id ("" from the start)
};

enum class Found : std::uint8_t { yes, no, failed };

/// A webhook delivery of one case event to one URL: the durable outbox row
/// the service writes when the event happens and a background worker POSTs
/// (docs/approvals.md "Notifications"). Times in milliseconds since the Unix
/// epoch (0: none).
struct Delivery {
  std::string id;          ///< "d-" and 32 hex digits; the same event to the same URL has the same id
  std::string case_id;
  std::string event;       ///< "opened", "advanced", "decided", "expired"
  std::string url;
  std::string body;        ///< the JSON POSTed, fixed when the event happened
  std::string state = "pending";   ///< "pending", "delivered" or "failed"
  std::uint32_t attempts = 0;
  int last_status = 0;     ///< the HTTP status of the last attempt (0: none, or no response)
  std::string last_error;  ///< why the last attempt failed ("" when it did not)
  std::int64_t next_attempt_ms = 0;   ///< pending: when it is due
  std::int64_t created_ms = 0, delivered_ms = 0;
};

/// The result of one delivery attempt, as the worker records it.
struct Attempt {
  std::string state;       ///< the delivery's state after it: "pending" (retry), "delivered" or "failed"
  int status = 0;
  std::string error;
  std::int64_t next_attempt_ms = 0;   ///< when `state` is pending
  std::int64_t at_ms = 0;
};

/// Writes the audit records of the changes about to commit, durably; false
/// with `error` when it cannot, and then nothing commits. The store calls
/// it once per commit with the records of every change in it, so changes
/// committed together share one audit sync (group commit).
using Journal = std::function<bool(std::vector<std::string>& records, std::string& error)>;

class CaseStore {
 public:
  virtual ~CaseStore() = default;
  /// Sets the journal (before the store is shared between threads). Without
  /// one, records are dropped.
  virtual void set_journal(Journal journal) = 0;
  /// Opens a case, or finds the one already open for the same request
  /// (`created` says which); false with `error` when the store fails.
  virtual bool open_case(const NewCase& c, Case& out, bool& created, std::string& error) = 0;
  /// The case `id` with its actions.
  virtual Found get(std::string_view id, Case& out, std::string& error) = 0;
  /// Cases matching `q`, by id, without their actions.
  virtual bool list(const CaseQuery& q, std::vector<Case>& out, std::string& error) = 0;
  /// Records `action` on case `id` and its new state, atomically (see the top).
  virtual ActResult act(std::string_view id, CaseAction action, const Decider& decide) = 0;
  /// Re-decides an open case without an action (the scheduler, when a
  /// deadline may have passed) and commits its new state, stamped `at`, when
  /// `refresh` says it changed; in one transaction, like act.
  virtual ActResult refresh(std::string_view id, const Refresher& refresh, const std::string& at) = 0;

  // ---- the webhook outbox ----
  /// Stores new pending deliveries (one already stored with the same id is kept as it is).
  virtual bool enqueue(const std::vector<Delivery>& deliveries, std::string& error) = 0;
  /// Takes up to `limit` pending deliveries due at `now_ms`, oldest due
  /// first, and leases them until `lease_until_ms` (their next_attempt is
  /// moved there, so a worker that dies mid-attempt leaves them to be tried
  /// again, and another worker on the same store does not take them meanwhile).
  virtual bool claim(std::int64_t now_ms, std::int64_t lease_until_ms, std::size_t limit, std::vector<Delivery>& out,
                     std::string& error) = 0;
  /// Records one attempt of delivery `id` (attempts + 1).
  virtual bool record_attempt(std::string_view id, const Attempt& a, std::string& error) = 0;
  /// The deliveries of case `id`, in the order they were enqueued (bodies left out).
  virtual bool deliveries(std::string_view case_id, std::vector<Delivery>& out, std::string& error) = 0;
  /// The earliest next_attempt of a pending delivery, or 0 when none is pending.
  virtual std::int64_t next_due(std::string& error) = 0;
};

/// Opens (creating) the SQLite case store at `path` (WAL mode; its own
/// connection, safe to share between threads); null with `error`.
std::unique_ptr<CaseStore> open_sqlite_case_store(const std::string& path, std::string& error);

/// The case id of a request: "c-" and 32 hex digits of SHA-256 over its
/// `request.id` and digest.
std::string case_id_for(std::string_view request_id, std::string_view request_digest);
/// Whether `id` has the form of a case id.
bool valid_case_id(std::string_view id);

}  // namespace redline::cases
