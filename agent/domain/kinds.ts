// The resource kinds calico-gitops manages, their scope and their place in the apply order.
// Kubernetes' own NetworkPolicy shares the kind name `NetworkPolicy` with Calico's, so every kind
// has an internal id that is unique (`KubernetesNetworkPolicy`) next to the kind written in YAML.

export const CALICO_API_VERSION = 'projectcalico.org/v3';
export const CALICO_CRD_GROUP = 'crd.projectcalico.org';
export const CALICO_CRD_VERSION = 'v1';
export const K8S_NETWORKING_API_VERSION = 'networking.k8s.io/v1';

export const KIND_IDS = [
  'Tier',
  'GlobalNetworkSet',
  'NetworkSet',
  'GlobalNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'NetworkPolicy',
  'StagedNetworkPolicy',
  'KubernetesNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'HostEndpoint',
] as const;
export type KindId = (typeof KIND_IDS)[number];

export type Scope = 'Cluster' | 'Namespaced';

export interface KindInfo {
  readonly id: KindId;
  /** `apiVersion` written in the repository. */
  readonly apiVersion: string;
  /** `kind` written in the repository. */
  readonly kind: string;
  readonly scope: Scope;
  /** Plural resource name (CRD plural for Calico kinds, REST plural for Kubernetes ones). */
  readonly plural: string;
  /** Lower applies first; deletes run in reverse. Tiers first, HostEndpoints last (DESIGN.md). */
  readonly applyRank: number;
  /** First Calico minor version that has the kind (as `[major, minor]`). */
  readonly since: readonly [number, number];
  /** True for the policy kinds (they carry a tier, an order and rules). */
  readonly isPolicy: boolean;
  /** True when calicoctl cannot write it and kubectl applies it instead. */
  readonly appliedByKubectl: boolean;
}

const calico = (
  id: KindId,
  scope: Scope,
  plural: string,
  applyRank: number,
  since: readonly [number, number],
  isPolicy: boolean,
): KindInfo => ({ id, apiVersion: CALICO_API_VERSION, kind: id, scope, plural, applyRank, since, isPolicy, appliedByKubectl: false });

export const KINDS: Readonly<Record<KindId, KindInfo>> = {
  Tier: calico('Tier', 'Cluster', 'tiers', 0, [3, 29], false),
  GlobalNetworkSet: calico('GlobalNetworkSet', 'Cluster', 'globalnetworksets', 1, [3, 0], false),
  NetworkSet: calico('NetworkSet', 'Namespaced', 'networksets', 2, [3, 0], false),
  GlobalNetworkPolicy: calico('GlobalNetworkPolicy', 'Cluster', 'globalnetworkpolicies', 3, [3, 0], true),
  StagedGlobalNetworkPolicy: calico('StagedGlobalNetworkPolicy', 'Cluster', 'stagedglobalnetworkpolicies', 3, [3, 30], true),
  NetworkPolicy: calico('NetworkPolicy', 'Namespaced', 'networkpolicies', 4, [3, 0], true),
  StagedNetworkPolicy: calico('StagedNetworkPolicy', 'Namespaced', 'stagednetworkpolicies', 4, [3, 30], true),
  KubernetesNetworkPolicy: {
    id: 'KubernetesNetworkPolicy',
    apiVersion: K8S_NETWORKING_API_VERSION,
    kind: 'NetworkPolicy',
    scope: 'Namespaced',
    plural: 'networkpolicies',
    applyRank: 4,
    since: [3, 0],
    isPolicy: false,
    appliedByKubectl: true,
  },
  StagedKubernetesNetworkPolicy: calico('StagedKubernetesNetworkPolicy', 'Namespaced', 'stagedkubernetesnetworkpolicies', 4, [3, 30], false),
  HostEndpoint: calico('HostEndpoint', 'Cluster', 'hostendpoints', 5, [3, 0], false),
};

/** Finds the kind for an `apiVersion`/`kind` pair as written in a manifest. */
export function kindFor(apiVersion: unknown, kind: unknown): KindInfo | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (apiVersion === K8S_NETWORKING_API_VERSION) return kind === 'NetworkPolicy' ? KINDS.KubernetesNetworkPolicy : undefined;
  if (apiVersion !== CALICO_API_VERSION) return undefined;
  const info = (KINDS as Record<string, KindInfo | undefined>)[kind];
  return info && info.apiVersion === CALICO_API_VERSION ? info : undefined;
}

export function isKindId(value: string): value is KindId {
  return (KIND_IDS as readonly string[]).includes(value);
}
