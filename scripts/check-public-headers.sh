#!/usr/bin/env bash
# Checks the public headers (engine/include/redline/*.h) the way an
# application meets them: each compiles on its own (and twice in a row) with
# nothing on the include path but engine/include, warning-free, without
# pulling in a third-party header (ANTLR, Boost, nlohmann/json, simdjson,
# OpenSSL, SQLite); then tests/public_api/usage.cc, which uses the API as an
# application does and asserts its shape, compiles the same way.
# Usage: scripts/check-public-headers.sh [CXX_COMPILER]
set -euo pipefail
cxx=${1:-c++}
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(-std=c++20 -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Werror -I "$root/engine/include")
status=0
count=0
for header in "$root"/engine/include/redline/*.h; do
  name=redline/$(basename "$header")
  cat > "$tmp/alone.cc" <<CC
#include "$name"
#include "$name"
#if defined(ANTLR4CPP_PUBLIC) || defined(BOOST_CONFIG_HPP) || defined(BOOST_VERSION) || defined(NLOHMANN_JSON_VERSION_MAJOR) || \\
    defined(SIMDJSON_VERSION) || defined(OPENSSL_VERSION_NUMBER) || defined(SQLITE_VERSION)
#error "$name pulls in a third-party header"
#endif
CC
  if ! "$cxx" "${flags[@]}" -c "$tmp/alone.cc" -o "$tmp/alone.o" 2> "$tmp/err.log"; then
    echo "public headers: $name does not compile on its own:" >&2
    cat "$tmp/err.log" >&2
    status=1
  fi
  count=$((count + 1))
done
if ! "$cxx" "${flags[@]}" -c "$root/tests/public_api/usage.cc" -o "$tmp/usage.o" 2> "$tmp/err.log"; then
  echo "public headers: tests/public_api/usage.cc does not compile:" >&2
  cat "$tmp/err.log" >&2
  status=1
fi
if [ "$count" = 0 ]; then
  echo "public headers: none found under engine/include/redline" >&2
  exit 1
fi
[ "$status" = 0 ] && echo "public headers: $count headers compile alone, free of third-party headers; usage.cc compiles"
exit "$status"
