#!/usr/bin/env node
// bench/peers/run-embedded.mjs ENGINE N DIR [--budget SECONDS] [--workload peer|tree] — runs one
// embedded engine (cedar | casbin | js-index) in its own process (so its
// peak RSS is its own) on DIR/requests.jsonl, written by gen.mjs for N rules:
//   1. load: translate the N rules into the engine's language and compile/load them (timed);
//   2. warm up on the first 1,000 lines;
//   3. decide every line in order, timing each call (JSON text in, decision out),
//      and check each decision against DIR/expected.txt.
// Stops early after --budget seconds of step 3 (default: no limit); the
// result says how many requests were decided. Prints one JSON object on
// stdout; exits 1 on any mismatch.
import fs from 'node:fs';
import path from 'node:path';
import { peerRules } from './lib/workload.mjs';
import { ADAPTERS } from './lib/embedded.mjs';
import { treeRules } from './lib/tree.mjs';
import { TREE_ADAPTERS } from './lib/tree-peers.mjs';
import { latencySummary } from './lib/stats.mjs';

const args = process.argv.slice(2);
const budgetAt = args.indexOf('--budget');
const budget = budgetAt >= 0 ? Number(args.splice(budgetAt, 2)[1]) : Infinity;
const workloadAt = args.indexOf('--workload');
const workload = workloadAt >= 0 ? args.splice(workloadAt, 2)[1] : 'peer';
const [engine, nText, dir] = args;
const adapter = (workload === 'tree' ? TREE_ADAPTERS : ADAPTERS)[engine];
if (!adapter || !dir) {
  console.error(`usage: run-embedded.mjs ${Object.keys(ADAPTERS).join('|')} N DIR [--budget SECONDS] [--workload peer|tree]`);
  process.exit(2);
}
const n = Number(nText);
const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l.length);
const expected = fs.readFileSync(path.join(dir, 'expected.txt'), 'utf8').split('\n').filter((l) => l.length);
const rules = workload === 'tree' ? treeRules(n).rules : peerRules(n);
const rssBefore = process.memoryUsage().rss;

const t0 = process.hrtime.bigint();
const decider = await adapter.load(rules);
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const warm = Math.min(1000, lines.length);
for (let i = 0; i < warm; ++i) decider.decide(lines[i]);

const lat = new Float64Array(lines.length);
const mismatches = [];
const budgetNs = BigInt(Math.round(Math.min(budget, 1e9) * 1e9));
const start = process.hrtime.bigint();
let done = 0;
for (; done < lines.length; ++done) {
  const a = process.hrtime.bigint();
  const allow = decider.decide(lines[done]);
  const b = process.hrtime.bigint();
  lat[done] = Number(b - a);
  // tree: expected holds redline's full outcome; peers answer allow / not allow
  if (allow !== (expected[done] === 'allow')) mismatches.push({ line: done + 1, got: allow ? 'allow' : 'deny', want: expected[done] });
  if ((done & 63) === 0 && b - start > budgetNs) { ++done; break; }
}
const wallS = Number(process.hrtime.bigint() - start) / 1e9;
const sum = lat.subarray(0, done).reduce((s, x) => s + x, 0);
const out = {
  engine, label: adapter.label(), workload, n, requests: done, of: lines.length,
  load_ms: loadMs,
  ...latencySummary(lat.subarray(0, done)),
  mean_us: sum / done / 1000,
  decisions_per_s: done / wallS,
  // VmHWM: resourceUsage().maxRSS would carry over the forking parent's high-water mark
  peak_rss_mb: Number(fs.readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+)/m)[1]) / 1024,
  rss_before_load_mb: rssBefore / 1048576,
  mismatches: mismatches.length,
};
console.log(JSON.stringify(out));
if (mismatches.length) {
  console.error(`${engine} N=${n}: ${mismatches.length} decisions differ from the reference, first: ${JSON.stringify(mismatches.slice(0, 5))}`);
  process.exit(1);
}
