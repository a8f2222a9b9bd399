// The queue adapter on a real Redis: key layout, job ids, job state and results read back, global
// concurrency, and Redis being unavailable. The pipeline itself is tested in test/apply/.
import { afterEach, describe, expect, it } from 'vitest';
import { runApply, type ApplyDeps } from '../../agent/apply/index.js';
import { systemClock } from '../../agent/domain/index.js';
import { createSyncQueue, createWorker, syncJobId, type QueueWorker, type SyncQueue } from '../../agent/queue/index.js';
import { captureLogger, deleteKeys, ended, okResults, planFor, randomCluster, Recorder, REDIS_URL, ScriptedExecutor } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { attempts?: number } = {}) {
  const cluster = randomCluster();
  const logger = captureLogger();
  const queue = await createSyncQueue({
    connection: REDIS_URL,
    cluster,
    logger,
    retry: { attempts: options.attempts ?? 3, backoffMs: 50 },
  });
  cleanups.push(() => deleteKeys(cluster));
  cleanups.push(() => queue.close());
  return { cluster, logger, queue };
}

async function startWorker(ctx: { cluster: string; queue: SyncQueue; logger: ReturnType<typeof captureLogger> }, executor: ScriptedExecutor): Promise<QueueWorker> {
  const recorder = new Recorder();
  const deps: ApplyDeps = { executor, verifier: recorder, audit: recorder, latestRevision: () => ctx.queue.latestRevision(), logger: ctx.logger, clock: systemClock, verifyTimeoutMs: 1_000 };
  const worker = await createWorker({ connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, graceMs: 2_000, handler: (job) => runApply({ job, deps }) });
  cleanups.push(() => worker.close());
  return worker;
}

describe('sync queue', () => {
  it('uses the cluster hash tag for every key and a deterministic job id without colons', async () => {
    const { cluster, queue } = await setup();
    const plan = planFor('abc123');
    const { jobId } = await queue.enqueueSync({ plan, revision: 'abc123', author: 'dev' });
    expect(jobId).toBe(`sync-${cluster}-abc123-${plan.id}`);
    expect(jobId).toBe(syncJobId({ cluster, revision: 'abc123', planId: plan.id }));
    expect(jobId).not.toContain(':');
    expect(queue.prefix).toBe(`{calico-gitops:${cluster}}`);
  });

  it('a repeated enqueue of the same plan and commit does nothing', async () => {
    const { queue } = await setup();
    const plan = planFor('abc123');
    const first = await queue.enqueueSync({ plan, revision: 'abc123', author: 'dev' });
    const second = await queue.enqueueSync({ plan, revision: 'abc123', author: 'dev' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ jobId: first.jobId, created: false });
    const counts = await queue.counts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('reads back the last job of a revision with its state, then its result', async () => {
    const ctx = await setup();
    expect(await ctx.queue.jobOf('c1')).toBeUndefined();
    const plan = planFor('c1');
    await ctx.queue.setLatestRevision('c1');
    const { jobId } = await ctx.queue.enqueueSync({ plan, revision: 'c1', author: 'dev' });
    expect(await ctx.queue.jobOf('c1')).toEqual({ id: jobId, state: 'queued' });
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    await startWorker(ctx, executor);
    await ended(ctx.queue, jobId);
    expect(await ctx.queue.jobOf('c1')).toMatchObject({ id: jobId, state: 'settled', result: { kind: 'applied', results: [{ key: 'GlobalNetworkPolicy//a', outcome: 'ok' }] } });
    expect(await ctx.queue.job('no-such-job')).toBeUndefined();
  });

  it('calls back when a job settles', async () => {
    const ctx = await setup();
    const settled: string[] = [];
    const unsubscribe = await ctx.queue.onSettled((id) => settled.push(id));
    cleanups.push(async () => unsubscribe());
    await startWorker(ctx, new ScriptedExecutor(async (_n, steps) => okResults(steps)));
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await expect.poll(() => settled, { timeout: 10_000 }).toEqual([jobId]);
  });

  it('two workers with global concurrency 1 process each job exactly once, one at a time', async () => {
    const ctx = await setup();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps), 40);
    const jobIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const revision = `r${i}`;
      jobIds.push((await ctx.queue.enqueueSync({ plan: planFor(revision), revision, author: 'dev' })).jobId);
    }
    // Each worker could take several jobs at once; the global limit must still win.
    await startWorker(ctx, executor);
    await startWorker(ctx, executor);
    for (const id of jobIds) expect(await ended(ctx.queue, id)).toMatchObject({ state: 'settled', result: { kind: 'applied' } });
    expect(executor.calls.map((c) => c.jobId).sort()).toEqual([...jobIds].sort());
    expect(executor.maxRunning).toBe(1);
  });
});

describe('Redis unavailable', () => {
  it('the producer fails with a clear DependencyError naming where Redis is, without credentials', async () => {
    const logger = captureLogger();
    await expect(createSyncQueue({ connection: 'redis://user:s3cret@127.0.0.1:1', cluster: randomCluster(), logger })).rejects.toMatchObject({
      name: 'DependencyError',
      message: expect.stringContaining('127.0.0.1:1'),
    });
    expect(JSON.stringify(logger.lines)).not.toContain('s3cret');
  });

  it('a worker keeps reconnecting and says so once, and still closes', async () => {
    const logger = captureLogger();
    const worker = await createWorker({
      connection: 'redis://127.0.0.1:1',
      cluster: randomCluster(),
      logger,
      graceMs: 500,
      handler: async () => {
        throw new Error('no job can reach this worker');
      },
    });
    // A second failed connection attempt (each is an 'error' from BullMQ) proves it keeps reconnecting.
    let attempts = 0;
    worker.worker.on('error', () => (attempts += 1));
    await expect.poll(() => attempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(errors[0]?.msg).toMatch(/Redis at 127\.0\.0\.1:1 is unavailable .*reconnecting, no job is lost/);
    await worker.close({ graceMs: 200 });
  });
});
