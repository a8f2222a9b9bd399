// What a fresh cluster holds: system namespaces, the bootstrap RBAC roles kubeadm clusters have
// (cluster-admin for system:masters, discovery and self-review for every authenticated user),
// the Calico CRDs and ClusterInformation `default`.
import { calicoCrds, CALICO_GROUP, NATIVE_V3 } from './calico-crds.js';
import type { Json } from './status.js';

export interface Seed {
  readonly resource: string;
  readonly group: string;
  readonly object: Json;
}

const RBAC = 'rbac.authorization.k8s.io';

const clusterRole = (name: string, rules: Json[]): Seed => ({
  group: RBAC,
  resource: 'clusterroles',
  object: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }, rules },
});

const bindGroup = (name: string, role: string, group: string): Seed => ({
  group: RBAC,
  resource: 'clusterrolebindings',
  object: {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: RBAC, kind: 'Group', name: group }],
  },
});

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function bootstrapObjects(o: { calicoVersion: string; nativeV3?: boolean }): Seed[] {
  const seeds: Seed[] = [];
  const calico = o.nativeV3 ? NATIVE_V3 : { group: CALICO_GROUP, version: 'v1' };
  for (const crd of calicoCrds(o.calicoVersion, { nativeV3: o.nativeV3 === true })) seeds.push({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', object: crd });
  for (const ns of SYSTEM_NAMESPACES) seeds.push({ group: '', resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  seeds.push(
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    bindGroup('cluster-admin', 'cluster-admin', 'system:masters'),
    clusterRole('system:discovery', [
      {
        nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'],
        verbs: ['get'],
      },
    ]),
    bindGroup('system:discovery', 'system:discovery', 'system:authenticated'),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    bindGroup('system:basic-user', 'system:basic-user', 'system:authenticated'),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    bindGroup('system:public-info-viewer', 'system:public-info-viewer', 'system:unauthenticated'),
    {
      group: calico.group,
      resource: 'clusterinformations',
      object: {
        apiVersion: `${calico.group}/${calico.version}`,
        kind: 'ClusterInformation',
        metadata: { name: 'default' },
        spec: { calicoVersion: o.calicoVersion, clusterType: 'k8s,kdd', datastoreReady: true, clusterGUID: '4d5e8f1ac0b24d7e9f3a6b2c1d0e9f8a', variant: 'Calico' },
      },
    },
  );
  return seeds;
}
