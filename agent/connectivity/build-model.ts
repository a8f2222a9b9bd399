// Policy inputs -> the compiled model (tiers with their enforced policies in Calico's order) plus
// the host endpoints and network sets the policy set itself declares.
import type { CalicoVersion } from '../domain/calico-version.js';
import type { Issue } from '../domain/issue.js';
import type { JsonValue } from '../domain/resource.js';
import { kubernetesPolicy } from './kubernetes-policy.js';
import { DEFAULT_TIER_ORDER, isEnforcedCalicoPolicy, ModelBuilder, tierFromManifest, type CompiledPolicy, type CompiledTier, type PolicyInput, type PolicyModel } from './policy-model.js';
import { parseWorkloads, type HostEndpointInfo, type NetworkSetInfo } from './workloads.js';

export interface BuiltModel {
  readonly model: PolicyModel;
  readonly hostEndpoints: readonly HostEndpointInfo[];
  readonly networkSets: readonly NetworkSetInfo[];
  readonly warnings: readonly Issue[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = cmp(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

/** Compiled models by policy set (by identity; inputs are never mutated): a diff reads a side's CIDRs, then analyses it. */
const compiled = new WeakMap<readonly PolicyInput[], { readonly calicoVersion: CalicoVersion; readonly built: BuiltModel }>();

export function buildModel(policies: readonly PolicyInput[], calicoVersion: CalicoVersion): BuiltModel {
  const known = compiled.get(policies);
  if (known && known.calicoVersion === calicoVersion) return known.built;
  const built = compileModel(policies, calicoVersion);
  compiled.set(policies, { calicoVersion, built });
  return built;
}

function compileModel(policies: readonly PolicyInput[], calicoVersion: CalicoVersion): BuiltModel {
  const b = new ModelBuilder(calicoVersion);
  const tiers = new Map<string, { name: string; order: number; defaultAction: 'Deny' | 'Pass' }>();
  tiers.set('default', { name: 'default', order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' });
  const compiled: CompiledPolicy[] = [];
  const others: unknown[] = [];
  for (const p of policies) {
    if (p.kindId === 'Tier') tiers.set(p.manifest.metadata.name, tierFromManifest(p.manifest));
    else if (isEnforcedCalicoPolicy(p.kindId)) compiled.push(b.calicoPolicy(p));
    else if (p.kindId === 'KubernetesNetworkPolicy') compiled.push(kubernetesPolicy(b, p));
    else if (p.kindId === 'HostEndpoint' || p.kindId === 'NetworkSet' || p.kindId === 'GlobalNetworkSet') {
      others.push({ kind: p.kindId, metadata: p.manifest.metadata, spec: p.manifest.spec as JsonValue });
    }
    // Staged kinds are never enforced: they are left out on purpose.
  }
  const byTier = new Map<string, CompiledPolicy[]>();
  for (const p of compiled) {
    if (!tiers.has(p.tier)) {
      b.problem(p.source, 'spec.tier', `${p.id} names tier ${p.tier}, which is not in the policy set; it is taken as a tier without order, defaultAction Deny`);
      tiers.set(p.tier, { name: p.tier, order: Number.POSITIVE_INFINITY, defaultAction: 'Deny' });
    }
    byTier.set(p.tier, [...(byTier.get(p.tier) ?? []), p]);
  }
  const tierList: CompiledTier[] = [...tiers.values()]
    .sort((x, y) => (x.order === y.order ? cmp(x.name, y.name) : x.order < y.order ? -1 : 1))
    .map((t) => ({
      ...t,
      policies: (byTier.get(t.name) ?? []).sort((x, y) => (x.order === y.order ? compareKeys(x.tieKey, y.tieKey) : x.order < y.order ? -1 : 1)),
    }));
  const declared = parseWorkloads(others, { file: '' }).workloads;
  return {
    model: { tiers: tierList, cidrs: b.cidrs, ruleCount: b.ruleCount },
    hostEndpoints: declared.hostEndpoints,
    networkSets: declared.networkSets,
    warnings: b.issues,
  };
}
