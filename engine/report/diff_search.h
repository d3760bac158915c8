// report/diff_search.h — internal to the semantic diff: one version's view
// of a purpose (its verify::Stack slot, Space and Partial), the joint value
// classes of two versions, and the exact search for a request decided less
// or more severely under NEW (see diff_search.cc for the method).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flat/program_impl.h"
#include "verify/search.h"
#include "verify/stack.h"

namespace redline::report {

/// One version's view of one purpose.
struct Side {
  /// The view of `purpose` (a full path; unknown purposes have no slot) under `stack`, `p`'s deciding stack.
  Side(const Program& p, const verify::Stack& stack, const std::string& purpose);
  /// The decisions still possible under the current partial assignment (deny for an unknown purpose).
  verify::Range range() const;
  /// The Space variable of an attribute (and tag), or null when this side does not branch on it.
  const verify::Var* var_for(std::uint32_t attr, verify::Var::Kind kind, std::int64_t tag = 0) const;
  /// The 1-based Space class of an encoded present value.
  std::int32_t class_of(std::uint32_t attr, std::int64_t v) const;
  /// The constants this side's conditions compare an attribute with, as names (enum, level, tags, string).
  std::vector<std::string> names_read(std::uint32_t attr) const;
  /// The same as encoded numbers (int, duration, timestamp, bool).
  std::vector<std::int64_t> numbers_read(std::uint32_t attr) const;

  const Program* prog = nullptr;
  const sema::Model* m = nullptr;
  const verify::Stack* stack = nullptr;
  const verify::Slot* slot = nullptr;
  std::unique_ptr<verify::Space> space;
  std::unique_ptr<verify::Partial> partial;
  std::map<std::uint32_t, std::vector<std::int64_t>> consts;   ///< per attribute read: sorted constants
};

/// One value of a joint variable: its JSON form and each side's encoding.
struct JointValue {
  nlohmann::json json;          ///< null: missing (scalars) / absent (tags) / missing (tags presence)
  std::int64_t enc[2] = {0, 0}; ///< per side: encoded value (scalars), or 0/1
  /// Per side: the side declares the attribute but refuses this value (a tag,
  /// enum value or level it does not have, or a value of another type), so a
  /// request carrying it is a request error there, decided `deny`.
  bool err[2] = {false, false};
};

/// A joint variable over both versions: a scalar attribute path, a tags
/// attribute's presence, or one tag of a tags attribute.
struct JointVar {
  verify::Var::Kind kind = verify::Var::Kind::Scalar;
  std::string path, tag;
  std::int64_t attr[2] = {-1, -1};   ///< per side: attribute id, or -1 when undeclared
  std::int64_t tag_index[2] = {-1, -1};
  std::vector<JointValue> values;    ///< present values first, missing last (Scalar, TagsPresence); absent first (Tag)
};

/// One approval state a request can carry for a rule both versions name:
/// the approvals (JSON array) and whether they satisfy the rule under each version.
struct ApprovalChoice {
  nlohmann::json approvals = nlohmann::json::array();
  bool sat[2] = {false, false};
};

/// The approvals a request may carry for one rule taking approvals in both
/// versions' deciding stacks; value 0 carries none.
struct ApprovalVar {
  std::string rule;                        ///< qualified name
  std::uint32_t id[2] = {0, 0};            ///< per side: model rule id
  std::vector<ApprovalChoice> values;
};

/// A request found by the search, and the same request without the terms
/// each version refuses (equal to `request` when that version knows them all).
struct Found {
  std::string request;
  std::string known_to[2];   ///< per side: `request` minus the values that side refuses
  bool new_terms = false;    ///< the request uses a term (tag, value, type) one version refuses
};

/// Which requests a search covers.
enum class Terms {
  Shared,      ///< only requests both versions accept
  Projected,   ///< also requests with terms one version refuses, judged by that version without those terms
  Strict,      ///< also requests with terms one version refuses, which that version decides `deny`
};

/// Searches the requests for one purpose: is some request decided less
/// severely (broader) or more severely (narrower) under NEW?
class PurposeSearch {
 public:
  PurposeSearch(const Program& old_p, const verify::Stack& old_s, const Program& new_p, const verify::Stack& new_s, const std::string& purpose);
  /// A request decided less (`less`) or more severely under NEW, or nullopt.
  /// Shared: among requests both versions accept. Strict: also requests
  /// using terms only one version has, which the other refuses (`deny`).
  /// Projected: requests the version decided less severely accepts, compared
  /// with the other's decision of the request without the terms it lacks.
  std::optional<Found> find(bool less, Terms terms);

 private:
  void build_vars();
  void add_attr(const std::string& path);
  bool dfs(std::size_t i, bool less);
  void set(const JointVar& v, std::size_t k);
  void unset(const JointVar& v);
  bool skip(std::size_t i) const;
  bool realizable(const JointVar& v, std::size_t k) const;
  std::string request_json(int drop_refused_by = -1) const;
  bool refuses(int side) const;
  bool may_refuse(int side) const;
  verify::Range range(int side) const;
  void build_approvals();
  void set_approval(std::size_t a, std::int32_t k);
  bool confirmed(bool less) const;

  std::string purpose_;
  std::vector<Side> side_;   ///< old, new
  std::vector<JointVar> vars_;
  std::vector<ApprovalVar> avars_;
  std::vector<std::int32_t> achosen_;  ///< per approval var: value index or -1
  std::vector<std::int32_t> chosen_;   ///< per var: value index or -1
  Terms terms_ = Terms::Shared;
};

}  // namespace redline::report
