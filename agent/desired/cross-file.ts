// Problems only visible across documents: the same resource twice, and tier references.
//
// Tier references: a policy naming a tier that is neither `default` nor defined in the
// repository is an ERROR, not a warning. Calico refuses to create a policy in a missing tier, and
// the agent applies a revision as a whole; a tier that "might exist in the cluster" would make
// validation depend on the cluster and let a commit pass validate that then fails to apply.
// Tiers are cheap to declare in the repository, and then the apply order (tiers first) holds.
import { atLeast, displayKey, resourceKey, type CalicoVersion } from '../domain/index.js';
import type { IssueCollector } from './collector.js';
import type { Candidate } from './validate-document.js';

/**
 * The object Calico stores a resource as. Up to v3.31 a default-tier policy `foo` is stored as
 * `default.foo` (libcalico-go lib/names/policy.go TieredPolicyName, used by
 * lib/backend/k8s/resources/resources.go:195-209), so `foo` and `default.foo` are one object.
 */
function storedKey(c: Candidate, version: CalicoVersion): string {
  // Keyed by the short name: only the rare `default.` names pay for a second key.
  const name = c.manifest.metadata.name;
  if (!name.startsWith('default.') || !c.kind.isPolicy || atLeast(version, 3, 32)) return c.key;
  const tier = c.manifest.spec['tier'];
  const short = name.slice('default.'.length);
  if ((tier !== undefined && tier !== 'default') || short.includes('.')) return c.key;
  return resourceKey(c.kind.id, c.manifest.metadata.namespace, short);
}

export function checkDuplicates(candidates: readonly Candidate[], collector: IssueCollector, version: CalicoVersion): void {
  const first = new Map<string, Candidate>();
  const duplicated = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const key = storedKey(c, version);
    const seen = first.get(key);
    if (!seen) first.set(key, c);
    else duplicated.set(key, [...(duplicated.get(key) ?? [seen]), c]);
  }
  for (const list of duplicated.values()) {
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => `${o.source.file}:${o.source.line}`);
      const alias = list.some((o) => o.key !== c.key) ? ` (Calico before v3.32 stores "${c.manifest.metadata.name.replace(/^default\./, '')}" and "default.${c.manifest.metadata.name.replace(/^default\./, '')}" as one policy)` : '';
      collector.reportAt(c.source.file, c.source.document, {
        path: ['metadata', 'name'],
        code: 'duplicate',
        message: `${displayKey(c.key)} is defined more than once${alias}; also at ${others.join(', ')}`,
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
