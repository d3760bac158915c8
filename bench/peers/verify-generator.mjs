#!/usr/bin/env node
// bench/peers/verify-generator.mjs WORKLOAD_GEN [M] — checks that this
// harness's JS generators write byte-identical policy.pol and requests.jsonl
// to the C++ one (`redline_workload_gen peer|tree N M DIR`) for N = 10, 100,
// 1,000, 10,000. Exits 1 on any difference.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { peerRules, peerRequests, peerPolicy, peerRequestJson } from './lib/workload.mjs';
import { treeRules, treeRequests } from './lib/tree.mjs';

const gen = process.argv[2];
const m = Number(process.argv[3] || 100000);
if (!gen) {
  console.error('usage: verify-generator.mjs PATH/TO/redline_workload_gen [M]');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redline-peers-gen-'));
let bad = 0;
try {
  const requests = Buffer.from(peerRequests(m).map((q) => peerRequestJson(q) + '\n').join(''));
  for (const n of [10, 100, 1000, 10000]) {
    execFileSync(gen, ['peer', String(n), String(m), tmp]);
    const pol = Buffer.from(peerPolicy(peerRules(n)));
    const cpol = fs.readFileSync(path.join(tmp, 'policy.pol'));
    const creq = fs.readFileSync(path.join(tmp, 'requests.jsonl'));
    const okPol = pol.equals(cpol), okReq = requests.equals(creq);
    console.log(`N=${n}: policy.pol ${okPol ? 'identical' : 'DIFFERS'} (${cpol.length} bytes), ` +
      `requests.jsonl ${okReq ? 'identical' : 'DIFFERS'} (${m} lines, ${creq.length} bytes)`);
    if (!okPol || !okReq) bad++;
  }
  const treeReq = Buffer.from(treeRequests(m).map((l) => l + '\n').join(''));
  for (const n of [10, 100, 1000, 10000]) {
    execFileSync(gen, ['tree', String(n), String(m), tmp]);
    const okPol = Buffer.from(treeRules(n).text).equals(fs.readFileSync(path.join(tmp, 'policy.pol')));
    const okReq = treeReq.equals(fs.readFileSync(path.join(tmp, 'requests.jsonl')));
    console.log(`tree N=${n}: policy.pol ${okPol ? 'identical' : 'DIFFERS'}, requests.jsonl ${okReq ? 'identical' : 'DIFFERS'} (${m} lines)`);
    if (!okPol || !okReq) bad++;
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(bad ? 1 : 0);
