// Writes objects into the simulator the way a real cluster gets them: through a calicoctl pod or
// a kubectl pod (the simulator's emulated images), under a ServiceAccount bound to cluster-admin.
import yaml from 'js-yaml';
import { eventually } from '../support/agent-harness.js';
import type { KubeSim } from '../kube-sim/index.js';
import type { Manifest } from '../../agent/domain/resource.js';

const NS = 'sim-apply';
const SA = 'applier';

async function call(sim: KubeSim, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function adminRequest(sim: KubeSim, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await call(sim, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

export async function ensureNamespace(sim: KubeSim, name: string): Promise<void> {
  const r = await call(sim, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status >= 300 && r.status !== 409) throw new Error(`namespace ${name}: ${r.status} ${r.text}`);
}

async function ensureApplier(sim: KubeSim): Promise<void> {
  await ensureNamespace(sim, NS);
  for (const [path, body] of [
    [`/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SA, namespace: NS } }],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'sim-applier' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: SA, namespace: NS }],
      },
    ],
  ] as const) {
    const r = await call(sim, 'POST', path, body);
    if (r.status >= 300 && r.status !== 409) throw new Error(`${path}: ${r.status} ${r.text}`);
  }
}

let counter = 0;

/** Runs `<tool> <verb> -f file` in a pod; resolves with the pod's phase and logs. */
export async function runToolPod(
  sim: KubeSim,
  o: { tool: 'calicoctl' | 'kubectl'; verb?: string; manifests: readonly Manifest[] | string },
): Promise<{ phase: string; logs: string }> {
  await ensureApplier(sim);
  for (const m of typeof o.manifests === 'string' ? [] : o.manifests) if (m.metadata.namespace) await ensureNamespace(sim, m.metadata.namespace);
  counter += 1;
  const name = `apply-${process.pid}-${counter}`;
  const text = typeof o.manifests === 'string' ? o.manifests : o.manifests.map((m) => yaml.dump(m)).join('---\n');
  await adminRequest(sim, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { 'apply.yaml': text } });
  const image = o.tool === 'calicoctl' ? `quay.io/calico/ctl:${sim.calicoVersion}` : 'registry.k8s.io/kubectl:v1.32.0';
  await adminRequest(sim, 'POST', `/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      serviceAccountName: SA,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'tool',
          image,
          args: [o.verb ?? 'apply', '-f', '/manifests/apply.yaml'],
          env: [{ name: 'DATASTORE_TYPE', value: 'kubernetes' }],
          volumeMounts: [{ name: 'manifests', mountPath: '/manifests', readOnly: true }],
        },
      ],
      volumes: [{ name: 'manifests', configMap: { name } }],
    },
  });
  // Not expect.poll: suites apply their starting state from beforeAll, outside any test.
  const phase = await eventually(
    `pod ${name} to finish`,
    async () => {
      const pod = (await adminRequest(sim, 'GET', `/api/v1/namespaces/${NS}/pods/${name}`)) as { status?: { phase?: string } };
      const p = pod.status?.phase ?? 'Pending';
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const logs = (await call(sim, 'GET', `/api/v1/namespaces/${NS}/pods/${name}/log?container=tool`)).text;
  return { phase, logs };
}

/** Applies and insists on success. */
export async function applyWith(sim: KubeSim, tool: 'calicoctl' | 'kubectl', manifests: readonly Manifest[] | string): Promise<string> {
  if (typeof manifests !== 'string' && manifests.length === 0) return '';
  const r = await runToolPod(sim, { tool, manifests });
  if (r.phase !== 'Succeeded') throw new Error(`${tool} apply failed: ${r.logs}`);
  return r.logs;
}
