// tests/unit/verify/small_policy.h — a seeded generator of random policies
// over small domains (a fixed purpose tree, three or four attributes drawn
// from seven kinds, constants from tiny sets), with layers, kill switches and
// assertions, plus the brute-force enumeration of every request over those
// domains as bound requests, for cross-checking the verifier against the
// reference interpreter.
#pragma once

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eval/bound.h"
#include "flat/program_impl.h"

namespace redline::testing {

/// One attribute kind the generator can use, with the concrete values the
/// brute force tries (these cover every value class the constants create).
struct SmallAttr {
  const char* path;
  const char* decl;
  std::vector<std::int64_t> values;   ///< encoded concrete values ("missing" is tried too)
  bool tags = false;
};

/// The seven attribute kinds; strings are encoded later from the model.
inline const std::vector<SmallAttr>& small_attrs() {
  static const std::vector<SmallAttr> kAttrs = {
      {"actor.role", "enum { r0, r1, r2 }", {0, 1, 2}},
      {"env.lvl", "level { l0 < l1 < l2 }", {0, 1, 2}},
      {"request.n", "int", {-1, 0, 1, 2, 3}},
      {"request.age", "duration", {0, 60, 90, 120, 180}},
      {"env.zone", "string", {0, 1, 2}},   // "x", "y", "zz" (index into {"x","y","zz"})
      {"actor.ok", "bool", {0, 1}},
      {"data.tags", "tags { t0, t1, t2 }", {0, 1, 2, 3, 4, 5, 6, 7}, true},   // bitmasks
  };
  return kAttrs;
}

/// A random small policy.
class SmallPolicy {
 public:
  explicit SmallPolicy(std::uint64_t seed, bool with_asserts = true) : rng_(seed), asserts_(with_asserts) { build(); }
  const std::string& text() const { return text_; }
  /// Indices into small_attrs() of the attributes the policy reads.
  const std::vector<std::size_t>& used() const { return used_; }
  int layers() const { return layers_; }

 private:
  std::mt19937_64 rng_;
  bool asserts_;
  std::string text_;
  std::vector<std::size_t> used_;
  int layers_ = 1;
  const std::vector<std::string> purposes_ = {"p0", "p0.p1", "p0.p2", "p0.p2.p3", "p4", "p4.p5", "p6"};

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::string atom() {
    static const char* kCmp[] = {"==", "!=", "<", "<=", ">", ">="};
    std::size_t a = used_[pick(used_.size())];
    std::string path = small_attrs()[a].path;
    if (coin(0.1)) return path + (coin(0.5) ? " is present" : " is missing");
    switch (a) {
      case 0: return coin(0.7) ? path + (coin(0.5) ? " == r" : " != r") + std::to_string(pick(3)) : path + " in [r" + std::to_string(pick(3)) + ", r" + std::to_string(pick(3)) + "]";
      case 1: return path + " " + kCmp[pick(6)] + " l" + std::to_string(pick(3));
      case 2: return path + " " + kCmp[pick(6)] + " " + std::to_string(pick(3));
      case 3: return path + " " + kCmp[pick(6)] + (coin(0.5) ? " 1m" : " 2m");
      case 4: return coin(0.7) ? path + (coin(0.5) ? " == " : " != ") + (coin(0.5) ? "\"x\"" : "\"y\"") : path + " in [\"x\", \"y\"]";
      case 5: return path + " == " + (coin(0.5) ? "true" : "false");
      default: {
        if (coin(0.6)) return path + " has t" + std::to_string(pick(3));
        return path + (coin(0.5) ? " has any [t" : " has all [t") + std::to_string(pick(3)) + ", t" + std::to_string(pick(3)) + "]";
      }
    }
  }

  std::string expr(int depth) {
    if (depth >= 2 || coin(0.45)) return atom();
    switch (pick(3)) {
      case 0: return "not (" + expr(depth + 1) + ")";
      case 1: return "(" + expr(depth + 1) + " and " + expr(depth + 1) + ")";
      default: return "(" + expr(depth + 1) + " or " + expr(depth + 1) + ")";
    }
  }

  std::string target() {
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < 0.05) return "*";
    const std::string& p = purposes_[pick(purposes_.size())];
    return r < 0.2 ? p + ".*" : p;
  }

  void rule(std::ostringstream& os, int l, std::size_t i) {
    static const char* kEffects[] = {"permit ", "permit ", "permit ", "prohibit ", "prohibit ", "require approval ", "escalate "};
    std::size_t e = pick(7);
    os << "  rule x" << l << "_" << i << ": " << kEffects[e] << target();
    if (coin(0.15)) os << ", " << target();
    if (e == 5) os << " by r0";
    if (e == 6) os << " to path" << l;
    if (coin(0.8)) os << " when " << expr(0);
    if (coin(0.2)) os << " unless " << expr(1);
    os << ";\n";
  }

  void assertion(std::ostringstream& os) {
    static const char* kOutcomes[] = {"allow", "require_approval", "escalate", "deny"};
    os << "  assert " << target();
    if (coin(0.5)) os << " when " << expr(1);
    os << " is " << (coin(0.5) ? "at least " : "") << kOutcomes[pick(4)] << ";\n";
  }

  void build() {
    std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5, 6};
    std::shuffle(all.begin(), all.end(), rng_);
    used_.assign(all.begin(), all.begin() + 3 + static_cast<long>(pick(2)));
    std::ostringstream os;
    os << "purposes { p0 { p1 p2 { p3 } } p4 { p5 } p6 }\ncontext {\n";
    for (const auto& a : small_attrs()) os << "  " << a.path << ": " << a.decl << "\n";
    os << "}\n";
    layers_ = 1 + static_cast<int>(pick(3));
    for (int l = 0; l < layers_; ++l) {
      os << "policy \"L" << l << "\"" << (l ? " extends \"L" + std::to_string(l - 1) + "\"" : "") << " {\n";
      os << "  default " << (coin(0.5) ? "allow" : "deny") << "\n  escalation path" << l << " { step r1 }\n";
      std::size_t rules = 2 + pick(l == layers_ - 1 ? 9 : 6);
      for (std::size_t i = 0; i < rules; ++i) rule(os, l, i);
      if (coin(0.3)) os << "  kill_switch k" << l << " covers " << target() << ";\n";
      if (asserts_)
        for (std::size_t i = 0, n = pick(4); i < n; ++i) assertion(os);
      os << "}\n";
    }
    text_ = os.str();
  }
};

/// Calls `f(const BoundRequest&)` for every request over the used attributes'
/// concrete values (each also missing) for purpose `q`; other attributes are missing.
template <class F>
void for_each_request(const Program& prog, const std::vector<std::size_t>& used, std::uint32_t q, F&& f) {
  const ProgramImpl& impl = ProgramAccess::impl(prog);
  const sema::Model& m = *impl.model;
  BoundRequest b;
  BoundAccess::program(b) = &prog;
  BoundAccess::purpose(b) = static_cast<std::int32_t>(q);
  BoundAccess::values(b).assign(m.schema.attrs.size(), 0);
  BoundAccess::present(b).assign(impl.layout.attr_words, 0);
  BoundAccess::tags(b).assign(impl.layout.words, 0);
  std::vector<std::uint32_t> ids;
  for (std::size_t u : used) ids.push_back(static_cast<std::uint32_t>(m.schema.find(small_attrs()[u].path)));
  const char* zones[] = {"x", "y", "zz"};
  auto rec = [&](auto& self, std::size_t k) -> void {
    if (k == used.size()) {
      f(static_cast<const BoundRequest&>(b));
      return;
    }
    const SmallAttr& a = small_attrs()[used[k]];
    std::uint32_t id = ids[k];
    auto& present = BoundAccess::present(b);
    present[id >> 6] &= ~(std::uint64_t{1} << (id & 63));
    self(self, k + 1);   // missing
    eval::set_bit(present, id);
    for (std::int64_t v : a.values) {
      if (a.tags) BoundAccess::tags(b)[impl.layout.offset[id]] = static_cast<std::uint64_t>(v);
      else if (used[k] == 4) BoundAccess::values(b)[id] = m.find_string(zones[v]);
      else BoundAccess::values(b)[id] = v;
      self(self, k + 1);
    }
    present[id >> 6] &= ~(std::uint64_t{1} << (id & 63));
  };
  rec(rec, 0);
}

}  // namespace redline::testing
