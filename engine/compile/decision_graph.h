// compile/decision_graph.h — lowers a checked model (one layer stack) to the
// decision graph, built with Boost.Graph: a purpose-dispatch root whose edges
// carry purpose sets (purposes numbered in pre-order) to shared rule-set
// nodes ("slots": all purposes with the same candidate rules and kill
// switches share one), and constant leaves where no candidate rule has a
// condition. A rule-set node is evaluated with per-attribute class bitsets
// (see flat/program_data.h); that bounds the graph's size by the number of
// distinct candidate sets instead of the product of attribute domains.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compile/factorize.h"
#include "sema/model.h"

namespace redline::compile {

/// The purposes of one slot and what can decide them.
struct SlotPlan {
  std::vector<std::uint32_t> rules;      ///< global rule ids, in stack order then source order
  std::vector<std::uint32_t> switches;   ///< SwitchBoard indices
  std::vector<std::uint32_t> purposes;   ///< purpose ids dispatched here
  bool conditional = false;              ///< some candidate rule has a condition
};

/// Vertex of the decision graph.
struct VertexInfo {
  enum class Kind : std::uint8_t { Dispatch, RuleSet, Leaf } kind = Kind::Dispatch;
  std::int32_t slot = -1;
};

/// Edge of the decision graph: the purposes it dispatches.
struct EdgeInfo {
  std::vector<std::uint32_t> purposes;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexInfo, EdgeInfo>;

/// The lowered stack: its layers, factored rules, slots and graph.
struct Compiled {
  const sema::Model* model = nullptr;
  std::uint32_t top = 0;                    ///< the deciding (most-derived) layer
  std::vector<std::uint32_t> chain;         ///< root first
  std::vector<std::int32_t> chain_pos;      ///< per model layer: position in chain, or -1
  std::vector<std::uint32_t> switches;      ///< model switch ids in SwitchBoard order
  std::vector<Factored> factored;           ///< per model rule (empty outside the chain)
  CondArena arena;
  std::vector<SlotPlan> slots;
  Graph graph;
  Graph::vertex_descriptor root{};
};

/// Lowers the stack ending at layer `top`.
std::unique_ptr<Compiled> build_graph(const sema::Model& model, std::uint32_t top);

/// The graph as Graphviz DOT (red lines in red).
std::string to_dot(const Compiled& c);
/// The graph as indented text (`redline dump --stage=graph`).
std::string to_text(const Compiled& c);

}  // namespace redline::compile
