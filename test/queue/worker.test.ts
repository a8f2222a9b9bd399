import { afterEach, describe, expect, it } from 'vitest';
import { runApply, type ApplyDeps } from '../../agent/apply/index.js';
import { systemClock } from '../../agent/domain/index.js';
import { createSyncQueue, createWorker, type JobHandler, type QueueWorker } from '../../agent/queue/index.js';
import { captureLogger, deleteKeys, okResults, planFor, randomCluster, Recorder, REDIS_URL, resultOf, ScriptedExecutor } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const cluster = randomCluster();
  const logger = captureLogger();
  const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger, retry: { attempts: 3, backoffMs: 50 } });
  cleanups.push(() => deleteKeys(cluster));
  cleanups.push(() => queue.close());
  return { cluster, logger, queue };
}

function handler(ctx: Awaited<ReturnType<typeof setup>>, executor: ScriptedExecutor, recorder = new Recorder()): JobHandler {
  const deps: ApplyDeps = {
    executor,
    verifier: recorder,
    audit: recorder,
    latestRevision: () => ctx.queue.latestRevision(),
    logger: ctx.logger,
    clock: systemClock,
    verifyTimeoutMs: 1_000,
  };
  return (job, signal) => runApply({ job, deps, ...(signal ? { signal } : {}) });
}

describe('worker lifecycle', () => {
  it('graceful close lets the running job finish', async () => {
    const ctx = await setup();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps), 500);
    const worker = await createWorker({ connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, handler: handler(ctx, executor) });
    cleanups.push(() => worker.close());
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await expect.poll(() => executor.calls.length, { timeout: 5_000 }).toBe(1);
    await worker.close({ graceMs: 5_000 });
    const job = await ctx.queue.queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
  });

  it('a job whose worker died is taken over by another worker (stalled-job recovery)', async () => {
    const ctx = await setup();
    // The first worker hangs in the executor and then "crashes" (forced close, no lock renewal).
    const hanging = new ScriptedExecutor(() => new Promise(() => undefined));
    const healthy = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const opts = { connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, lockDurationMs: 600, stalledIntervalMs: 300 };
    const dying: QueueWorker = await createWorker({ ...opts, handler: handler(ctx, hanging) });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await expect.poll(() => hanging.calls.length, { timeout: 5_000 }).toBe(1);
    await dying.close({ graceMs: 10 });
    const rescuer = await createWorker({ ...opts, handler: handler(ctx, healthy) });
    cleanups.push(() => rescuer.close());
    expect(await resultOf(ctx.queue, jobId)).toMatchObject({ kind: 'applied' });
    expect(healthy.calls.map((c) => c.jobId)).toEqual([jobId]);
    expect(ctx.logger.lines.some((l) => l.msg.startsWith('job stalled'))).toBe(true);
  });
});
