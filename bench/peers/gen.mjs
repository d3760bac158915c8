#!/usr/bin/env node
// bench/peers/gen.mjs N M DIR [peer|tree] — writes a workload for every engine
// (default "peer"; "tree" is the redline-shaped one of lib/tree.mjs, whose
// expected.txt holds the full outcome: allow, require_approval, escalate, deny):
//   DIR/policy.pol      the N rules as redline .pol (byte-identical to redline_workload_gen)
//   DIR/requests.jsonl  M requests as redline JSON lines (byte-identical too)
//   DIR/expected.txt    the reference decision per line ("allow"/"deny"), computed
//                       by the plain rule-by-rule reference of peers-workload.md
import fs from 'node:fs';
import path from 'node:path';
import { peerRules, peerRequests, peerPolicy, peerRequestJson, peerReference } from './lib/workload.mjs';
import { treeRules, treeRequests, parseTreeRequest, treeReference } from './lib/tree.mjs';

const [n, m, dir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
if (!Number.isInteger(n) || !Number.isInteger(m) || !dir) {
  console.error('usage: gen.mjs N M DIR');
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });
if (process.argv[5] === 'tree') {
  const { rules, text } = treeRules(n);
  const lines = treeRequests(m);
  fs.writeFileSync(path.join(dir, 'policy.pol'), text);
  fs.writeFileSync(path.join(dir, 'requests.jsonl'), lines.map((l) => l + '\n').join(''));
  const expected = lines.map((l) => treeReference(rules, parseTreeRequest(l)));
  fs.writeFileSync(path.join(dir, 'expected.txt'), expected.join('\n') + '\n');
  const count = {};
  for (const e of expected) count[e] = (count[e] || 0) + 1;
  console.error(`gen: tree N=${n} M=${m} → ${dir} ${JSON.stringify(count)}`);
  process.exit(0);
}
const rules = peerRules(n);
const requests = peerRequests(m);
fs.writeFileSync(path.join(dir, 'policy.pol'), peerPolicy(rules));
fs.writeFileSync(path.join(dir, 'requests.jsonl'), requests.map((q) => peerRequestJson(q) + '\n').join(''));
// The reference reads every rule (skipping those of other purposes), as the
// spec's "Meaning" does; grouping by purpose first only saves time.
const byPurpose = new Map();
for (const r of rules) (byPurpose.get(r.purpose) || byPurpose.set(r.purpose, []).get(r.purpose)).push(r);
const expected = requests.map((q) => (peerReference(byPurpose.get(q.purpose) || [], q) ? 'allow' : 'deny'));
fs.writeFileSync(path.join(dir, 'expected.txt'), expected.join('\n') + '\n');
const allows = expected.filter((d) => d === 'allow').length;
console.error(`gen: N=${n} M=${m} → ${dir} (${allows} allow, ${m - allows} deny)`);
