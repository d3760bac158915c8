// sema/suggest.h — "did you mean" suggestions (edit distance) and the small
// text helpers diagnostics use to list names. Usable by any phase.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redline::sema {

/// The optimal-string-alignment distance (Levenshtein plus transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely
/// typo (distance at most a third of the word's length, at least 1).
/// Nullopt when none is close, when two are equally close, or when `word` is one.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean `x`?" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// The items in backticks joined as "`a`, `b` and `c`"; past `max` items the
/// rest are summarised as "and N more".
std::string quoted_list(const std::vector<std::string>& items, std::size_t max = 8);

/// "1 rule" / "2 rules": a count and a noun with a regular plural.
std::string plural(std::size_t n, std::string_view singular, std::string_view plural_form = {});

}  // namespace redline::sema
