import { afterEach, describe, expect, it } from 'vitest';
import { ExecutorError, systemClock, type StepResult } from '../../agent/domain/index.js';
import {
  createSyncQueue,
  createWorker,
  planProcessors,
  syncJobId,
  type JobOutcome,
  type ProcessDeps,
  type QueueWorker,
  type SyncQueue,
} from '../../agent/queue/index.js';
import { captureLogger, deleteKeys, okResults, planFor, randomCluster, Recorder, REDIS_URL, reporterOf, ScriptedExecutor } from './helpers.js';

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

async function startWorker(ctx: { cluster: string; queue: SyncQueue; logger: ReturnType<typeof captureLogger> }, deps: Partial<ProcessDeps> & Pick<ProcessDeps, 'executor'>, recorder: Recorder): Promise<QueueWorker> {
  const worker = await createWorker({
    connection: REDIS_URL,
    cluster: ctx.cluster,
    logger: ctx.logger,
    graceMs: 2_000,
    processors: planProcessors({
      verifier: recorder,
      reporter: reporterOf(recorder),
      audit: recorder,
      latestRevision: () => ctx.queue.latestRevision(),
      logger: ctx.logger,
      clock: systemClock,
      verifyTimeoutMs: 1_000,
      ...deps,
    }),
  });
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

  it('skips a job whose revision was superseded and says by which', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('old'), revision: 'old', author: 'dev' });
    await ctx.queue.setLatestRevision('new');
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).resolves.toEqual({ skipped: 'superseded by new' });
    expect(executor.calls).toEqual([]);
    expect(recorder.applied).toEqual([]);
  });

  it('applies, verifies and reports a current revision, logging with revision, plan and job', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const plan = planFor('c1', ['a', 'b']);
    await ctx.queue.setLatestRevision('c1');
    const { jobId } = await ctx.queue.enqueueSync({ plan, revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    const outcome = (await ctx.queue.waitFor(jobId, 10_000)) as Extract<JobOutcome, { applied: number }>;
    expect(outcome.applied).toBe(2);
    expect(recorder.applied).toHaveLength(1);
    expect(recorder.applied[0]).toMatchObject({ kind: 'sync', revision: 'c1', planId: plan.id, jobId });
    expect(recorder.audit.map((e) => [e.resource, e.outcome, e.author, e.jobId, e.afterHash])).toEqual([
      ['GlobalNetworkPolicy//a', 'ok', 'dev', jobId, plan.steps[0]?.hash],
      ['GlobalNetworkPolicy//b', 'ok', 'dev', jobId, plan.steps[1]?.hash],
    ]);
    const applying = ctx.logger.lines.find((l) => l.msg === 'applying plan');
    expect(applying?.obj).toMatchObject({ revision: 'c1', planId: plan.id, jobId });
  });

  it('retries a transient failure with backoff, then succeeds and reports once', async () => {
    const ctx = await setup({ attempts: 3 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (n, steps) => {
      if (n === 1) throw new ExecutorError('API server restarting', { code: 'pod-failed' });
      return okResults(steps);
    });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).resolves.toMatchObject({ applied: 1, deleted: 0 });
    expect(executor.calls).toHaveLength(2);
    expect(recorder.applied).toHaveLength(1);
    expect(recorder.failed).toEqual([]);
  });

  it('does not retry a stalled failure (invalid) and reports it once with the resource', async () => {
    const ctx = await setup({ attempts: 5 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps): Promise<StepResult[]> =>
      steps.map((s) => ({ key: s.key, action: s.action, outcome: 'invalid', message: 'error with field Selector' })),
    );
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).rejects.toThrow(/invalid: GlobalNetworkPolicy a: error with field Selector/);
    const job = await ctx.queue.queue.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(executor.calls).toHaveLength(1);
    expect(recorder.failed.map((f) => [f.error.code, f.error.disposition])).toEqual([['invalid', 'stalled']]);
  });

  it('a version-mismatch executor error is stalled, not retried', async () => {
    const ctx = await setup({ attempts: 5 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async () => {
      throw new ExecutorError('calicoctl version v3.30.0 does not match the cluster version v3.31.2', { code: 'version-mismatch', disposition: 'stalled' });
    });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).rejects.toThrow(/version-mismatch/);
    expect(executor.calls).toHaveLength(1);
    expect(recorder.failed[0]?.error).toMatchObject({ code: 'version-mismatch', disposition: 'stalled' });
  });

  it('gives up after the last attempt of a transient failure and reports it once', async () => {
    const ctx = await setup({ attempts: 2 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps): Promise<StepResult[]> =>
      steps.map((s) => ({ key: s.key, action: s.action, outcome: 'retryable', message: 'connection refused' })),
    );
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).rejects.toThrow(/retryable/);
    expect(executor.calls).toHaveLength(2);
    expect(recorder.failed).toHaveLength(1);
    expect(recorder.failed[0]?.error.disposition).toBe('transient');
  });

  it('a verify timeout retries and then says which resources differ', async () => {
    const ctx = await setup({ attempts: 2 });
    const recorder = new Recorder();
    recorder.verifyOk = false;
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(jobId, 10_000)).rejects.toThrow(/GlobalNetworkPolicy a \(absent\)/);
    expect(executor.calls).toHaveLength(2);
    expect(recorder.failed[0]?.error.code).toBe('verify-timeout');
  });

  it('two workers with global concurrency 1 process each job exactly once, one at a time', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps), 40);
    const jobIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const revision = `r${i}`;
      jobIds.push((await ctx.queue.enqueueSync({ plan: planFor(revision), revision, author: 'dev' })).jobId);
    }
    // Each worker could take several jobs at once; the global limit must still win.
    await startWorker(ctx, { executor }, recorder);
    await startWorker(ctx, { executor }, recorder);
    for (const id of jobIds) await ctx.queue.waitFor(id, 15_000);
    expect(executor.calls.map((c) => c.jobId).sort()).toEqual([...jobIds].sort());
    expect(executor.maxRunning).toBe(1);
    expect(recorder.applied).toHaveLength(8);
  });

  it('runs an uninstall whatever the latest revision', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    await ctx.queue.setLatestRevision('newer');
    const uninstall = await ctx.queue.enqueueUninstall({ plan: planFor('old', ['x', 'y']), requestedBy: 'ops' });
    await startWorker(ctx, { executor }, recorder);
    await expect(ctx.queue.waitFor(uninstall.jobId, 10_000)).resolves.toMatchObject({ applied: 2 });
    expect(recorder.audit.map((e) => [e.kind, e.author])).toEqual([['uninstall', 'ops'], ['uninstall', 'ops']]);
    expect(uninstall.jobId).toMatch(/^uninstall-/);
  });

  it('debounces a burst of heal jobs into one repair with the newest plan', async () => {
    const cluster = randomCluster();
    const logger = captureLogger();
    const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger, healDebounceMs: 300, retry: { attempts: 1, backoffMs: 10 } });
    cleanups.push(() => deleteKeys(cluster));
    cleanups.push(() => queue.close());
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    await queue.setLatestRevision('c1');
    await startWorker({ cluster, queue, logger }, { executor }, recorder);
    for (const names of [['a'], ['a', 'b'], ['a', 'b', 'c']]) await queue.enqueueHeal({ plan: planFor('c1', names), revision: 'c1' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(executor.calls.map((c) => c.steps)).toEqual([3]);
    // Once a newer commit is known, repairing toward the old one would undo it.
    await queue.setLatestRevision('c2');
    const late = await queue.enqueueHeal({ plan: planFor('c1', ['d']), revision: 'c1' });
    await expect(queue.waitFor(late.jobId, 5_000)).resolves.toEqual({ skipped: 'superseded by c2' });
    expect(executor.calls).toHaveLength(1);
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
      processors: planProcessors({} as ProcessDeps),
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    expect(errors[0]?.msg).toMatch(/Redis at 127\.0\.0\.1:1 is unavailable .*reconnecting, no job is lost/);
    await worker.close({ graceMs: 200 });
  });
});
