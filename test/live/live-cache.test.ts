import { afterEach, describe, expect, it } from 'vitest';
import { contentHash } from '../../agent/domain/hash.js';
import { KubeError } from '../../agent/domain/errors.js';
import { systemClock, type Logger } from '../../agent/domain/runtime.js';
import type { ResourceKey } from '../../agent/domain/resource.js';
import { LiveCache } from '../../agent/live/live-cache.js';
import type { Normalizer } from '../../agent/live/normalizer.js';
import { liveSourcesFor } from '../../agent/live/sources.js';
import { backoffDelay } from '../../agent/live/backoff.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { FakeTransport } from './fake-transport.js';
import type { LivePort } from '../../agent/controller/ports.js';
import type { LiveWatchPort } from '../../agent/executor/verify.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
// The cache's own logic is under test here; normalization is the desired stage's (tested there).
const identity: Normalizer = { normalize: (_k, m) => m, hash: (m) => contentHash({ spec: m.spec, labels: m.metadata.labels ?? {} }) };
const sources = liveSourcesFor({ calicoVersion: parseCalicoVersion('v3.31.2')!, apiMode: 'crd' });

const until = (cond: () => boolean, what: string): Promise<void> => expect.poll(cond, { message: `waiting for ${what}`, timeout: 10_000, interval: 5 }).toBe(true);

const caches: LiveCache[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.stop()));
});

function makeCache(transport: FakeTransport, delays: number[] = [], resyncIntervalMs?: number) {
  const cache = new LiveCache({
    ...(resyncIntervalMs === undefined ? {} : { resyncIntervalMs }),
    transport,
    sources,
    normalizer: identity,
    logger: silent,
    clock: systemClock,
    random: () => 0.5,
    // Short waits (backoff) are recorded and taken quickly; long ones (resync, timeouts) only end on abort.
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (ms < 60_000) {
          delays.push(ms);
          setTimeout(resolve, 2);
        } else if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      }),
  });
  caches.push(cache);
  return cache;
}

const GNP = 'GlobalNetworkPolicy//' as const;
const key = (name: string) => `${GNP}${name}` as ResourceKey;

describe('LiveCache', () => {
  it('is unsynced until every source has listed, then holds converted objects', async () => {
    const t = new FakeTransport();
    t.put('globalnetworkpolicies', 'default.a', { selector: 'all()' }, { 'projectcalico.org/metadata': JSON.stringify({ name: 'a', annotations: { 'calico-gitops.io/owner': 'calico-gitops' } }) });
    const cache = makeCache(t);
    expect(cache.isSynced()).toBe(false);
    cache.start();
    expect(await cache.waitForSync(60_000)).toBe(true);
    expect(cache.get(key('a'))?.bookkeeping.owner).toBe('calico-gitops');
    expect([...cache.list()].map((r) => r.key)).toEqual([key('a')]);
    expect(cache.status().every((s) => s.synced)).toBe(true);
  });

  it('follows watch events and reports each change', async () => {
    const t = new FakeTransport();
    const cache = makeCache(t);
    const changes: string[] = [];
    cache.onChange((k, before, after) => changes.push(`${k} ${before ? 'had' : 'new'} ${after ? 'now' : 'gone'}`));
    cache.start();
    await cache.waitForSync(60_000);
    await until(() => t.openWatches() === sources.length, 'watches');
    t.put('globalnetworkpolicies', 'default.b', { order: 1 });
    t.put('globalnetworkpolicies', 'default.b', { order: 2 });
    t.delete('globalnetworkpolicies', 'default.b');
    expect(changes).toEqual([`${key('b')} new now`, `${key('b')} had now`, `${key('b')} had gone`]);
    expect(cache.get(key('b'))).toBeUndefined();
  });

  it('relists after a 410 without going unsynced, and sees what changed meanwhile', async () => {
    const t = new FakeTransport();
    const cache = makeCache(t);
    cache.start();
    await cache.waitForSync(60_000);
    await until(() => t.openWatches() === sources.length, 'watches');
    const listsBefore = t.lists;
    t.putSilently('globalnetworkpolicies', 'default.missed', {});
    t.endWatches(new KubeError('too old resource version', { status: 410, reason: 'Expired' }));
    await until(() => cache.get(key('missed')) !== undefined, 'relist');
    expect(t.lists).toBe(listsBefore + sources.length);
    expect(cache.isSynced()).toBe(true);
  });

  it('goes unsynced after a watch error and restarts with capped, jittered backoff', async () => {
    const t = new FakeTransport();
    const delays: number[] = [];
    const cache = makeCache(t, delays);
    cache.start();
    await cache.waitForSync(60_000);
    await until(() => t.openWatches() === sources.length, 'watches');
    // The API server goes away: the watches fail and so does every list until it is back.
    const down = new KubeError('cannot reach the Kubernetes API server (ECONNREFUSED)', { status: 0, reason: 'Unreachable' });
    t.down = down;
    t.endWatches(down);
    await until(() => !cache.isSynced(), 'unsynced');
    expect(cache.status().every((s) => s.lastError?.includes('ECONNREFUSED'))).toBe(true);
    await until(() => delays.length >= sources.length * 3, 'three restarts per source');
    t.down = undefined;
    await until(() => cache.isSynced(), 'resynced');
    // Backoff doubles per failed attempt of each source, jittered by random() = 0.5 → 75 % of the base,
    // and starts over once a list succeeds.
    expect(new Set(delays.slice(0, sources.length * 3))).toEqual(new Set([375, 750, 1500]));
    expect(cache.status().every((s) => s.lastError === undefined)).toBe(true);
  });

  it('relists periodically, catching changes a silent watch missed', async () => {
    const t = new FakeTransport();
    const cache = makeCache(t, [], 50);
    cache.start();
    await cache.waitForSync(60_000);
    t.putSilently('globalnetworkpolicies', 'default.silent', {});
    await until(() => cache.get(key('silent')) !== undefined, 'periodic relist');
    expect(cache.isSynced()).toBe(true);
  });

  it('treats a collection the server does not serve as empty', async () => {
    const t = new FakeTransport();
    t.notServed.add('stagednetworkpolicies');
    const delays: number[] = [];
    const cache = makeCache(t, delays);
    cache.start();
    expect(await cache.waitForSync(60_000)).toBe(true);
    // Every served collection is being watched: the cache has settled.
    await until(() => t.openWatches() === sources.length - 1, 'watches');
    // It stays synced: no watch (and no failing restart loop) on a collection that does not exist.
    expect(cache.isSynced()).toBe(true);
    expect(t.watches).toBe(sources.length - 1);
    expect(delays).toEqual([]);
  });

  it('pages through large lists', async () => {
    const t = new FakeTransport();
    for (let i = 0; i < 2345; i += 1) t.put('globalnetworkpolicies', `default.p${i}`, { order: i });
    const cache = makeCache(t);
    cache.start();
    await cache.waitForSync(60_000);
    expect(cache.size()).toBe(2345);
    // Three pages of at most 1000 for that collection, one for each of the others.
    expect(t.lists).toBe(sources.length + 2);
  });

  it('is what the controller and the executor\'s verify step expect', async () => {
    const t = new FakeTransport();
    const cache = makeCache(t);
    // Compile-time: the cache satisfies both ports.
    const asController: LivePort = cache;
    const asVerifier: LiveWatchPort = cache;
    cache.start();
    expect(await asController.waitForSync(60_000)).toBe(true);
    let calls = 0;
    const unsubscribe = asVerifier.onChange(() => (calls += 1));
    await until(() => t.openWatches() === sources.length, 'watches');
    t.put('globalnetworkpolicies', 'default.v', {});
    unsubscribe();
    t.put('globalnetworkpolicies', 'default.w', {});
    expect(calls).toBe(1);
    expect(asVerifier.get(key('v'))?.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('waitForSync gives up after the timeout', async () => {
    const t = new FakeTransport();
    const cache = new LiveCache({
      transport: t, sources, normalizer: identity, logger: silent, clock: systemClock, random: () => 0,
      sleep: (ms, signal) => new Promise((r) => { const h = setTimeout(r, Math.min(ms, 20)); signal.addEventListener('abort', () => { clearTimeout(h); r(); }); }),
    });
    caches.push(cache);
    // Never started: nothing will ever sync.
    expect(await cache.waitForSync(50)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 500],
    [1, 0, 1000],
    [3, 0, 4000],
    [10, 0, 30_000],
    [50, 0, 30_000],
    [1, 0.999, 500],
    [2, 0.5, 1500],
  ])('attempt %i, random %f → %i ms', (attempt, random, want) => {
    expect(backoffDelay(attempt, { initialMs: 500, maxMs: 30_000, jitter: 0.5 }, () => random)).toBe(want);
  });
});
