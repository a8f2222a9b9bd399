// The impact in a cycle: assessed once the live view is synced and no job is in flight, after the
// job is enqueued (from the live resources read before it), handed the intents check, carried by
// the outcome to its status; a failing assessment never stops the revision, and a revision whose
// intents break still gets its impact, with nothing enqueued.
import { describe, expect, it } from 'vitest';
import { runCycle, type CycleOutcome } from '../../agent/controller/cycle.js';
import type { ImpactPort, IntentsPort, LivePort, QueuePort } from '../../agent/controller/ports.js';
import { summarize } from '../../agent/controller/summarize.js';
import type { Issue } from '../../agent/domain/issue.js';
import type { Logger } from '../../agent/domain/runtime.js';
import type { LiveResource, Plan, Snapshot } from '../../agent/domain/state.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const snapshot: Snapshot = { revision: 'r2', author: 'Ana <ana@example.com>', message: 'policies', files: [], intents: { path: '.calico-gitops/intents.yaml', content: '[]' } } as Snapshot;
const update = { action: 'update', key: 'GlobalNetworkPolicy//a', kindId: 'GlobalNetworkPolicy', manifest: { apiVersion: 'v', kind: 'k', metadata: { name: 'a' }, spec: {} }, hash: 'h' } as Plan['steps'][number];
const live: LivePort = { isSynced: () => true, get: () => undefined, list: (): LiveResource[] => [], waitForSync: async () => true };
const violation: Issue = { severity: 'error', file: '.calico-gitops/intents.yaml', line: 1, column: 1, path: '', code: 'intent', message: 'intent "x" (expect deny) is violated' };

async function cycle(o: {
  impact: ImpactPort;
  busy?: boolean;
  intents?: readonly Issue[];
  live?: LivePort;
  steps?: Plan['steps'];
  onEnqueue?: () => void;
}): Promise<{ outcome: CycleOutcome; enqueued: number }> {
  let enqueued = 0;
  const queue: QueuePort = {
    busy: async () => o.busy ?? false,
    setLatestRevision: async () => undefined,
    enqueueSync: async () => {
      enqueued += 1;
      o.onEnqueue?.();
      return { jobId: 'j1', created: true };
    },
    job: async (id) => ({ id, state: 'queued' }),
    jobOf: async () => undefined,
  };
  const intents: IntentsPort = { check: async () => ({ errors: o.intents ?? [], warnings: [] }) };
  const outcome = await runCycle({
    source: { latest: async () => ({ snapshot, forcePush: false }) },
    live: o.live ?? live,
    queue,
    logger: silent,
    liveSyncTimeoutMs: 1_000,
    isApproved: async () => false,
    intents,
    impact: o.impact,
    stages: {
      buildDesired: () => ({ state: { resources: new Map([['GlobalNetworkPolicy//a' as never, {} as never]]) }, errors: [], warnings: [], parsed: new Map() }),
      buildPlan: () => ({ id: 'p1', revision: snapshot.revision, steps: o.steps ?? [update], skipped: [], unchanged: 0 }),
    },
  });
  return { outcome, enqueued };
}

const impactOf = (s: ReturnType<typeof summarize>) => s.statuses.find((x) => x.kind === 'impact');

describe('runCycle: the impact', () => {
  it('is assessed with the intents check and reaches the impact status with its link', async () => {
    const seen: unknown[] = [];
    const { outcome, enqueued } = await cycle({
      impact: {
        assess: async (input) => {
          seen.push(input.intents);
          return { ok: true, description: 'opens 2, closes 0 connections', intentsViolated: 0, url: 'https://a.example/impact/r2' };
        },
      },
    });
    expect(outcome.kind).toBe('enqueued');
    expect(enqueued).toBe(1);
    expect(seen).toEqual([{ errors: [], warnings: [] }]);
    expect(impactOf(summarize(outcome))).toEqual({ kind: 'impact', state: 'success', description: 'opens 2, closes 0 connections', targetUrl: 'https://a.example/impact/r2' });
  });

  it('that fails is an error status; the revision is enqueued all the same', async () => {
    const { outcome, enqueued } = await cycle({ impact: { assess: async () => Promise.reject(new Error('pods is forbidden\nmore')) } });
    expect(outcome.kind).toBe('enqueued');
    expect(enqueued).toBe(1);
    expect(impactOf(summarize(outcome))).toEqual({ kind: 'impact', state: 'error', description: 'not computed: pods is forbidden' });
  });

  it('is not assessed while a job is in flight (the cluster is half applied)', async () => {
    let calls = 0;
    const { outcome } = await cycle({ busy: true, impact: { assess: async () => (calls++, { ok: true, description: 'x', intentsViolated: 0 }) } });
    expect(outcome.kind).toBe('busy');
    expect(calls).toBe(0);
    expect(impactOf(summarize(outcome))).toBeUndefined();
  });

  it('of a revision whose intent breaks is still assessed, and fails with it', async () => {
    const { outcome, enqueued } = await cycle({
      intents: [violation],
      impact: { assess: async (input) => ({ ok: true, description: `no change to connectivity; ${input.intents?.errors.length ?? 0} intent violated`, intentsViolated: input.intents?.errors.length ?? 0 }) },
    });
    expect(outcome.kind).toBe('invalid');
    expect(enqueued).toBe(0);
    expect(impactOf(summarize(outcome))).toEqual({ kind: 'impact', state: 'failure', description: 'no change to connectivity; 1 intent violated' });
  });

  it('runs after the job is enqueued (it decides nothing), from the live resources read before the enqueue', async () => {
    const beforeApply = [{ key: 'GlobalNetworkPolicy//a' } as LiveResource];
    let current = beforeApply;
    const events: string[] = [];
    const seen: (readonly LiveResource[])[] = [];
    const { outcome, enqueued } = await cycle({
      live: { ...live, list: () => current },
      // A fast worker: by the time the enqueue returns, the live view already shows the change.
      onEnqueue: () => {
        events.push('enqueued');
        current = [{ key: 'GlobalNetworkPolicy//a', hash: 'applied' } as LiveResource];
      },
      impact: {
        assess: async (input) => {
          events.push('assessed');
          seen.push(input.live);
          return { ok: true, description: 'opens 1, closes 0 connections', intentsViolated: 0 };
        },
      },
    });
    expect(outcome.kind).toBe('enqueued');
    expect(enqueued).toBe(1);
    expect(events).toEqual(['enqueued', 'assessed']);
    expect(seen).toEqual([beforeApply]);
    expect(impactOf(summarize(outcome))).toEqual({ kind: 'impact', state: 'success', description: 'opens 1, closes 0 connections' });
  });

  it('of a revision in sync still reaches its status (the one kept from its first plan)', async () => {
    const { outcome, enqueued } = await cycle({ steps: [], impact: { assess: async () => ({ ok: true, description: 'opens 1, closes 0 connections', intentsViolated: 0 }) } });
    expect(outcome.kind).toBe('in-sync');
    expect(enqueued).toBe(0);
    expect(impactOf(summarize(outcome))).toEqual({ kind: 'impact', state: 'success', description: 'opens 1, closes 0 connections' });
  });
});
