// tests/unit/eval/random_policy.h — a generator of random valid policies
// (purpose trees, every attribute type, every effect, layers, kill switches,
// nested conditions with not/and/or/unless) and random requests over them
// (attributes present or missing), for differential testing. Its choices come
// from a seeded PRNG (the unit tests) or from the bytes of a fuzz input
// (fuzz/differential.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace redline::testing {

/// Where the generator's choices come from.
class Choices {
 public:
  virtual ~Choices() = default;
  /// A choice in [0, n), n >= 1.
  virtual std::size_t pick(std::size_t n) = 0;
  /// True with probability `p`.
  virtual bool coin(double p) = 0;
  /// A number in [0, 1).
  virtual double unit() = 0;
};

/// Choices drawn from a seeded std::mt19937_64.
class SeededChoices : public Choices {
 public:
  explicit SeededChoices(std::uint64_t seed) : rng_(seed) {}
  std::size_t pick(std::size_t n) override { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool coin(double p) override { return std::bernoulli_distribution(p)(rng_); }
  double unit() override { return std::uniform_real_distribution<double>(0, 1)(rng_); }

 private:
  std::mt19937_64 rng_;
};

/// Generates one random policy text and requests against it.
class RandomPolicy {
 public:
  explicit RandomPolicy(std::uint64_t seed) : owned_(std::make_unique<SeededChoices>(seed)), choices_(*owned_) { build(); }
  /// Draws from `choices`, which must outlive the generator.
  explicit RandomPolicy(Choices& choices) : choices_(choices) { build(); }

  const std::string& text() const { return text_; }
  const std::vector<std::string>& switches() const { return switches_; }
  /// The qualified names of the `require approval` and `escalate` rules.
  const std::vector<std::string>& approval_rules() const { return approval_rules_; }

  /// A random request as JSON text.
  std::string request() {
    std::ostringstream os;
    os << "{\"purpose\":\"" << purposes_[pick(purposes_.size())] << "\"";
    os << ",\"actor\":{";
    bool first = true;
    auto field = [&](const std::string& k, const std::string& v) {
      if (!coin(0.75)) return;
      os << (first ? "" : ",") << "\"" << k << "\":" << v;
      first = false;
    };
    field("role", "\"r" + std::to_string(pick(5)) + "\"");
    field("trusted", coin(0.5) ? "true" : "false");
    os << "},\"env\":{";
    first = true;
    field("lvl", "\"l" + std::to_string(pick(4)) + "\"");
    field("zone", std::string("\"") + (coin(0.4) ? "alpha" : coin(0.5) ? "beta" : "gamma") + "\"");
    os << "},\"request\":{";
    first = true;
    field("count", std::to_string(static_cast<int>(pick(12)) - 2));
    field("age", coin(0.5) ? "\"" + std::to_string(pick(20)) + "m\"" : std::to_string(pick(1500)));
    os << "},\"data\":{";
    first = true;
    if (coin(0.8)) {
      std::string tags = "[";
      for (int t = 0; t < 6; ++t)
        if (coin(0.3)) tags += (tags.size() > 1 ? "," : "") + std::string("\"t") + std::to_string(t) + "\"";
      field("tags", tags + "]");
    }
    os << "}}";
    return os.str();
  }

 private:
  std::unique_ptr<Choices> owned_;
  Choices& choices_;
  std::string text_;
  std::vector<std::string> purposes_, switches_, approval_rules_;

  std::size_t pick(std::size_t n) { return choices_.pick(n); }
  bool coin(double p) { return choices_.coin(p); }

  void tree(std::ostringstream& os, const std::string& prefix, int depth, int& counter) {
    std::size_t kids = depth == 0 ? 2 + pick(2) : depth < 3 ? pick(3) : 0;
    for (std::size_t i = 0; i < kids; ++i) {
      std::string name = "n" + std::to_string(counter++);
      std::string full = prefix.empty() ? name : prefix + "." + name;
      purposes_.push_back(full);
      os << name << " ";
      if (depth < 2 && coin(0.7)) {
        os << "{ ";
        tree(os, full, depth + 1, counter);
        os << "} ";
      }
    }
  }

  std::string value_list(const char* prefix, std::size_t domain, std::size_t max, bool quoted = false) {
    std::size_t n = 1 + pick(max);
    std::string s = "[";
    for (std::size_t i = 0; i < n; ++i) {
      s += i ? ", " : "";
      s += quoted ? "\"" : "";
      s += prefix + std::to_string(pick(domain));
      s += quoted ? "\"" : "";
    }
    return s + "]";
  }

  std::string atom() {
    static const char* kCmp[] = {"==", "!=", "<", "<=", ">", ">="};
    switch (pick(13)) {
      case 0: return std::string("actor.role ") + (coin(0.5) ? "==" : "!=") + " r" + std::to_string(pick(5));
      case 1: return "actor.role in " + value_list("r", 5, 3);
      case 2: return std::string("env.lvl ") + kCmp[pick(6)] + " l" + std::to_string(pick(4));
      case 3: return std::string("request.count ") + kCmp[pick(6)] + " " + std::to_string(static_cast<int>(pick(8)) - 1);
      case 4: return "data.tags has t" + std::to_string(pick(6));
      case 5: return std::string("data.tags has ") + (coin(0.5) ? "any " : "all ") + value_list("t", 6, 3);
      case 6: return std::string("actor.trusted == ") + (coin(0.5) ? "true" : "false");
      case 7: return std::string("env.zone ") + (coin(0.5) ? "==" : "!=") + (coin(0.5) ? " \"alpha\"" : " \"beta\"");
      case 8: return "env.zone in " + value_list("z", 2, 2, true);
      case 9: return std::string("request.age ") + kCmp[pick(6)] + " " + std::to_string(1 + pick(15)) + "m";
      case 10: return std::string(coin(0.5) ? "data.tags" : coin(0.5) ? "actor.role" : "request.count") + (coin(0.5) ? " is present" : " is missing");
      case 11: return coin(0.5) ? "true" : "false";
      default: return "env.lvl in " + value_list("l", 4, 2);
    }
  }

  std::string expr(int depth) {
    if (depth >= 3 || coin(0.4)) return atom();
    switch (pick(3)) {
      case 0: return "not " + (coin(0.5) ? atom() : "(" + expr(depth + 1) + ")");
      case 1: return "(" + expr(depth + 1) + " and " + expr(depth + 1) + ")";
      default: return "(" + expr(depth + 1) + " or " + expr(depth + 1) + ")";
    }
  }

  std::string target() {
    double r = choices_.unit();
    if (r < 0.05) return "*";
    const std::string& p = purposes_[pick(purposes_.size())];
    return r < 0.2 ? p + ".*" : p;
  }

  void layer(std::ostringstream& os, int index, bool last) {
    os << "policy \"L" << index << "\"";
    if (index > 0) os << " extends \"L" << index - 1 << "\"";
    os << " {\n  default " << (coin(0.5) ? "allow" : "deny") << "\n";
    os << "  escalation path" << index << " { step r1 step r2 quorum 2 }\n";
    std::size_t rules = 1 + pick(last ? 25 : 12);
    for (std::size_t i = 0; i < rules; ++i) {
      os << "  rule x" << index << "_" << i << ": ";
      std::size_t effect = pick(6);   // 0-2 permit, 3 prohibit, 4 require approval, 5 escalate
      static const char* kEffects[] = {"permit ", "permit ", "permit ", "prohibit ", "require approval ", "escalate "};
      if (effect >= 4) approval_rules_.push_back("L" + std::to_string(index) + "/x" + std::to_string(index) + "_" + std::to_string(i));
      os << kEffects[effect] << target();
      if (coin(0.2)) os << ", " << target();
      if (effect == 4) os << " by r0";
      if (effect == 5) os << " to path" << index;
      if (coin(0.8)) os << " when " << expr(0);
      if (coin(0.25)) os << " unless " << expr(1);
      if (coin(0.3)) os << " oblige o" << pick(3) << (coin(0.3) ? "(x)" : "");
      os << ";\n";
    }
    if (coin(0.4)) {
      std::string name = "k" + std::to_string(index);
      switches_.push_back(name);
      os << "  kill_switch " << name << " covers " << target() << ";\n";
    }
    os << "}\n";
  }

  void build() {
    std::ostringstream os;
    os << "purposes { ";
    int counter = 0;
    tree(os, "", 0, counter);
    os << "}\n";
    os << "context {\n  actor.role: enum { r0, r1, r2, r3, r4 }\n  actor.trusted: bool\n"
          "  env.lvl: level { l0 < l1 < l2 < l3 }\n  env.zone: string\n  request.count: int\n"
          "  request.age: duration\n  data.tags: tags { t0, t1, t2, t3, t4, t5 }\n}\n";
    int layers = 1 + static_cast<int>(pick(3));
    for (int l = 0; l < layers; ++l) layer(os, l, l == layers - 1);
    text_ = os.str();
  }
};

}  // namespace redline::testing
