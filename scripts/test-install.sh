#!/usr/bin/env bash
# Installs a built redline into a temporary prefix, then checks what an
# application meets there:
#   - examples/embed (C++) builds and runs against the installed CMake package
#     (find_package(redline), target redline::redline);
#   - tests/capi/abi_test.c (C99, -Wall -Werror) builds against the installed
#     redline/redline.h and libredline.so.0 through pkg-config and through
#     find_package (redline::redline_c), and runs;
#   - libredline.so.0 has its SONAME and exports only rl_* symbols;
#   - no installed file names the source tree or the build tree (`strings`),
#     and the installed CLI and library find the stdlib under
#     <prefix>/share/redline/stdlib on their own, even once the prefix moves.
# Usage: scripts/test-install.sh BUILD_DIR [EXTRA_CXX_FLAGS [CXX_COMPILER [C_COMPILER]]]
# EXTRA_CXX_FLAGS are the build's own instrumentation flags (e.g. the
# sanitizers), which an application linking the installed library needs too;
# CXX_COMPILER is the build's compiler (sanitizer runtimes are per compiler).
set -euo pipefail
build=${1:?usage: test-install.sh BUILD_DIR [EXTRA_CXX_FLAGS [CXX_COMPILER]]}
flags=${2:-}
compiler=()
if [ -n "${3:-}" ]; then compiler=(-DCMAKE_CXX_COMPILER="$3"); fi
cc=${4:-cc}
# Sanitized with clang, a C program needs the C++ parts of the UBSan runtime
# too (the library is C++); clang's C driver leaves them out unless asked.
c_flags=$flags c_libs=""
if [[ $flags == *-fsanitize* ]] && "$cc" --version 2>/dev/null | grep -q clang; then c_flags="$flags -fsanitize-link-c++-runtime" c_libs="-lstdc++"; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() {   # runs a step quietly; on failure shows what it printed
  if ! "$@" > "$tmp/step.log" 2>&1; then
    cat "$tmp/step.log" >&2
    echo "install test: failed: $*" >&2
    exit 1
  fi
}
step cmake --install "$build" --prefix "$tmp/prefix"
step cmake -S "$root/examples/embed" -B "$tmp/embed" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" "${compiler[@]}" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
step ninja -C "$tmp/embed"
env -u REDLINE_STDLIB "$tmp/embed/embed" > "$tmp/embed.log"
echo "install test: examples/embed built against the installed package and ran"

prefix="$tmp/prefix"
libdir=$(dirname "$(find "$prefix" -name 'libredline.so.0' | head -n 1)")
[ -n "$libdir" ] && [ -e "$libdir/libredline.so.0" ] || { echo "install test: no libredline.so.0 installed" >&2; exit 1; }
stdlib="$prefix/share/redline/stdlib"

# The shared library: versioned, and its interface is the C API alone.
soname=$(readelf -d "$libdir/libredline.so.0" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != libredline.so.0 ]; then echo "install test: SONAME is '$soname', not libredline.so.0" >&2; exit 1; fi
exported=$(nm -D --defined-only "$libdir/libredline.so.0" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
others=$(grep -v '^rl_' <<<"$exported" || true)
if [ -n "$others" ]; then echo "install test: libredline.so.0 exports more than rl_*:" >&2; head -n 20 <<<"$others" >&2; exit 1; fi
count=$(grep -c '^rl_' <<<"$exported")
[ "$count" -ge 20 ] || { echo "install test: only $count rl_* symbols exported" >&2; exit 1; }
echo "install test: libredline.so.0 (SONAME $soname) exports $count symbols, all rl_*"

# The C ABI test through pkg-config, then through find_package.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc_flags=$(pkg-config --cflags --libs redline)
step "$cc" -std=c99 -Wall -Werror "$root/tests/capi/abi_test.c" -o "$tmp/abi_pc" $cc_flags $c_flags $c_libs
env -u REDLINE_STDLIB LD_LIBRARY_PATH="$libdir" "$tmp/abi_pc" "$stdlib"
step cmake -S "$root/tests/capi" -B "$tmp/abi_cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$c_flags $c_libs"
step ninja -C "$tmp/abi_cmake"
env -u REDLINE_STDLIB "$tmp/abi_cmake/abi_test" "$stdlib"   # CMake's rpath finds the library
echo "install test: tests/capi/abi_test.c built with -std=c99 -Wall -Werror via pkg-config and find_package, and ran"

# No source-tree or build-tree path in any installed binary.
src_real=$(cd "$root" && pwd -P)
build_real=$(cd "$build" && pwd -P)
leaks=0
while IFS= read -r -d '' f; do
  for p in "$src_real" "$build_real" "$root"; do
    if strings -a "$f" | grep -q -F "$p"; then
      echo "install test: $f names $p:" >&2
      strings -a "$f" | grep -F "$p" | head -n 3 >&2
      leaks=1
    fi
  done
done < <(find "$prefix" -type f \( -path '*/bin/*' -o -name '*.so*' -o -name '*.a' \) -print0)
[ "$leaks" = 0 ] || exit 1
echo "install test: no installed binary names the source tree ($src_real) or the build tree"

# The installed CLI finds its stdlib from its own path, also after the prefix moves.
mkdir -p "$tmp/work"
printf 'import "stdlib/taxonomy/ai-uses.pol"\npolicy "p" { default allow }\n' > "$tmp/work/uses.pol"
(cd "$tmp/work" && env -u REDLINE_STDLIB "$prefix/bin/redline" check uses.pol) > "$tmp/check.log" 2>&1 ||
  { cat "$tmp/check.log" >&2; echo "install test: the installed CLI does not find its stdlib" >&2; exit 1; }
mv "$prefix" "$tmp/moved"
(cd "$tmp/work" && env -u REDLINE_STDLIB "$tmp/moved/bin/redline" check uses.pol) > "$tmp/check.log" 2>&1 ||
  { cat "$tmp/check.log" >&2; echo "install test: the moved CLI does not find its stdlib" >&2; exit 1; }
env -u REDLINE_STDLIB LD_LIBRARY_PATH="${libdir/$prefix/$tmp/moved}" "$tmp/abi_pc" "$tmp/moved/share/redline/stdlib"
echo "install test: the installed CLI and libredline.so.0 find <prefix>/share/redline/stdlib, also after moving the prefix"
