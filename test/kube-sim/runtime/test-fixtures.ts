// Helpers for tests that run pods on the simulated cluster: admin requests, the executor RBAC
// (corrected and origin-story broken), pod manifests for the emulated images, waiting and logs.
import { readFileSync } from 'node:fs';
import type { KubeSim } from '../server.js';
import { createKubeHttp } from './kube-http.js';
import type { KubeHttp } from './kube-http.js';

export function adminClient(sim: KubeSim): KubeHttp {
  const ca = sim.caCertPath ? readFileSync(sim.caCertPath, 'utf8') : undefined;
  return createKubeHttp({ url: sim.url, token: sim.adminToken, ...(ca ? { ca } : {}), timeoutMs: 10_000 });
}

/** POSTs and fails loudly: test setup that did not happen would make every assertion meaningless. */
export async function create(api: KubeHttp, path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await api.request({ method: 'POST', path, body });
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${res.text ?? ''}`);
  return res.body as Record<string, unknown>;
}

const CALICO_RESOURCES = ['globalnetworkpolicies', 'networkpolicies', 'hostendpoints', 'globalnetworksets', 'networksets', 'tiers', 'stagedglobalnetworkpolicies', 'stagednetworkpolicies'];

/** Namespace, ServiceAccount and a ClusterRole bound to it. `broken`: the origin story's role. */
export async function executorSetup(api: KubeHttp, o: { namespace: string; serviceAccount: string; broken?: boolean }): Promise<void> {
  const { namespace, serviceAccount } = o;
  await create(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await create(api, `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount } });
  const rules = o.broken
    ? [
        // One comma-joined string: matches no resource at all (CALICO.md, origin story).
        { apiGroups: ['crd.projectcalico.org'], resources: ['networkpolicies, globalnetworkpolicies, hostendpoints'], verbs: ['create', 'delete', 'get', 'patch', 'update', 'list'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'delete', 'get', 'patch', 'update', 'list'] },
      ]
    : [
        { apiGroups: ['crd.projectcalico.org'], resources: CALICO_RESOURCES, verbs: ['create', 'get', 'list', 'update', 'delete', 'patch', 'watch'] },
        { apiGroups: ['crd.projectcalico.org'], resources: ['clusterinformations'], verbs: ['get', 'list'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'get', 'list', 'update', 'delete', 'patch', 'watch'] },
      ];
  const role = `${namespace}-${serviceAccount}`;
  await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules });
  await create(api, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: role },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
}

export async function createConfigMap(api: KubeHttp, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await create(api, `/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
}

export interface ToolPod {
  readonly namespace: string;
  readonly name: string;
  readonly serviceAccount: string;
  readonly image: string;
  readonly args?: string[];
  readonly command?: string[];
  readonly configMap?: string;
  readonly env?: Record<string, string>;
  readonly activeDeadlineSeconds?: number;
  readonly initContainers?: Record<string, unknown>[];
}

export function toolPod(p: ToolPod): Record<string, unknown> {
  const env = Object.entries(p.env ?? { DATASTORE_TYPE: 'kubernetes' }).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace },
    spec: {
      serviceAccountName: p.serviceAccount,
      restartPolicy: 'Never',
      ...(p.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: p.activeDeadlineSeconds } : {}),
      ...(p.initContainers ? { initContainers: p.initContainers } : {}),
      containers: [
        {
          name: 'tool',
          image: p.image,
          ...(p.command ? { command: p.command } : {}),
          ...(p.args ? { args: p.args } : {}),
          env,
          ...(p.configMap ? { volumeMounts: [{ name: 'manifests', mountPath: '/manifests', readOnly: true }] } : {}),
        },
      ],
      ...(p.configMap ? { volumes: [{ name: 'manifests', configMap: { name: p.configMap } }] } : {}),
    },
  };
}

export async function getPod(api: KubeHttp, namespace: string, name: string): Promise<Record<string, unknown>> {
  const res = await api.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}` });
  if (res.status !== 200) throw new Error(`GET pod ${namespace}/${name} answered ${res.status}`);
  return res.body as Record<string, unknown>;
}

export function phaseOf(pod: Record<string, unknown>): string {
  return String(((pod['status'] ?? {}) as Record<string, unknown>)['phase'] ?? '');
}

/** Polls until `done(pod)` or the timeout; returns the last pod seen. */
export async function waitForPod(api: KubeHttp, namespace: string, name: string, done: (pod: Record<string, unknown>) => boolean = (p) => ['Succeeded', 'Failed'].includes(phaseOf(p)), timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pod = await getPod(api, namespace, name);
    if (done(pod) || Date.now() > until) return pod;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function podLog(api: KubeHttp, namespace: string, name: string, container = 'tool'): Promise<string> {
  const res = await api.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}/log?container=${container}` });
  return res.text ?? '';
}
