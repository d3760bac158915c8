// sema/purpose_tree.cc — the purpose-tree pass: merges every `purposes` block
// of every module and policy into one tree (declaring an existing purpose adds
// children), numbers it in pre-order and builds the suffix index that purpose
// references are resolved against (sema/purpose_refs.cc).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "sema/context.h"

namespace redline::sema {
namespace {

// A purpose while blocks are still being merged (before numbering).
struct Draft {
  std::string name;
  std::string description;
  bool described = false;
  Span span, description_span;
  std::vector<std::size_t> children;                     // indices into Builder::drafts, first-declared first
  std::unordered_map<std::string, std::size_t> by_name;  // child name -> draft index
};

class Builder {
 public:
  explicit Builder(Context& ctx) : ctx_(ctx) { drafts_.push_back({}); }  // drafts_[0]: the invisible root

  // Merges the nodes of one `{ }` list into the children of `parent`.
  void merge(std::size_t parent, const std::vector<ast::PurposeNode>& nodes, const std::string& prefix) {
    std::map<std::string, Span> seen_here;  // RL2023: a name twice in this one list
    for (const auto& node : nodes) {
      const std::string full = prefix.empty() ? node.name.text : prefix + "." + node.name.text;
      if (auto [it, fresh] = seen_here.emplace(node.name.text, node.name.span); !fresh) {
        ctx_.sink.report(diag::Code::DuplicatePurposeChild, node.name.span,
                         "purpose " + diag::quote(full) + " is declared twice in this block",
                         "merge the two declarations into one")
            .notes.push_back("first declared at " + ctx_.where(it->second));
      }
      std::size_t id = child(parent, node);
      if (node.description) describe(id, full, *node.description);
      merge(id, node.children, full);
    }
  }

  // Numbers the merged tree in pre-order into the model.
  void number() {
    PurposeTree& tree = ctx_.model.purposes;
    for (std::size_t root : drafts_[0].children) visit(root, -1, 0, "");
    for (std::uint32_t i = 0; i < tree.nodes.size(); ++i) tree.by_full.emplace(tree.nodes[i].full, i);
  }

 private:
  std::size_t child(std::size_t parent, const ast::PurposeNode& node) {
    if (auto it = drafts_[parent].by_name.find(node.name.text); it != drafts_[parent].by_name.end()) return it->second;
    std::size_t id = drafts_.size();
    Draft d;
    d.name = node.name.text;
    d.span = node.name.span;
    drafts_.push_back(std::move(d));
    drafts_[parent].children.push_back(id);
    drafts_[parent].by_name.emplace(node.name.text, id);
    return id;
  }

  void describe(std::size_t id, const std::string& full, const ast::StringLit& text) {
    Draft& d = drafts_[id];
    if (d.described) {
      ctx_.sink.report(diag::Code::DuplicateDescription, text.span,
                       "purpose " + diag::quote(full) + " is already described",
                       "a purpose's description may be given only once; remove this one")
          .notes.push_back("first described at " + ctx_.where(d.description_span));
      return;
    }
    d.described = true;
    d.description = text.value;
    d.description_span = text.span;
  }

  // INVARIANT: a node's id is assigned before its children's, so ids are pre-order.
  std::uint32_t visit(std::size_t draft, std::int32_t parent, std::uint32_t depth, const std::string& prefix) {
    PurposeTree& tree = ctx_.model.purposes;
    const auto id = static_cast<std::uint32_t>(tree.nodes.size());
    Purpose p;
    p.name = drafts_[draft].name;
    p.full = prefix.empty() ? p.name : prefix + "." + p.name;
    p.description = drafts_[draft].description;
    p.parent = parent;
    p.depth = depth;
    p.span = drafts_[draft].span;
    tree.nodes.push_back(std::move(p));
    const std::string full = tree.nodes[id].full;
    std::uint32_t last = id;
    for (std::size_t kid : drafts_[draft].children) {
      std::uint32_t kid_id = visit(kid, static_cast<std::int32_t>(id), depth + 1, full);
      tree.nodes[id].children.push_back(kid_id);
      last = tree.nodes[kid_id].last_descendant;
    }
    tree.nodes[id].last_descendant = last;
    return id;
  }

  Context& ctx_;
  std::vector<Draft> drafts_;
};

// Every `purposes` block of a module, its own and its policies', in source order.
std::vector<const ast::PurposesBlock*> blocks_of(const ast::Module& m) {
  std::vector<const ast::PurposesBlock*> out;
  for (const auto& b : m.purposes) out.push_back(&b);
  for (const auto& p : m.policies)
    for (const auto& b : p.purposes) out.push_back(&b);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->span.begin < b->span.begin; });
  return out;
}

void build_suffix_index(Context& ctx) {
  const auto& nodes = ctx.model.purposes.nodes;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const std::string& full = nodes[i].full;
    ctx.purpose_suffixes[full].push_back(i);
    for (std::size_t dot = full.find('.'); dot != std::string::npos; dot = full.find('.', dot + 1))
      ctx.purpose_suffixes[full.substr(dot + 1)].push_back(i);
  }
}

}  // namespace

void build_purpose_tree(Context& ctx) {
  Builder b(ctx);
  for (const auto& m : ctx.modules)
    for (const auto* block : blocks_of(m)) b.merge(0, block->roots, "");
  b.number();
  build_suffix_index(ctx);
}

}  // namespace redline::sema
