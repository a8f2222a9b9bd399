// The kube adapters against the simulator over HTTP: detection, the Lease store and two electors.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/server.js';
import { createKubeClients, type KubeClients } from '../../agent/kube/client.js';
import { detectCluster } from '../../agent/kube/detect.js';
import { kubeLeaseStore, type LeaseStore } from '../../agent/kube/lease-store.js';
import { LeaderElector, abortableSleep } from '../../agent/kube/leader-election.js';
import { KubeError } from '../../agent/domain/errors.js';
import { systemClock } from '../../agent/domain/runtime.js';

let sim: KubeSim;
let tmp = '';
let clients: KubeClients;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kube-sim-adapters-'));
  sim = await startKubeSim({ calicoVersion: 'v3.30.4' });
  const file = join(tmp, 'kubeconfig');
  await sim.writeKubeconfig(file);
  clients = createKubeClients({ kubeconfig: file });
  await fetch(`${sim.url}/api/v1/namespaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'calico-gitops' } }),
  });
});
afterAll(async () => {
  await sim.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('kube adapters against the simulator', () => {
  it('detects the Calico version from ClusterInformation and the API mode from discovery', async () => {
    expect(await detectCluster(clients)).toEqual({
      calicoVersion: { major: 3, minor: 30, patch: 4 },
      apiMode: 'crd',
      group: 'crd.projectcalico.org',
      version: 'v1',
    });
    expect((await detectCluster(clients, { calicoVersionOverride: { major: 3, minor: 32, patch: 0 } })).calicoVersion.minor).toBe(32);
  });

  it('rejects an unknown kubeconfig context', () => {
    expect(() => createKubeClients({ kubeconfig: join(tmp, 'kubeconfig'), context: 'nope' })).toThrow(/no context "nope"/);
  });

  it('reads, creates and replaces a Lease with optimistic concurrency', async () => {
    const store = kubeLeaseStore(clients, { namespace: 'calico-gitops', name: 'store-test' });
    expect(await store.read()).toBeUndefined();
    const now = new Date('2026-11-24T20:00:00.123Z');
    const created = await store.create({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 });
    expect(created.resourceVersion).toBeTruthy();
    const read = await store.read();
    expect(read).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(read?.renewTime.getTime()).toBe(now.getTime());
    const later = new Date(now.getTime() + 5000);
    const renewed = await store.replace({ ...created, renewTime: later });
    expect(renewed.renewTime.getTime()).toBe(later.getTime());
    // A second writer holding the old resourceVersion loses with a 409.
    await expect(store.replace({ ...created, holderIdentity: 'b' })).rejects.toMatchObject({ name: 'KubeError', status: 409 });
    await expect(store.create({ ...created })).rejects.toBeInstanceOf(KubeError);
  });

  it('elects exactly one of two candidates and hands over when the leader stops', async () => {
    const lease = { namespace: 'calico-gitops', name: 'calico-gitops-leader' };
    const events: string[] = [];
    const reads = new Map<string, number>();
    // Counts each candidate's reads of the Lease: a read is an attempt to acquire or renew it.
    const counted = (identity: string): LeaseStore => {
      const store = kubeLeaseStore(clients, lease);
      return { ...store, read: () => (reads.set(identity, (reads.get(identity) ?? 0) + 1), store.read()) };
    };
    const make = (identity: string) =>
      new LeaderElector({
        store: counted(identity),
        identity,
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 100,
        clock: systemClock,
        sleep: abortableSleep,
        logger: pino({ level: 'silent' }),
        onStartedLeading: () => events.push(`${identity} leads`),
        onStoppedLeading: () => events.push(`${identity} stops`),
      });
    const a = make('pod-a');
    const b = make('pod-b');
    a.start();
    await waitFor(() => a.isLeader());
    b.start();
    // b has looked at the Lease several times while a holds it, and not taken it.
    await waitFor(() => (reads.get('pod-b') ?? 0) >= 3);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    // Stopping releases the lease, so b need not wait for it to expire.
    await a.stop();
    await waitFor(() => b.isLeader(), 2000);
    await b.stop();
    expect(events).toEqual(['pod-a leads', 'pod-a stops', 'pod-b leads', 'pod-b stops']);
  });
});

function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  return expect.poll(cond, { timeout: timeoutMs }).toBe(true);
}
