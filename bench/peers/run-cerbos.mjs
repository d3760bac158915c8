#!/usr/bin/env node
// bench/peers/run-cerbos.mjs N DIR [--budget SECONDS] [--wrk-seconds S] [--port P] [--workload peer|tree] —
// the Cerbos PDP as a server on 127.0.0.1, on the workload gen.mjs wrote to DIR:
//   1. translate the N rules to a resource policy and start the PDP: load time =
//      process start to /_cerbos/health SERVING (includes compiling the policy);
//   2. decide DIR/requests.jsonl over HTTP keep-alive (4 in flight) and check
//      every decision against DIR/expected.txt (stops after --budget seconds);
//   3. wrk with 1, 16 and 64 connections for --wrk-seconds each (default 10)
//      over the same request bodies;
//   4. Cerbos' own engine time per check (its Prometheus metric) and peak RSS.
// Prints one JSON object on stdout; exits 1 on any mismatch.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { peerRules, parseRequestJson } from './lib/workload.mjs';
import { treeRules, makeTree, parseTreeRequest } from './lib/tree.mjs';
import { cerbosTreePolicy, cerbosTreeBody } from './lib/tree-peers.mjs';
import { writeCerbosFiles, startCerbos, stopCerbos, cerbosBody, procRss } from './lib/cerbos.mjs';
import { peerVersion } from './lib/cache.mjs';
import { runWrk } from './lib/wrk.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt; };
const budget = opt('--budget', Infinity);
const wrkSeconds = opt('--wrk-seconds', 10);
const port = opt('--port', 39592);
const wAt = args.indexOf('--workload');
const workload = wAt >= 0 ? args.splice(wAt, 2)[1] : 'peer';
const [nText, dir] = args;
if (!dir) {
  console.error('usage: run-cerbos.mjs N DIR [--budget SECONDS] [--wrk-seconds S] [--port P]');
  process.exit(2);
}
const n = Number(nText);
const lines = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l.length);
const expected = fs.readFileSync(path.join(dir, 'expected.txt'), 'utf8').split('\n').filter((l) => l.length);
const work = path.join(dir, 'cerbos');
const tree = workload === 'tree';
const files = writeCerbosFiles(work, tree ? cerbosTreePolicy(treeRules(n).rules, makeTree().nodes) : peerRules(n), port);
const bodies = lines.map((l, i) => JSON.stringify(tree ? cerbosTreeBody(parseTreeRequest(l), i) : cerbosBody(parseRequestJson(l), i)));
const bodiesFile = path.join(work, 'bodies.jsonl');
fs.writeFileSync(bodiesFile, bodies.slice(0, 100000).join('\n') + '\n');

const server = await startCerbos(files.config, port);
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function check(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/check/resources', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`cerbos HTTP ${res.statusCode}: ${data.slice(0, 300)}`));
        const r = JSON.parse(data).results[0];
        resolve(Object.values(r.actions)[0]);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let result;
try {
  // 2. cross-check, 4 requests in flight, in order of issue.
  const mismatches = [];
  const t0 = process.hrtime.bigint();
  let next = 0, checked = 0;
  const deadline = t0 + BigInt(Math.round(Math.min(budget, 1e9) * 1e9));
  async function lane() {
    while (next < lines.length && process.hrtime.bigint() < deadline) {
      const i = next++;
      const effect = await check(bodies[i]);
      const got = effect === 'EFFECT_ALLOW' ? 'allow' : 'deny';
      if ((got === 'allow') !== (expected[i] === 'allow')) mismatches.push({ line: i + 1, got, want: expected[i] });
      checked++;
    }
  }
  await Promise.all([lane(), lane(), lane(), lane()]);
  const checkS = Number(process.hrtime.bigint() - t0) / 1e9;

  // 3. wrk, 1 / 16 / 64 connections.
  const wrk = [1, 16, 64].map((c) => runWrk(`http://127.0.0.1:${port}`, '/api/check/resources', bodiesFile, c, wrkSeconds));

  // 4. Cerbos' own metric: engine time per check.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/_cerbos/metrics`)).text();
  const metric = (name) => metrics.split('\n').filter((l) => l.startsWith(name) && !l.includes('#'))
    .reduce((s, l) => s + Number(l.trim().split(/\s+/).pop()), 0);
  const engineSum = metric('cerbos_dev_engine_check_latency_milliseconds_sum'), engineCount = metric('cerbos_dev_engine_check_latency_milliseconds_count');

  result = {
    engine: 'cerbos', label: `Cerbos ${peerVersion('@cerbos/cerbos-linux-x64')} PDP (HTTP)`, workload, n,
    requests: checked, of: lines.length,
    load_ms: server.readyMs,
    checked_per_s_4_in_flight: checked / checkS,
    engine_us_per_check: engineCount ? (engineSum / engineCount) * 1000 : null,   // the metric is in ms
    ...procRss(server.proc.pid),
    wrk,
    mismatches: mismatches.length,
  };
  if (mismatches.length) console.error(`cerbos N=${n}: ${mismatches.length} decisions differ from the reference, first: ${JSON.stringify(mismatches.slice(0, 5))}`);
} finally {
  agent.destroy();
  await stopCerbos(server.proc);
}
console.log(JSON.stringify(result));
process.exit(result.mismatches ? 1 : 0);
