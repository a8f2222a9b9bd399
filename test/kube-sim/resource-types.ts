// The resource types the simulator serves: built-in Kubernetes types here; CRD-backed types are
// derived from CustomResourceDefinition objects (crd-types.ts) so a CRD created at runtime is served.

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: the URL segment. */
  readonly resource: string;
  readonly kind: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly verbs: readonly string[];
  /** Subresources served, e.g. `status`, `log`, `token`. */
  readonly subresources: readonly string[];
  /** Built-in types accept strategic-merge patches; custom resources answer 415. */
  readonly builtin: boolean;
  /** Extra field selectors besides metadata.name / metadata.namespace. */
  readonly fieldSelectors?: readonly string[];
  /** Not stored: create returns a computed answer (access reviews). */
  readonly virtual?: boolean;
}

export const CRUD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

const b = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  o: { namespaced: boolean; shortNames?: string[]; subresources?: string[]; fieldSelectors?: string[]; verbs?: string[]; categories?: string[]; virtual?: boolean },
): ResourceType => ({
  group,
  version,
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: o.namespaced,
  verbs: o.verbs ?? CRUD_VERBS,
  subresources: o.subresources ?? [],
  builtin: true,
  ...(o.shortNames ? { shortNames: o.shortNames } : {}),
  ...(o.fieldSelectors ? { fieldSelectors: o.fieldSelectors } : {}),
  ...(o.categories ? { categories: o.categories } : {}),
  ...(o.virtual ? { virtual: true } : {}),
});

const NS = { namespaced: true };
const CLUSTER = { namespaced: false };

export const BUILTIN_TYPES: readonly ResourceType[] = [
  b('', 'v1', 'namespaces', 'Namespace', { ...CLUSTER, shortNames: ['ns'], subresources: ['status', 'finalize'], fieldSelectors: ['status.phase'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  b('', 'v1', 'pods', 'Pod', {
    ...NS,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'eviction', 'binding'],
    fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  }),
  b('', 'v1', 'configmaps', 'ConfigMap', { ...NS, shortNames: ['cm'] }),
  b('', 'v1', 'secrets', 'Secret', { ...NS, fieldSelectors: ['type'] }),
  b('', 'v1', 'serviceaccounts', 'ServiceAccount', { ...NS, shortNames: ['sa'], subresources: ['token'] }),
  b('', 'v1', 'services', 'Service', { ...NS, shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  b('', 'v1', 'endpoints', 'Endpoints', { ...NS, shortNames: ['ep'] }),
  // deploy/redis.yaml keeps Redis's append-only file (the audit) on a claim.
  b('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', { ...NS, shortNames: ['pvc'], subresources: ['status'] }),
  b('', 'v1', 'nodes', 'Node', { ...CLUSTER, shortNames: ['no'], subresources: ['status'], fieldSelectors: ['spec.unschedulable'] }),
  b('', 'v1', 'events', 'Event', {
    ...NS,
    shortNames: ['ev'],
    fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  }),
  b('apps', 'v1', 'deployments', 'Deployment', { ...NS, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'replicasets', 'ReplicaSet', { ...NS, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'statefulsets', 'StatefulSet', { ...NS, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'daemonsets', 'DaemonSet', { ...NS, shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  b('batch', 'v1', 'jobs', 'Job', { ...NS, categories: ['all'], subresources: ['status'] }),
  b('events.k8s.io', 'v1', 'events', 'Event', { ...NS, shortNames: ['ev'] }),
  b('coordination.k8s.io', 'v1', 'leases', 'Lease', NS),
  b('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', { ...NS, shortNames: ['netpol'] }),
  b('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', CLUSTER),
  b('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', CLUSTER),
  b('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', NS),
  b('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', NS),
  b('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', { ...CLUSTER, shortNames: ['crd', 'crds'], subresources: ['status'] }),
  b('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', { ...CLUSTER, verbs: ['create'], virtual: true }),
  b('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', { ...CLUSTER, verbs: ['create'], virtual: true }),
  b('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', { ...CLUSTER, verbs: ['create'], virtual: true }),
  b('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', { ...NS, verbs: ['create'], virtual: true }),
];

/** Verbs a subresource supports, for discovery. */
export function subresourceVerbs(sub: string): string[] {
  switch (sub) {
    case 'log':
      return ['get'];
    case 'token':
    case 'eviction':
    case 'binding':
      return ['create'];
    case 'finalize':
      return ['update'];
    default:
      return ['get', 'patch', 'update'];
  }
}

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

export function typeKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}
