import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/domain/index.js';
import { RESYNC_QUEUE_NAME, createResyncListener, createSyncQueue, createWorker, planProcessors, type ProcessDeps, type QueueWorker } from '../../agent/queue/index.js';
import { captureLogger, deleteKeys, okResults, planFor, randomCluster, Recorder, REDIS_URL, reporterOf, ScriptedExecutor } from './helpers.js';

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

function deps(ctx: Awaited<ReturnType<typeof setup>>, executor: ScriptedExecutor, recorder = new Recorder()): ProcessDeps {
  return {
    executor,
    verifier: recorder,
    reporter: reporterOf(recorder),
    audit: recorder,
    latestRevision: () => ctx.queue.latestRevision(),
    logger: ctx.logger,
    clock: systemClock,
    verifyTimeoutMs: 1_000,
  };
}

describe('worker lifecycle', () => {
  it('graceful close lets the running job finish', async () => {
    const ctx = await setup();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps), 500);
    const worker = await createWorker({ connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, processors: planProcessors(deps(ctx, executor)) });
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
    const dying: QueueWorker = await createWorker({ ...opts, processors: planProcessors(deps(ctx, hanging)) });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await expect.poll(() => hanging.calls.length, { timeout: 5_000 }).toBe(1);
    await dying.close({ graceMs: 10 });
    const rescuer = await createWorker({ ...opts, processors: planProcessors(deps(ctx, healthy)) });
    cleanups.push(() => rescuer.close());
    await expect(ctx.queue.waitFor(jobId, 15_000)).resolves.toMatchObject({ applied: 1 });
    expect(healthy.calls.map((c) => c.jobId)).toEqual([jobId]);
    expect(ctx.logger.lines.some((l) => l.msg.startsWith('job stalled'))).toBe(true);
  });

  it('the periodic resync scheduler ticks the controller', async () => {
    const ctx = await setup();
    let ticks = 0;
    const listener = createResyncListener({ connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, onTick: async () => void (ticks += 1) });
    cleanups.push(() => listener.close());
    await ctx.queue.upsertResync({ everyMs: 200 });
    await ctx.queue.upsertResync({ everyMs: 200 });
    await expect.poll(() => ticks, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    // Upserting twice (every controller start does) keeps one scheduler.
    const resync = new Queue(RESYNC_QUEUE_NAME, { connection: { host: '127.0.0.1', port: 6379 }, prefix: ctx.queue.prefix });
    cleanups.push(() => resync.close());
    expect((await resync.getJobSchedulers()).map((s) => [s.key, s.every])).toEqual([[`resync-${ctx.cluster}`, 200]]);
  });
});
