// The workload cache against the simulator over HTTP: namespaces, pods and service accounts listed
// once and then followed by cluster-wide watches of /api/v1, so a pod created or relabelled after
// the start is in the next read without a new list (the simulator counts the lists); a dropped
// watch recovers by relisting; an unsynced cache refuses to answer rather than answer short.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeError } from '../../agent/domain/errors.js';
import { createKubeClients } from '../../agent/kube/client.js';
import { createWorkloadCache, listedWorkloads, type WorkloadCache } from '../../agent/live/workload-cache.js';
import { kubeTransport } from '../../agent/live/transport.js';
import { startKubeSim, type KubeSim } from '../kube-sim/server.js';
import { caller } from '../kube-sim/api-helper.js';
import { adminRequest } from './sim-apply.js';

let sim: KubeSim;
let cache: WorkloadCache | undefined;
let dir = '';

const pod = (ns: string, name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { serviceAccountName: 'web', containers: [{ name: 'c', image: 'busybox', env: [{ name: 'SECRET', value: 'x' }], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
});
const podLists = () => sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' });
const podWatches = () => sim.requestCount({ verb: 'watch', resource: 'pods', namespace: '' });

async function startCache(): Promise<WorkloadCache> {
  const kubeconfig = join(dir, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const c = createWorkloadCache({ clients: createKubeClients({ kubeconfig }), logger: pino({ level: 'silent' }), backoff: { initialMs: 50, maxMs: 200 }, random: () => 0 });
  c.start();
  return c;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workload-cache-'));
  sim = await startKubeSim({ bookmarkIntervalMs: 200 });
  await adminRequest(sim, 'POST', '/api/v1/namespaces', { metadata: { name: 'shop', labels: { team: 'a' } } });
  await adminRequest(sim, 'POST', '/api/v1/namespaces/shop/serviceaccounts', { metadata: { name: 'web' } });
  await adminRequest(sim, 'POST', '/api/v1/namespaces/shop/pods', pod('shop', 'web-1', { app: 'web' }));
});

afterEach(async () => {
  await cache?.stop();
  cache = undefined;
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const view = () => cache?.view({ origin: sim.url, syncTimeoutMs: 20_000 });
const labelsOf = async (name: string) => {
  const items = (await view()?.items()) ?? [];
  const found = items.find((i) => i['kind'] === 'Pod' && (i['metadata'] as { name?: string }).name === name);
  return found ? (found['metadata'] as { labels?: Record<string, string> }).labels : undefined;
};

describe('the workload cache', () => {
  it('keeps what the analysis reads of namespaces, pods and service accounts, trimmed', async () => {
    cache = await startCache();
    const items = (await view()?.items()) ?? [];
    expect(items.find((i) => i['kind'] === 'Pod')).toEqual({
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
      spec: { serviceAccountName: 'web', serviceAccount: 'web', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
      status: { phase: 'Pending' },
    });
    expect(items).toContainEqual({ kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } } });
    expect(items).toContainEqual({ kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } });
    // A one-shot command lists the same objects the same way.
    const listed = await listedWorkloads({ transport: kubeTransport(createKubeClients({ kubeconfig: join(dir, 'kubeconfig') })), origin: sim.url }).items();
    expect([...listed].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  it('sees a pod created and one relabelled after the start through its watch, with no new list', async () => {
    cache = await startCache();
    expect(await labelsOf('web-1')).toEqual({ app: 'web' });
    const lists = podLists();
    expect(lists).toBe(1);
    await adminRequest(sim, 'POST', '/api/v1/namespaces/shop/pods', pod('shop', 'late', { app: 'late' }));
    const patched = await caller(sim)('PATCH', '/api/v1/namespaces/shop/pods/web-1', { body: { metadata: { labels: { tier: 'front' } } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    await expect.poll(() => labelsOf('late'), { timeout: 10_000 }).toEqual({ app: 'late' });
    await expect.poll(() => labelsOf('web-1'), { timeout: 10_000 }).toEqual({ app: 'web', tier: 'front' });
    await adminRequest(sim, 'DELETE', '/api/v1/namespaces/shop/pods/late');
    await expect.poll(() => labelsOf('late'), { timeout: 10_000 }).toBeUndefined();
    expect(podLists()).toBe(lists);
  });

  it('recovers from a dropped watch: relists, watches again and follows later changes', async () => {
    cache = await startCache();
    expect(await labelsOf('web-1')).toEqual({ app: 'web' });
    await expect.poll(podWatches, { timeout: 10_000 }).toBe(1);
    // Cuts the open watch, and the next one: the cache relists and watches a third time.
    sim.faults.set([{ pathPrefix: '/api/v1/pods', dropWatch: true, times: 1 }]);
    await expect.poll(podWatches, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(sim.faults.list()).toEqual([]);
    expect(podLists()).toBeGreaterThan(1);
    await expect.poll(() => cache?.isSynced(), { timeout: 10_000 }).toBe(true);
    // Watching again: a later pod arrives without another list.
    const lists = podLists();
    await adminRequest(sim, 'POST', '/api/v1/namespaces/shop/pods', pod('shop', 'after-drop', { app: 'after' }));
    await expect.poll(() => labelsOf('after-drop'), { timeout: 10_000 }).toEqual({ app: 'after' });
    expect(podLists()).toBe(lists);
  });

  it('never answers from an unsynced cache: a refused pod list is an error naming it, not a cluster without pods', async () => {
    sim.faults.set([{ pathPrefix: '/api/v1/pods', method: 'GET', status: 403 }]);
    cache = await startCache();
    const err = await cache
      .view({ origin: sim.url, syncTimeoutMs: 1_000 })
      .items()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).status).toBe(403);
    expect((err as KubeError).message).toMatch(/^the cluster's workloads are not synced \(v1 pods: .*forbidden/i);
    // While the list keeps failing, a read fails at once (no wait per cycle); once it passes, it answers.
    const started = sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' });
    await expect(cache.view({ origin: sim.url, syncTimeoutMs: 60_000 }).items()).rejects.toThrow(/v1 pods/);
    sim.faults.clear();
    await expect.poll(() => labelsOf('web-1').catch(() => 'unsynced'), { timeout: 10_000 }).toEqual({ app: 'web' });
    expect(sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' })).toBeGreaterThan(started);
  });
});
