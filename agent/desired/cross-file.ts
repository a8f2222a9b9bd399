// Problems only visible across documents: the same resource twice, and tier references.
//
// Tier references: a policy naming a tier that is neither `default` nor defined in the
// repository is an ERROR, not a warning. Calico refuses to create a policy in a missing tier, and
// the agent applies a revision as a whole; a tier that "might exist in the cluster" would make
// validation depend on the cluster and let a commit pass validate that then fails to apply.
// Tiers are cheap to declare in the repository, and then the apply order (tiers first) holds.
import { displayKey } from '../domain/index.js';
import type { Candidate } from './validate-document.js';

export function checkDuplicates(candidates: readonly Candidate[]): void {
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byKey.get(c.key);
    if (list) list.push(c);
    else byKey.set(c.key, [c]);
  }
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => `${o.source.file}:${o.source.line}`);
      c.view.report({ path: ['metadata', 'name'], code: 'duplicate', message: `${displayKey(c.key)} is defined more than once; also at ${others.join(', ')}` });
    }
  }
}

export function checkTierReferences(candidates: readonly Candidate[]): void {
  const tiers = new Set(candidates.filter((c) => c.kind.id === 'Tier').map((c) => c.manifest.metadata.name));
  for (const c of candidates) {
    if (!c.kind.isPolicy) continue;
    const tier = c.manifest.spec['tier'];
    if (typeof tier !== 'string' || tier === 'default' || tiers.has(tier)) continue;
    c.view.report({
      path: ['spec', 'tier'],
      code: 'tier',
      message: `tier "${tier}" is not defined in this repository: add a Tier named "${tier}" (or use the default tier)`,
    });
  }
}
