// bench/peers/lib/tree-peers.mjs — the closest each peer gets to the
// redline-shaped workload (lib/tree.mjs). What they cannot express, and how
// the translation stands in for it:
//   - outcomes: peers answer allow/deny only. Every restrictive rule
//     (prohibit, escalate, require approval) becomes a forbid/deny, so a peer
//     decides "allow" exactly when redline does; require_approval and escalate
//     (and who may approve, quorum, deadlines, escalation paths) are lost, and
//     cross-checks compare allow vs not-allow.
//   - layers: "base" (default allow, restrictive rules only) under
//     "deployment" (default deny, permits) flattens to forbid-overrides,
//     default deny — true for this workload's shape only, not for layers in
//     general (a base layer's permits or a derived layer's prohibits would need
//     the translation to reason about layer order).
//   - the purpose tree and vagueness: each rule's target is expanded, at
//     translation time, into the explicit list of purposes it covers
//     (descendants; for restrictive rules also the vaguer ancestors).
//     Cedar has action groups and Cerbos `:`-wildcards for descendants, but
//     neither has "a restriction applies to an ancestor"; the expansion keeps
//     all three on one footing.
//   - obligations (`oblige log_full`): not translated (Cerbos outputs could carry them).
//   - durations: request.age is passed as whole hours (an integer).
import { requirePeer, peerVersion } from './cache.mjs';
import { makeTree, coveredPurposes, parseTreeRequest, treeReference } from './tree.mjs';

const str = JSON.stringify;

/** Cedar policies of the tree rules (record id → text). */
export function cedarTreePolicies(rules, nodes) {
  const out = {};
  for (const r of rules) {
    const acts = coveredPurposes(r, nodes).map((p) => `Action::${str(p)}`).join(', ');
    const head = `(principal, action in [${acts}], resource)`;
    switch (r.effect) {
      case 'prohibit': out[r.id] = `forbid ${head} when { resource.tags.contains(${str(r.tag)}) && context.volume > ${r.volume} };`; break;
      case 'escalate': out[r.id] = `forbid ${head} when { resource.tags.containsAny([${r.anyTags.map(str).join(', ')}]) };`; break;
      case 'require_approval': out[r.id] = `forbid ${head} when { principal.kind == "agent" };`; break;
      default:
        out[r.id] = `permit ${head} when { [${r.roles.map(str).join(', ')}].contains(principal.role) && context.classification <= ${r.maxClassification} }` +
          (r.maxAgeH !== undefined ? ` unless { context.age > ${r.maxAgeH} };` : ';');
    }
  }
  return out;
}

export const CASBIN_TREE_MODEL = `[request_definition]
r = purpose, role, kind, tags, volume, age, classification

[policy_definition]
p = purposes, kind, a, b, c, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = inSet(p.purposes, r.purpose) && ((p.kind == "prohibit" && hasTag(r.tags, p.a) && r.volume > p.b) || (p.kind == "escalate" && hasAnyTag(r.tags, p.a)) || (p.kind == "approval" && r.kind == "agent") || (p.kind == "permit" && inSet(p.a, r.role) && r.classification <= p.b && (p.c == "-1" || r.age <= p.c)))
`;

/** Casbin policy lines of the tree rules. */
export function casbinTreePolicy(rules, nodes) {
  return rules.map((r) => {
    const ps = `|${coveredPurposes(r, nodes).join('|')}|`;
    switch (r.effect) {
      case 'prohibit': return `p, ${ps}, prohibit, ${r.tag}, ${r.volume}, -1, deny`;
      case 'escalate': return `p, ${ps}, escalate, |${r.anyTags.join('|')}|, 0, -1, deny`;
      case 'require_approval': return `p, ${ps}, approval, -, 0, -1, deny`;
      default: return `p, ${ps}, permit, |${r.roles.join('|')}|, ${r.maxClassification}, ${r.maxAgeH ?? -1}, allow`;
    }
  }).join('\n') + '\n';
}

/** The Cerbos resource policy of the tree rules. */
export function cerbosTreePolicy(rules, nodes) {
  const R = 'request.resource.attr';
  return {
    apiVersion: 'api.cerbos.dev/v1',
    resourcePolicy: {
      version: 'default', resource: 'data',
      rules: rules.map((r) => {
        const actions = coveredPurposes(r, nodes);
        switch (r.effect) {
          case 'prohibit': return { name: r.id, actions, effect: 'EFFECT_DENY', roles: ['*'], condition: { match: { expr: `${str(r.tag)} in ${R}.tags && ${R}.volume > ${r.volume}` } } };
          case 'escalate': return { name: r.id, actions, effect: 'EFFECT_DENY', roles: ['*'], condition: { match: { expr: `${R}.tags.exists(t, t in ${str(r.anyTags)})` } } };
          case 'require_approval': return { name: r.id, actions, effect: 'EFFECT_DENY', roles: ['*'], condition: { match: { expr: 'request.principal.attr.kind == "agent"' } } };
          default: return { name: r.id, actions, effect: 'EFFECT_ALLOW', roles: r.roles,
            condition: { match: { expr: `${R}.classification <= ${r.maxClassification}` + (r.maxAgeH !== undefined ? ` && !(${R}.age > ${r.maxAgeH})` : '') } } };
        }
      }),
    },
  };
}

/** The Cerbos CheckResources body of one tree request. */
export function cerbosTreeBody(q, i) {
  return {
    requestId: String(i),
    principal: { id: `u${i % 1000}`, roles: [q.role], attr: { kind: q.kind } },
    resources: [{ actions: [q.purpose], resource: { kind: 'data', id: `d${i % 1000}`,
      attr: { tags: q.tags, collection: q.collection, volume: q.volume, age: q.ageH, classification: q.classification } } }],
  };
}

let psetCounter = 0;

export const TREE_ADAPTERS = {
  cedar: {
    label: () => `Cedar ${peerVersion('@cedar-policy/cedar-wasm')} (wasm)`,
    async load(rules) {
      const cedar = requirePeer('@cedar-policy/cedar-wasm/nodejs');
      const id = `tree${psetCounter++}`;
      const res = cedar.preparsePolicySet(id, { staticPolicies: cedarTreePolicies(rules, makeTree().nodes) });
      if (res.type !== 'success') throw new Error('cedar: ' + JSON.stringify(res.errors).slice(0, 500));
      let k = 0;
      return {
        decide(line) {
          const q = parseTreeRequest(line);
          const u = `u${k % 1000}`, d = `d${k++ % 1000}`;
          const a = cedar.statefulIsAuthorized({
            principal: { type: 'User', id: u }, action: { type: 'Action', id: q.purpose }, resource: { type: 'Data', id: d },
            context: { collection: q.collection, volume: q.volume, age: q.ageH, classification: q.classification },
            preparsedPolicySetId: id, validateRequest: false,
            entities: [
              { uid: { type: 'User', id: u }, attrs: { role: q.role, kind: q.kind }, parents: [] },
              { uid: { type: 'Data', id: d }, attrs: { tags: q.tags }, parents: [] },
            ],
          });
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
      const e = await casbin.newEnforcer(casbin.newModelFromString(CASBIN_TREE_MODEL), new casbin.StringAdapter(casbinTreePolicy(rules, makeTree().nodes)));
      e.addFunction('inSet', (set, x) => set.includes(`|${x}|`));
      e.addFunction('hasTag', (tags, t) => tags.includes(t));
      e.addFunction('hasAnyTag', (tags, set) => tags.some((t) => set.includes(`|${t}|`)));
      return {
        decide(line) {
          const q = parseTreeRequest(line);
          return e.enforceSync(q.purpose, q.role, q.kind, q.tags, q.volume, q.ageH, q.classification);
        },
      };
    },
  },
  // The plain reference itself, rules grouped by the purposes they cover (a floor, not a product).
  'js-index': {
    label: () => 'plain JS, indexed by purpose (floor)',
    async load(rules) {
      const nodes = makeTree().nodes, by = new Map(nodes.map((p) => [p, []]));
      for (const r of rules) for (const p of coveredPurposes(r, nodes)) by.get(p).push(r);
      return {
        decide(line) {
          const q = parseTreeRequest(line);
          return treeReference(by.get(q.purpose) || [], q) === 'allow';
        },
      };
    },
  },
};
