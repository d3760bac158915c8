// bench/peers/lib/workload.mjs — the "purpose rules" workload of
// shared/bench/peers-workload.md, draw for draw as bench/workload.cc
// (mulberry32, seeds 1 and 2): the rules, the requests, the .pol text, the
// redline request JSON and the plain reference decision ("Meaning").
// The policy text and request lines are byte-identical to
// `redline_workload_gen peer N M DIR` (checked by verify-generator.mjs).

/** mulberry32 as specified in peers-workload.md: a function returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, arr) => arr[Math.floor(r() * arr.length)];
function sample(r, arr, k) {
  const v = arr.slice();
  for (let i = v.length - 1; i > 0; --i) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v.slice(0, k);
}

export const PURPOSES = Array.from({ length: 20 }, (_, i) => `purpose_${String(i).padStart(2, '0')}`);
export const ROLES = ['analyst', 'auditor', 'engineer', 'admin', 'contractor', 'researcher', 'support', 'legal'];
export const TAGS = ['us_persons', 'pii', 'phi', 'financial', 'minors', 'biometric', 'location', 'health',
  'credit', 'eu_persons', 'children', 'geo', 'voice', 'face', 'ssn', 'email'];
export const COLLECTIONS = ['bulk', 'targeted', 'aggregate'];

/** N rules (seed 1), in draw order: {id, forbid, purpose, tag, collection} or {id, forbid, purpose, roles, maxClassification}. */
export function peerRules(n) {
  const r = mulberry32(1);
  const out = [];
  for (let i = 0; i < n; ++i) {
    const purpose = pick(r, PURPOSES);
    if (r() < 0.3) {
      const tag = r() < 0.25 ? 'us_persons' : pick(r, TAGS);
      out.push({ id: `r${i}`, forbid: true, purpose, tag, collection: pick(r, COLLECTIONS) });
    } else {
      const roles = sample(r, ROLES, 1 + Math.floor(r() * 3));
      out.push({ id: `r${i}`, forbid: false, purpose, roles, maxClassification: Math.floor(r() * 5) });
    }
  }
  return out;
}

/** M requests (seed 2), in draw order. */
export function peerRequests(m) {
  const r = mulberry32(2);
  const out = [];
  for (let i = 0; i < m; ++i) {
    const principal = 'u' + Math.floor(r() * 1000);
    const role = pick(r, ROLES);
    const resource = 'd' + Math.floor(r() * 1000);
    const tags = sample(r, TAGS, Math.floor(r() * 4));
    const purpose = pick(r, PURPOSES);
    const collection = pick(r, COLLECTIONS);
    const classification = Math.floor(r() * 5);
    out.push({ principal, role, resource, tags, purpose, collection, classification });
  }
  return out;
}

/** The rules as a redline .pol policy (bench/workload.cc peer_policy). */
export function peerPolicy(rules) {
  const j = (v) => v.join(', ');
  // LANGUAGE.md §4: purposes are separated by white space, not commas.
  let s = `purposes { ${PURPOSES.join(' ')} }\n`;
  s += `context {\n  actor.role: enum { ${j(ROLES)} }\n  data.tags: tags { ${j(TAGS)} }\n  request.collection: enum { ${j(COLLECTIONS)} }\n`;
  s += '  env.classification: level { l0 < l1 < l2 < l3 < l4 }\n}\n';
  s += 'policy "peers" {\n  default deny\n';
  rules.forEach((r, i) => {
    s += `  rule r${i}: `;
    if (r.forbid) s += `prohibit ${r.purpose} when data.tags has ${r.tag} and request.collection == ${r.collection}`;
    else s += `permit ${r.purpose} when actor.role in [${j(r.roles)}] and env.classification <= l${r.maxClassification}`;
    s += ';\n';
  });
  return s + '}\n';
}

/** A request as redline JSON text (bench/workload.cc peer_request_json). */
export function peerRequestJson(q) {
  return `{"purpose":"${q.purpose}","actor":{"id":"${q.principal}","role":"${q.role}"},"data":{"id":"${q.resource}","tags":[` +
    q.tags.map((t) => `"${t}"`).join(',') +
    `]},"request":{"collection":"${q.collection}"},"env":{"classification":"l${q.classification}"}}`;
}

/** Back from redline JSON text to the neutral request (what every peer adapter starts from). */
export function parseRequestJson(text) {
  const o = JSON.parse(text);
  return {
    principal: o.actor.id, role: o.actor.role, resource: o.data.id, tags: o.data.tags,
    purpose: o.purpose, collection: o.request.collection, classification: Number(o.env.classification.slice(1)),
  };
}

/** The reference decision ("Meaning"), rule by rule, no index: true = allow. */
export function peerReference(rules, q) {
  let permit = false;
  for (const r of rules) {
    if (r.purpose !== q.purpose) continue;
    if (r.forbid) {
      if (q.collection === r.collection && q.tags.includes(r.tag)) return false;
    } else if (r.roles.includes(q.role) && q.classification <= r.maxClassification) {
      permit = true;
    }
  }
  return permit;
}
