#!/usr/bin/env node
// bench/peers/update-readme.mjs PEERS.md [TREE.md] README.md — writes the peers'
// results section of bench/README.md (between the bench-peers markers,
// appended when absent; the other sections are left as they are): date,
// machine, versions, caveats, and the tables bench.mjs wrote.
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { peerVersion } from './lib/cache.mjs';

const argv = process.argv.slice(2);
const readme = argv.pop();
const [tablesPath, treePath] = argv;
if (!tablesPath) {
  console.error('usage: update-readme.mjs PEERS.md [TREE.md] README.md');
  process.exit(2);
}
const BEGIN = '<!-- bench-peers:begin (written by scripts/bench-peers.sh) -->';
const END = '<!-- bench-peers:end -->';
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [, 'unknown'])[1];
const memGb = (os.totalmem() / 2 ** 30).toFixed(1);
const wrkVersion = (() => {
  let out;
  try { out = execFileSync('wrk', ['-v'], { encoding: 'utf8' }); } catch (e) { out = String(e.stdout || ''); }
  return (out.split('\n')[0] || 'wrk').replace(/\s*\[.*$/, '');   // "wrk debian/4.1.0-3+b2"
})();
const date = new Date().toISOString().slice(0, 10);
const section = `${BEGIN}
## Side by side: Cedar, Cerbos, Casbin (bench/peers)

Run with \`scripts/bench-peers.sh\` on ${date}. Machine: ${os.cpus().length} cores, ${cpu}, ${memGb} GiB, Linux ${os.release()}.
Peers from the npm registry: Cedar ${peerVersion('@cedar-policy/cedar-wasm')} (\`@cedar-policy/cedar-wasm\`, WebAssembly in Node ${process.versions.node}),
node-casbin ${peerVersion('casbin')}, Cerbos ${peerVersion('@cerbos/cerbos-linux-x64')} (\`@cerbos/cerbos-linux-x64\`, PDP over HTTP on 127.0.0.1); ${wrkVersion.trim()}.
Workload: \`shared/bench/peers-workload.md\` ("purpose rules"), the same rules and requests for every engine
(bench/peers/gen.mjs, byte-identical to \`redline_workload_gen peer\`); every decision every engine made was checked
against the plain reference and matched (a mismatch fails the run). How each engine is driven: bench/peers/README.md.

Caveats:
- Cedar here is its WebAssembly build called from Node (\`statefulIsAuthorized\` on a pre-parsed policy set; each call
  converts the request and entities across the JS/wasm boundary); its native Rust build is faster.
- Cerbos is a service: its figures include HTTP and JSON both ways, and wrk runs on the same 2 cores as the PDP.
  "engine time per check" is Cerbos' own metric (\`cerbos_dev_engine_check_latency_milliseconds\`), the closest to an
  embedded figure. redline's service (\`redline serve\`) does not exist yet, so the service goal is not measured.
- Peer times are Node calls timed with \`process.hrtime.bigint()\` around JSON text → engine call → decision;
  redline's embedded times are the C++ driver (bench/peers/redline_driver) timed with \`steady_clock\` around
  JSON text → bind → evaluate (and around evaluate alone for "bound"); each includes one clock pair
  (about 20–40 ns — a large share of redline's bound figure). "mean µs" is wall time / decisions in a loop.
- Embedded engines ran pinned to one core (taskset); the machine is shared with other engineers' builds, so the
  load average is printed with each table: absolute figures are noisy, ratios within one table are fairer
  (engines ran one after another, not at the same time).
- \`redline eval\` is the whole CLI process (start, compile, read, decide, write). Its decision lines list every
  rule that applied (LANGUAGE.md §10), so at large N it is bound by writing output (bytes per decision in the row
  label), which the embedded figures do not pay.
- "bound request" cycles the first 10,000 requests bound once; its median includes the clock pair, its mean
  (untimed loop) does not. Compiling even a 10-rule policy takes redline's RSS from about 7 MB to about 42 MB.
- Slow peers are bounded: at large N they decide (and are cross-checked on) only the first requests that fit in the
  time budget; the table says how many. Peak RSS of Node engines includes Node itself (about 50 MB) and the request
  file; redline's includes the 100,000 request lines and 10,000 bound requests.

### Purpose rules (the peer workload)
${fs.readFileSync(tablesPath, 'utf8')}${treePath ? treeSection(fs.readFileSync(treePath, 'utf8')) : ''}
${END}
`;
function treeSection(tables) {
  return `
### The redline-shaped workload (tree)

\`tree_policy\` / \`tree_requests\` of bench/workload.cc (bench/peers/lib/tree.mjs, byte-identical): a purpose
tree of 156 purposes (6 areas, 30 tasks, 120 operations), two layers (\`base\`: default allow with prohibit / escalate / require-approval rules;
\`deployment\` extends it: default deny with permits, some \`unless request.age > Nh\`, some obliging \`log_full\`),
int and duration attributes. redline is checked on the full outcome (allow, require_approval, escalate, deny)
against a plain JS reference of LANGUAGE.md §9–10; the peers get the closest equivalent they can express and are
checked on allow vs not-allow. What they cannot express:
- outcomes other than allow/deny: escalate and require approval become forbids (who may approve, quorum,
  deadlines and escalation paths are lost); approvals in requests could not be honoured;
- layers: flattened to forbid-overrides / default deny, which is right only because \`base\` holds only
  restrictive rules and \`deployment\` only permits;
- the purpose tree and vagueness ("a restriction on P applies to a request for P's ancestor"): every target is
  expanded at translation time into the explicit list of purposes it covers (the policies grow accordingly);
- obligations are not translated; durations are passed as whole hours.
${tables}`;
}

let text = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '# Benchmarks\n\nBenchmarks of redline. Each section says how to reproduce it.\n';
const b = text.indexOf(BEGIN), e = text.indexOf(END);
if (b >= 0 && e > b) text = text.slice(0, b) + section.trimEnd() + text.slice(e + END.length);
else text = text.trimEnd() + '\n\n' + section;
fs.writeFileSync(readme, text.endsWith('\n') ? text : text + '\n');
console.error(`update-readme: wrote the peers section of ${readme}`);
