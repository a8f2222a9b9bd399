// The simulated node's pod lifecycle: the kubectl image (real kubectl as the pod's ServiceAccount),
// init containers, activeDeadlineSeconds, images that are not emulated, missing ConfigMaps.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { startCluster } from './index.js';
import type { KubeSim } from './index.js';
import type { KubeHttp } from './runtime/kube-http.js';
import { adminClient, create, createConfigMap, executorSetup, phaseOf, podLog, toolPod, waitForPod } from './runtime/test-fixtures.js';

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++seq}`;

type Status = {
  phase: string;
  reason?: string;
  message?: string;
  initContainerStatuses?: { name: string; state: Record<string, { exitCode?: number; reason?: string; message?: string }> }[];
  containerStatuses: { name: string; state: Record<string, { exitCode?: number; reason?: string; message?: string }> }[];
};
const statusOf = (pod: Record<string, unknown>): Status => pod['status'] as Status;

describe('pods on the simulated node', () => {
  let sim: KubeSim;
  let api: KubeHttp;
  beforeAll(async () => {
    sim = await startCluster({ tls: true, kubelet: { imagePullFailAfterMs: 300, retryMs: 100 } });
    api = adminClient(sim);
  });
  afterAll(async () => sim.close());

  it('runs the real kubectl in a kubectl-image pod to apply a Kubernetes NetworkPolicy', async () => {
    const ns = unique('knp');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    const knp = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n`;
    await createConfigMap(api, ns, 'plan', { 'knp.yaml': knp });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'kubectl', serviceAccount: 'executor', image: 'registry.k8s.io/kubectl:v1.32.4', args: ['apply', '-f', '/manifests/knp.yaml'], configMap: 'plan', env: {} }));
    const pod = await waitForPod(api, ns, 'kubectl', undefined, 30_000);
    const log = await podLog(api, ns, 'kubectl');
    expect(log).toContain('networkpolicy.networking.k8s.io/deny-all created');
    expect(phaseOf(pod)).toBe('Succeeded');
    expect((await api.request({ method: 'GET', path: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/deny-all` })).status).toBe(200);
  });

  it('gives kubectl only the pod ServiceAccount\'s rights', async () => {
    const ns = unique('kforbid');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'k', serviceAccount: 'executor', image: 'bitnami/kubectl:1.32', command: ['kubectl', 'get', 'secrets'], env: {} }));
    const pod = await waitForPod(api, ns, 'k', undefined, 30_000);
    expect(phaseOf(pod)).toBe('Failed');
    expect(statusOf(pod).containerStatuses[0]?.state['terminated']).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(await podLog(api, ns, 'k')).toContain(`secrets is forbidden: User "system:serviceaccount:${ns}:executor" cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
  });

  it('runs init containers one after the other before the containers, and stops at a failing one', async () => {
    const ns = unique('init');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    const ctl = (name: string, args: string[]): Record<string, unknown> => ({ name, image: 'quay.io/calico/ctl:v3.31.2', args, env: [{ name: 'DATASTORE_TYPE', value: 'kubernetes' }] });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'ok', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['version'], initContainers: [ctl('first', ['version']), ctl('second', ['get', 'gnp'])] }));
    const ok = await waitForPod(api, ns, 'ok');
    expect(phaseOf(ok)).toBe('Succeeded');
    expect(statusOf(ok).initContainerStatuses?.map((c) => c.state['terminated']?.reason)).toEqual(['Completed', 'Completed']);
    expect(await podLog(api, ns, 'ok', 'first')).toContain('Client Version:    v3.31.2');

    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'bad', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['version'], initContainers: [ctl('broken', ['frobnicate'])] }));
    const bad = await waitForPod(api, ns, 'bad');
    expect(phaseOf(bad)).toBe('Failed');
    expect(statusOf(bad).initContainerStatuses?.[0]?.state['terminated']).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(statusOf(bad).containerStatuses[0]?.state['waiting']).toBeDefined();
  });

  it('fails a pod whose image is not emulated, saying so', async () => {
    const ns = unique('img');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'shell', serviceAccount: 'executor', image: 'ubuntu:24.04', command: ['sleep', '10000'] }));
    const pulling = await waitForPod(api, ns, 'shell', (p) => statusOf(p).containerStatuses?.[0]?.state['waiting']?.reason === 'ErrImagePull');
    expect(statusOf(pulling).containerStatuses[0]?.state['waiting']?.message).toBe(
      'image "ubuntu:24.04" is not emulated by kube-sim (emulated: calicoctl quay.io/calico/ctl or calico/ctl, kubectl registry.k8s.io/kubectl or bitnami/kubectl)',
    );
    const failed = await waitForPod(api, ns, 'shell');
    expect(phaseOf(failed)).toBe('Failed');
    expect(statusOf(failed).reason).toBe('ImagePullBackOff');
  });

  it('keeps a pod with a missing ConfigMap in ContainerCreating, and honours activeDeadlineSeconds', async () => {
    const ns = unique('deadline');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'stuck', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['apply', '-f', '/manifests/apply.yaml'], configMap: 'nope', activeDeadlineSeconds: 2 }));
    const stuck = await waitForPod(api, ns, 'stuck', (p) => statusOf(p).containerStatuses?.[0]?.state['waiting']?.reason === 'ContainerCreating' && phaseOf(p) === 'Pending' && !!statusOf(p).containerStatuses[0]?.state['waiting']?.message);
    expect(statusOf(stuck).containerStatuses[0]?.state['waiting']?.message).toBe('configmap "nope" not found');
    const failed = await waitForPod(api, ns, 'stuck');
    expect(statusOf(failed)).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
  });

  it('waits for a ServiceAccount deleted after admission, and stops when the pod is deleted', async () => {
    const ns = unique('nosa');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'p', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['version'], configMap: 'later' }));
    await waitForPod(api, ns, 'p', (p) => statusOf(p).containerStatuses?.[0]?.state['waiting']?.message === 'configmap "later" not found');
    expect((await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/serviceaccounts/executor` })).status).toBe(200);
    await createConfigMap(api, ns, 'later', { 'x.yaml': '' });
    const stuck = await waitForPod(api, ns, 'p', (p) => statusOf(p).containerStatuses?.[0]?.state['waiting']?.message === 'serviceaccount "executor" not found');
    expect(statusOf(stuck)).toMatchObject({ phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating', message: 'serviceaccount "executor" not found' } } }] });
    expect((await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/pods/p` })).status).toBe(200);
  });

  it('reports pod status through injected API errors, while calicoctl fails on them', async () => {
    const ns = unique('faults');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    await createConfigMap(api, ns, 'plan', { 'a.yaml': 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: nets-' + ns + '\nspec:\n  nets: [10.0.0.0/8]\n' });
    sim.faults.set([
      { method: 'PATCH', pathPrefix: `/api/v1/namespaces/${ns}/pods`, status: 500, times: 3 },
      { method: 'POST', pathPrefix: '/apis/crd.projectcalico.org/v1/globalnetworksets', status: 500, times: 1 },
    ]);
    try {
      await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'p', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['apply', '-f', '/manifests/a.yaml'], configMap: 'plan' }));
      const pod = await waitForPod(api, ns, 'p');
      expect(phaseOf(pod)).toBe('Failed');
      expect(await podLog(api, ns, 'p')).toMatch(/^Failed to apply 'GlobalNetworkSet' resource: \[an error on the server .*has prevented the request from succeeding\]\n$/);
    } finally {
      sim.faults.clear();
    }
  });

  it('kills a running container at the deadline', async () => {
    const ns = unique('kill');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    // `kubectl get -w` runs until killed.
    await create(api, `/api/v1/namespaces/${ns}/pods`, toolPod({ namespace: ns, name: 'watcher', serviceAccount: 'executor', image: 'registry.k8s.io/kubectl:v1.32.4', args: ['get', 'networkpolicies', '-w'], env: {}, activeDeadlineSeconds: 2 }));
    const pod = await waitForPod(api, ns, 'watcher', undefined, 30_000);
    expect(statusOf(pod)).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(statusOf(pod).containerStatuses[0]?.state['terminated']).toMatchObject({ exitCode: 137, reason: 'Error' });
  });
});

describe('an executor-shaped pod', () => {
  let sim: KubeSim;
  let api: KubeHttp;
  beforeAll(async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    api = adminClient(sim);
  });
  afterAll(async () => sim.close());

  it('runs calicoctl and kubectl init containers from per-ConfigMap mounts, then the done container', async () => {
    const ns = unique('executor');
    await executorSetup(api, { namespace: ns, serviceAccount: 'executor' });
    const gnp = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: allow-dns\n  annotations:\n    calico-gitops.io/owner: calico-gitops\nspec:\n  selector: all()\n  egress:\n  - action: Allow\n    protocol: UDP\n    destination:\n      ports: [53]\n';
    const knp = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: ${ns}\nspec:\n  podSelector: {}\n`;
    await createConfigMap(api, ns, 'job-0', { 'apply-0.yaml': gnp, 'kubectl-0.yaml': knp });
    const env = [{ name: 'DATASTORE_TYPE', value: 'kubernetes' }, { name: 'HOME', value: '/tmp' }];
    const mounts = [{ name: 'manifests-0', mountPath: '/manifests/job-0', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }];
    await create(api, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'job', namespace: ns },
      spec: {
        serviceAccountName: 'executor',
        restartPolicy: 'Never',
        activeDeadlineSeconds: 60,
        initContainers: [
          { name: 'p000-calicoctl-apply', image: 'quay.io/calico/ctl:v3.31.2', args: ['apply', '-f', '/manifests/job-0/apply-0.yaml'], env, volumeMounts: mounts },
          { name: 'p001-kubectl-apply', image: 'registry.k8s.io/kubectl:v1.32.0', args: ['apply', '-f', '/manifests/job-0/kubectl-0.yaml'], env, volumeMounts: mounts },
        ],
        containers: [{ name: 'done', image: 'registry.k8s.io/kubectl:v1.32.0', args: ['version', '--client'], env, volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }],
        volumes: [{ name: 'manifests-0', configMap: { name: 'job-0' } }, { name: 'tmp', emptyDir: {} }],
      },
    });
    const pod = await waitForPod(api, ns, 'job', undefined, 30_000);
    expect(await podLog(api, ns, 'job', 'p000-calicoctl-apply')).toBe("Successfully applied 1 'GlobalNetworkPolicy' resource(s)\n");
    expect(await podLog(api, ns, 'job', 'p001-kubectl-apply')).toContain('networkpolicy.networking.k8s.io/deny created');
    expect(await podLog(api, ns, 'job', 'done')).toContain('Client Version');
    expect(phaseOf(pod)).toBe('Succeeded');
    const stored = await api.request({ method: 'GET', path: '/apis/crd.projectcalico.org/v1/globalnetworkpolicies/default.allow-dns' });
    const meta = (stored.body as { metadata: { annotations: Record<string, string> } }).metadata;
    expect(JSON.parse(meta.annotations['projectcalico.org/metadata'] ?? '{}')).toMatchObject({ annotations: { 'calico-gitops.io/owner': 'calico-gitops' } });
    const node = await api.request({ method: 'GET', path: '/api/v1/nodes/sim-node-1' });
    expect(node.status).toBe(200);
  });
});

describe('a node restarted from a state file', () => {
  it('fails the pods it was running, since their containers are gone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kube-sim-state-'));
    const stateFile = path.join(dir, 'state.json');
    try {
      const first = await startCluster({ kubelet: { retryMs: 100 } });
      const api1 = adminClient(first);
      await executorSetup(api1, { namespace: 'restart', serviceAccount: 'executor' });
      await create(api1, '/api/v1/namespaces/restart/pods', toolPod({ namespace: 'restart', name: 'p', serviceAccount: 'executor', image: 'quay.io/calico/ctl:v3.31.2', args: ['version'], configMap: 'missing' }));
      await waitForPod(api1, 'restart', 'p', (p) => statusOf(p).containerStatuses?.[0]?.state['waiting']?.message === 'configmap "missing" not found');
      await first.saveState(stateFile);
      await first.close();

      const second = await startCluster({ stateFile });
      try {
        const pod = await waitForPod(adminClient(second), 'restart', 'p');
        expect(statusOf(pod)).toMatchObject({ phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } } }] });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
