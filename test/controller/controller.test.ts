// Scheduling of reconcile cycles, driven by hand-held timers: a cycle at start, the next after the
// poll interval with jitter, webhook triggers coalesced while a cycle runs, earlier retries after a
// failure, nothing after stop. The stages are the real pure ones; the ports are in-memory.
import { describe, expect, it } from 'vitest';
import { Controller } from '../../agent/controller/controller.js';
import type { LivePort, QueuePort, SourcePort, StatusPort } from '../../agent/controller/ports.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION } from '../../agent/domain/calico-version.js';
import { SourceError } from '../../agent/domain/errors.js';
import type { Logger, Timers } from '../../agent/domain/runtime.js';
import type { LiveResource, Snapshot } from '../../agent/domain/state.js';
import { buildPlan } from '../../agent/plan/index.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const POLICY = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: a\nspec:\n  selector: all()\n  types: [Ingress]\n';

class ManualTimers implements Timers {
  readonly pending: { fn: () => void; ms: number; id: number }[] = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.push({ fn, ms, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    const i = this.pending.findIndex((p) => p.id === handle);
    if (i >= 0) this.pending.splice(i, 1);
  }
  fire(): void {
    const t = this.pending.shift();
    t?.fn();
  }
}

function setup(o: { failSource?: () => boolean; jobs?: 'queued' | 'settled'; post?: StatusPort['post'] } = {}) {
  let calls = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const snapshot: Snapshot = { revision: 'r1', author: 'a', message: 'm', files: [{ path: 'a.yaml', content: POLICY }] };
  const source: SourcePort = {
    latest: async () => {
      calls++;
      if (hold) await new Promise<void>((r) => (release = r));
      if (o.failSource?.()) throw new SourceError('host unreachable', { code: 'unreachable' });
      return { snapshot, forcePush: false };
    },
    current: () => (calls > 0 ? { snapshot, forcePush: false } : undefined),
  };
  const live: LivePort = { isSynced: () => true, get: () => undefined, list: (): LiveResource[] => [], waitForSync: async () => true };
  const enqueued: string[] = [];
  const queue: QueuePort = {
    busy: async () => false,
    job: async (id) => (o.jobs === 'settled' ? { id, state: 'settled', result: { kind: 'superseded', latest: 'r2' } } : { id, state: 'queued' }),
    jobOf: async () => undefined,
    setLatestRevision: async () => undefined,
    enqueueSync: async ({ plan }) => {
      enqueued.push(plan.id);
      // 'settled': a repeated poll finds the job already superseded (so no early look again).
      return { jobId: `sync-${plan.id}`, created: o.jobs !== 'settled' };
    },
  };
  const posted: string[] = [];
  const statuses: StatusPort = { post: o.post ?? (async (s) => void posted.push(`${s.kind}:${s.state}`)) };
  const timers = new ManualTimers();
  const controller = new Controller({
    cycle: {
      source,
      live,
      queue,
      logger: silent,
      liveSyncTimeoutMs: 1000,
      isApproved: async () => false,
      stages: {
        buildDesired: (s) => buildDesiredState({ files: s.files, calicoVersion: DEFAULT_CALICO_VERSION }),
        buildPlan: ({ snapshot: s, desired, live: l, approved }) => buildPlan({ desired, live: l, revision: s.revision, instance: 'calico-gitops', adopt: false, deleteBudgetPercent: 25, approved }),
      },
    },
    statuses,
    logger: silent,
    pollIntervalMs: 30_000,
    retryDelayMs: 5_000,
    jitter: 0.1,
    random: () => 1,
    timers,
  });
  return {
    controller,
    timers,
    enqueued,
    posted,
    calls: () => calls,
    hold: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('Controller', () => {
  it('runs a cycle at start, then schedules the next after the poll interval (with jitter)', async () => {
    const t = setup({ jobs: 'settled' });
    t.controller.start();
    await t.controller.idle();
    expect(t.calls()).toBe(1);
    expect(t.enqueued).toHaveLength(1);
    expect(t.posted).toEqual(['validate:success', 'apply:pending']);
    // random() = 1 → +10 %
    expect(t.timers.pending.map((p) => p.ms)).toEqual([33_000]);
    t.timers.fire();
    await t.controller.idle();
    expect(t.calls()).toBe(2);
    await t.controller.stop();
  });

  it('looks again soon while the job it enqueued is pending', async () => {
    const t = setup({ jobs: 'queued' });
    t.controller.start();
    await t.controller.idle();
    expect(t.posted).toEqual(['validate:success', 'apply:pending']);
    expect(t.timers.pending.map((p) => p.ms)).toEqual([2_200]);
    await t.controller.stop();
  });

  it('posts the statuses of a cycle side by side: apply does not wait for validate, and a failed one stops no other', async () => {
    const events: string[] = [];
    const t = setup({
      jobs: 'queued',
      post: async (s) => {
        events.push(`start ${s.kind}`);
        if (s.kind === 'validate') {
          await new Promise((r) => setImmediate(r));
          events.push('validate fails');
          throw new Error('forge answered 502');
        }
        events.push(`end ${s.kind}`);
      },
    });
    t.controller.start();
    await t.controller.idle();
    expect(events).toEqual(['start validate', 'start apply', 'end apply', 'validate fails']);
    await t.controller.stop();
  });

  it('coalesces webhook triggers that arrive during a cycle into one more cycle', async () => {
    const t = setup();
    t.hold();
    t.controller.start();
    await new Promise((r) => setImmediate(r));
    t.controller.trigger();
    t.controller.trigger();
    t.controller.trigger();
    t.release();
    await t.controller.idle();
    expect(t.calls()).toBe(2);
    expect(t.timers.pending).toHaveLength(1);
    await t.controller.stop();
  });

  it('plans the revision already read again when only the queue changed, and fetches when a webhook joins in', async () => {
    const t = setup({ jobs: 'settled' });
    t.controller.start();
    await t.controller.idle();
    expect(t.calls()).toBe(1);
    // A job settled: the statuses are brought up to date without asking the remote.
    t.controller.trigger({ fetch: false });
    await t.controller.idle();
    expect(t.calls()).toBe(1);
    expect(t.posted.filter((p) => p.startsWith('validate'))).toHaveLength(2);
    // A webhook coalesced with a settled job still fetches.
    t.hold();
    t.controller.trigger();
    await new Promise((r) => setImmediate(r));
    t.controller.trigger({ fetch: false });
    t.controller.trigger();
    t.release();
    await t.controller.idle();
    expect(t.calls()).toBe(3);
    await t.controller.stop();
  });

  it('retries sooner after a failure, and keeps running', async () => {
    let fail = true;
    const t = setup({ failSource: () => fail });
    t.controller.start();
    await t.controller.idle();
    expect(t.posted).toEqual([]);
    expect(t.timers.pending.map((p) => p.ms)).toEqual([5_500]);
    fail = false;
    t.timers.fire();
    await t.controller.idle();
    expect(t.enqueued).toHaveLength(1);
    await t.controller.stop();
  });

  it('schedules nothing after stop, and ignores triggers', async () => {
    const t = setup();
    t.controller.start();
    await t.controller.idle();
    await t.controller.stop();
    expect(t.timers.pending).toHaveLength(0);
    t.controller.trigger();
    await t.controller.idle();
    expect(t.calls()).toBe(1);
  });
});
