#!/usr/bin/env node
// bench/peers/run-serve.mjs N DIR --redline BIN [--budget SECONDS] [--wrk-seconds S] [--threads T] [--state] —
// `redline serve` as a server on 127.0.0.1, on the workload gen.mjs wrote to
// DIR, measured exactly as run-cerbos.mjs measures the Cerbos PDP:
//   1. start it on DIR/policy.pol: load time = process start to the
//      `listening on` line (includes compiling the policy);
//   2. decide DIR/requests.jsonl over HTTP keep-alive (4 in flight) and check
//      every decision against DIR/expected.txt (stops after --budget seconds);
//   3. wrk with 1, 16 and 64 connections for --wrk-seconds each over the
//      same request bodies (wrk-bodies.lua, as for Cerbos);
//   4. its own decision latency (the /metrics histogram's mean) and peak RSS.
// With --state every decision is also written to an audit log (a fresh
// folder under DIR). Prints one JSON object on stdout; exits 1 on any mismatch.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { procRss } from './lib/cerbos.mjs';
import { runWrk } from './lib/wrk.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? (args.splice(i, 1), true) : false; };
const budget = Number(opt('--budget', Infinity));
const wrkSeconds = Number(opt('--wrk-seconds', 10));
const threads = opt('--threads', '2');
const redline = opt('--redline', null);
const withState = flag('--state');
const [nText, dir] = args;
if (!dir || !redline) {
  console.error('usage: run-serve.mjs N DIR --redline BIN [--budget S] [--wrk-seconds S] [--threads T] [--state]');
  process.exit(2);
}
const n = Number(nText);
const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l.length);
const expected = fs.readFileSync(path.join(dir, 'expected.txt'), 'utf8').split('\n').filter((l) => l.length);
const work = path.join(dir, 'redline-serve');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const bodiesFile = path.join(work, 'bodies.jsonl');
fs.writeFileSync(bodiesFile, lines.slice(0, 100000).join('\n') + '\n');

// 1. start and wait for `listening on HOST:PORT`.
const t0 = process.hrtime.bigint();
const serveArgs = ['serve', path.join(dir, 'policy.pol'), '--listen', '127.0.0.1:0', '--threads', threads];
if (withState) serveArgs.push('--state', path.join(work, 'state'));
const proc = spawn(redline, serveArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
const port = await new Promise((resolve, reject) => {
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
    if (m) resolve(Number(m[1]));
  });
  proc.on('exit', (code) => reject(new Error(`redline serve exited ${code}: ${stderr.slice(-2000)}`)));
});
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function decide(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/decide', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        try { resolve(JSON.parse(data).decision); } catch (e) { reject(new Error(`HTTP ${res.statusCode}: ${data.slice(0, 300)}`)); }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let result;
try {
  // 2. cross-check, 4 requests in flight.
  const mismatches = [];
  const c0 = process.hrtime.bigint();
  const deadline = c0 + BigInt(Math.round(Math.min(budget, 1e9) * 1e9));
  let next = 0, checked = 0;
  async function lane() {
    while (next < lines.length && process.hrtime.bigint() < deadline) {
      const i = next++;
      const got = await decide(lines[i]);
      if (got !== expected[i]) mismatches.push({ line: i + 1, got, want: expected[i] });
      checked++;
    }
  }
  await Promise.all([lane(), lane(), lane(), lane()]);
  const checkS = Number(process.hrtime.bigint() - c0) / 1e9;

  // 3. wrk, 1 / 16 / 64 connections.
  const wrk = [1, 16, 64].map((c) => runWrk(`http://127.0.0.1:${port}`, '/v1/decide', bodiesFile, c, wrkSeconds));

  // 4. its own latency histogram: mean decision time inside the server.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metric = (name) => Number((metrics.match(new RegExp(`^${name} (\\S+)`, 'm')) || [0, 0])[1]);
  const sum = metric('redline_decision_latency_seconds_sum'), count = metric('redline_decision_latency_seconds_count');
  const version = (await new Promise((resolve) => {
    const p = spawn(redline, ['--version']);
    let v = '';
    p.stdout.on('data', (d) => { v += d; });
    p.on('exit', () => resolve(v.trim()));
  }));
  result = {
    engine: 'redline-serve', label: `${version.replace('redline ', 'redline ')} serve (HTTP${withState ? ', audited' : ''})`, workload: 'peer', n,
    requests: checked, of: lines.length, load_ms: loadMs,
    checked_per_s_4_in_flight: checked / checkS,
    server_us_per_decision: count ? (sum / count) * 1e6 : null,
    ...procRss(proc.pid),
    wrk,
    mismatches: mismatches.length,
  };
  if (mismatches.length) console.error(`redline serve N=${n}: ${mismatches.length} decisions differ from the reference, first: ${JSON.stringify(mismatches.slice(0, 5))}`);
} finally {
  agent.destroy();
  await new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.on('exit', resolve);
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 15000);
  });
}
console.log(JSON.stringify(result));
process.exit(result.mismatches ? 1 : 0);
