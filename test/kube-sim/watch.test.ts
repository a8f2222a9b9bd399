// Watch streams: replay from a resourceVersion, 410 Expired past the retained history, selector
// transitions, bookmarks, timeoutSeconds and the watch-list initial-events marker; cluster-wide
// core watches (/api/v1/pods across namespaces), and the count of requests by verb.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, watchEvents, type Call } from './api-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

let sim: KubeSim;
let call: Call;
const CM = '/api/v1/namespaces/default/configmaps';
const names = (evs: { type: string; object: Record<string, unknown> }[]): string[] =>
  evs.map((e) => `${e.type} ${String((e.object['metadata'] as Record<string, unknown>)['name'] ?? '')}`);

beforeAll(async () => {
  // a short history, so old resourceVersions expire quickly
  sim = await startKubeSim({ historySize: 20, bookmarkIntervalMs: 200 });
  call = caller(sim);
});

afterAll(async () => {
  await sim?.close();
});

describe('watch', () => {
  it('replays the changes after a resourceVersion, then follows new ones', async () => {
    const first = await call('POST', CM, { body: { metadata: { name: 'a' } } });
    const rv = String((first.body['metadata'] as Record<string, unknown>)['resourceVersion']);
    await call('POST', CM, { body: { metadata: { name: 'b' } } });
    await call('DELETE', `${CM}/a`);
    const pending = watchEvents(sim, `${CM}?watch=1&resourceVersion=${rv}`, { until: (e) => e.length >= 3 });
    setTimeout(() => void call('POST', CM, { body: { metadata: { name: 'c' } } }), 100);
    expect(names(await pending)).toEqual(['ADDED b', 'DELETED a', 'ADDED c']);
  });

  it('without a resourceVersion starts with ADDED for every existing object', async () => {
    const evs = await watchEvents(sim, `${CM}?watch=true`, { until: (e) => e.length >= 2, ms: 1000 });
    expect(names(evs)).toEqual(['ADDED b', 'ADDED c']);
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired', async () => {
    for (let i = 0; i < 25; i++) await call('POST', CM, { body: { metadata: { name: `bulk-${i}` } } });
    const evs = await watchEvents(sim, `${CM}?watch=1&resourceVersion=2`, { until: (e) => e.length >= 1 });
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type).toBe('ERROR');
    expect(evs[0]?.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(String(evs[0]?.object['message'])).toMatch(/^too old resource version: 2 \(\d+\)$/);
  });

  it('reports an object leaving the label selector as DELETED and entering it as ADDED', async () => {
    await call('POST', CM, { body: { metadata: { name: 'mover', labels: { watched: 'yes' } } } });
    const list = await call('GET', `${CM}?labelSelector=watched%3Dyes`);
    const rv = String((list.body['metadata'] as Record<string, unknown>)['resourceVersion']);
    const pending = watchEvents(sim, `${CM}?watch=1&labelSelector=watched%3Dyes&resourceVersion=${rv}`, { until: (e) => e.length >= 2 });
    setTimeout(() => {
      void (async () => {
        await call('PATCH', `${CM}/mover`, { body: { metadata: { labels: { watched: 'no' } } }, contentType: 'application/merge-patch+json' });
        await call('PATCH', `${CM}/mover`, { body: { metadata: { labels: { watched: 'yes' } } }, contentType: 'application/merge-patch+json' });
      })();
    }, 100);
    expect(names(await pending)).toEqual(['DELETED mover', 'ADDED mover']);
  });

  it('sends BOOKMARK events when allowed, with the current resourceVersion', async () => {
    const evs = await watchEvents(sim, `${CM}?watch=1&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dnone`, {
      until: (e) => e.some((x) => x.type === 'BOOKMARK'),
    });
    const bm = evs.find((e) => e.type === 'BOOKMARK');
    expect(bm?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
  });

  it('ends the stream after timeoutSeconds', async () => {
    const res = await fetch(`${sim.url}${CM}?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dnone`, { headers: { Authorization: `Bearer ${sim.adminToken}` } });
    // resolves only when the server closes the stream
    expect(await res.text()).toBe('');
  });

  it('marks the end of initial events for sendInitialEvents (watch-list)', async () => {
    const evs = await watchEvents(sim, `${CM}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Db`, {
      until: (e) => e.some((x) => x.type === 'BOOKMARK'),
    });
    expect(evs[0]?.type).toBe('ADDED');
    expect(evs[1]).toMatchObject({ type: 'BOOKMARK', object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
  });

  it('watches pods of every namespace from a list\'s resourceVersion, with pod bookmarks, and counts lists and watches apart', async () => {
    const POD = (ns: string, name: string, labels: Record<string, string> = {}) => ({
      metadata: { name, namespace: ns, labels },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    for (const ns of ['w-a', 'w-b']) expect((await call('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } })).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/w-a/pods', { body: POD('w-a', 'p1') })).status).toBe(201);
    const lists = sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' });
    const list = await call('GET', '/api/v1/pods');
    expect(sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' })).toBe(lists + 1);
    const rv = String((list.body['metadata'] as Record<string, unknown>)['resourceVersion']);
    const watches = sim.requestCount({ verb: 'watch', resource: 'pods' });
    const pending = watchEvents(sim, `/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, { until: (e) => e.some((x) => x.type === 'BOOKMARK') && e.length >= 4 });
    setTimeout(() => {
      void (async () => {
        await call('POST', '/api/v1/namespaces/w-b/pods', { body: POD('w-b', 'p2') });
        await call('PATCH', '/api/v1/namespaces/w-a/pods/p1', { body: { metadata: { labels: { app: 'late' } } }, contentType: 'application/merge-patch+json' });
        await call('DELETE', '/api/v1/namespaces/w-b/pods/p2');
      })();
    }, 100);
    const evs = await pending;
    expect(names(evs.filter((e) => e.type !== 'BOOKMARK'))).toEqual(['ADDED p2', 'MODIFIED p1', 'DELETED p2']);
    expect(evs.find((e) => e.type === 'MODIFIED')?.object).toMatchObject({ kind: 'Pod', metadata: { namespace: 'w-a', labels: { app: 'late' } } });
    expect(evs.find((e) => e.type === 'BOOKMARK')?.object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(sim.requestCount({ verb: 'watch', resource: 'pods' })).toBe(watches + 1);
    // Watching is not listing: the cluster-wide list count did not move.
    expect(sim.requestCount({ verb: 'list', resource: 'pods', namespace: '' })).toBe(lists + 1);
  });

  it('answers a pod watch from a compacted resourceVersion with 410 Expired, as for any kind', async () => {
    for (let i = 0; i < 25; i++) await call('POST', CM, { body: { metadata: { name: `pod-bulk-${i}` } } });
    const evs = await watchEvents(sim, '/api/v1/pods?watch=1&resourceVersion=2', { until: (e) => e.length >= 1 });
    expect(evs[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });
});
