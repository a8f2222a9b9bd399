// The crd.projectcalico.org/v1 CustomResourceDefinitions a Calico install registers, by version
// (CALICO.md: tiers from v3.29, staged policies from v3.30).
import type { Json } from './status.js';

interface CrdName {
  plural: string;
  kind: string;
  namespaced: boolean;
  /** minimum minor version of Calico v3 that ships it */
  since?: number;
}

const CALICO_CRDS: readonly CrdName[] = [
  { plural: 'bgpconfigurations', kind: 'BGPConfiguration', namespaced: false },
  { plural: 'bgpfilters', kind: 'BGPFilter', namespaced: false },
  { plural: 'bgppeers', kind: 'BGPPeer', namespaced: false },
  { plural: 'blockaffinities', kind: 'BlockAffinity', namespaced: false },
  { plural: 'caliconodestatuses', kind: 'CalicoNodeStatus', namespaced: false },
  { plural: 'clusterinformations', kind: 'ClusterInformation', namespaced: false },
  { plural: 'felixconfigurations', kind: 'FelixConfiguration', namespaced: false },
  { plural: 'globalnetworkpolicies', kind: 'GlobalNetworkPolicy', namespaced: false },
  { plural: 'globalnetworksets', kind: 'GlobalNetworkSet', namespaced: false },
  { plural: 'hostendpoints', kind: 'HostEndpoint', namespaced: false },
  { plural: 'ipamblocks', kind: 'IPAMBlock', namespaced: false },
  { plural: 'ipamconfigs', kind: 'IPAMConfig', namespaced: false },
  { plural: 'ipamhandles', kind: 'IPAMHandle', namespaced: false },
  { plural: 'ippools', kind: 'IPPool', namespaced: false },
  { plural: 'ipreservations', kind: 'IPReservation', namespaced: false },
  { plural: 'kubecontrollersconfigurations', kind: 'KubeControllersConfiguration', namespaced: false },
  { plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { plural: 'networksets', kind: 'NetworkSet', namespaced: true },
  { plural: 'tiers', kind: 'Tier', namespaced: false, since: 29 },
  { plural: 'stagednetworkpolicies', kind: 'StagedNetworkPolicy', namespaced: true, since: 30 },
  { plural: 'stagedglobalnetworkpolicies', kind: 'StagedGlobalNetworkPolicy', namespaced: false, since: 30 },
  { plural: 'stagedkubernetesnetworkpolicies', kind: 'StagedKubernetesNetworkPolicy', namespaced: true, since: 30 },
];

export const CALICO_GROUP = 'crd.projectcalico.org';

function minorOf(version: string): number {
  const m = /^v?3\.(\d+)/.exec(version);
  return m ? Number(m[1]) : 99;
}

/** Group and version of the native v3 CRDs (Calico v3.32+ without the API server). */
export const NATIVE_V3 = { group: 'projectcalico.org', version: 'v3' } as const;

/**
 * CRD objects to register at start for a Calico `version` such as `v3.31.2`: crd.projectcalico.org/v1,
 * or with `nativeV3` the projectcalico.org/v3 CRDs that store v3 objects as they are.
 */
export function calicoCrds(version: string, o: { nativeV3?: boolean } = {}): Json[] {
  const minor = minorOf(version);
  const gv = o.nativeV3 ? NATIVE_V3 : { group: CALICO_GROUP, version: 'v1' };
  return CALICO_CRDS.filter((c) => c.since === undefined || minor >= c.since).map((c) => crdObject(c, gv));
}

function crdObject(c: CrdName, gv: { group: string; version: string }): Json {
  const singular = c.kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${c.plural}.${gv.group}` },
    spec: {
      group: gv.group,
      names: { kind: c.kind, listKind: `${c.kind}List`, plural: c.plural, singular },
      scope: c.namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: gv.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}
