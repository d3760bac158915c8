// audit/replay.cc — replay_log of audit/replay.h.
#include "audit/replay.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/policy_store.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "crypto/sha256.h"
#include "redline/engine.h"

namespace redline::audit {

ReplayReport replay_log(const state::StateDir& dir, const std::function<void(const std::string&)>& report) {
  ReplayReport r;
  std::map<std::string, std::shared_ptr<const Program>> programs;
  std::map<std::string, std::string> load_errors;
  std::map<std::string, std::shared_ptr<const ApproverKeys>> keys;   // stored approver keys, by name
  std::map<std::string, std::string> key_errors;
  bool read = for_each_record(
      dir,
      [&](std::uint64_t seq, std::string_view payload) {
        if (!record_depth_ok(payload)) {
          // Never written by redline; comparing or printing it would recurse without bound.
          if (payload.starts_with("{\"type\":\"decision\"")) {
            ++r.decisions;
            ++r.unreplayable;
            report("record " + std::to_string(seq) + ": cannot replay: nested deeper than " + std::to_string(kMaxRecordDepth) +
                   " levels, which no record redline writes is");
          }
          return true;
        }
        auto rec = nlohmann::json::parse(payload, nullptr, false);
        if (rec.is_discarded() || !rec.is_object() || rec.value("type", "") != "decision") return true;
        ++r.decisions;
        std::string name = "record " + std::to_string(seq) + ": ";
        std::string hash = rec.value("policy", "");
        if (!programs.count(hash) && !load_errors.count(hash)) {
          std::string error;
          CompileResult c = load_policy(dir, hash, error);
          if (c.ok()) programs[hash] = c.program;
          else load_errors[hash] = error;
        }
        if (!programs.count(hash)) {
          ++r.unreplayable;
          report(name + "cannot replay: " + load_errors[hash]);
          return true;
        }
        ApprovalOptions approvals;
        approvals.require_signed = rec.contains("require_signed") && rec["require_signed"].is_boolean() && rec["require_signed"].get<bool>();
        if (rec.contains("approver_keys")) {
          std::string stored = rec["approver_keys"].is_string() ? rec["approver_keys"].get<std::string>() : "";
          if (!keys.count(stored) && !key_errors.count(stored)) {
            std::string error;
            if (auto k = load_keys(dir, stored, error)) keys[stored] = k;
            else key_errors[stored] = error;
          }
          if (!keys.count(stored)) {
            ++r.unreplayable;
            report(name + "cannot replay: " + key_errors[stored]);
            return true;
          }
          approvals.keys = keys[stored];
        }
        const Program& prog = *programs[hash];
        auto board = prog.make_switchboard();
        if (rec.contains("switches") && rec["switches"].is_array())
          for (const auto& s : rec["switches"])
            if (s.is_string()) board->trip(s.get<std::string>());
        // The request as it came: its exact bytes when they were not UTF-8
        // (request_base64), its text when it was refused at the door, else
        // the JSON document it parsed to.
        std::string request;
        bool is_text = rec.value("request_is_text", false);
        if (is_text && rec.contains("request_base64")) {
          auto bytes = rec["request_base64"].is_string() ? crypto::base64_decode(rec["request_base64"].get<std::string>()) : std::nullopt;
          if (!bytes) {
            ++r.unreplayable;
            report(name + "cannot replay: `request_base64` is not base64");
            return true;
          }
          request.assign(bytes->begin(), bytes->end());
        } else if (is_text && rec["request"].is_string()) {
          request = rec["request"].get<std::string>();
        } else {
          request = rec["request"].dump();
        }
        auto now = nlohmann::json::parse(prog.evaluate_json(request, {.approvals = &approvals, .switches = board.get()}).to_json(), nullptr, false);
        std::string diff;
        for (const char* k : {"decision", "reasons", "obligations", "killed_by", "error"}) {
          nlohmann::json logged = rec.contains(k) ? rec[k] : nlohmann::json();
          nlohmann::json again = now.contains(k) ? now[k] : nlohmann::json();
          if (logged != again) diff += std::string(diff.empty() ? "" : "; ") + k + " now " + again.dump() + ", logged " + logged.dump();
        }
        if (diff.empty()) {
          ++r.same;
        } else if (rec.contains("masked") && rec["masked"].is_array() && !rec["masked"].empty()) {
          ++r.masked;
        } else {
          ++r.differ;
          report(name + diff);
        }
        return true;
      },
      r.error);
  r.ok = read && r.differ == 0 && r.unreplayable == 0;
  return r;
}

}  // namespace redline::audit
