#!/usr/bin/env bash
# bench/serve-alternatives/compare.sh [RUNS] — measures `redline serve`'s own
# network core (Asio + server/http.h) against the same Service behind
# Boost.Beast and behind cpp-httplib (README.md here):
#   1. builds redline and the front ends (Release) in $BUILD (default build-alt);
#   2. times the compilation of each front end's translation units and sizes
#      the (stripped) binaries;
#   3. writes the peer workload (bench/peers/gen.mjs 1000 100000) once;
#   4. checks that the three answer a few requests identically (status,
#      Content-Type, body), and records how each frames ambiguous or
#      malformed requests (framing.py: the stuff of request smuggling);
#   5. RUNS times (default 1): for each front end and each of wrk -t1 -c1,
#      -t2 -c16, -t2 -c64 (10 s each, keep-alive, bench/peers/wrk-bodies.lua):
#      a fresh server, wrk, its requests/s, p50, p99, errors, the server's CPU
#      time (user + system) over the run, its peak RSS (VmHWM), and the CPU
#      other processes took meanwhile (the machine's busy time minus the
#      server's and wrk's); the front ends' order rotates from run to run. `uptime` is printed with each run:
#      the machine may be shared, and wrk runs on the same cores. Each run
#      also times the HTTP layer alone (http_layer_bench: our parser and
#      writer against Beast's, no sockets, one thread).
# Prints one markdown table per run and one of the medians over the runs;
# raw rows go to $WORK/results.tsv.
#
# Environment: BUILD (build dir), JOBS (build parallelism, default 1), WORK
# (workload and logs, default $BUILD/serve-alternatives), WRK_SECONDS
# (default 10), THREADS (event loops of the Asio and Beast servers, default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RUNS=${1:-1}
BUILD=${BUILD:-$ROOT/build-alt}
JOBS=${JOBS:-1}
WORK=${WORK:-$BUILD/serve-alternatives}
WRK_SECONDS=${WRK_SECONDS:-10}
THREADS=${THREADS:-2}
export REDLINE_STDLIB=$ROOT/stdlib
mkdir -p "$WORK"

for tool in cmake wrk node curl strip python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh: needs $tool" >&2; exit 1; }
done
[ -f /usr/include/httplib.h ] || { echo "compare.sh: needs libcpp-httplib-dev (apt-get install -y libcpp-httplib-dev)" >&2; exit 1; }

# ---- 1. build -------------------------------------------------------------
echo "== build (Release, $BUILD, -j$JOBS)" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DREDLINE_TESTS=OFF -DREDLINE_BENCH_HTTP_ALTERNATIVES=ON >"$WORK/cmake.log"
cmake --build "$BUILD" -j"$JOBS" --target redline asio_server beast_server httplib_server http_layer_bench >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log" >&2; exit 1; }

# ---- 2. compile time and size ---------------------------------------------
# Each translation unit compiled again, alone, with its exact build command
# (from compile_commands.json); CPU seconds (user + system) are less
# sensitive to a busy machine than wall time, so both are given.
compile_tu() {   # compile_tu SOURCE → "wall cpu" seconds
  python3 - "$BUILD/compile_commands.json" "$ROOT/$1" "$WORK/tu.o" <<'PY'
import json, shlex, subprocess, sys, time, resource
db, src, obj = sys.argv[1:]
entry = next(e for e in json.load(open(db)) if e["file"] == src)
args = shlex.split(entry["command"])
i = args.index("-o"); args[i + 1] = obj
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
subprocess.run(args, cwd=entry["directory"], check=True)
wall = time.monotonic() - t0
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"{wall:.2f} {cpu:.2f}")
PY
}
stripped_size() { strip -o "$WORK/stripped" "$1" && stat -c %s "$WORK/stripped"; }

echo "== compile time and size" >&2
declare -A CT_WALL CT_CPU SIZE
ct_sum() {   # ct_sum NAME SOURCE... : sums the TUs' times
  local name=$1 wall=0 cpu=0 w c
  shift
  for src in "$@"; do
    read -r w c < <(compile_tu "$src")
    wall=$(python3 -c "print(round($wall + $w, 2))")
    cpu=$(python3 -c "print(round($cpu + $c, 2))")
  done
  CT_WALL[$name]=$wall CT_CPU[$name]=$cpu
}
ct_sum asio engine/server/server.cc engine/server/http.cc
ct_sum beast bench/serve-alternatives/beast_server.cc
ct_sum httplib bench/serve-alternatives/httplib_server.cc
SIZE[asio]=$(stripped_size "$BUILD/bench/serve-alternatives/asio_server")
SIZE[beast]=$(stripped_size "$BUILD/bench/serve-alternatives/beast_server")
SIZE[httplib]=$(stripped_size "$BUILD/bench/serve-alternatives/httplib_server")
HTTPLIB_SO=$(readlink -f "$(ldd "$BUILD/bench/serve-alternatives/httplib_server" | awk '/libcpp-httplib/ {print $3}')")
SIZE_SO=$(stat -c %s "$HTTPLIB_SO")
SIZE[redline]=$(stripped_size "$BUILD/redline")

# ---- 3. workload -----------------------------------------------------------
DIR=$WORK/workload
if [ ! -f "$DIR/requests.jsonl" ]; then
  echo "== workload (gen.mjs 1000 100000)" >&2
  node bench/peers/gen.mjs 1000 100000 "$DIR" peer >&2
fi

# ---- servers ---------------------------------------------------------------
PID='' PORT=''
start_server() {   # start_server FRONT CONNECTIONS: sets PID and PORT
  local front=$1 conns=$2 log=$WORK/server-$1.log
  : >"$log.out"   # emptied first: else the previous server's port may be read before the new one truncates it
  case $front in
    asio) "$BUILD/redline" serve "$DIR/policy.pol" --listen 127.0.0.1:0 --threads "$THREADS" >"$log.out" 2>"$log" & ;;
    beast) "$BUILD/bench/serve-alternatives/beast_server" "$DIR/policy.pol" --listen 127.0.0.1:0 --threads "$THREADS" >"$log.out" 2>"$log" & ;;
    beast-timeouts) "$BUILD/bench/serve-alternatives/beast_server" "$DIR/policy.pol" --listen 127.0.0.1:0 --threads "$THREADS" --timeouts >"$log.out" 2>"$log" & ;;
    # One pool thread per connection: each blocks on its connection while it is kept alive.
    httplib) "$BUILD/bench/serve-alternatives/httplib_server" "$DIR/policy.pol" --listen 127.0.0.1:0 --threads "$(( conns > THREADS ? conns : THREADS ))" >"$log.out" 2>"$log" & ;;
  esac
  PID=$!
  for _ in $(seq 600); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log.out")
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "compare.sh: $front did not start:" >&2; tail -5 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "compare.sh: $front did not print its port" >&2
  exit 1
}
stop_server() {
  [ -n "$PID" ] || return 0
  kill -TERM "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=''
}
trap stop_server EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
# Busy ticks of the whole machine (user, nice, system, irq, softirq, steal).
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
HZ=$(getconf CLK_TCK)
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

FRONTS=(asio beast beast-timeouts httplib)

# ---- 4. the same answers ---------------------------------------------------
echo "== cross-check" >&2
ask() {   # ask PORT NAME CURL-ARGS... → $WORK/answers/FRONT/NAME
  local port=$1 name=$2
  shift 2
  curl -s -o "$ANS/$name.body" -w '%{http_code} %{content_type}\n' "$@" "http://127.0.0.1:$port/v1/decide" >"$ANS/$name.head"
}
for front in "${FRONTS[@]}"; do
  ANS=$WORK/answers/$front
  rm -rf "$ANS" && mkdir -p "$ANS"
  start_server "$front" 1
  for i in 1 2 3 4 5; do
    ask "$PORT" "request$i" -H 'Content-Type: application/json' --data-binary "$(sed -n "${i}p" "$DIR/requests.jsonl")"
  done
  ask "$PORT" bad-json -H 'Content-Type: application/json' --data-binary '{"purpose":'
  ask "$PORT" wrong-type -H 'Content-Type: text/plain' --data-binary '{}'
  ask "$PORT" get -X GET
  stop_server
done
for front in "${FRONTS[@]:1}"; do
  if ! diff -r "$WORK/answers/asio" "$WORK/answers/$front" >"$WORK/answers/diff-$front.txt"; then
    echo "compare.sh: $front answers differently from redline serve:" >&2
    cat "$WORK/answers/diff-$front.txt" >&2
    exit 1
  fi
done
echo "   identical: 5 decisions, invalid JSON (400), text/plain (415), GET (405) — status, Content-Type, body" >&2

# How each front end frames ambiguous or malformed requests (framing.py).
echo "== framing" >&2
for front in asio beast httplib; do
  start_server "$front" 2
  python3 bench/serve-alternatives/framing.py "$PORT" >"$WORK/framing-$front.txt"
  stop_server
done

# ---- 5. wrk ----------------------------------------------------------------
to_us() {   # wrk's 123.45us / 1.23ms / 1.02s → µs
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /m$/) m = 6e7; else m = 1e6; printf "%.0f", n * m }'
}
TSV=$WORK/results.tsv
printf 'run\tfront\tthreads\tconnections\trps\tp50_us\tp99_us\terrors\trequests\tcpu_s\tuser_s\tpeak_rss_kb\tload1\tothers_cores\n' >"$TSV"
for run in $(seq "$RUNS"); do
  LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== run $run/$RUNS ($(date -u +%FT%TZ)): $(uptime)" >&2
  # Rotate the order so that no front end always runs first (or last) in a run.
  order=()
  for k in 0 1 2 3; do order+=("${FRONTS[$(( (k + run - 1) % 4 ))]}"); done
  for front in "${order[@]}"; do
    for spec in "1 1" "2 16" "2 64"; do
      read -r wt conns <<<"$spec"
      start_server "$front" "$conns"
      threads=$THREADS
      [ "$front" = httplib ] && threads=$(( conns > THREADS ? conns : THREADS ))
      t0=$(cpu_ticks "$PID") u0=$(user_ticks "$PID") m0=$(machine_ticks) w0=$(date +%s.%N)
      out=$(WRK_BODIES=$DIR/requests.jsonl WRK_PATH=/v1/decide /usr/bin/time -f 'wrk-cpu %U %S' \
              wrk -t"$wt" -c"$conns" -d"${WRK_SECONDS}s" --latency -s bench/peers/wrk-bodies.lua "http://127.0.0.1:$PORT" 2>&1) || true
      t1=$(cpu_ticks "$PID") u1=$(user_ticks "$PID") m1=$(machine_ticks) w1=$(date +%s.%N)
      # What the rest of the machine used meanwhile (other engineers' builds), in cores.
      others=$(awk -v m="$((m1 - m0))" -v s="$((t1 - t0))" -v hz="$HZ" -v w0="$w0" -v w1="$w1" \
                 -v wrk="$(awk '$1 == "wrk-cpu" {print $2 + $3}' <<<"$out")" \
                 'BEGIN { o = ((m - s) / hz - wrk) / (w1 - w0); printf "%.2f", o < 0 ? 0 : o }')
      rss=$(peak_rss_kb "$PID")
      load1=$(cut -d' ' -f1 /proc/loadavg)
      stop_server
      echo "$out" >"$WORK/wrk-$run-$front-$conns.txt"
      rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$out")
      p50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
      p99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
      reqs=$(awk '/requests in/ {print $1}' <<<"$out")
      non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
      sockerr=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out" |
                awk '{print $1 + $2 + $3 + $4}')
      errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
      if [ -z "$rps" ]; then   # wrk itself failed (its output is in the file above)
        echo "   $front c$conns: wrk failed: $(head -c 300 <<<"$out")" >&2
        rps=0 reqs=0 errors=-1
      fi
      cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
      user=$(awk -v a="$u0" -v b="$u1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$front" "$threads" "$conns" "$rps" "$p50" "$p99" \
        "$errors" "$reqs" "$cpu" "$user" "$rss" "$load1" "$others" >>"$TSV"
      echo "   $front c$conns: $rps req/s, p50 ${p50} µs, p99 ${p99} µs, errors $errors, server CPU ${cpu} s (user ${user} s), VmHWM ${rss} kB," \
           "load $load1, others' CPU $others cores" >&2
    done
  done
  "$BUILD/bench/serve-alternatives/http_layer_bench" "$DIR/requests.jsonl" "$DIR/policy.pol" \
    2>/dev/null >"$WORK/layer-$run.md"
  echo "   after run $run: $(uptime)" >&2
done

# ---- report ----------------------------------------------------------------
export CT_ASIO="${CT_WALL[asio]} ${CT_CPU[asio]}" CT_BEAST="${CT_WALL[beast]} ${CT_CPU[beast]}" CT_HTTPLIB="${CT_WALL[httplib]} ${CT_CPU[httplib]}"
export SIZE_ASIO=${SIZE[asio]} SIZE_BEAST=${SIZE[beast]} SIZE_HTTPLIB=${SIZE[httplib]} SIZE_SO SIZE_REDLINE=${SIZE[redline]}
python3 - "$TSV" <<'PY'
import csv, os, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
names = {"asio": "ours: Asio + server/http.h (`redline serve`)", "beast": "Boost.Beast", "beast-timeouts": "Boost.Beast, per-read deadline",
         "httplib": "cpp-httplib 0.11 (thread pool)"}
ct = {"asio": os.environ["CT_ASIO"], "beast": os.environ["CT_BEAST"], "beast-timeouts": os.environ["CT_BEAST"], "httplib": os.environ["CT_HTTPLIB"]}
size = {"asio": int(os.environ["SIZE_ASIO"]), "beast": int(os.environ["SIZE_BEAST"]), "beast-timeouts": int(os.environ["SIZE_BEAST"]),
        "httplib": int(os.environ["SIZE_HTTPLIB"])}
order = ["asio", "beast", "beast-timeouts", "httplib"]

def fmt(x, nd=0):
    return f"{x:,.{nd}f}"

def table(sel, title):
    print(f"\n{title}\n")
    print("| front end | threads | connections | requests/s | p50 µs | p99 µs | errors | server CPU µs/request (user + kernel) | requests per server CPU-second | peak RSS MiB | others' CPU (cores) | TU compile s (wall / CPU) | stripped binary KiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for f in order:
        for c in ["1", "16", "64"]:
            rs = [r for r in sel if r["front"] == f and r["connections"] == c]
            if not rs:
                continue
            med = lambda k: statistics.median(float(r[k]) for r in rs)
            cpu_per = statistics.median(float(r["cpu_s"]) * 1e6 / max(1.0, float(r["requests"])) for r in rs)
            user_per = statistics.median(float(r["user_s"]) * 1e6 / max(1.0, float(r["requests"])) for r in rs)
            w, cp = ct[f].split()
            sz = fmt(size[f] / 1024) + (" + libcpp-httplib.so " + fmt(int(os.environ["SIZE_SO"]) / 1024) if f == "httplib" else "")
            print(f"| {names[f]} | {rs[0]['threads']} | {c} | {fmt(med('rps'))} | {fmt(med('p50_us'))} | {fmt(med('p99_us'))} | "
                  f"{fmt(med('errors'))} | {cpu_per:.1f} ({user_per:.1f} + {cpu_per - user_per:.1f}) | {fmt(1e6 / cpu_per)} | {med('peak_rss_kb') / 1024:.1f} | {med('others_cores'):.2f} | {w} / {cp} | {sz} |")

runs = sorted({r["run"] for r in rows}, key=int)
for run in runs:
    sel = [r for r in rows if r["run"] == run]
    loads = [float(r["load1"]) for r in sel]
    others = [float(r["others_cores"]) for r in sel]
    table(sel, f"Run {run} (1-minute load average {min(loads):.2f}–{max(loads):.2f}, our own threads included; "
               f"other processes used {min(others):.2f}–{max(others):.2f} of the 2 cores during the wrk runs):")
if len(runs) > 1:
    table(rows, f"Median of {len(runs)} runs:")
print(f"\nTU compile time: ours = engine/server/server.cc + http.cc; cpp-httplib's implementation is precompiled in "
      f"libcpp-httplib.so (not in its TU time). `redline` (every verb) is {int(os.environ['SIZE_REDLINE']) / 1024:,.0f} KiB stripped.")
PY
echo
echo "Framing of ambiguous or malformed requests (framing.py; status/error code of each response, in order):"
echo
echo "| request | ours | Boost.Beast | cpp-httplib |"
echo "|---|---|---|---|"
paste "$WORK/framing-asio.txt" <(cut -f2 "$WORK/framing-beast.txt") <(cut -f2 "$WORK/framing-httplib.txt") |
  awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
for run in $(seq "$RUNS"); do
  echo
  echo "HTTP layer alone, run $run (http_layer_bench, one thread, no sockets):"
  echo
  cat "$WORK/layer-$run.md"
done
