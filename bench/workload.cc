// bench/workload.cc — the generators of bench/workload.h.
#include "workload.h"

#include <algorithm>
#include <sstream>

namespace redline::bench {

PeerVocabulary::PeerVocabulary() {
  for (int i = 0; i < 20; ++i) purposes.push_back((i < 10 ? "purpose_0" : "purpose_") + std::to_string(i));
  roles = {"analyst", "auditor", "engineer", "admin", "contractor", "researcher", "support", "legal"};
  tags = {"us_persons", "pii", "phi", "financial", "minors", "biometric", "location", "health",
          "credit", "eu_persons", "children", "geo", "voice", "face", "ssn", "email"};
  collections = {"bulk", "targeted", "aggregate"};
}

std::vector<PeerRule> peer_rules(std::size_t n) {
  PeerVocabulary v;
  Mulberry32 r(1);
  std::vector<PeerRule> out;
  for (std::size_t i = 0; i < n; ++i) {
    PeerRule rule;
    rule.purpose = r.pick(v.purposes);
    if (r.next() < 0.3) {
      rule.forbid = true;
      rule.tag = r.next() < 0.25 ? std::string("us_persons") : r.pick(v.tags);
      rule.collection = r.pick(v.collections);
    } else {
      rule.roles = r.sample(v.roles, 1 + static_cast<std::size_t>(r.next() * 3));
      rule.max_classification = static_cast<int>(r.next() * 5);
    }
    out.push_back(std::move(rule));
  }
  return out;
}

std::vector<PeerRequest> peer_requests(std::size_t m) {
  PeerVocabulary v;
  Mulberry32 r(2);
  std::vector<PeerRequest> out;
  for (std::size_t i = 0; i < m; ++i) {
    PeerRequest q;
    q.principal = "u" + std::to_string(static_cast<int>(r.next() * 1000));
    q.role = r.pick(v.roles);
    q.resource = "d" + std::to_string(static_cast<int>(r.next() * 1000));
    q.tags = r.sample(v.tags, static_cast<std::size_t>(r.next() * 4));
    q.purpose = r.pick(v.purposes);
    q.collection = r.pick(v.collections);
    q.classification = static_cast<int>(r.next() * 5);
    out.push_back(std::move(q));
  }
  return out;
}

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

std::string peer_policy(const std::vector<PeerRule>& rules) {
  PeerVocabulary v;
  std::ostringstream os;
  os << "purposes {";
  for (const auto& purpose : v.purposes) os << ' ' << purpose;   // purposes are listed without commas
  os << " }\n";
  os << "context {\n  actor.role: enum { " << join(v.roles) << " }\n  data.tags: tags { " << join(v.tags)
     << " }\n  request.collection: enum { " << join(v.collections) << " }\n"
     << "  env.classification: level { l0 < l1 < l2 < l3 < l4 }\n}\n";
  os << "policy \"peers\" {\n  default deny\n";
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const PeerRule& r = rules[i];
    os << "  rule r" << i << ": ";
    if (r.forbid) os << "prohibit " << r.purpose << " when data.tags has " << r.tag << " and request.collection == " << r.collection;
    else os << "permit " << r.purpose << " when actor.role in [" << join(r.roles) << "] and env.classification <= l" << r.max_classification;
    os << ";\n";
  }
  os << "}\n";
  return os.str();
}

std::string peer_request_json(const PeerRequest& r) {
  std::ostringstream os;
  os << R"({"purpose":")" << r.purpose << R"(","actor":{"id":")" << r.principal << R"(","role":")" << r.role
     << R"("},"data":{"id":")" << r.resource << R"(","tags":[)";
  for (std::size_t i = 0; i < r.tags.size(); ++i) os << (i ? "," : "") << '"' << r.tags[i] << '"';
  os << R"(]},"request":{"collection":")" << r.collection << R"("},"env":{"classification":"l)" << r.classification << "\"}}";
  return os.str();
}

bool peer_reference(const std::vector<PeerRule>& rules, const PeerRequest& q) {
  bool permit = false;
  for (const auto& r : rules) {
    if (r.purpose != q.purpose) continue;
    if (r.forbid) {
      if (q.collection == r.collection && std::find(q.tags.begin(), q.tags.end(), r.tag) != q.tags.end()) return false;
    } else if (std::find(r.roles.begin(), r.roles.end(), q.role) != r.roles.end() && q.classification <= r.max_classification) {
      permit = true;
    }
  }
  return permit;
}

namespace {

struct Tree {
  std::vector<std::string> nodes;   // full paths
  std::string text;
};

Tree make_tree() {
  Tree t;
  std::ostringstream os;
  os << "purposes {\n";
  for (int a = 0; a < 6; ++a) {
    std::string pa = "area" + std::to_string(a);
    t.nodes.push_back(pa);
    os << "  " << pa << " {\n";
    for (int b = 0; b < 5; ++b) {
      std::string pb = pa + ".task" + std::to_string(a) + "_" + std::to_string(b);
      t.nodes.push_back(pb);
      os << "    task" << a << "_" << b << " {";
      for (int c = 0; c < 4; ++c) {
        std::string leaf = "op" + std::to_string(a) + "_" + std::to_string(b) + "_" + std::to_string(c);
        t.nodes.push_back(pb + "." + leaf);
        os << " " << leaf;
      }
      os << " }\n";
    }
    os << "  }\n";
  }
  os << "}\n";
  t.text = os.str();
  return t;
}

}  // namespace

std::string tree_policy(std::size_t n, std::uint32_t seed) {
  PeerVocabulary v;
  Tree t = make_tree();
  Mulberry32 r(seed);
  std::ostringstream os;
  os << t.text;
  os << "context {\n  actor.role: enum { " << join(v.roles) << " }\n  actor.kind: enum { human, agent }\n"
     << "  data.tags: tags { " << join(v.tags) << " }\n  request.collection: enum { " << join(v.collections) << " }\n"
     << "  env.classification: level { l0 < l1 < l2 < l3 < l4 }\n  request.volume: int\n  request.age: duration\n}\n";
  os << "policy \"base\" {\n  default allow\n  escalation review { step legal within 4h step admin quorum 2 }\n";
  std::size_t base = n / 4;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == base) os << "}\npolicy \"deployment\" extends \"base\" {\n  default deny\n";
    const std::string& p = r.pick(t.nodes);
    double kind = r.next();
    os << "  rule t" << i << ": ";
    if (i < base) {
      if (kind < 0.5) os << "prohibit " << p << " when data.tags has " << r.pick(v.tags) << " and request.volume > " << static_cast<int>(r.next() * 1000);
      else if (kind < 0.8) os << "escalate " << p << " when data.tags has any [" << r.pick(v.tags) << ", " << r.pick(v.tags) << "] to review";
      else os << "require approval " << p << " by " << r.pick(v.roles) << " when actor.kind == agent";
    } else {
      os << "permit " << p << " when actor.role in [" << join(r.sample(v.roles, 1 + static_cast<std::size_t>(r.next() * 3)))
         << "] and env.classification <= l" << static_cast<int>(r.next() * 5);
      if (r.next() < 0.3) os << " unless request.age > " << 1 + static_cast<int>(r.next() * 48) << "h";
      if (r.next() < 0.2) os << " oblige log_full";
    }
    os << ";\n";
  }
  os << "}\n";
  return os.str();
}

std::vector<std::string> tree_requests(std::size_t m, std::uint32_t seed) {
  PeerVocabulary v;
  Tree t = make_tree();
  Mulberry32 r(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m; ++i) {
    std::ostringstream os;
    os << R"({"purpose":")" << r.pick(t.nodes) << R"(","actor":{"role":")" << r.pick(v.roles) << R"(","kind":")"
       << (r.next() < 0.3 ? "agent" : "human") << R"("},"data":{"tags":[)";
    auto tags = r.sample(v.tags, static_cast<std::size_t>(r.next() * 4));
    for (std::size_t k = 0; k < tags.size(); ++k) os << (k ? "," : "") << '"' << tags[k] << '"';
    os << R"(]},"request":{"collection":")" << r.pick(v.collections) << R"(","volume":)" << static_cast<int>(r.next() * 2000)
       << R"(,"age":")" << static_cast<int>(r.next() * 72) << R"(h"},"env":{"classification":"l)" << static_cast<int>(r.next() * 5) << "\"}}";
    out.push_back(os.str());
  }
  return out;
}

}  // namespace redline::bench
