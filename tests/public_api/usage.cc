// tests/public_api/usage.cc — compiled by scripts/check-public-headers.sh
// with nothing on the include path but engine/include: the public API used
// the way an application uses it, and the shape of the API checked where
// the compiler can check it (what must stay private stays private).
#include <concepts>
#include <type_traits>
#include <utility>

#include "redline/engine.h"

namespace {

// Program: only compiling makes one, and its internals are out of reach.
template <class P>
concept exposes_impl = requires(const P& p) { p.impl(); };
static_assert(!exposes_impl<redline::Program>, "Program::impl() must stay private (ProgramAccess is the internal door)");
static_assert(!std::is_default_constructible_v<redline::Program>);
static_assert(!std::is_constructible_v<redline::Program, std::nullptr_t>, "Program's constructor must stay private");
static_assert(!std::is_copy_constructible_v<redline::Program>);

// BoundRequest and Decision are values an application can keep, copy and move
// without seeing how approvals are held (BoundApproval is incomplete here).
static_assert(std::is_nothrow_move_constructible_v<redline::BoundRequest>);
static_assert(std::is_nothrow_move_assignable_v<redline::BoundRequest>);
static_assert(std::is_copy_constructible_v<redline::BoundRequest>);
static_assert(std::is_copy_constructible_v<redline::Decision>);

// One options struct, cheap to build at each call.
static_assert(std::is_aggregate_v<redline::EvalOptions>);
static_assert(std::is_trivially_copyable_v<redline::EvalOptions>);

// The call shapes of the API: one (input, options) form each.
template <class P>
concept one_options_form = requires(const P& p, const redline::Request& r, const redline::BoundRequest& b, redline::Decision& d,
                                    const redline::EvalOptions& o) {
  { p.bind(r) } -> std::same_as<redline::BoundRequest>;
  { p.bind(r, o) } -> std::same_as<redline::BoundRequest>;
  { p.bind_json("{}", o) } -> std::same_as<redline::BoundRequest>;
  { p.evaluate(r, o) } -> std::same_as<redline::Decision>;
  { p.evaluate_json("{}", o) } -> std::same_as<redline::Decision>;
  { p.explain(r, o) } -> std::same_as<std::string>;
  p.evaluate(b, d, o);
  p.evaluate(b, d);
};
static_assert(one_options_form<redline::Program>);

// ... and no overload per option beside it.
template <class P>
concept option_overloads = requires(const P& p, const redline::Request& r, const redline::ApprovalOptions& a) {
  p.evaluate(r, a);
} || requires(const P& p, const redline::SwitchBoard* s) { p.evaluate_json("{}", s); } ||
    requires(const P& p, const redline::Request& r, const redline::ApprovalOptions& a) { p.bind(r, a); };
static_assert(!option_overloads<redline::Program>);

}  // namespace

// Instantiates what an application instantiates (never run: compiled only).
int use(const redline::Program& program, const redline::ApprovalOptions& approvals) {
  auto board = program.make_switchboard();
  const redline::EvalOptions opts{.approvals = &approvals, .switches = board.get()};
  redline::BoundRequest bound = program.bind_json(R"({"purpose":"x"})", opts);
  redline::BoundRequest copy = bound;
  redline::BoundRequest moved = std::move(copy);
  copy = moved;
  moved = std::move(bound);
  redline::Decision d;
  program.evaluate(moved, d, opts);
  redline::Decision e = program.evaluate(redline::Request::from_json("{}"), {.switches = board.get()});
  return static_cast<int>(d.outcome()) + static_cast<int>(e.outcome()) + (copy.ok() ? 1 : 0);
}
