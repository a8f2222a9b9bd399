// Problems only visible across documents: the same resource twice, and tier references.
//
// Tier references: a policy naming a tier that is neither `default` nor defined in the
// repository is an ERROR, not a warning. Calico refuses to create a policy in a missing tier, and
// the agent applies a revision as a whole; a tier that "might exist in the cluster" would make
// validation depend on the cluster and let a commit pass validate that then fails to apply.
// Tiers are cheap to declare in the repository, and then the apply order (tiers first) holds.
import { displayKey } from '../domain/index.js';
import type { IssueCollector } from './collector.js';
import type { Candidate } from './validate-document.js';

export function checkDuplicates(candidates: readonly Candidate[], collector: IssueCollector): void {
  const first = new Map<string, Candidate>();
  const duplicated = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const seen = first.get(c.key);
    if (!seen) first.set(c.key, c);
    else duplicated.set(c.key, [...(duplicated.get(c.key) ?? [seen]), c]);
  }
  for (const list of duplicated.values()) {
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => `${o.source.file}:${o.source.line}`);
      collector.reportAt(c.source.file, c.source.document, {
        path: ['metadata', 'name'],
        code: 'duplicate',
        message: `${displayKey(c.key)} is defined more than once; also at ${others.join(', ')}`,
      });
    }
  }
}

/** `declaredTiers`: names of every Tier document, also those rejected (no error cascade). */
export function checkTierReferences(candidates: readonly Candidate[], declaredTiers: ReadonlySet<string>, collector: IssueCollector): void {
  const tiers = new Set([...declaredTiers, ...candidates.filter((c) => c.kind.id === 'Tier').map((c) => c.manifest.metadata.name)]);
  for (const c of candidates) {
    if (!c.kind.isPolicy) continue;
    const tier = c.manifest.spec['tier'];
    if (typeof tier !== 'string' || tier === 'default' || tiers.has(tier)) continue;
    collector.reportAt(c.source.file, c.source.document, {
      path: ['spec', 'tier'],
      code: 'tier',
      message: `tier "${tier}" is not defined in this repository: add a Tier named "${tier}" (or use the default tier)`,
    });
  }
}
