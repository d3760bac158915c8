// eval/bind_common.h — the steps both request binders (the full path in
// eval/bind.cc and the simdjson fast path in eval/bind_fast.cc) share, so
// they cannot drift apart.
#pragma once

#include "eval/bound.h"
#include "flat/program_impl.h"

namespace redline::eval {

/// Sizes a bound request's storage for `p` with every attribute missing.
inline void start_binding(const ProgramImpl& p, BoundRequest& b) {
  BoundAccess::values(b).assign(p.model->schema.attrs.size(), 0);
  BoundAccess::present(b).assign(p.layout.attr_words, 0);
  BoundAccess::tags(b).assign(p.layout.words, 0);
}

/// `request.now` defaults to `request.time` (LANGUAGE.md §10).
inline void default_now(const ProgramImpl& p, BoundRequest& b) {
  if (p.now_attr < 0 || p.time_attr < 0) return;
  auto now = static_cast<std::size_t>(p.now_attr), time = static_cast<std::size_t>(p.time_attr);
  if (test_bit(BoundAccess::present(b), now) || !test_bit(BoundAccess::present(b), time)) return;
  BoundAccess::values(b)[now] = BoundAccess::values(b)[time];
  set_bit(BoundAccess::present(b), now);
}

}  // namespace redline::eval
