// The calicoctl executor against the simulated cluster over real HTTP: real pods, the emulated
// calicoctl image, the real kubectl binary, RBAC enforced for the executor ServiceAccount.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalicoctlExecutor, calicoctlImageFor, kubeOpsFor, podNameFor } from '../../agent/executor/index.js';
import { ExecutorError, parseCalicoVersion, type PlanStep } from '../../agent/domain/index.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import type { KubeHttp, WatchEvent } from '../kube-sim/runtime/kube-http.js';
import { adminClient, create, executorSetup } from '../kube-sim/runtime/test-fixtures.js';
import { captureLogger } from '../queue/helpers.js';
import { step } from './steps.js';

const VERSION = 'v3.31.2';
const CRD = '/apis/crd.projectcalico.org/v1';
let sim: KubeSim;
let api: KubeHttp;
let dir: string;
let config: KubeConfig;
let seq = 0;

beforeAll(async () => {
  sim = await startCluster({ calicoVersion: VERSION, tls: true });
  api = adminClient(sim);
  dir = await mkdtemp(path.join(os.tmpdir(), 'executor-sim-'));
  const file = path.join(dir, 'kubeconfig');
  await sim.writeKubeconfig(file);
  config = new KubeConfig();
  config.loadFromFile(file);
});
afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fresh executor namespace, ServiceAccount and ClusterRole, and a workload namespace. */
async function setup(o: { broken?: boolean; image?: string; podTimeoutMs?: number } = {}) {
  seq += 1;
  const ns = `exec-${process.pid}-${seq}`;
  const workload = `apps-${process.pid}-${seq}`;
  await executorSetup(api, { namespace: ns, serviceAccount: 'calico-gitops-executor', ...(o.broken ? { broken: true } : {}) });
  await create(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: workload } });
  const logger = captureLogger();
  const executor = new CalicoctlExecutor({
    kube: kubeOpsFor(config),
    namespace: ns,
    serviceAccount: 'calico-gitops-executor',
    calicoctlImage: o.image ?? calicoctlImageFor({ version: parseCalicoVersion(VERSION) ?? { major: 3, minor: 31, patch: 2 } }),
    podTimeoutMs: o.podTimeoutMs ?? 60_000,
    logger,
  });
  return { ns, workload, executor, logger, suffix: `${process.pid}-${seq}` };
}

async function leftovers(ns: string): Promise<string[]> {
  const names: string[] = [];
  for (const kind of ['pods', 'configmaps']) {
    const res = await api.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/${kind}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcalico-gitops` });
    for (const item of (res.body as { items: { metadata: { name: string } }[] }).items) names.push(`${kind}/${item.metadata.name}`);
  }
  return names;
}

async function getCrd(plural: string, name: string, ns?: string): Promise<{ status: number; rv: number }> {
  const where = ns ? `${CRD}/namespaces/${ns}/${plural}/${name}` : `${CRD}/${plural}/${name}`;
  const res = await api.request({ method: 'GET', path: where });
  const rv = Number((res.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? 0);
  return { status: res.status, rv };
}

function fullPlan(workload: string, suffix: string): PlanStep[] {
  const tier = `sec${suffix.replace(/-/g, '')}`;
  return [
    step('create', 'Tier', tier, undefined, { order: 100 }),
    step('create', 'GlobalNetworkPolicy', `${tier}.allow-dns`, undefined, { tier, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }),
    step('create', 'NetworkPolicy', `allow-web-${suffix}`, workload, { selector: "app == 'web'", ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }] }),
    step('create', 'KubernetesNetworkPolicy', `deny-all-${suffix}`, workload, { podSelector: {}, policyTypes: ['Ingress'] }),
    step('create', 'HostEndpoint', `worker-${suffix}-eth0`, undefined, { node: 'worker-1', interfaceName: 'eth0', expectedIPs: ['10.0.0.11'] }),
  ];
}

describe('CalicoctlExecutor on the simulator', () => {
  it('applies Tier, GNP, NP, Kubernetes NP and HEP with one pod, in order, and leaves nothing behind', async () => {
    const { ns, workload, executor, suffix } = await setup();
    const steps = fullPlan(workload, suffix);
    const pods: WatchEvent[] = [];
    const stop = new AbortController();
    const watching = api.watch({ path: `/api/v1/namespaces/${ns}/pods?watch=true`, onEvent: (e) => pods.push(e), signal: stop.signal });

    const results = await executor.execute({ steps, jobId: `sync-test-${suffix}-full` });
    expect(results.map((r) => [r.key, r.outcome])).toEqual(steps.map((s) => [s.key, 'ok']));

    const tierName = steps[0]?.manifest.metadata.name ?? '';
    const tier = await getCrd('tiers', tierName);
    const gnp = await getCrd('globalnetworkpolicies', `${tierName}.allow-dns`);
    const np = await getCrd('networkpolicies', `default.allow-web-${suffix}`, workload);
    const knp = await api.request({ method: 'GET', path: `/apis/networking.k8s.io/v1/namespaces/${workload}/networkpolicies/deny-all-${suffix}` });
    const hep = await getCrd('hostendpoints', `worker-${suffix}-eth0`);
    expect([tier.status, gnp.status, np.status, knp.status, hep.status]).toEqual([200, 200, 200, 200, 200]);
    const knpRv = Number((knp.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    // One global resourceVersion counter: creation order is visible in it.
    expect(tier.rv).toBeLessThan(gnp.rv);
    expect(gnp.rv).toBeLessThan(np.rv);
    expect(np.rv).toBeLessThan(knpRv);
    expect(knpRv).toBeLessThan(hep.rv);

    stop.abort();
    await watching.catch(() => undefined);
    const created = new Set(pods.filter((e) => e.type === 'ADDED').map((e) => (e.object['metadata'] as { name: string }).name));
    expect([...created]).toEqual([podNameFor(`sync-test-${suffix}-full`)]);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('running the same job twice is harmless, also with a leftover ConfigMap from a crashed run', async () => {
    const { ns, workload, executor, suffix } = await setup();
    const steps = fullPlan(workload, suffix);
    const jobId = `sync-test-${suffix}-twice`;
    expect((await executor.execute({ steps, jobId })).every((r) => r.outcome === 'ok')).toBe(true);
    // A worker that died mid-job leaves its ConfigMap; the retry finds it by name.
    await create(api, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${podNameFor(jobId)}-0`, labels: { 'app.kubernetes.io/managed-by': 'calico-gitops' } }, data: { stale: 'x' } });
    expect((await executor.execute({ steps, jobId })).map((r) => r.outcome)).toEqual(steps.map(() => 'ok'));
    // ...or its whole pod, still there under the same name.
    await create(api, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podNameFor(jobId), labels: { 'app.kubernetes.io/managed-by': 'calico-gitops' } },
      spec: { serviceAccountName: 'calico-gitops-executor', restartPolicy: 'Never', containers: [{ name: 'old', image: 'registry.k8s.io/kubectl:v1.32.0', args: ['version', '--client'] }] },
    });
    expect((await executor.execute({ steps, jobId })).map((r) => r.outcome)).toEqual(steps.map(() => 'ok'));
    const deletes = [...steps].reverse().map((s) => ({ ...s, action: 'delete' as const }));
    expect((await executor.execute({ steps: deletes, jobId: `${jobId}-del` })).every((r) => r.outcome === 'ok')).toBe(true);
    expect((await executor.execute({ steps: deletes, jobId: `${jobId}-del` })).every((r) => r.outcome === 'ok')).toBe(true);
    expect((await getCrd('hostendpoints', `worker-${suffix}-eth0`)).status).toBe(404);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('writes an updated resource once: a part of updates is replaced, not applied (no create refused with 409 first)', async () => {
    const { workload, executor, suffix } = await setup();
    const name = `web-${suffix}`;
    const spec = (port: number) => ({ selector: "app == 'web'", ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [port] } }] });
    const created = await executor.execute({ steps: [step('create', 'NetworkPolicy', name, workload, spec(80))], jobId: `sync-test-${suffix}-create` });
    expect(created.map((r) => r.outcome)).toEqual(['ok']);
    // Pass-through rules that count the writes to this namespace's policies (the simulator's calicoctl is upstream's resource manager).
    const prefix = `${CRD}/namespaces/${workload}/networkpolicies`;
    const COUNT = 1_000;
    sim.faults.set([
      { pathPrefix: prefix, method: 'POST', latencyMs: 0, times: COUNT },
      { pathPrefix: prefix, method: 'PUT', latencyMs: 0, times: COUNT },
    ]);
    let fired: Record<string, number>;
    try {
      const updated = await executor.execute({ steps: [step('update', 'NetworkPolicy', name, workload, spec(8080))], jobId: `sync-test-${suffix}-update` });
      expect(updated.map((r) => r.outcome)).toEqual(['ok']);
      const left = sim.faults.list();
      fired = Object.fromEntries(['POST', 'PUT'].map((m) => [m, COUNT - (left.find((r) => r.method === m)?.times ?? 0)]));
    } finally {
      sim.faults.clear();
    }
    expect(fired).toEqual({ POST: 0, PUT: 1 });
    const res = await api.request({ method: 'GET', path: `${prefix}/default.${name}` });
    expect(JSON.stringify((res.body as { spec?: unknown }).spec)).toContain('8080');
  });

  it('maps a failure per resource (policy in a missing tier) and still removes the pod', async () => {
    const { ns, workload, executor, suffix } = await setup();
    const steps = [
      step('create', 'GlobalNetworkPolicy', `ok-${suffix}`, undefined, { selector: 'all()' }),
      step('create', 'GlobalNetworkPolicy', `missing.bad-${suffix}`, undefined, { tier: 'missing', selector: 'all()' }),
      step('create', 'GlobalNetworkPolicy', `never-${suffix}`, undefined, { selector: 'all()' }),
      step('create', 'KubernetesNetworkPolicy', `k-${suffix}`, workload, { podSelector: {} }),
    ];
    const results = await executor.execute({ steps, jobId: `sync-test-${suffix}-fail` });
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'invalid', 'not-run', 'not-run']);
    expect(results[1]?.message).toMatch(/Tier\(missing\)/);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('gives forbidden results under the origin-story ClusterRole', async () => {
    const { ns, executor, suffix } = await setup({ broken: true });
    const steps = [step('create', 'GlobalNetworkPolicy', `x-${suffix}`, undefined, { selector: 'all()' })];
    const results = await executor.execute({ steps, jobId: `sync-test-${suffix}-forbidden` });
    expect(results.map((r) => r.outcome)).toEqual(['forbidden']);
    expect(results[0]?.message).toMatch(/forbidden/i);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('reports a version mismatch as such, stalled, naming both versions', async () => {
    const { ns, executor, suffix } = await setup({ image: 'quay.io/calico/ctl:v3.31.1' });
    const steps = [step('create', 'GlobalNetworkPolicy', `mm-${suffix}`, undefined, { selector: 'all()' })];
    const error = await executor.execute({ steps, jobId: `sync-test-${suffix}-mm` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutorError);
    expect((error as ExecutorError).toJSON()).toMatchObject({ code: 'version-mismatch', disposition: 'stalled' });
    expect((error as ExecutorError).message).toMatch(/v3\.31\.1.*3\.31\.2/);
    expect((await getCrd('globalnetworkpolicies', `default.mm-${suffix}`)).status).toBe(404);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('an image the node cannot pull gives retryable results saying so, and is removed', async () => {
    const { ns, executor, suffix } = await setup({ image: 'registry.example/no/such-ctl:v3.31.2' });
    const steps = [step('create', 'GlobalNetworkPolicy', `pull-${suffix}`, undefined, { selector: 'all()' })];
    const results = await executor.execute({ steps, jobId: `sync-test-${suffix}-pull` });
    expect(results.map((r) => r.outcome)).toEqual(['retryable']);
    expect(results[0]?.message).toMatch(/ImagePullBackOff/);
    expect(await leftovers(ns)).toEqual([]);
  });

  it('a pod that hits its deadline gives retryable results and is removed', async () => {
    const { ns, executor, suffix } = await setup({ podTimeoutMs: 1_000 });
    sim.faults.set([{ pathPrefix: `${CRD}/globalnetworkpolicies`, latencyMs: 4_000 }]);
    try {
      const steps = [step('create', 'GlobalNetworkPolicy', `slow-${suffix}`, undefined, { selector: 'all()' })];
      const results = await executor.execute({ steps, jobId: `sync-test-${suffix}-slow` });
      expect(results.map((r) => r.outcome)).toEqual(['retryable']);
      expect(results[0]?.message).toMatch(/deadline/);
    } finally {
      sim.faults.clear();
    }
    expect(await leftovers(ns)).toEqual([]);
  });

  it('sweeps executor objects a crashed worker left behind, and nothing else', async () => {
    const { ns, executor } = await setup();
    const labels = { 'app.kubernetes.io/managed-by': 'calico-gitops' };
    await create(api, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'calico-gitops-old-0', labels }, data: {} });
    await create(api, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'someone-elses' }, data: {} });
    await create(api, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'calico-gitops-old', labels },
      spec: { serviceAccountName: 'calico-gitops-executor', restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.k8s.io/kubectl:v1.32.0', args: ['version', '--client'] }] },
    });
    expect(await executor.sweep({ now: new Date(), olderThanMs: 60_000 })).toEqual([]);
    const removed = await executor.sweep({ now: new Date(Date.now() + 5_000), olderThanMs: 0 });
    expect(removed.sort()).toEqual(['configmap/calico-gitops-old-0', 'pod/calico-gitops-old']);
    expect(await leftovers(ns)).toEqual([]);
    const other = await api.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/someone-elses` });
    expect(other.status).toBe(200);
  });

  it('cleans up when the job is cancelled while the pod runs', async () => {
    const { ns, executor, suffix } = await setup();
    sim.faults.set([{ pathPrefix: `${CRD}/globalnetworkpolicies`, latencyMs: 3_000 }]);
    const abort = new AbortController();
    try {
      const steps = [step('create', 'GlobalNetworkPolicy', `cancel-${suffix}`, undefined, { selector: 'all()' })];
      setTimeout(() => abort.abort(), 500);
      await expect(executor.execute({ steps, jobId: `sync-test-${suffix}-cancel`, signal: abort.signal })).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      sim.faults.clear();
    }
    expect(await leftovers(ns)).toEqual([]);
  });
});
