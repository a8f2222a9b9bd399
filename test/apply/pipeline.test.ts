// The apply pipeline of one job through the real queue: a real Redis, the BullMQ worker adapter,
// scripted executors. What a job came to is read back from the queue, as the controller reads it.
import { afterEach, describe, expect, it } from 'vitest';
import { runApply, type ApplyDeps } from '../../agent/apply/index.js';
import { ExecutorError, systemClock, type StepResult } from '../../agent/domain/index.js';
import { createSyncQueue, createWorker, type QueueWorker, type SyncQueue } from '../../agent/queue/index.js';
import { captureLogger, deleteKeys, okResults, planFor, randomCluster, Recorder, REDIS_URL, resultOf, ScriptedExecutor } from '../queue/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { attempts?: number } = {}) {
  const cluster = randomCluster();
  const logger = captureLogger();
  const queue = await createSyncQueue({ connection: REDIS_URL, cluster, logger, retry: { attempts: options.attempts ?? 3, backoffMs: 50 } });
  cleanups.push(() => deleteKeys(cluster));
  cleanups.push(() => queue.close());
  return { cluster, logger, queue };
}

async function startWorker(ctx: { cluster: string; queue: SyncQueue; logger: ReturnType<typeof captureLogger> }, deps: Partial<ApplyDeps> & Pick<ApplyDeps, 'executor'>, recorder: Recorder): Promise<QueueWorker> {
  const all: ApplyDeps = {
    verifier: recorder,
    audit: recorder,
    latestRevision: () => ctx.queue.latestRevision(),
    logger: ctx.logger,
    clock: systemClock,
    verifyTimeoutMs: 1_000,
    ...deps,
  };
  const worker = await createWorker({ connection: REDIS_URL, cluster: ctx.cluster, logger: ctx.logger, graceMs: 2_000, handler: (job, signal) => runApply({ job, deps: all, ...(signal ? { signal } : {}) }) });
  cleanups.push(() => worker.close());
  return worker;
}

describe('apply pipeline', () => {
  it('skips a job whose revision was superseded and says by which', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('old'), revision: 'old', author: 'dev' });
    await ctx.queue.setLatestRevision('new');
    await startWorker(ctx, { executor }, recorder);
    expect(await resultOf(ctx.queue, jobId)).toEqual({ kind: 'superseded', latest: 'new' });
    expect(executor.calls).toEqual([]);
    expect(recorder.audit).toEqual([]);
  });

  it('applies, audits and verifies a current revision, logging with revision, plan and job', async () => {
    const ctx = await setup();
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const plan = planFor('c1', ['a', 'b']);
    await ctx.queue.setLatestRevision('c1');
    const { jobId } = await ctx.queue.enqueueSync({ plan, revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    const result = await resultOf(ctx.queue, jobId);
    expect(result).toMatchObject({ kind: 'applied', skipped: [] });
    expect(result.kind === 'applied' && result.results.map((r) => [r.key, r.outcome])).toEqual([
      ['GlobalNetworkPolicy//a', 'ok'],
      ['GlobalNetworkPolicy//b', 'ok'],
    ]);
    expect(recorder.audit.map((e) => [e.action, e.resource, e.result, e.author, e.jobId, e.afterHash])).toEqual([
      ['create', 'GlobalNetworkPolicy//a', 'ok', 'dev', jobId, plan.steps[0]?.hash],
      ['create', 'GlobalNetworkPolicy//b', 'ok', 'dev', jobId, plan.steps[1]?.hash],
    ]);
    const applying = ctx.logger.lines.find((l) => l.msg === 'applying plan');
    expect(applying?.obj).toMatchObject({ revision: 'c1', planId: plan.id, jobId });
  });

  it('retries a transient failure with backoff, then succeeds', async () => {
    const ctx = await setup({ attempts: 3 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (n, steps) => {
      if (n === 1) throw new ExecutorError('API server restarting', { code: 'pod-failed' });
      return okResults(steps);
    });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    expect(await resultOf(ctx.queue, jobId)).toMatchObject({ kind: 'applied' });
    expect(executor.calls).toHaveLength(2);
  });

  it('does not retry a stalled failure (invalid) and names the resource once', async () => {
    const ctx = await setup({ attempts: 5 });
    const recorder = new Recorder();
    const executor = new ScriptedExecutor(async (_n, steps): Promise<StepResult[]> =>
      steps.map((s) => ({ key: s.key, action: s.action, outcome: 'invalid', message: 'error with field Selector' })),
    );
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    const result = await resultOf(ctx.queue, jobId);
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'invalid', disposition: 'stalled', message: 'GlobalNetworkPolicy a: error with field Selector' } });
    expect(executor.calls).toHaveLength(1);
    expect(recorder.audit.map((e) => [e.resource, e.result, e.message])).toEqual([['GlobalNetworkPolicy//a', 'failed', 'invalid: error with field Selector']]);
  });

  it('a version-mismatch executor error is stalled, not retried', async () => {
    const ctx = await setup({ attempts: 5 });
    const executor = new ScriptedExecutor(async () => {
      throw new ExecutorError('calicoctl version v3.30.0 does not match the cluster version v3.31.2', { code: 'version-mismatch', disposition: 'stalled' });
    });
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, new Recorder());
    expect(await resultOf(ctx.queue, jobId)).toMatchObject({ kind: 'failed', error: { code: 'version-mismatch', disposition: 'stalled' } });
    expect(executor.calls).toHaveLength(1);
  });

  it('settles a transient failure as failed after the last attempt', async () => {
    const ctx = await setup({ attempts: 2 });
    const executor = new ScriptedExecutor(async (_n, steps): Promise<StepResult[]> =>
      steps.map((s) => ({ key: s.key, action: s.action, outcome: 'retryable', message: 'connection refused' })),
    );
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, new Recorder());
    expect(await resultOf(ctx.queue, jobId)).toMatchObject({ kind: 'failed', error: { code: 'retryable', disposition: 'transient' } });
    expect(executor.calls).toHaveLength(2);
  });

  it('a verify timeout retries and then says which resources differ', async () => {
    const ctx = await setup({ attempts: 2 });
    const recorder = new Recorder();
    recorder.verifyOk = false;
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    const { jobId } = await ctx.queue.enqueueSync({ plan: planFor('c1'), revision: 'c1', author: 'dev' });
    await startWorker(ctx, { executor }, recorder);
    const result = await resultOf(ctx.queue, jobId);
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'verify-timeout', message: expect.stringContaining('GlobalNetworkPolicy a (absent)') } });
    expect(executor.calls).toHaveLength(2);
  });

  it('fails a job of an unknown kind for good, without running it', async () => {
    const ctx = await setup({ attempts: 3 });
    const executor = new ScriptedExecutor(async (_n, steps) => okResults(steps));
    await startWorker(ctx, { executor }, new Recorder());
    await ctx.queue.queue.add('teleport', { plan: planFor('c1') }, { jobId: 'teleport-1', attempts: 3 });
    expect(await resultOf(ctx.queue, 'teleport-1')).toMatchObject({ kind: 'failed', error: { code: 'unknown-job-kind', disposition: 'stalled' } });
    expect(executor.calls).toEqual([]);
  });
});
