// bench/peers/lib/cerbos.mjs — the Cerbos translation and a PDP on loopback.
//   One resource policy for kind "data"; one rule per workload rule, action =
//   purpose. Forbids are EFFECT_DENY rules for every role ("*") with a CEL
//   condition on the resource's tags and collection; permits are
//   EFFECT_ALLOW rules for the rule's roles with a CEL condition on the
//   classification. Cerbos lets a matching DENY override any ALLOW and
//   denies when nothing matches: the workload's meaning.
//   Request: principal {id, roles: [role]}, resource {kind "data", id,
//   attr {tags, collection, classification}}, actions [purpose].
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CERBOS_BIN } from './cache.mjs';

/** The resource policy (JSON is YAML; Cerbos reads it as a .yaml file). */
export function cerbosPolicy(rules) {
  return {
    apiVersion: 'api.cerbos.dev/v1',
    resourcePolicy: {
      version: 'default',
      resource: 'data',
      rules: rules.map((r) => (r.forbid
        ? {
          name: r.id, actions: [r.purpose], effect: 'EFFECT_DENY', roles: ['*'],
          condition: { match: { all: { of: [
            { expr: `${JSON.stringify(r.tag)} in request.resource.attr.tags` },
            { expr: `request.resource.attr.collection == ${JSON.stringify(r.collection)}` },
          ] } } },
        }
        : {
          name: r.id, actions: [r.purpose], effect: 'EFFECT_ALLOW', roles: r.roles,
          condition: { match: { expr: `request.resource.attr.classification <= ${r.maxClassification}` } },
        })),
    },
  };
}

/** The CheckResources body of one request (one resource, one action). */
export function cerbosBody(q, i) {
  return {
    requestId: String(i),
    principal: { id: q.principal, roles: [q.role] },
    resources: [{
      actions: [q.purpose],
      resource: { kind: 'data', id: q.resource, attr: { tags: q.tags, collection: q.collection, classification: q.classification } },
    }],
  };
}

/** Writes DIR/policies/data.yaml (`policy`: a resource policy object, or the peer rules) and DIR/cerbos.yaml (loopback only, no audit, no telemetry). */
export function writeCerbosFiles(dir, policy, port) {
  const policies = path.join(dir, 'policies');
  fs.mkdirSync(policies, { recursive: true });
  fs.writeFileSync(path.join(policies, 'data.yaml'), JSON.stringify(Array.isArray(policy) ? cerbosPolicy(policy) : policy));
  const config = [
    'server:',
    `  httpListenAddr: "127.0.0.1:${port}"`,
    `  grpcListenAddr: "127.0.0.1:${port + 1}"`,
    'storage:',
    '  driver: disk',
    '  disk:',
    `    directory: ${JSON.stringify(policies)}`,
    '    watchForChanges: false',
    'audit:',
    '  enabled: false',
    'telemetry:',
    '  disabled: true',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'cerbos.yaml'), config);
  return { policies, config: path.join(dir, 'cerbos.yaml') };
}

/** Starts the PDP; resolves with {proc, readyMs} once /_cerbos/health answers SERVING. */
export async function startCerbos(configPath, port, timeoutMs = 300000) {
  const t0 = process.hrtime.bigint();
  const proc = spawn(CERBOS_BIN, ['server', `--config=${configPath}`, '--log-level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CERBOS_NO_TELEMETRY: '1' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  for (;;) {
    if (exited !== null) throw new Error(`cerbos exited (${exited}): ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/_cerbos/health`);
      if (res.ok) break;
    } catch { /* not yet listening */ }
    if (Number(process.hrtime.bigint() - t0) / 1e6 > timeoutMs) { proc.kill('SIGKILL'); throw new Error('cerbos did not become ready'); }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { proc, readyMs: Number(process.hrtime.bigint() - t0) / 1e6, stderr: () => stderr };
}

/** Peak and current RSS (MB) of a process, from /proc. */
export function procRss(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
  return { peak_rss_mb: kb('VmHWM') / 1024, rss_mb: kb('VmRSS') / 1024 };
}

/** Stops the PDP and waits for it to exit. */
export async function stopCerbos(proc) {
  if (proc.exitCode !== null) return;
  await new Promise((resolve) => { proc.on('exit', resolve); proc.kill('SIGTERM'); setTimeout(() => proc.kill('SIGKILL'), 5000); });
}
