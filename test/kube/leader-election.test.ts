import { describe, expect, it } from 'vitest';
import { KubeError } from '../../agent/domain/errors.js';
import type { Clock, Logger } from '../../agent/domain/runtime.js';
import { LeaderElector, type LeaderElectionOptions } from '../../agent/kube/leader-election.js';
import type { LeaseRecord, LeaseStore } from '../../agent/kube/lease-store.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

/** A Lease with the API server's optimistic concurrency: replace needs the current resourceVersion. */
class MemoryLeaseStore implements LeaseStore {
  record: LeaseRecord | undefined;
  rv = 0;
  failing = false;
  async read() {
    if (this.failing) throw new KubeError('down', { status: 0, reason: 'Unreachable' });
    return this.record;
  }
  async create(r: LeaseRecord) {
    if (this.failing) throw new KubeError('down', { status: 0, reason: 'Unreachable' });
    if (this.record) throw new KubeError('already exists', { status: 409, reason: 'AlreadyExists' });
    this.rv += 1;
    this.record = { ...r, resourceVersion: String(this.rv) };
    return this.record;
  }
  async replace(r: LeaseRecord) {
    if (this.failing) throw new KubeError('down', { status: 0, reason: 'Unreachable' });
    if (r.resourceVersion !== this.record?.resourceVersion) throw new KubeError('the object has been modified', { status: 409, reason: 'Conflict' });
    this.rv += 1;
    this.record = { ...r, resourceVersion: String(this.rv) };
    return this.record;
  }
}

class ManualClock implements Clock {
  t = Date.parse('2026-11-24T20:00:00Z');
  now() {
    return new Date(this.t);
  }
}

function elector(store: LeaseStore, clock: Clock, identity: string, events: string[], sleep?: LeaderElectionOptions['sleep']) {
  return new LeaderElector({
    store,
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    clock,
    sleep: sleep ?? (() => Promise.resolve()),
    logger: silent,
    onStartedLeading: () => events.push(`${identity} started`),
    onStoppedLeading: () => events.push(`${identity} stopped`),
  });
}

describe('LeaderElector.tryAcquireOrRenew', () => {
  it('creates the lease, renews it, and keeps others out until it expires', async () => {
    const store = new MemoryLeaseStore();
    const clock = new ManualClock();
    const a = elector(store, clock, 'a', []);
    const b = elector(store, clock, 'b', []);
    expect(await a.tryAcquireOrRenew()).toBe('acquired');
    expect(await b.tryAcquireOrRenew()).toBe('held-by-other');
    clock.t += 5_000;
    expect(await a.tryAcquireOrRenew()).toBe('renewed');
    expect(store.record?.renewTime.getTime()).toBe(clock.t);
    clock.t += 14_000;
    expect(await b.tryAcquireOrRenew()).toBe('held-by-other');
    clock.t += 2_000;
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
    expect(store.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
  });

  it('loses the race with a 409 when another candidate writes first', async () => {
    const store = new MemoryLeaseStore();
    const clock = new ManualClock();
    const a = elector(store, clock, 'a', []);
    await a.tryAcquireOrRenew();
    clock.t += 20_000;
    // b and c both read the expired lease; b writes first, c's replace carries a stale resourceVersion.
    const stale = store.record;
    const b = elector(store, clock, 'b', []);
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
    const c = elector({ read: async () => stale, create: (r) => store.create(r), replace: (r) => store.replace(r) }, clock, 'c', []);
    expect(await c.tryAcquireOrRenew()).toBe('lost-race');
    expect(store.record?.holderIdentity).toBe('b');
  });

  it('loses the race on create too', async () => {
    const store = new MemoryLeaseStore();
    const clock = new ManualClock();
    const b = elector({ read: async () => undefined, create: (r) => store.create(r), replace: (r) => store.replace(r) }, clock, 'b', []);
    await elector(store, clock, 'a', []).tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe('lost-race');
  });
});

describe('LeaderElector loop', () => {
  it('leads, stops leading when renewal fails past the deadline, and releases on stop', async () => {
    const store = new MemoryLeaseStore();
    const clock = new ManualClock();
    const events: string[] = [];
    let ticks = 0;
    let resume: (() => void) | undefined;
    // Each retry period advances the clock by 2 s; the test steps the loop one period at a time.
    const sleep = (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        clock.t += ms;
        ticks += 1;
        resume = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    const a = elector(store, clock, 'a', events, sleep);
    const step = async () => {
      const before = ticks;
      resume?.();
      for (let i = 0; i < 100 && ticks === before; i += 1) await new Promise((r) => setImmediate(r));
    };
    a.start();
    await step();
    expect(a.isLeader()).toBe(true);
    store.failing = true;
    // Renewals fail; within the 10 s deadline a leader keeps leading.
    for (let i = 0; i < 4; i += 1) await step();
    expect(a.isLeader()).toBe(true);
    await step();
    await step();
    expect(a.isLeader()).toBe(false);
    expect(events).toEqual(['a started', 'a stopped']);
    store.failing = false;
    await step();
    expect(a.isLeader()).toBe(true);
    await a.stop();
    expect(store.record?.holderIdentity).toBe('');
    expect(events).toEqual(['a started', 'a stopped', 'a started', 'a stopped']);
  });

  it('refuses a renew deadline not shorter than the lease', () => {
    expect(() => new LeaderElector({ ...({} as LeaderElectionOptions), leaseDurationMs: 10, renewDeadlineMs: 10 })).toThrow(RangeError);
  });
});
