// Pure: the agent's own objects as deploy/ installs them, in the order an uninstall removes them:
// the Deployments first (nothing runs that could write again), then what they used, the RBAC, and
// the ServiceAccounts last. The uninstall Job's own identity (deploy/uninstall/) is not in it: it
// still needs its rights while it runs, and `kubectl delete -k deploy/uninstall` removes it.

export interface AgentObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
}

export const AGENT_ROLES = ['calico-gitops-agent', 'calico-gitops-worker'] as const;
export const CLUSTER_ROLES = ['calico-gitops-agent', 'calico-gitops-worker', 'calico-gitops-executor'] as const;
export const SERVICE_ACCOUNTS = ['calico-gitops', 'calico-gitops-worker', 'calico-gitops-executor'] as const;

export function agentObjects(input: { readonly namespace: string; readonly cluster: string }): AgentObjectRef[] {
  const ns = input.namespace;
  const inNs = (apiVersion: string, kind: string, name: string): AgentObjectRef => ({ apiVersion, kind, name, namespace: ns });
  const rbac = 'rbac.authorization.k8s.io/v1';
  return [
    inNs('apps/v1', 'Deployment', 'calico-gitops-agent'),
    inNs('apps/v1', 'Deployment', 'calico-gitops-worker'),
    inNs('v1', 'ConfigMap', 'calico-gitops-config'),
    // The leader's Lease (agent/app/controller-role.ts names it after the cluster).
    inNs('coordination.k8s.io/v1', 'Lease', `calico-gitops-${input.cluster}`),
    ...AGENT_ROLES.map((name) => inNs(rbac, 'RoleBinding', name)),
    ...AGENT_ROLES.map((name) => inNs(rbac, 'Role', name)),
    ...CLUSTER_ROLES.map((name): AgentObjectRef => ({ apiVersion: rbac, kind: 'ClusterRoleBinding', name })),
    ...CLUSTER_ROLES.map((name): AgentObjectRef => ({ apiVersion: rbac, kind: 'ClusterRole', name })),
    ...SERVICE_ACCOUNTS.map((name) => inNs('v1', 'ServiceAccount', name)),
  ];
}

/** `Deployment calico-gitops/calico-gitops-agent`, `ClusterRole calico-gitops-agent`. */
export function describeAgentObject(ref: AgentObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
