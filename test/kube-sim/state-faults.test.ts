// State files (save, restart, load) and fault injection (error statuses, forced 409s, latency,
// dropped watches), through options, sim.faults and the /_sim/faults admin endpoint.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, watchEvents } from './api-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-sim-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GNP = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies';

describe('state save and load', () => {
  it('restores objects, resourceVersions, ServiceAccount tokens and logs; old watches must relist', async () => {
    const file = join(dir, 'state.json');
    const first = await startKubeSim({ calicoVersion: 'v3.30.4' });
    const call1 = caller(first);
    await call1('POST', GNP, { body: { metadata: { name: 'default.kept' }, spec: { selector: 'all()' } } });
    await call1('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'bot' } } });
    await call1('POST', '/api/v1/namespaces/default/pods', { body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } });
    first.appendPodLog('default', 'p', 'c', 'hello\n');
    const token = first.serviceAccountToken('default', 'bot');
    const rvBefore = Number(((await call1('GET', GNP)).body['metadata'] as Record<string, unknown>)['resourceVersion']);
    await first.saveState(file);
    await first.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'kube-sim/v1', calicoVersion: 'v3.30.4' });

    const second = await startKubeSim({ stateFile: file });
    try {
      const call2 = caller(second);
      expect(second.calicoVersion).toBe('v3.30.4');
      expect((await call2('GET', `${GNP}/default.kept`)).body['spec']).toEqual({ selector: 'all()' });
      expect((await call2('GET', '/api', { token })).status).toBe(200);
      expect((await call2('GET', '/api/v1/namespaces/default/pods/p/log')).text).toBe('hello\n');
      const created = await call2('POST', GNP, { body: { metadata: { name: 'default.new' }, spec: {} } });
      expect(Number((created.body['metadata'] as Record<string, unknown>)['resourceVersion'])).toBeGreaterThan(rvBefore);
      const evs = await watchEvents(second, `${GNP}?watch=1&resourceVersion=${rvBefore - 1}`, { until: (e) => e.length > 0 });
      expect(evs[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      // the staged policy CRDs exist from v3.30, tiers from v3.29
      expect((await call2('GET', '/apis/crd.projectcalico.org/v1/stagednetworkpolicies')).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('a fresh simulator registers the CRDs of its Calico version', async () => {
    const old = await startKubeSim({ calicoVersion: 'v3.28.2' });
    try {
      const call = caller(old);
      expect((await call('GET', '/apis/crd.projectcalico.org/v1/tiers')).status).toBe(404);
      const info = await call('GET', '/apis/crd.projectcalico.org/v1/clusterinformations/default');
      expect(info.body['spec']).toMatchObject({ calicoVersion: 'v3.28.2' });
    } finally {
      await old.close();
    }
  });
});

describe('fault injection', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ faults: [{ pathPrefix: '/apis/coordination.k8s.io/', status: 500, times: 1 }] });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('applies rules given as options', async () => {
    const call = caller(sim);
    const r = await call('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases');
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect((await call('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases')).status).toBe(200);
  });

  it.each([
    [{ pathPrefix: GNP, status: 503, times: 2 }, 'GET', [503, 503, 200], 'ServiceUnavailable'],
    [{ pathPrefix: GNP, status: 429, rate: 1 }, 'GET', [429, 429, 429], 'TooManyRequests'],
    [{ pathPrefix: GNP, status: 500, rate: 0 }, 'GET', [200, 200, 200], ''],
    [{ pathPrefix: GNP, method: 'DELETE', status: 500 }, 'GET', [200, 200, 200], ''],
  ])('rule %j on %s gives %j', async (rule, method, statuses, reason) => {
    sim.faults.set([rule]);
    try {
      const call = caller(sim);
      const got: number[] = [];
      for (const _ of statuses) {
        const r = await call(method, GNP);
        got.push(r.status);
        if (r.status !== 200) expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason });
      }
      expect(got).toEqual(statuses);
    } finally {
      sim.faults.clear();
    }
  });

  it('forces a 409 Conflict on an update with the real message', async () => {
    const call = caller(sim);
    const created = await call('POST', GNP, { body: { metadata: { name: 'default.f' }, spec: {} } });
    sim.faults.set([{ method: 'PUT', pathPrefix: GNP, status: 409, times: 1 }]);
    const r = await call('PUT', `${GNP}/default.f`, { body: created.body });
    expect(r.status).toBe(409);
    expect(r.body['message']).toBe(
      'Operation cannot be fulfilled on globalnetworkpolicies.crd.projectcalico.org "default.f": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await call('PUT', `${GNP}/default.f`, { body: created.body })).status).toBe(200);
  });

  it('adds latency: a slowed request finishes after a later, unslowed one', async () => {
    const call = caller(sim);
    // One use: once it is spent, the slow request has reached the server and is being held. The
    // delay is long next to an unslowed GET (milliseconds), so load cannot reorder the two.
    sim.faults.set([{ pathPrefix: '/api/v1/namespaces/default/configmaps', latencyMs: 1_500, times: 1 }]);
    try {
      const order: string[] = [];
      const slow = call('GET', '/api/v1/namespaces/default/configmaps').then(() => order.push('slow'));
      await expect.poll(() => sim.faults.list(), { timeout: 10_000 }).toEqual([]);
      const fast = call('GET', '/api/v1/namespaces').then(() => order.push('fast'));
      await Promise.all([slow, fast]);
      expect(order).toEqual(['fast', 'slow']);
    } finally {
      sim.faults.clear();
    }
  });

  it('drops open watch connections and refuses new ones until cleared', async () => {
    const path = '/api/v1/namespaces/default/secrets?watch=1';
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const open = watchEvents(sim, path, { until: () => false, ms: 30_000, onOpen: opened });
    // Open before the rule is set, so it is an open watch that gets cut, not a new one refused.
    await isOpen;
    sim.faults.set([{ pathPrefix: '/api/v1/namespaces/default/secrets', dropWatch: true }]);
    // a cut connection is an error for the reader (a timeout would end quietly instead)
    await expect(open).rejects.toThrow();
    await expect(fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${sim.adminToken}` } })).rejects.toThrow();
    sim.faults.clear();
    const res = await fetch(`${sim.url}/api/v1/namespaces/default/secrets`, { headers: { Authorization: `Bearer ${sim.adminToken}` } });
    expect(res.status).toBe(200);
  });

  it('is set over HTTP by an admin at /_sim/faults, and refused to others', async () => {
    const call = caller(sim);
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'nobody' } } });
    const denied = await call('POST', '/_sim/faults', { token: sim.serviceAccountToken('default', 'nobody'), body: { rules: [] } });
    expect(denied.status).toBe(403);
    const set = await call('POST', '/_sim/faults', { body: { rules: [{ pathPrefix: '/api/v1/namespaces/default/events', status: 504, times: 3 }] } });
    expect(set.status).toBe(200);
    expect((await call('GET', '/_sim/faults')).body).toEqual({ rules: [{ pathPrefix: '/api/v1/namespaces/default/events', status: 504, times: 3 }] });
    const hit = await call('GET', '/api/v1/namespaces/default/events');
    expect(hit).toMatchObject({ status: 504, body: { reason: 'Timeout' } });
    expect((await call('GET', '/_sim/faults')).body).toEqual({ rules: [{ pathPrefix: '/api/v1/namespaces/default/events', status: 504, times: 2 }] });
    expect((await call('DELETE', '/_sim/faults')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/events')).status).toBe(200);
    const bad = await call('POST', '/_sim/faults', { body: { rules: [{ status: 500 }] } });
    expect(bad.status).toBe(400);
  });
});
