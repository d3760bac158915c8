// The SQLite CaseStore: idempotent opening, actions committed with the new
// state or not at all, refusals that change nothing, listing by role and
// state, persistence across reopening, and many connections acting on one
// case at once settling to one outcome.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "audit/audit_support.h"
#include "cases/case_store.h"

using namespace redline;
using namespace redline::cases;
using namespace redline::testing;

namespace {

NewCase sample(std::string request_id = "chg-1", std::vector<std::string> roles = {"cdao", "lawyer"}) {
  NewCase n;
  n.request_id = request_id;
  n.request_digest = "sha256:" + std::string(64, 'a');
  n.requester = "u1";
  n.request = R"({"purpose":"intel.bulk"})";
  n.policy = "sha256:" + std::string(64, 'b');
  n.outcome = "require_approval";
  n.decision = R"({"decision":"require_approval"})";
  n.at = "2026-11-23T10:00:00Z";
  n.roles = std::move(roles);
  return n;
}

CaseAction action(std::string by, std::string role, std::string verdict = "approve") {
  return {std::move(by), std::move(role), std::move(verdict), "ok", "2026-11-23T10:05:00Z", "[]"};
}

/// A Decider that closes the case once `quorum` approvals are in (any deny closes it as deny).
Decider quorum(std::size_t n) {
  return [n](const Case& c, CaseAction& a, Recomputed& out, Refusal&) {
    std::size_t approvals = a.verdict == "approve" ? 1 : 0;
    bool denied = a.verdict == "deny";
    for (const CaseAction& x : c.actions) {
      if (x.verdict == "approve") ++approvals;
      if (x.verdict == "deny") denied = true;
    }
    a.targets = R"(["r"])";
    out.final = denied || approvals >= n;
    out.outcome = denied ? "deny" : out.final ? "allow" : "require_approval";
    out.decision = "{\"decision\":\"" + out.outcome + "\"}";
    out.roles = c.roles;
    return true;
  };
}

}  // namespace

TEST_CASE("case ids: derived from request id and digest, and recognised") {
  std::string a = case_id_for("chg-1", "sha256:aa"), b = case_id_for("chg-1", "sha256:ab"), c = case_id_for("chg-2", "sha256:aa");
  CHECK(a == case_id_for("chg-1", "sha256:aa"));
  CHECK(a != b);
  CHECK(a != c);
  CHECK(case_id_for("a", "bsha") != case_id_for("ab", "sha"));   // the id's length is part of what is hashed
  CHECK(valid_case_id(a));
  CHECK(a.size() == 34);
  CHECK_FALSE(valid_case_id(""));
  CHECK_FALSE(valid_case_id("c-" + std::string(32, 'G')));
  CHECK_FALSE(valid_case_id("x-" + std::string(32, 'a')));
  CHECK_FALSE(valid_case_id(a + "0"));
  CHECK_FALSE(valid_case_id("c-" + std::string(31, 'a') + "/"));
}

TEST_CASE("case store: the same request opens one case; another request another") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE_MESSAGE(store, error);
  Case c1, c2, c3;
  bool created = false;
  REQUIRE(store->open_case(sample(), c1, created, error));
  CHECK(created);
  CHECK(c1.id == case_id_for("chg-1", sample().request_digest));
  CHECK(c1.state == CaseState::open);
  REQUIRE(store->open_case(sample(), c2, created, error));
  CHECK_FALSE(created);
  CHECK(c2.id == c1.id);
  CHECK(c2.roles == std::vector<std::string>{"cdao", "lawyer"});
  REQUIRE(store->open_case(sample("chg-2"), c3, created, error));
  CHECK(created);
  CHECK(c3.id != c1.id);

  Case got;
  CHECK(store->get(c1.id, got, error) == Found::yes);
  CHECK(got.request == sample().request);
  CHECK(got.requester == "u1");
  CHECK(got.version == 1);
  CHECK(store->get(case_id_for("nope", "x"), got, error) == Found::no);
}

TEST_CASE("case store: actions commit with the new state; refusals and repeats change nothing") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(store);
  Case c;
  bool created;
  REQUIRE(store->open_case(sample(), c, created, error));

  ActResult r1 = store->act(c.id, action("l1", "lawyer"), quorum(2));
  REQUIRE(r1.status == ActStatus::done);
  CHECK(r1.after.state == CaseState::open);
  CHECK(r1.after.actions.size() == 1);
  CHECK(r1.after.actions[0].targets == R"(["r"])");
  CHECK(r1.after.version == 2);

  // The same person again: refused, nothing changes.
  ActResult again = store->act(c.id, action("l1", "cdao"), quorum(2));
  CHECK(again.status == ActStatus::already_acted);
  // A Decider that refuses: nothing is written.
  ActResult refused = store->act(c.id, action("x9", "lawyer"), [](const Case&, CaseAction&, Recomputed&, Refusal& why) {
    why = {403, "RLxxxx", "no"};
    return false;
  });
  CHECK(refused.status == ActStatus::refused);
  CHECK(refused.refusal.status == 403);
  Case now;
  REQUIRE(store->get(c.id, now, error) == Found::yes);
  CHECK(now.actions.size() == 1);
  CHECK(now.version == 2);

  ActResult r2 = store->act(c.id, action("c1", "cdao"), quorum(2));
  REQUIRE(r2.status == ActStatus::done);
  CHECK(r2.after.state == CaseState::decided);
  CHECK(r2.after.outcome == "allow");
  CHECK(r2.after.roles.empty());
  // Closed: a third approver is refused, and the case stays as it was.
  CHECK(store->act(c.id, action("z3", "lawyer"), quorum(2)).status == ActStatus::closed);
  CHECK(store->act(case_id_for("none", "x"), action("z3", "lawyer"), quorum(2)).status == ActStatus::unknown_case);

  // Reopened from the file: the same case.
  store.reset();
  auto again_store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(again_store);
  REQUIRE(again_store->get(c.id, now, error) == Found::yes);
  CHECK(now.state == CaseState::decided);
  CHECK(now.outcome == "allow");
  REQUIRE(now.actions.size() == 2);
  CHECK(now.actions[0].by == "l1");
  CHECK(now.actions[1].by == "c1");
  CHECK(now.actions[1].comment == "ok");
  bool created2 = true;
  Case same;
  REQUIRE(again_store->open_case(sample(), same, created2, error));
  CHECK_FALSE(created2);
  CHECK(same.state == CaseState::decided);
}

TEST_CASE("case store: listing by role and state, paged by id") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(store);
  Case c;
  bool created;
  for (int i = 0; i < 5; ++i) REQUIRE(store->open_case(sample("a" + std::to_string(i), {"lawyer"}), c, created, error));
  for (int i = 0; i < 3; ++i) REQUIRE(store->open_case(sample("b" + std::to_string(i), {"cdao"}), c, created, error));
  std::vector<Case> out;
  CaseQuery q;
  q.roles = {"lawyer"};
  REQUIRE(store->list(q, out, error));
  CHECK(out.size() == 5);
  for (const Case& x : out) CHECK(x.roles == std::vector<std::string>{"lawyer"});
  q.roles = {"lawyer", "cdao"};
  REQUIRE(store->list(q, out, error));
  CHECK(out.size() == 8);
  q.limit = 3;
  REQUIRE(store->list(q, out, error));
  REQUIRE(out.size() == 3);
  q.after = out.back().id;
  std::vector<Case> page2;
  REQUIRE(store->list(q, page2, error));
  REQUIRE(page2.size() == 3);
  CHECK(page2.front().id > out.back().id);
  // A decided case leaves the open list.
  std::string closing = page2.front().id;
  REQUIRE(store->act(closing, action("d1", page2.front().roles[0], "deny"), quorum(1)).status == ActStatus::done);
  q = CaseQuery{};
  REQUIRE(store->list(q, out, error));
  CHECK(out.size() == 7);
  q.state = "decided";
  REQUIRE(store->list(q, out, error));
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == closing);
  CHECK(out[0].outcome == "deny");
  q.roles = {"nobody"};
  q.state = "";
  REQUIRE(store->list(q, out, error));
  CHECK(out.empty());
}

TEST_CASE("case store: many connections approving one case settle to one outcome, decided once") {
  TempDir tmp;
  std::string error;
  std::string path = tmp / "cases.db";
  Case c;
  {
    auto store = open_sqlite_case_store(path, error);
    REQUIRE(store);
    bool created;
    REQUIRE(store->open_case(sample(), c, created, error));
  }
  constexpr int kThreads = 16;
  std::atomic<int> done{0}, closed{0}, decided_here{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::string e;
      auto store = open_sqlite_case_store(path, e);   // its own connection, as another process would have
      if (!store) return void(++failed);
      // Half approve, half deny: whichever commits first decides (quorum 1).
      ActResult r = store->act(c.id, action("p" + std::to_string(t), "lawyer", t % 2 ? "approve" : "deny"), quorum(1));
      if (r.status == ActStatus::done) {
        ++done;
        if (r.after.state == CaseState::decided) ++decided_here;
      } else if (r.status == ActStatus::closed) {
        ++closed;
      } else {
        ++failed;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(done == 1);
  CHECK(decided_here == 1);
  CHECK(closed == kThreads - 1);
  auto store = open_sqlite_case_store(path, error);
  REQUIRE(store);
  Case after;
  REQUIRE(store->get(c.id, after, error) == Found::yes);
  CHECK(after.state == CaseState::decided);
  REQUIRE(after.actions.size() == 1);
  CHECK(after.outcome == (after.actions[0].verdict == "approve" ? "allow" : "deny"));
  CHECK(after.version == 2);
}

TEST_CASE("case store: many threads sharing one store and a quorum of all collect every approval exactly once") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(store);
  Case c;
  bool created;
  REQUIRE(store->open_case(sample(), c, created, error));
  constexpr int kThreads = 12;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // Each person tries twice; only the first counts.
      for (int k = 0; k < 2; ++k)
        if (store->act(c.id, action("p" + std::to_string(t), "lawyer"), quorum(kThreads)).status == ActStatus::done) ++done;
    });
  for (auto& t : threads) t.join();
  CHECK(done == kThreads);
  Case after;
  REQUIRE(store->get(c.id, after, error) == Found::yes);
  CHECK(after.actions.size() == kThreads);
  CHECK(after.state == CaseState::decided);
  CHECK(after.outcome == "allow");
}

TEST_CASE("case store: an unwritable path is an error, not a crash") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "no-such-dir/cases.db", error);
  CHECK_FALSE(store);
  CHECK(error.find("cannot open the case store") != std::string::npos);
}

TEST_CASE("case store: the journal writes a change's records before it commits; a failed journal commits nothing") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(store);
  std::vector<std::vector<std::string>> calls;
  bool journal_fails = false;
  store->set_journal([&](std::vector<std::string>& records, std::string& e) {
    if (journal_fails) return e = "disk full", false;
    calls.push_back(records);
    return true;
  });
  NewCase n = sample();
  n.records = {"opened-record"};
  Case c;
  bool created = false;
  REQUIRE(store->open_case(n, c, created, error));
  CHECK(created);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0] == std::vector<std::string>{"opened-record"});
  // Opening it again creates nothing, so writes no record.
  REQUIRE(store->open_case(n, c, created, error));
  CHECK_FALSE(created);
  CHECK(calls.size() == 1);

  auto with_records = [](const Case& cur, CaseAction& a, Recomputed& out, Refusal& why) {
    if (!quorum(2)(cur, a, out, why)) return false;
    out.records = {"decision-of-" + a.by, "approved-by-" + a.by};
    return true;
  };
  // A refused action writes no record.
  ActResult refused = store->act(c.id, action("x9", "lawyer"), [](const Case&, CaseAction&, Recomputed& out, Refusal& why) {
    out.records = {"must-not-appear"};
    why = {403, "RLxxxx", "no"};
    return false;
  });
  CHECK(refused.status == ActStatus::refused);
  CHECK(calls.size() == 1);

  // The journal fails: the action is not committed, and says why.
  journal_fails = true;
  ActResult failed = store->act(c.id, action("l1", "lawyer"), with_records);
  CHECK(failed.status == ActStatus::failed);
  CHECK(failed.error.find("disk full") != std::string::npos);
  Case now;
  REQUIRE(store->get(c.id, now, error) == Found::yes);
  CHECK(now.actions.empty());
  CHECK(now.version == 1);
  // A case whose opening could not be journalled does not exist.
  bool made = true;
  Case other;
  NewCase n2 = sample("chg-2");
  n2.records = {"opened-2"};
  CHECK_FALSE(store->open_case(n2, other, made, error));
  CHECK(error.find("disk full") != std::string::npos);
  CHECK_FALSE(made);
  CHECK(store->get(case_id_for("chg-2", sample().request_digest), other, error) == Found::no);

  // It works again: the same action commits, with its records.
  journal_fails = false;
  ActResult ok = store->act(c.id, action("l1", "lawyer"), with_records);
  REQUIRE(ok.status == ActStatus::done);
  REQUIRE(calls.size() == 2);
  CHECK(calls[1] == std::vector<std::string>{"decision-of-l1", "approved-by-l1"});
}

TEST_CASE("case store: changes submitted together commit together, each kept or refused on its own") {
  TempDir tmp;
  std::string error;
  auto store = open_sqlite_case_store(tmp / "cases.db", error);
  REQUIRE(store);
  std::mutex mu;
  std::vector<std::vector<std::string>> calls;
  store->set_journal([&](std::vector<std::string>& records, std::string&) {
    std::lock_guard lk(mu);
    calls.push_back(records);
    return true;
  });
  Case a, b;
  bool created;
  REQUIRE(store->open_case(sample("chg-a"), a, created, error));
  REQUIRE(store->open_case(sample("chg-b"), b, created, error));
  calls.clear();

  // The first action holds the transaction until the others are queued
  // behind it; they then commit as one batch: one journal call.
  std::atomic<bool> release{false};
  std::atomic<int> queued{0};
  std::thread first([&] {
    store->act(a.id, action("l1", "lawyer"), [&](const Case& cur, CaseAction& x, Recomputed& out, Refusal& why) {
      while (!release) std::this_thread::yield();
      quorum(2)(cur, x, out, why);
      out.records = {"first"};
      return true;
    });
  });
  // Let the first take the lead and enter its transaction.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ActResult kept, refused;
  std::thread t2([&] {
    ++queued;
    kept = store->act(b.id, action("l2", "lawyer"), [](const Case& cur, CaseAction& x, Recomputed& out, Refusal& why) {
      quorum(2)(cur, x, out, why);
      out.records = {"kept"};
      return true;
    });
  });
  std::thread t3([&] {
    ++queued;
    refused = store->act(b.id, action("l3", "lawyer"), [](const Case&, CaseAction&, Recomputed& out, Refusal& why) {
      out.records = {"refused"};
      why = {403, "RLxxxx", "no"};
      return false;
    });
  });
  ActResult also;
  std::thread t4([&] {
    ++queued;
    also = store->act(b.id, action("l4", "lawyer"), [](const Case& cur, CaseAction& x, Recomputed& out, Refusal& why) {
      quorum(2)(cur, x, out, why);
      out.records = {"also"};
      return true;
    });
  });
  while (queued < 3) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));   // both are waiting in the queue
  release = true;
  first.join(), t2.join(), t3.join(), t4.join();
  CHECK(kept.status == ActStatus::done);
  CHECK(also.status == ActStatus::done);
  CHECK(refused.status == ActStatus::refused);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == std::vector<std::string>{"first"});
  // The second batch held both queued actions: the refused one rolled back
  // to its savepoint and left no record; the kept one committed.
  std::vector<std::string> second = calls[1];
  std::sort(second.begin(), second.end());
  CHECK(second == std::vector<std::string>{"also", "kept"});
  Case nb;
  REQUIRE(store->get(b.id, nb, error) == Found::yes);
  REQUIRE(nb.actions.size() == 2);
  CHECK(nb.state == CaseState::decided);
}
