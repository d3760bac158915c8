#!/usr/bin/env bash
# Checks the public headers (engine/include/redline/*.h) the way an
# application meets them: each compiles on its own (and twice in a row) with
# nothing on the include path but engine/include, warning-free, without
# pulling in a third-party header (ANTLR, Boost, nlohmann/json, simdjson,
# OpenSSL, SQLite); then tests/public_api/usage.cc, which uses the API as an
# application does and asserts its shape, compiles the same way. The C API
# header (redline/redline.h) must also compile alone as C99 (-std=c99
# -Wall -Wextra -Wpedantic -Werror) and name nothing outside rl_/RL_.
# Usage: scripts/check-public-headers.sh [CXX_COMPILER [C_COMPILER]]
set -euo pipefail
cxx=${1:-c++}
cc=${2:-cc}
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
c_header="$root/engine/include/redline/redline.h"
if [ -f "$c_header" ]; then
  printf '#include <redline/redline.h>\n#include <redline/redline.h>\nint main(void) { return rl_abi_version(); }\n' > "$tmp/alone.c"
  if ! "$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -I "$root/engine/include" -c "$tmp/alone.c" -o "$tmp/alone_c.o" 2> "$tmp/err.log"; then
    echo "public headers: redline/redline.h does not compile alone as C99:" >&2
    cat "$tmp/err.log" >&2
    status=1
  fi
  # Every identifier the C header declares at file scope is rl_* / RL_* (or
  # its include guard): nothing else enters a C application's namespace.
  foreign=$(grep -oE '^(typedef [a-z_ ]+ |RL_API [a-z0-9_ ]+\** ?|#define )[A-Za-z_][A-Za-z0-9_]*' "$c_header" | awk '{print $NF}' | sed 's/^\*//' |
            grep -vE '^(rl_|RL_|REDLINE_REDLINE_H$)' || true)
  if [ -n "$foreign" ]; then
    echo "public headers: redline/redline.h declares names outside rl_/RL_: $foreign" >&2
    status=1
  fi
else
  echo "public headers: engine/include/redline/redline.h is missing" >&2
  status=1
fi
if [ "$count" = 0 ]; then
  echo "public headers: none found under engine/include/redline" >&2
  exit 1
fi
[ "$status" = 0 ] && echo "public headers: $count headers compile alone, free of third-party headers; usage.cc compiles; redline.h compiles as C99"
exit "$status"
