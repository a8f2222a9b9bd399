// One reconcile cycle against in-memory ports: which outcome a plan leads to (in sync, drifted,
// enqueued), what the queue is told (the latest revision, a sync job or none), and what the
// commit then shows (summarize).
import { describe, expect, it } from 'vitest';
import { runCycle, type CycleOutcome } from '../../agent/controller/cycle.js';
import type { LivePort, QueuePort } from '../../agent/controller/ports.js';
import { summarize } from '../../agent/controller/summarize.js';
import type { Logger } from '../../agent/domain/runtime.js';
import type { LiveResource, Plan, Snapshot } from '../../agent/domain/state.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const snapshot: Snapshot = { revision: 'r2', author: 'Ana <ana@example.com>', message: 'policies', files: [] };
const update = { action: 'update', key: 'GlobalNetworkPolicy//a', kindId: 'GlobalNetworkPolicy', manifest: { apiVersion: 'v', kind: 'k', metadata: { name: 'a' }, spec: {} }, hash: 'h' } as Plan['steps'][number];
const live: LivePort = { isSynced: () => true, get: () => undefined, list: (): LiveResource[] => [], waitForSync: async () => true };

interface Case {
  readonly steps: Plan['steps'];
  /** The applied revision in Redis; `off`: drift is not tracked (no port). */
  readonly applied: string | 'off' | undefined;
  readonly kind: CycleOutcome['kind'];
  readonly enqueued: number;
  readonly apply: { state: string; description: string };
  readonly message: RegExp;
}

async function cycle(c: Case): Promise<{ outcome: CycleOutcome; latest: string[]; enqueued: number }> {
  const latest: string[] = [];
  let enqueued = 0;
  const queue: QueuePort = {
    busy: async () => false,
    setLatestRevision: async (r) => void latest.push(r),
    enqueueSync: async () => {
      enqueued += 1;
      return { jobId: 'j1', created: true };
    },
    job: async (id) => ({ id, state: 'queued' }),
    jobOf: async () => undefined,
    ...(c.applied === 'off' ? {} : { appliedRevision: async () => c.applied }),
  };
  const outcome = await runCycle({
    source: { latest: async () => ({ snapshot, forcePush: false }) },
    live,
    queue,
    logger: silent,
    liveSyncTimeoutMs: 1_000,
    isApproved: async () => false,
    stages: {
      buildDesired: () => ({ state: { resources: new Map([['GlobalNetworkPolicy//a' as never, {} as never]]) }, errors: [], warnings: [], parsed: new Map() }),
      buildPlan: () => ({ id: 'p1', revision: snapshot.revision, steps: c.steps, skipped: [], unchanged: 1 - c.steps.length }),
    },
  });
  return { outcome, latest, enqueued };
}

describe('runCycle', () => {
  it.each<[string, Case]>([
    [
      'a plan with nothing to do is in sync; nothing is enqueued',
      { steps: [], applied: 'r1', kind: 'in-sync', enqueued: 0, apply: { state: 'success', description: 'in sync: 1 resources' }, message: /in sync/ },
    ],
    [
      'changes against the applied revision itself are drift: no sync job, the commit keeps its apply status',
      { steps: [update], applied: 'r2', kind: 'drifted', enqueued: 0, apply: { state: 'success', description: 'in sync: 1 resources' }, message: /differs from the applied revision in 1 resource\(s\): drift/ },
    ],
    [
      'changes for a revision not applied yet are a sync',
      { steps: [update], applied: 'r1', kind: 'enqueued', enqueued: 1, apply: { state: 'pending', description: 'applying: 0 to create, 1 to update, 0 to delete' }, message: /sync job j1 enqueued/ },
    ],
    [
      'before the first apply, changes are a sync',
      { steps: [update], applied: undefined, kind: 'enqueued', enqueued: 1, apply: { state: 'pending', description: 'applying: 0 to create, 1 to update, 0 to delete' }, message: /enqueued/ },
    ],
    [
      'with drift not tracked, changes are always a sync',
      { steps: [update], applied: 'off', kind: 'enqueued', enqueued: 1, apply: { state: 'pending', description: 'applying: 0 to create, 1 to update, 0 to delete' }, message: /enqueued/ },
    ],
  ])('%s', async (_name, c) => {
    const { outcome, latest, enqueued } = await cycle(c);
    expect(outcome.kind).toBe(c.kind);
    expect(enqueued).toBe(c.enqueued);
    // Every outcome that planned marks its revision the newest, in sync or drifted too: a heal
    // toward it would otherwise be skipped as superseded by the last revision that needed a job.
    expect(latest).toEqual(['r2']);
    const summary = summarize(outcome);
    expect(summary.revision).toBe('r2');
    expect(summary.statuses).toEqual([{ kind: 'validate', state: 'success', description: 'valid: 1 resources' }, { kind: 'apply', ...c.apply }]);
    expect(summary.message).toMatch(c.message);
    // Drift is never a reason to plan again early: the drift monitor handles it.
    if (c.kind !== 'enqueued') expect(summary.retry).toBeUndefined();
  });
});

describe('runCycle stage marks', () => {
  it('marks the cycle start before the source is read, and the read once it is done', async () => {
    const events: string[] = [];
    const record = (obj: object | string, msg?: string): void => void events.push(typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`);
    const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
    await runCycle(
      {
        source: {
          latest: async () => {
            events.push('latest');
            return { snapshot, forcePush: false };
          },
        },
        live,
        queue: { busy: async () => false, setLatestRevision: async () => undefined, enqueueSync: async () => ({ jobId: 'j1', created: true }), job: async () => undefined, jobOf: async () => undefined },
        logger,
        liveSyncTimeoutMs: 1_000,
        isApproved: async () => false,
        stages: {
          buildDesired: () => ({ state: { resources: new Map() }, errors: [], warnings: [], parsed: new Map() }),
          buildPlan: () => ({ id: 'p1', revision: snapshot.revision, steps: [], skipped: [], unchanged: 0 }),
        },
      },
      { fetch: true },
    );
    expect(events.slice(0, 3)).toEqual(['cycle: started {"fetch":true}', 'latest', 'cycle: source read']);
  });
});
