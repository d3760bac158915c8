// bench/peers/lib/tree.mjs — the second, redline-shaped workload
// (bench/workload.cc tree_policy / tree_requests, draw for draw): a 4-level
// purpose tree (6 areas, 30 tasks, 120 operations: 156 purposes), two layers
// ("base": default allow with prohibit / escalate / require-approval rules;
// "deployment" extends it: default deny with permits, some `unless
// request.age > Nh`, some obliging `log_full`), more attribute kinds (int,
// duration). Requests carry no approvals.
//
// The reference decides the full outcome as LANGUAGE.md §9–10 read: targets
// cover descendants; a restrictive rule also applies to a vaguer (ancestor)
// purpose; within a layer the most severe applying outcome, else its default;
// across layers the most severe. Peers only answer allow / deny: they are
// checked on "allow" vs "not allow" (see README: what they cannot express).
import { mulberry32, ROLES, TAGS, COLLECTIONS } from './workload.mjs';

const pick = (r, arr) => arr[Math.floor(r() * arr.length)];
function sample(r, arr, k) {
  const v = arr.slice();
  for (let i = v.length - 1; i > 0; --i) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v.slice(0, k);
}

/** The purpose tree: full paths in pre-order, and its .pol text. */
export function makeTree() {
  const nodes = [];
  let text = 'purposes {\n';
  for (let a = 0; a < 6; ++a) {
    const pa = `area${a}`;
    nodes.push(pa);
    text += `  ${pa} {\n`;
    for (let b = 0; b < 5; ++b) {
      const pb = `${pa}.task${a}_${b}`;
      nodes.push(pb);
      text += `    task${a}_${b} {`;
      for (let c = 0; c < 4; ++c) {
        const leaf = `op${a}_${b}_${c}`;
        nodes.push(`${pb}.${leaf}`);
        text += ` ${leaf}`;
      }
      text += ' }\n';
    }
    text += '  }\n';
  }
  text += '}\n';
  return { nodes, text };
}

export const SEVERITY = { allow: 0, require_approval: 1, escalate: 2, deny: 3 };
const OUTCOME = ['allow', 'require_approval', 'escalate', 'deny'];

/** N rules (seed 7) and the .pol text, in draw order. */
export function treeRules(n, seed = 7) {
  const t = makeTree();
  const r = mulberry32(seed);
  const rules = [];
  const base = Math.floor(n / 4);
  let s = t.text;
  s += `context {\n  actor.role: enum { ${ROLES.join(', ')} }\n  actor.kind: enum { human, agent }\n` +
    `  data.tags: tags { ${TAGS.join(', ')} }\n  request.collection: enum { ${COLLECTIONS.join(', ')} }\n` +
    '  env.classification: level { l0 < l1 < l2 < l3 < l4 }\n  request.volume: int\n  request.age: duration\n}\n';
  s += 'policy "base" {\n  default allow\n  escalation review { step legal within 4h step admin quorum 2 }\n';
  for (let i = 0; i < n; ++i) {
    if (i === base) s += '}\npolicy "deployment" extends "base" {\n  default deny\n';
    const p = pick(r, t.nodes);
    const kind = r();
    const rule = { id: `t${i}`, layer: i < base ? 'base' : 'deployment', purpose: p };
    s += `  rule t${i}: `;
    if (i < base) {
      if (kind < 0.5) {
        Object.assign(rule, { effect: 'prohibit', tag: pick(r, TAGS), volume: Math.floor(r() * 1000) });
        s += `prohibit ${p} when data.tags has ${rule.tag} and request.volume > ${rule.volume}`;
      } else if (kind < 0.8) {
        const t1 = pick(r, TAGS), t2 = pick(r, TAGS);
        Object.assign(rule, { effect: 'escalate', anyTags: [t1, t2] });
        s += `escalate ${p} when data.tags has any [${t1}, ${t2}] to review`;
      } else {
        Object.assign(rule, { effect: 'require_approval', by: pick(r, ROLES) });
        s += `require approval ${p} by ${rule.by} when actor.kind == agent`;
      }
    } else {
      const roles = sample(r, ROLES, 1 + Math.floor(r() * 3));
      Object.assign(rule, { effect: 'permit', roles, maxClassification: Math.floor(r() * 5) });
      s += `permit ${p} when actor.role in [${roles.join(', ')}] and env.classification <= l${rule.maxClassification}`;
      if (r() < 0.3) { rule.maxAgeH = 1 + Math.floor(r() * 48); s += ` unless request.age > ${rule.maxAgeH}h`; }
      if (r() < 0.2) { rule.oblige = 'log_full'; s += ' oblige log_full'; }
    }
    s += ';\n';
    rules.push(rule);
  }
  s += '}\n';
  return { rules, text: s, nodes: t.nodes };
}

/** M requests (seed 11) as JSON lines, in draw order. */
export function treeRequests(m, seed = 11) {
  const t = makeTree();
  const r = mulberry32(seed);
  const out = [];
  for (let i = 0; i < m; ++i) {
    const purpose = pick(r, t.nodes), role = pick(r, ROLES), kind = r() < 0.3 ? 'agent' : 'human';
    const tags = sample(r, TAGS, Math.floor(r() * 4));
    const collection = pick(r, COLLECTIONS), volume = Math.floor(r() * 2000), age = Math.floor(r() * 72), cls = Math.floor(r() * 5);
    out.push(`{"purpose":"${purpose}","actor":{"role":"${role}","kind":"${kind}"},"data":{"tags":[${tags.map((x) => `"${x}"`).join(',')}]},` +
      `"request":{"collection":"${collection}","volume":${volume},"age":"${age}h"},"env":{"classification":"l${cls}"}}`);
  }
  return out;
}

/** A tree request line → neutral fields. */
export function parseTreeRequest(line) {
  const o = JSON.parse(line);
  return {
    purpose: o.purpose, role: o.actor.role, kind: o.actor.kind, tags: o.data.tags, collection: o.request.collection,
    volume: o.request.volume, ageH: Number(o.request.age.slice(0, -1)), classification: Number(o.env.classification.slice(1)),
  };
}

const isSelfOrDescendant = (q, p) => q === p || q.startsWith(p + '.');
/** Whether rule target `p` covers request purpose `q` (§9; vagueness for restrictive rules). */
export function covers(rule, q) {
  if (isSelfOrDescendant(q, rule.purpose)) return true;
  return rule.effect !== 'permit' && isSelfOrDescendant(rule.purpose, q);
}

/** Whether a rule's condition holds (every attribute is present). */
export function holds(rule, q) {
  switch (rule.effect) {
    case 'prohibit': return q.tags.includes(rule.tag) && q.volume > rule.volume;
    case 'escalate': return rule.anyTags.some((t) => q.tags.includes(t));
    case 'require_approval': return q.kind === 'agent';
    default:
      return rule.roles.includes(q.role) && q.classification <= rule.maxClassification &&
        !(rule.maxAgeH !== undefined && q.ageH > rule.maxAgeH);
  }
}

/** The reference outcome ("allow" | "require_approval" | "escalate" | "deny"). */
export function treeReference(rules, q) {
  let base = -1, deployment = -1;
  for (const rule of rules) {
    if (!covers(rule, q.purpose) || !holds(rule, q)) continue;
    const sev = { permit: 0, require_approval: 1, escalate: 2, prohibit: 3 }[rule.effect];
    if (rule.layer === 'base') base = Math.max(base, sev);
    else deployment = Math.max(deployment, sev);
  }
  if (base < 0) base = SEVERITY.allow;          // base: default allow
  if (deployment < 0) deployment = SEVERITY.deny; // deployment: default deny
  return OUTCOME[Math.max(base, deployment)];
}

/** The purposes a rule covers, expanded (for peers without a purpose tree or vagueness). */
export function coveredPurposes(rule, nodes) {
  return nodes.filter((q) => covers(rule, q));
}
