#!/usr/bin/env node
// bench/peers/bench.mjs — runs the side-by-side benchmark and prints one
// table per N of every engine's figures and its ratio to redline
// (peer time / redline time). scripts/bench-peers.sh is the one command
// that installs the peers, builds redline and calls this.
//
//   node bench.mjs --redline BIN --driver BIN [--ns 10,100,1000,10000]
//        [--requests 100000] [--budget 60] [--wrk-seconds 10]
//        [--engines redline,redline-eval,cedar,casbin,js-index,cerbos,redline-serve]
//        [--work DIR] [--markdown FILE] [--pin CPU] [--tables-from results.json]
//        [--workload peer|tree]
//
// --budget bounds the timed pass of each peer at each N (seconds): a slow
// peer decides (and is cross-checked on) the first requests only, and the
// table says how many. Every decision made is checked against the plain
// reference; any mismatch makes the run exit 1 (after printing the tables).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const NS = opt('--ns', '10,100,1000,10000').split(',').map(Number);
const M = Number(opt('--requests', 100000));
const BUDGET = Number(opt('--budget', 60));
const WRK_SECONDS = Number(opt('--wrk-seconds', 10));
const ENGINES = opt('--engines', 'redline,redline-eval,cedar,casbin,js-index,cerbos,redline-serve').split(',');
const WORK = opt('--work', path.join(os.tmpdir(), 'redline-peers-work'));
const MARKDOWN = opt('--markdown', null);
const PIN = opt('--pin', null);
const WORKLOAD = opt('--workload', 'peer');   // peer | tree (lib/tree.mjs)
const REDLINE = opt('--redline', null), DRIVER = opt('--driver', null);

const pin = (cmd) => (PIN !== null ? ['taskset', '-c', PIN, ...cmd] : cmd);
function run(cmd, { input, allowFail = false, timeoutS = 900 } = {}) {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', input, maxBuffer: 1 << 30, timeout: timeoutS * 1000 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r;
}
const lastJson = (text) => JSON.parse(text.trim().split('\n').pop());
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

fs.mkdirSync(WORK, { recursive: true });
const TABLES_FROM = opt('--tables-from', null);   // re-render the tables of an earlier run's results.json
const results = TABLES_FROM ? JSON.parse(fs.readFileSync(TABLES_FROM, 'utf8')) : [];
let failures = 0;

for (const n of TABLES_FROM ? [] : NS) {
  const dir = path.join(WORK, `${WORKLOAD}-N${n}`);
  run(['node', path.join(here, 'gen.mjs'), String(n), String(M), dir, WORKLOAD]);
  const rows = [];
  const note = (msg) => console.error(`[N=${n}] ${msg} (load ${loadavg()})`);

  if (ENGINES.includes('redline')) {
    note('redline embedded');
    const r = run(pin([DRIVER, path.join(dir, 'policy.pol'), path.join(dir, 'requests.jsonl'), path.join(dir, 'expected.txt')]), { allowFail: true });
    const o = lastJson(r.stdout);
    if (r.status !== 0) { failures++; console.error(r.stderr); }
    rows.push({ key: 'redline-json', label: `redline ${o.version}, JSON text → decision`, requests: o.requests, of: M, median_us: o.json.median_us, p99_us: o.json.p99_us,
      mean_us: o.json.mean_us, decisions_per_s: o.json.decisions_per_s, load_ms: o.load_ms, peak_rss_mb: o.peak_rss_mb, mismatches: o.mismatches, extra: o });
    rows.push({ key: 'redline-bound', label: `redline ${o.version}, bound request (the first 10,000, cycled)`, requests: Math.min(10000, M), of: Math.min(10000, M), median_us: o.bound.median_us, p99_us: o.bound.p99_us,
      mean_us: o.bound.mean_us, decisions_per_s: o.bound.decisions_per_s, load_ms: o.load_ms, peak_rss_mb: o.peak_rss_mb, mismatches: o.mismatches });
  }
  if (ENGINES.includes('redline-eval')) {
    note('redline eval batch');
    const out = path.join(dir, 'redline-eval.jsonl');
    const r = run(pin(['/usr/bin/time', '-f', '%e %M', 'bash', '-c', `"$0" eval "$1" < "$2" > "$3"`, REDLINE,
      path.join(dir, 'policy.pol'), path.join(dir, 'requests.jsonl'), out]));
    const [secs, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    const expected = fs.readFileSync(path.join(dir, 'expected.txt'), 'utf8').split('\n').filter(Boolean);
    const got = [];
    for (const l of fs.readFileSync(out, 'utf8').split('\n')) {
      if (!l) continue;
      got.push(l.startsWith('{"decision":"') ? l.slice(13, l.indexOf('"', 13)) : JSON.parse(l).decision);
    }
    const outBytes = fs.statSync(out).size;
    let mism = got.length === expected.length ? 0 : Math.abs(got.length - expected.length);
    got.forEach((g, i) => { if (g !== expected[i]) mism++; });
    if (mism) { failures++; console.error(`redline eval N=${n}: ${mism} decisions differ from the reference`); }
    rows.push({ key: 'redline-eval', label: `redline eval (batch of ${M.toLocaleString('en-US')} lines, process wall time; ${fmt(outBytes / M)} bytes out per decision)`, requests: got.length, of: M,
      median_us: null, p99_us: null, mean_us: (secs * 1e6) / M, decisions_per_s: M / secs, load_ms: null, peak_rss_mb: kb / 1024, mismatches: mism,
      output_bytes_per_decision: outBytes / M });
    fs.rmSync(out);   // large at big N (every applying rule is a reason)
  }
  for (const e of ['cedar', 'casbin', 'js-index']) {
    if (!ENGINES.includes(e)) continue;
    note(e);
    const r = run(pin(['node', path.join(here, 'run-embedded.mjs'), e, String(n), dir, '--budget', String(BUDGET), '--workload', WORKLOAD]), { allowFail: true });
    if (r.status !== 0) { failures++; console.error(r.stderr); }
    const o = lastJson(r.stdout);
    rows.push({ key: e, ...o });
  }
  if (ENGINES.includes('cerbos')) {
    note('cerbos');
    const r = run(['node', path.join(here, 'run-cerbos.mjs'), String(n), dir, '--budget', String(BUDGET), '--wrk-seconds', String(WRK_SECONDS), '--workload', WORKLOAD], { allowFail: true });
    if (r.status !== 0) { failures++; console.error(r.stderr); }
    const o = lastJson(r.stdout);
    const w1 = o.wrk.find((w) => w.connections === 1);
    rows.push({ key: 'cerbos', label: `${o.label}, wrk 1 connection (server + wrk on 2 cores; requests decided = cross-checked)`, requests: o.requests, of: o.of, median_us: w1.median_us, p99_us: w1.p99_us,
      mean_us: 1e6 / w1.rps, decisions_per_s: w1.rps, load_ms: o.load_ms, peak_rss_mb: o.peak_rss_mb, mismatches: o.mismatches, extra: o });
    if (o.engine_us_per_check) {
      rows.push({ key: 'cerbos-engine', label: 'Cerbos, engine time per check (its own metric, mean)', requests: null, of: null,
        median_us: null, p99_us: null, mean_us: o.engine_us_per_check, decisions_per_s: null, load_ms: null, peak_rss_mb: null, mismatches: 0 });
    }
  }
  for (const key of ['redline-serve', 'redline-serve-audited']) {
    if (!ENGINES.includes(key) || WORKLOAD !== 'peer') continue;
    note(key);
    const r = run(['node', path.join(here, 'run-serve.mjs'), String(n), dir, '--redline', REDLINE, '--budget', String(BUDGET), '--wrk-seconds', String(WRK_SECONDS),
      ...(key.endsWith('audited') ? ['--state'] : [])], { allowFail: true });
    if (r.status !== 0) { failures++; console.error(r.stderr); }
    const o = lastJson(r.stdout);
    const w1 = o.wrk.find((w) => w.connections === 1);
    rows.push({ key, label: `${o.label}, wrk 1 connection (server + wrk on 2 cores; requests decided = cross-checked)`, requests: o.requests, of: o.of, median_us: w1.median_us, p99_us: w1.p99_us,
      mean_us: 1e6 / w1.rps, decisions_per_s: w1.rps, load_ms: o.load_ms, peak_rss_mb: o.peak_rss_mb, mismatches: o.mismatches, extra: o });
  }
  results.push({ n, workload: WORKLOAD, rows, load: loadavg() });
  fs.writeFileSync(path.join(WORK, `results-${WORKLOAD}.json`), JSON.stringify(results, null, 2));
}

// ---- tables
// One table of ratios: per engine (rows) and N (columns), peer time / redline
// time, both as medians of JSON text → decision (Cerbos: wrk, 1 connection).
function ratioTable() {
  const keys = [];
  for (const { rows } of results) for (const r of rows) if (!keys.includes(r.key) && !r.key.startsWith('redline')) keys.push(r.key);
  const label = (k) => (k === 'js-index' ? 'plain JS indexed by purpose (a floor, not a product)'
    : results.flatMap((x) => x.rows).find((r) => r.key === k).label.split(',')[0]);
  let md = `\n| peer time / redline time (median; mean for Cerbos' engine metric) | ${results.map((x) => `N = ${x.n.toLocaleString('en-US')}`).join(' | ')} |\n`;
  md += `|---|${results.map(() => '---').join('|')}|\n`;
  for (const k of keys) {
    md += `| ${k === 'cerbos' ? 'Cerbos over HTTP, 1 connection' : k === 'cerbos-engine' ? 'Cerbos, engine time per check' : label(k)} | `;
    md += results.map(({ rows }) => {
      const ref = rows.find((r) => r.key === 'redline-json'), r = rows.find((x) => x.key === k);
      if (!r || !ref) return '–';
      const x = k === 'cerbos-engine' ? r.mean_us / ref.mean_us : r.median_us / ref.median_us;
      const partial = r.requests !== null && r.requests < r.of ? '*' : '';
      return `${fmt(x)}×${partial}`;
    }).join(' | ') + ' |\n';
  }
  md += `| (redline, JSON text → decision, median µs) | ${results.map(({ rows }) => fmt(rows.find((r) => r.key === 'redline-json')?.median_us)).join(' | ')} |\n`;
  md += '\n\\* bounded by the time budget: measured on the first requests only (see the per-N tables).\n';
  return md;
}

function tables() {
  let md = ratioTable();
  for (const { n, rows, load, workload } of results) {
    const ref = rows.find((r) => r.key === 'redline-json');
    const ratio = (x, y) => (x && y ? `${fmt(x / y)}×` : '–');
    md += `\n#### ${workload === 'tree' ? 'Tree workload' : 'Purpose rules'}, N = ${n.toLocaleString('en-US')} rules (load average after the run: ${load})\n\n`;
    md += '| engine | requests decided | median µs | p99 µs | mean µs | decisions/s (one core) | load/compile ms | peak RSS MB | ratio median (peer / redline JSON) | ratio mean (peer / redline JSON) |\n';
    md += '|---|---|---|---|---|---|---|---|---|---|\n';
    for (const r of rows) {
      const decided = r.requests === null ? '–' : (r.requests === r.of ? r.requests.toLocaleString('en-US') : `${r.requests.toLocaleString('en-US')} of ${r.of.toLocaleString('en-US')} (budget)`);
      md += `| ${r.label} | ${decided} | ${fmt(r.median_us)} | ${fmt(r.p99_us)} | ${fmt(r.mean_us)} | ${fmt(r.decisions_per_s)} | ${fmt(r.load_ms)} | ${fmt(r.peak_rss_mb)} | ` +
        `${ratio(r.median_us, ref?.median_us)} | ${ratio(r.mean_us, ref?.mean_us)} |\n`;
    }
    const bound = rows.find((r) => r.key === 'redline-bound'), ce = rows.find((r) => r.key === 'cerbos-engine');
    if (bound && ce) md += `\nCerbos' engine time per check works on an already decoded request; against redline's bound request (mean) it is ${fmt(ce.mean_us / bound.mean_us)}×.\n`;
    const c = rows.find((r) => r.key === 'cerbos');
    const services = rows.filter((r) => r.key.startsWith('redline-serve'));
    if (c || services.length) {
      const w0 = (c || services[0]).extra.wrk[0];
      md += `\nServices over HTTP (wrk, ${w0.seconds} s each, keep-alive, 127.0.0.1, the same request bodies; wrk shares the 2 cores):\n\n`;
      md += '| service | connections | requests/s | median µs | p99 µs | errors | throughput: redline / Cerbos | p99: Cerbos / redline |\n|---|---|---|---|---|---|---|---|\n';
      for (const row of [...services, c]) {
        if (!row) continue;
        for (const w of row.extra.wrk) {
          const cb = c?.extra.wrk.find((x) => x.connections === w.connections);
          const cmp = row !== c && cb ? `${fmt(w.rps / cb.rps)}× | ${fmt(cb.p99_us / w.p99_us)}×` : '– | –';
          const name = row === c ? 'Cerbos PDP' : row.key.endsWith('audited') ? 'redline serve --state (every decision audited)' : 'redline serve';
          md += `| ${name} | ${w.connections} | ${fmt(w.rps)} | ${fmt(w.median_us)} | ${fmt(w.p99_us)} | ${w.errors} | ${cmp} |\n`;
        }
      }
      for (const sv of services)
        if (sv.extra.server_us_per_decision)
          md += `\n${sv.key.endsWith('audited') ? 'Audited: ' : ''}redline serve's own time per decision (its /metrics histogram, mean: parse + bind + decide + audit record + JSON): ${fmt(sv.extra.server_us_per_decision)} µs.\n`;
    }
  }
  return md;
}
// ---- the goals of issue 10 / DESIGN.md, from the figures above
function goals() {
  const at = (n, key) => results.find((r) => r.n === n)?.rows.find((r) => r.key === key);
  const lines = [];
  const tree = results[0]?.workload === 'tree';
  const c1k = at(1000, 'cedar'), r1k = at(1000, 'redline-json');
  if (c1k && r1k && !tree) {
    const x = c1k.median_us / r1k.median_us;
    lines.push(`- Embedded, N = 1,000, JSON text in: redline is ${fmt(x)}× faster than Cedar-wasm per decision (median; mean: ${fmt(c1k.mean_us / r1k.mean_us)}×) — goal ≥ 1,000×: ${x >= 1000 ? 'met' : 'NOT met'}.`);
  }
  const ns = results.map((r) => r.n), lo = Math.min(...ns), hi = Math.max(...ns);
  if (hi > lo) {
    for (const key of ['redline-json', 'redline-bound', 'cedar', 'casbin', 'js-index']) {
      const a = at(lo, key), b = at(hi, key);
      if (!a || !b) continue;
      const g = b.median_us / a.median_us;
      const goal = key.startsWith('redline') ? ` — goal ≤ 2×: ${g <= 2 ? 'met' : 'NOT met'}` : '';
      lines.push(`- Growth N = ${lo.toLocaleString('en-US')} → ${hi.toLocaleString('en-US')}, ${a.label}: ${fmt(g)}× (median ${fmt(a.median_us)} → ${fmt(b.median_us)} µs)${goal}.`);
    }
  }
  for (const { n, rows } of tree ? [] : results) {
    const sv = rows.find((r) => r.key === 'redline-serve'), c = rows.find((r) => r.key === 'cerbos');
    if (!sv || !c) continue;
    const a = sv.extra.wrk.find((w) => w.connections === 16), b = c.extra.wrk.find((w) => w.connections === 16);
    const x = a.rps / b.rps, lower = a.p99_us < b.p99_us;
    lines.push(`- Service, N = ${n.toLocaleString('en-US')}, 16 connections: redline serve ${fmt(a.rps)} requests/s (p99 ${fmt(a.p99_us)} µs) vs Cerbos ${fmt(b.rps)} (p99 ${fmt(b.p99_us)} µs): ${fmt(x)}× — goal ≥ 20× with lower p99: ${x >= 20 && lower ? 'met' : 'NOT met'}.`);
  }
  return `\n**${tree ? 'Tree workload: growth with N' : 'Against the goals'}**\n\n` + lines.join('\n') + '\n';
}
const md = tables() + goals();
console.log(md);
if (MARKDOWN) fs.writeFileSync(MARKDOWN, md);
console.error(failures ? `bench-peers: ${failures} engine run(s) FAILED (decision mismatch or error)` : 'bench-peers: every decision matched the reference');
process.exit(failures ? 1 : 0);
