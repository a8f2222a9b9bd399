// The API executor against the simulator over real HTTP in both modes that serve
// projectcalico.org/v3 (the Calico API server over CRDs, and native v3 CRDs), as deploy/ runs it:
// the worker's own credentials, impersonating the executor account, with deploy/'s RBAC.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiExecutor, apiObjectsFor, impersonating } from '../../agent/executor/index.js';
import { OWNER_ANNOTATION, type PlanStep } from '../../agent/domain/index.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import type { KubeHttp, WatchEvent } from '../kube-sim/runtime/kube-http.js';
import { adminClient, create } from '../kube-sim/runtime/test-fixtures.js';
import { installAgentRbac, type InstalledAgent } from '../support/install-agent.js';
import { captureLogger } from '../queue/helpers.js';
import { step } from './steps.js';

const V3 = '/apis/projectcalico.org/v3';
const EXECUTOR = 'system:serviceaccount:calico-gitops:calico-gitops-executor';

const MODES = [
  { mode: 'apiserver', calicoVersion: 'v3.31.2', options: { calicoApiServer: true } },
  { mode: 'native-v3', calicoVersion: 'v3.32.0', options: { calicoNativeV3: true } },
] as const;

describe.each(MODES)('ApiExecutor in $mode mode (Calico $calicoVersion)', ({ calicoVersion, options }) => {
  let sim: KubeSim;
  let api: KubeHttp;
  let installed: InstalledAgent;
  let worker: KubeConfig;
  let seq = 0;

  beforeAll(async () => {
    sim = await startCluster({ tls: true, calicoVersion, ...options });
    api = adminClient(sim);
    installed = await installAgentRbac(sim);
    worker = new KubeConfig();
    worker.loadFromFile(installed.workerKubeconfig);
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  const executorAs = (user = EXECUTOR, config = worker) => new ApiExecutor({ api: apiObjectsFor(impersonating(config, user)), instance: 'calico-gitops', logger: captureLogger() });

  async function fresh(): Promise<{ workload: string; suffix: string }> {
    seq += 1;
    const suffix = `${process.pid}-${seq}`;
    const workload = `apps-${suffix}`;
    await create(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: workload } });
    return { workload, suffix };
  }

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await api.request({ method: 'GET', path });
    return { status: res.status, body: res.body as Record<string, unknown> };
  }
  const specOf = (r: { body: Record<string, unknown> }) => r.body['spec'] as Record<string, unknown>;

  function plan(workload: string, suffix: string): PlanStep[] {
    const tier = `sec${suffix.replace(/-/g, '')}`;
    return [
      step('create', 'Tier', tier, undefined, { order: 100 }),
      step('create', 'GlobalNetworkPolicy', `${tier}.allow-dns`, undefined, { tier, order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }),
      step('create', 'KubernetesNetworkPolicy', `deny-all-${suffix}`, workload, { podSelector: {}, policyTypes: ['Ingress'] }),
      step('create', 'NetworkPolicy', `allow-web-${suffix}`, workload, { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }] }),
      step('create', 'HostEndpoint', `worker-${suffix}-eth0`, undefined, { node: 'worker-1', interfaceName: 'eth0', expectedIPs: ['10.0.0.11'] }),
    ];
  }

  it('creates, updates and deletes Tier, GNP, NP, Kubernetes NP and HEP in order, with no pod', async () => {
    const { workload, suffix } = await fresh();
    const steps = plan(workload, suffix);
    const pods: WatchEvent[] = [];
    const stop = new AbortController();
    const watching = api.watch({ path: '/api/v1/pods?watch=true', onEvent: (e) => pods.push(e), signal: stop.signal });
    const executor = executorAs();

    const created = await executor.execute({ steps, jobId: `sync-${suffix}-1` });
    // The calicoctl executor's order: within one rank, Calico kinds before the Kubernetes NetworkPolicy.
    expect(created.map((r) => [r.key, r.outcome, r.message])).toEqual([0, 1, 3, 2, 4].map((i) => [steps[i]?.key, 'ok', 'created']));
    const tier = steps[0]?.manifest.metadata.name ?? '';
    const gnp = await get(`${V3}/globalnetworkpolicies/${tier}.allow-dns`);
    const np = await get(`${V3}/namespaces/${workload}/networkpolicies/allow-web-${suffix}`);
    const knp = await get(`/apis/networking.k8s.io/v1/namespaces/${workload}/networkpolicies/deny-all-${suffix}`);
    const hep = await get(`${V3}/hostendpoints/worker-${suffix}-eth0`);
    expect([gnp.status, np.status, knp.status, hep.status]).toEqual([200, 200, 200, 200]);
    expect((gnp.body['metadata'] as { annotations: Record<string, string> }).annotations[OWNER_ANNOTATION]).toBe('calico-gitops');

    // Running the same job again is harmless; an update replaces the spec (a removed field goes).
    expect((await executor.execute({ steps, jobId: `sync-${suffix}-1` })).map((r) => r.message)).toEqual(steps.map(() => 'configured'));
    const gnpStep = steps[1] as PlanStep;
    const changed = step('update', 'GlobalNetworkPolicy', `${tier}.allow-dns`, undefined, { tier, order: 20, selector: 'all()', types: ['Egress'] });
    const update = await executor.execute({ steps: [{ ...changed, before: gnpStep.manifest }], jobId: `sync-${suffix}-2` });
    expect(update.map((r) => [r.outcome, r.message])).toEqual([['ok', 'configured']]);
    const after = await get(`${V3}/globalnetworkpolicies/${tier}.allow-dns`);
    expect(specOf(after)['order']).toBe(20);
    expect(specOf(after)['egress']).toBeUndefined();

    const deletes = [...steps].reverse().map((s) => ({ ...s, action: 'delete' as const }));
    const removed = await executor.execute({ steps: deletes, jobId: `sync-${suffix}-3` });
    expect(removed.every((r) => r.outcome === 'ok' && r.message === 'deleted')).toBe(true);
    expect((await get(`${V3}/tiers/${tier}`)).status).toBe(404);
    expect((await get(`/apis/networking.k8s.io/v1/namespaces/${workload}/networkpolicies/deny-all-${suffix}`)).status).toBe(404);
    // Deleting again: already absent counts as done.
    expect((await executor.execute({ steps: deletes, jobId: `sync-${suffix}-3` })).map((r) => r.message)).toEqual(deletes.map(() => 'deleted (already absent)'));

    stop.abort();
    await watching.catch(() => undefined);
    expect(pods.filter((e) => e.type === 'ADDED')).toEqual([]);
  });

  it('a 409 on replace is read again and retried; a run of them is a conflict result', async () => {
    const { suffix } = await fresh();
    const name = `c-${suffix}`;
    const executor = executorAs();
    const first = step('create', 'GlobalNetworkPolicy', name, undefined, { selector: 'all()', order: 1 });
    expect((await executor.execute({ steps: [first], jobId: `c-${suffix}` }))[0]?.outcome).toBe('ok');
    const path = `${V3}/globalnetworkpolicies/${name}`;
    const update = { ...step('update', 'GlobalNetworkPolicy', name, undefined, { selector: 'all()', order: 2 }), before: first.manifest };
    sim.faults.set([{ pathPrefix: path, method: 'PUT', status: 409, times: 1 }]);
    try {
      expect((await executor.execute({ steps: [update], jobId: `c-${suffix}-2` })).map((r) => [r.outcome, r.message])).toEqual([['ok', 'configured']]);
      expect(specOf(await get(path))['order']).toBe(2);
      sim.faults.set([{ pathPrefix: path, method: 'PUT', status: 409 }]);
      const again = { ...step('update', 'GlobalNetworkPolicy', name, undefined, { selector: 'all()', order: 3 }), before: first.manifest };
      const next = step('create', 'GlobalNetworkPolicy', `n-${suffix}`, undefined, { selector: 'all()' });
      const results = await executor.execute({ steps: [again, next], jobId: `c-${suffix}-3` });
      expect(results.map((r) => r.outcome)).toEqual(['conflict', 'not-run']);
      expect(results[0]?.message).toContain('kept changing while it was applied');
    } finally {
      sim.faults.clear();
    }
  });

  it('reports forbidden as the calicoctl path does: for the executor account, and for a worker that may not impersonate', async () => {
    const { suffix } = await fresh();
    // An account without rights, impersonated by the admin (who may impersonate anyone).
    await installed.kubectl(['create', 'serviceaccount', `bare-${seq}`, '-n', 'calico-gitops']);
    const admin = new KubeConfig();
    admin.loadFromFile(installed.adminKubeconfig);
    const bare = executorAs(`system:serviceaccount:calico-gitops:bare-${seq}`, admin);
    const steps = [step('create', 'GlobalNetworkPolicy', `f-${suffix}`, undefined, { selector: 'all()' }), step('create', 'GlobalNetworkPolicy', `g-${suffix}`, undefined, { selector: 'all()' })];
    const denied = await bare.execute({ steps, jobId: `f-${suffix}` });
    expect(denied.map((r) => r.outcome)).toEqual(['forbidden', 'not-run']);
    expect(denied[0]?.message).toMatch(/forbidden: User "system:serviceaccount:calico-gitops:bare-\d+" cannot (get|create) resource "globalnetworkpolicies" in API group "projectcalico.org"/);
    // The worker may impersonate the executor account only.
    const other = await executorAs('system:serviceaccount:kube-system:default').execute({ steps, jobId: `f-${suffix}-2` });
    expect(other.map((r) => r.outcome)).toEqual(['forbidden', 'not-run']);
    expect(other[0]?.message).toContain('User "system:serviceaccount:calico-gitops:calico-gitops-worker" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
    expect((await get(`${V3}/globalnetworkpolicies/f-${suffix}`)).status).toBe(404);
  });

  it('never overwrites or deletes an object it does not own', async () => {
    const { suffix } = await fresh();
    const name = `theirs-${suffix}`;
    await create(api, `${V3}/globalnetworkpolicies`, { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name, annotations: { [OWNER_ANNOTATION]: 'other-team' } }, spec: { selector: 'all()', order: 7 } });
    const executor = executorAs();
    const created = await executor.execute({ steps: [step('create', 'GlobalNetworkPolicy', name, undefined, { selector: 'all()', order: 1 })], jobId: `o-${suffix}` });
    expect(created.map((r) => [r.outcome, r.message])).toEqual([['conflict', `globalnetworkpolicies.projectcalico.org ${name} exists and is owned by other-team: not overwritten`]]);
    const deleted = await executor.execute({ steps: [step('delete', 'GlobalNetworkPolicy', name, undefined, { selector: 'all()', order: 1 })], jobId: `o-${suffix}-2` });
    expect(deleted.map((r) => [r.outcome, r.message])).toEqual([['conflict', `globalnetworkpolicies.projectcalico.org ${name} is owned by other-team: left alone`]]);
    expect(specOf(await get(`${V3}/globalnetworkpolicies/${name}`))['order']).toBe(7);
  });
});
