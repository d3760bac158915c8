// sema/suggest.cc — edit distance, closest-candidate suggestions and list
// formatting for diagnostics (see sema/suggest.h).
#include "sema/suggest.h"

#include <algorithm>

#include "diag/sink.h"

namespace redline::sema {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rolling rows: i-2, i-1, i (for the transposition case).
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_d = limit + 1;
  bool tie = false;
  for (const auto& c : candidates) {
    if (c == word) continue;
    // Cheap bound: the distance is at least the difference in length.
    std::size_t diff = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (diff > best_d) continue;
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
      tie = false;
    } else if (d == best_d && best && *best != c) {
      tie = true;
    }
  }
  // Two equally close candidates: a guess would mislead as often as help.
  if (tie) return std::nullopt;
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto c = closest(word, candidates);
  return c ? "did you mean " + diag::quote(*c) + "?" : std::string();
}

std::string quoted_list(const std::vector<std::string>& items, std::size_t max) {
  std::string out;
  const std::size_t shown = std::min(items.size(), max);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && shown == items.size()) ? " and " : ", ";
    out += diag::quote(items[i]);
  }
  if (shown < items.size()) out += " and " + std::to_string(items.size() - shown) + " more";
  return out;
}

std::string plural(std::size_t n, std::string_view singular, std::string_view plural_form) {
  std::string out = std::to_string(n) + ' ';
  if (n == 1) out += singular;
  else if (!plural_form.empty()) out += plural_form;
  else {
    out += singular;
    out += 's';
  }
  return out;
}

}  // namespace redline::sema
