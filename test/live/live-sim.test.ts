// The live stage against the Kubernetes simulator over HTTP: what calicoctl and kubectl pods
// wrote reads back as exactly what the repository says.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import type { LiveCache } from '../../agent/live/live-cache.js';
import { applyDesired, desiredFrom, fixtureFiles, planAgainst, startLive, version } from './round-trip.js';
import { adminRequest } from './sim-apply.js';
import { kubeTransport } from '../../agent/live/transport.js';
import { createKubeClients } from '../../agent/kube/client.js';

let sim: KubeSim | undefined;
let live: LiveCache | undefined;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'live-sim-'));
});
afterEach(async () => {
  await live?.stop();
  await sim?.close();
  live = undefined;
  sim = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('live cache against the simulator', () => {
  it.each(['v3.28.2', 'v3.31.2', 'v3.32.0'])('reads back what calicoctl and kubectl pods applied as unchanged (Calico %s)', async (ver) => {
    sim = await startCluster({ calicoVersion: ver });
    const desired = desiredFrom(fixtureFiles(version(ver)), version(ver));
    const first = await applyDesired(sim, desired);
    expect(first.steps.length).toBe(desired.resources.size);

    live = await startLive(sim, dir);
    expect(await live.waitForSync(20_000)).toBe(true);
    const plan = planAgainst(desired, live, { revision: 'rev2' });
    expect(plan.steps.map((s) => `${s.action} ${s.key}`)).toEqual([]);
    expect(plan.unchanged).toBe(desired.resources.size);
    expect(plan.skipped).toEqual([]);
    // Every object came back owned, with the revision and source that wrote it.
    for (const r of live.list()) {
      expect(r.bookkeeping).toMatchObject({ owner: 'calico-gitops', revision: 'rev1' });
      expect(r.bookkeeping.specHash).toBe(r.hash);
    }
  });

  it('shows a field changed by hand as an update with a diff, and sees it live', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    const desired = desiredFrom(fixtureFiles(version('v3.31.2')), version('v3.31.2'));
    await applyDesired(sim, desired);
    live = await startLive(sim, dir);
    await live.waitForSync(20_000);
    const changes: string[] = [];
    live.onChange((key, before, after) => changes.push(`${key} ${before?.hash ?? '-'} → ${after?.hash ?? '-'}`));

    // Someone edits the stored object directly (kubectl edit on the CRD).
    const path = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies/default.allow-dns';
    const stored = (await adminRequest(sim, 'GET', path)) as { spec: Record<string, unknown> };
    await adminRequest(sim, 'PUT', path, { ...stored, spec: { ...stored.spec, order: 5 } });
    await waitFor(() => changes.length > 0);
    expect(changes[0]).toMatch(/^GlobalNetworkPolicy\/\/allow-dns /);

    const plan = planAgainst(desired, live);
    expect(plan.steps.map((s) => `${s.action} ${s.key}`)).toEqual(['update GlobalNetworkPolicy//allow-dns']);
    expect(plan.steps[0]?.before?.spec['order']).toBe(5);
    expect(plan.steps[0]?.manifest.spec['order']).toBe(200);
  });

  it('never plans deleting an object it does not own', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    const v = version('v3.31.2');
    const desired = desiredFrom(fixtureFiles(v), v);
    // Created by hand: same kinds, no ownership annotation.
    const { applyWith } = await import('./sim-apply.js');
    await applyWith(sim, 'calicoctl', [
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'hand-made' }, spec: { selector: 'all()', types: ['Ingress'] } },
    ]);
    live = await startLive(sim, dir);
    await live.waitForSync(20_000);
    expect(live.get('GlobalNetworkPolicy//hand-made' as never)?.bookkeeping.owner).toBeUndefined();
    const plan = planAgainst(desired, live);
    expect(plan.steps.filter((s) => s.action === 'delete')).toEqual([]);
    const empty = planAgainst({ resources: new Map() }, live);
    expect(empty.steps).toEqual([]);
  });

  it('restarts its watches after the simulator drops them and catches up', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    live = await startLive(sim, dir, { backoff: { initialMs: 50, maxMs: 200 } });
    await live.waitForSync(20_000);
    const prefix = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies';
    // Cut the open watch and refuse the next few lists of that collection.
    sim.faults.set([{ pathPrefix: prefix, dropWatch: true, times: 3 }, { pathPrefix: prefix, method: 'GET', status: 503, times: 3 }]);
    await adminRequest(sim, 'POST', prefix, {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'default.after-drop', annotations: { 'projectcalico.org/metadata': JSON.stringify({ name: 'after-drop' }) } },
      spec: { selector: 'all()', tier: 'default' },
    });
    await waitFor(() => live?.get('GlobalNetworkPolicy//after-drop' as never) !== undefined, 15_000);
    await waitFor(() => live?.isSynced() === true, 15_000);
    sim.faults.clear();
    // The watch works again afterwards.
    await adminRequest(sim, 'DELETE', `${prefix}/default.after-drop`);
    await waitFor(() => live?.get('GlobalNetworkPolicy//after-drop' as never) === undefined, 15_000);
  });

  it('catches up after its watches were cut during a burst of changes', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2', historySize: 5 });
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) });
    live = await startLive(sim, dir, { backoff: { initialMs: 50, maxMs: 100 }, logger });
    await live.waitForSync(20_000);
    const prefix = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies';
    // Watches on this collection are cut while more changes happen than the server keeps history for.
    sim.faults.set([{ pathPrefix: prefix, dropWatch: true }]);
    for (let i = 0; i < 12; i += 1) {
      await adminRequest(sim, 'POST', prefix, {
        apiVersion: 'crd.projectcalico.org/v1',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: `default.burst-${i}`, annotations: { 'projectcalico.org/metadata': JSON.stringify({ name: `burst-${i}` }) } },
        spec: { selector: 'all()', tier: 'default' },
      });
    }
    sim.faults.clear();
    await waitFor(() => [...(live?.list() ?? [])].filter((r) => r.key.startsWith('GlobalNetworkPolicy//burst-')).length === 12, 15_000);
    expect(live.isSynced()).toBe(true);
    expect(messages).toContain('live watch failed; restarting after backoff');
  });

  it('gets a 410 from the server for a resourceVersion older than its history (which the cache answers with a relist)', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2', historySize: 5 });
    const prefix = '/apis/crd.projectcalico.org/v1/globalnetworksets';
    const first = (await adminRequest(sim, 'GET', prefix)) as { metadata: { resourceVersion: string } };
    for (let i = 0; i < 12; i += 1) {
      await adminRequest(sim, 'POST', prefix, { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkSet', metadata: { name: `s${i}` }, spec: { nets: [] } });
    }
    const kubeconfig = join(dir, 'kc-410');
    await sim.writeKubeconfig(kubeconfig);
    const transport = kubeTransport(createKubeClients({ kubeconfig }));
    const done = await new Promise<unknown>((resolve) => {
      void transport.watch(
        { group: 'crd.projectcalico.org', version: 'v1', plural: 'globalnetworksets' },
        { resourceVersion: first.metadata.resourceVersion, timeoutSeconds: 10 },
        () => undefined,
        resolve,
      );
    });
    expect(done).toMatchObject({ name: 'KubeError', status: 410 });
  });

  it('is unsynced while a kind cannot be listed, and nothing is planned from it', async () => {
    sim = await startCluster({ calicoVersion: 'v3.31.2' });
    sim.faults.set([{ pathPrefix: '/apis/crd.projectcalico.org/v1/hostendpoints', method: 'GET', status: 503 }]);
    live = await startLive(sim, dir, { backoff: { initialMs: 50, maxMs: 100 } });
    expect(await live.waitForSync(1_500)).toBe(false);
    expect(live.status().find((s) => !s.synced)?.label).toBe('crd.projectcalico.org/v1 hostendpoints');
    const desired = desiredFrom(fixtureFiles(version('v3.31.2')), version('v3.31.2'));
    const plan = planAgainst(desired, live);
    expect(plan.steps).toEqual([]);
    expect(plan.held?.reason).toBe('cache-unsynced');
    sim.faults.clear();
    expect(await live.waitForSync(10_000)).toBe(true);
  });
});

function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  return expect.poll(cond, { timeout: timeoutMs }).toBe(true);
}
