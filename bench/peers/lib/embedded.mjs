// bench/peers/lib/embedded.mjs — the embedded peers (Cedar as WebAssembly,
// node-casbin) and a plain-JS floor, each as an adapter:
//   const a = await ADAPTERS[name].load(rules);  // translate + compile; timed by the caller
//   a.decide(line) → true (allow) / false (deny): JSON text in (the redline
//   request line, parsed here), the engine's own call, decision out.
// Each translation says in a comment how the workload's meaning maps onto the
// engine's language (forbid overrides permit; default deny).
import { requirePeer, peerVersion } from './cache.mjs';
import { parseRequestJson, peerReference } from './workload.mjs';

const cedarString = (s) => JSON.stringify(s);

/**
 * Cedar: one policy per rule, action = purpose, principal User{role},
 * resource Data{tags}, context {collection, classification}. Cedar is
 * forbid-overrides and default-deny by itself, exactly the workload's meaning.
 *   forbid (principal, action == Action::"purpose_07", resource)
 *     when { resource.tags.contains("pii") && context.collection == "bulk" };
 *   permit (principal, action == Action::"purpose_03", resource)
 *     when { ["analyst","auditor"].contains(principal.role) && context.classification <= 3 };
 */
export function cedarPolicies(rules) {
  const out = {};
  for (const r of rules) {
    const head = `(principal, action == Action::${cedarString(r.purpose)}, resource)`;
    out[r.id] = r.forbid
      ? `forbid ${head} when { resource.tags.contains(${cedarString(r.tag)}) && context.collection == ${cedarString(r.collection)} };`
      : `permit ${head} when { [${r.roles.map(cedarString).join(', ')}].contains(principal.role) && context.classification <= ${r.maxClassification} };`;
  }
  return out;
}

/** The Cedar authorization call of one request (entities carry the attributes). */
export function cedarCall(q, psetId) {
  return {
    principal: { type: 'User', id: q.principal },
    action: { type: 'Action', id: q.purpose },
    resource: { type: 'Data', id: q.resource },
    context: { collection: q.collection, classification: q.classification },
    preparsedPolicySetId: psetId,
    validateRequest: false,
    entities: [
      { uid: { type: 'User', id: q.principal }, attrs: { role: q.role }, parents: [] },
      { uid: { type: 'Data', id: q.resource }, attrs: { tags: q.tags }, parents: [] },
    ],
  };
}

let psetCounter = 0;

/**
 * Casbin: one `p` line per rule (purpose, a, b, eft); the effect
 * `some(allow) && !some(deny)` is Casbin's deny-override; the matcher picks
 * the rule's condition by its effect. Roles are a `|`-delimited set, tags an
 * array; two small functions (registered with addFunction) test membership.
 */
export const CASBIN_MODEL = `[request_definition]
r = purpose, role, tags, collection, classification

[policy_definition]
p = purpose, a, b, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.purpose == p.purpose && ((p.eft == "deny" && hasTag(r.tags, p.a) && r.collection == p.b) || (p.eft == "allow" && inRoles(p.a, r.role) && r.classification <= p.b))
`;

/** The Casbin policy lines (CSV) of the rules. */
export function casbinPolicy(rules) {
  return rules
    .map((r) => (r.forbid
      ? `p, ${r.purpose}, ${r.tag}, ${r.collection}, deny`
      : `p, ${r.purpose}, |${r.roles.join('|')}|, ${r.maxClassification}, allow`))
    .join('\n') + '\n';
}

export const ADAPTERS = {
  cedar: {
    label: () => `Cedar ${peerVersion('@cedar-policy/cedar-wasm')} (wasm)`,
    async load(rules) {
      const cedar = requirePeer('@cedar-policy/cedar-wasm/nodejs');
      const id = `peers${psetCounter++}`;
      const res = cedar.preparsePolicySet(id, { staticPolicies: cedarPolicies(rules) });
      if (res.type !== 'success') throw new Error('cedar: ' + JSON.stringify(res.errors).slice(0, 500));
      return {
        decide(line) {
          const a = cedar.statefulIsAuthorized(cedarCall(parseRequestJson(line), id));
          if (a.type !== 'success') throw new Error('cedar: ' + JSON.stringify(a.errors).slice(0, 500));
          return a.response.decision === 'allow';
        },
      };
    },
  },
  casbin: {
    label: () => `node-casbin ${peerVersion('casbin')}`,
    async load(rules) {
      const casbin = requirePeer('casbin');
      const model = casbin.newModelFromString(CASBIN_MODEL);
      const e = await casbin.newEnforcer(model, new casbin.StringAdapter(casbinPolicy(rules)));
      e.addFunction('hasTag', (tags, t) => tags.includes(t));
      e.addFunction('inRoles', (set, role) => set.includes(`|${role}|`));
      return {
        decide(line) {
          const q = parseRequestJson(line);
          return e.enforceSync(q.purpose, q.role, q.tags, q.collection, q.classification);
        },
      };
    },
  },
  // A floor, not a product: plain JS with the rules grouped by purpose.
  'js-index': {
    label: () => 'plain JS, indexed by purpose (floor)',
    async load(rules) {
      const byPurpose = new Map();
      for (const r of rules) {
        if (!byPurpose.has(r.purpose)) byPurpose.set(r.purpose, []);
        byPurpose.get(r.purpose).push(r);
      }
      return {
        decide(line) {
          const q = parseRequestJson(line);
          return peerReference(byPurpose.get(q.purpose) || [], q);
        },
      };
    },
  },
};
