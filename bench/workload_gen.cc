// bench/workload_gen.cc — writes a workload to files for end-to-end runs:
//   redline_workload_gen peer|tree N M OUT_DIR  →  OUT_DIR/policy.pol, OUT_DIR/requests.jsonl
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "workload.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: redline_workload_gen peer|tree N M OUT_DIR\n";
    return 2;
  }
  std::string kind = argv[1], dir = argv[4];
  auto n = std::strtoul(argv[2], nullptr, 10), m = std::strtoul(argv[3], nullptr, 10);
  std::ofstream pol(dir + "/policy.pol"), req(dir + "/requests.jsonl");
  if (kind == "peer") {
    pol << redline::bench::peer_policy(redline::bench::peer_rules(n));
    for (const auto& q : redline::bench::peer_requests(m)) req << redline::bench::peer_request_json(q) << '\n';
  } else {
    pol << redline::bench::tree_policy(n, 7);
    for (const auto& q : redline::bench::tree_requests(m, 11)) req << q << '\n';
  }
  return pol && req ? 0 : 1;
}
