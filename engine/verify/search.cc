// verify/search.cc — the node counter of verify/search.h (the search itself
// is a template in the header).
#include "verify/search.h"

#include <atomic>

namespace redline::verify {
namespace {

std::atomic<std::uint64_t> g_nodes{0};

}  // namespace

std::uint64_t nodes_visited() { return g_nodes.load(std::memory_order_relaxed); }

void count_nodes(std::uint64_t n) { g_nodes.fetch_add(n, std::memory_order_relaxed); }

}  // namespace redline::verify
