// The drift monitor against in-memory ports and hand-driven timers: what one drift episode posts
// (one failure, one success, never the same state twice), alerts, Events, metrics and heals; a
// missed watch event caught by the resync; self-heal off leaving drift reported until `heal`.
import { describe, expect, it } from 'vitest';
import { DriftMonitor, type DriftLivePort, type DriftSnapshot } from '../../agent/drift/monitor.js';
import type { DriftAlert } from '../../agent/drift/describe.js';
import type { AppliedState } from '../../agent/drift/types.js';
import type { ResourceKey } from '../../agent/domain/resource.js';
import type { Clock, Logger, Timers } from '../../agent/domain/runtime.js';
import type { LiveResource } from '../../agent/domain/state.js';
import { desired, live } from '../plan/helpers.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const A = desired('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order: 10 });
const applied: AppliedState = { revision: 'r1', resources: new Map([[A.key, A]]) };
const stored = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', name: 'default.allow-dns' };
const asApplied: LiveResource = { ...live('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order: 10 }), bookkeeping: { owner: 'calico-gitops', revision: 'r1', specHash: A.hash }, stored };
const edited = (order: number, manager = 'kubectl-edit'): LiveResource => ({
  ...live('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order }),
  bookkeeping: asApplied.bookkeeping,
  stored,
  lastWrite: { manager, operation: 'Update', time: '2026-12-02T06:00:00Z' },
});

const TICK = 1_000;
const BATCH = 5;
const RESYNC = 600_000;
const ALERT_INTERVAL = 60_000;

class ManualTimers implements Timers {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires the timers set for `ms` (the batch, the tick or the resync). */
  fire(ms: number): void {
    for (const [id, t] of [...this.pending]) {
      if (t.ms !== ms) continue;
      this.pending.delete(id);
      t.fn();
    }
  }
}

function setup(o: { selfHeal: boolean; paused?: () => boolean }) {
  const objects = new Map<ResourceKey, LiveResource>([[asApplied.key, asApplied]]);
  const listeners: ((key: ResourceKey, before: LiveResource | undefined, after: LiveResource | undefined) => void)[] = [];
  const livePort: DriftLivePort = {
    isSynced: () => true,
    get: (k) => objects.get(k),
    list: () => objects.values(),
    onChange: (l) => {
      listeners.push(l);
      return () => undefined;
    },
  };
  let nowMs = Date.parse('2026-12-02T06:00:00Z');
  const clock: Clock = { now: () => new Date(nowMs) };
  const timers = new ManualTimers();
  const posted: string[] = [];
  const alerts: DriftAlert[] = [];
  const events: string[] = [];
  const gauges: Record<string, number>[] = [];
  let episodes = 0;
  const heals: string[][] = [];
  let healRequest: { resource?: ResourceKey } | undefined;
  let state: DriftSnapshot | undefined;
  const monitor = new DriftMonitor({
    cluster: 'c1',
    instance: 'calico-gitops',
    selfHeal: o.selfHeal,
    resyncIntervalMs: RESYNC,
    alertIntervalMs: ALERT_INTERVAL,
    tickMs: TICK,
    batchMs: BATCH,
    clock,
    timers,
    logger: silent,
    ports: {
      live: livePort,
      applied: { load: async () => applied },
      inFlight: async () => ({ keys: new Set(), revisions: new Set() }),
      latestRevision: async () => 'r1',
      statuses: { post: async (s) => void posted.push(`${s.sha} ${s.kind} ${s.state}: ${s.description}`) },
      alerts: { send: (a) => void alerts.push(a) },
      events: { record: async (e) => void events.push(`${e.type} ${e.reason} ${e.involved.name}`) },
      metrics: { drifting: (byKind) => void gauges.push({ ...byKind }), episodeStarted: () => void (episodes += 1) },
      heal: async ({ drift }) => void heals.push(drift.map((d) => d.key)),
      saveState: async (s) => void (state = s),
      loadState: async () => state,
      paused: async () => o.paused?.() ?? false,
      takeHealRequest: async () => {
        const r = healRequest;
        healRequest = undefined;
        return r;
      },
    },
  });
  return {
    monitor,
    timers,
    posted,
    alerts,
    events,
    gauges,
    heals,
    episodes: () => episodes,
    state: () => state,
    /** A change in the cluster; `silently`: the watch missed it. */
    set: async (r: LiveResource, opts: { silently?: boolean } = {}) => {
      const before = objects.get(r.key);
      objects.set(r.key, r);
      if (!opts.silently) for (const l of listeners) l(r.key, before, r);
      timers.fire(BATCH);
      await monitor.settled();
    },
    tick: async () => {
      timers.fire(TICK);
      await monitor.settled();
      // The tick's own work is chained after the timer fired.
      await monitor.settled();
    },
    resync: async () => {
      timers.fire(RESYNC);
      await monitor.settled();
    },
    advance: (ms: number) => void (nowMs += ms),
    requestHeal: (r: { resource?: ResourceKey }) => void (healRequest = r),
  };
}

describe('DriftMonitor', () => {
  it('while sync is paused (an uninstall) a deleted object is not drift: nothing posted, alerted or healed; after, it is', async () => {
    let paused = true;
    const m = setup({ selfHeal: true, paused: () => paused });
    await m.monitor.start();
    await m.monitor.settled();
    await m.set(edited(99));
    await m.tick();
    await m.resync();
    expect(m.posted).toEqual([]);
    expect(m.alerts).toEqual([]);
    expect(m.heals).toEqual([]);
    paused = false;
    await m.tick();
    await m.tick();
    expect(m.posted).toEqual(['r1 drift failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit']);
    expect(m.heals).toEqual([[A.key]]);
    await m.monitor.stop();
  });

  it('one drift episode: one failing post and one success, never the same state twice; alerts, Events, metrics and one heal', async () => {
    const m = setup({ selfHeal: true });
    await m.monitor.start();
    await m.monitor.settled();
    // A clean applied commit gets no drift post at all.
    expect(m.posted).toEqual([]);

    await m.set(edited(99));
    // The same drift seen again (another event, an edit that reads the same, quiet ticks): no new post.
    await m.set(edited(99));
    await m.set(edited(98));
    await m.tick();
    await m.tick();
    expect(m.posted).toEqual(['r1 drift failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit']);
    expect(m.heals).toEqual([[A.key]]);
    // A different manager is a different state: posted once.
    await m.set(edited(97, 'calicoctl'));
    await m.set(edited(97, 'calicoctl'));
    expect(m.posted.slice(1)).toEqual(['r1 drift failure: drift: GlobalNetworkPolicy/allow-dns modified by calicoctl']);

    await m.set(asApplied);
    await m.tick();
    await m.set(asApplied);
    expect(m.posted.slice(2)).toEqual(['r1 drift success: no drift']);
    expect(m.alerts.map((a) => a.state)).toEqual(['firing', 'resolved']);
    expect(m.events).toEqual(['Warning DriftDetected default.allow-dns', 'Normal DriftHealed default.allow-dns']);
    expect(m.episodes()).toBe(1);
    expect(m.gauges[0]).toEqual({});
    expect(m.gauges).toContainEqual({ GlobalNetworkPolicy: 1 });
    expect(m.gauges.at(-1)).toEqual({});
    // What a new leader restores: the last post, so it does not post it again.
    expect(m.state()?.posted).toEqual({ sha: 'r1', state: 'success', description: 'no drift' });
    await m.monitor.stop();
  });

  it('repeats the alert at most every --alert-interval while the drift lasts', async () => {
    const m = setup({ selfHeal: false });
    await m.monitor.start();
    await m.monitor.settled();
    await m.set(edited(99));
    m.advance(ALERT_INTERVAL / 2);
    await m.tick();
    expect(m.alerts.map((a) => a.state)).toEqual(['firing']);
    m.advance(ALERT_INTERVAL / 2);
    await m.tick();
    await m.tick();
    expect(m.alerts.map((a) => a.state)).toEqual(['firing', 'repeat']);
    expect(m.posted).toHaveLength(1);
    await m.monitor.stop();
  });

  it('the resync relist catches a change the watch missed', async () => {
    const m = setup({ selfHeal: true });
    await m.monitor.start();
    await m.monitor.settled();
    await m.set(edited(99), { silently: true });
    await m.tick();
    expect(m.posted).toEqual([]);
    await m.resync();
    expect(m.posted).toEqual(['r1 drift failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit']);
    expect(m.heals).toEqual([[A.key]]);
    // The resync is scheduled again.
    expect([...m.timers.pending.values()].some((t) => t.ms === RESYNC)).toBe(true);
    await m.monitor.stop();
  });

  it('self-heal off: drift stays reported and nothing heals it until `calico-gitops heal`', async () => {
    const m = setup({ selfHeal: false });
    await m.monitor.start();
    await m.monitor.settled();
    await m.set(edited(99));
    await m.tick();
    await m.resync();
    expect(m.heals).toEqual([]);
    expect(m.events).toEqual(['Warning DriftDetected default.allow-dns']);
    expect(m.posted).toEqual(['r1 drift failure: drift: GlobalNetworkPolicy/allow-dns modified by kubectl-edit']);
    expect(m.monitor.current().entries.map((e) => e.key)).toEqual([A.key]);

    m.requestHeal({ resource: A.key });
    await m.tick();
    expect(m.heals).toEqual([[A.key]]);
    await m.monitor.stop();
  });
});
