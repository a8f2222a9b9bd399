// The producer side of one cluster's queue, used by the controller (the Lease holder): marks the
// newest revision, enqueues jobs, and reads a job's state and result back for the commit status.
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import type { HealJobData, SyncJobData, JobDataByKind, JobKind } from '../apply/job-kinds.js';
import type { EnqueueResult } from '../controller/ports.js';
import { DependencyError } from '../domain/errors.js';
import type { ApplyResult, JobState } from '../domain/job.js';
import { systemClock, type Clock, type Logger } from '../domain/runtime.js';
import { bullmqConnection, redisLocation, type RedisConnection } from './connection.js';
import { redisErrorLogger } from './redis-error-log.js';
import { withTimeout } from './timeout.js';
import { createRevisionStore, type RevisionStore } from './revision-store.js';
import { healJobId, QUEUE_NAME, queuePrefix, syncJobId, type KeyPrefix } from './keys.js';
import { DEFAULT_ROUNDS, nextRound, runsAgain, type JobRound, type RoundPolicy } from './rounds.js';
export interface RetryPolicy {
  /** Total tries of a job, the first included. */
  readonly attempts: number;
  /** First backoff delay; doubles on each retry. */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 5_000 };

export interface SyncQueueOptions {
  readonly connection: RedisConnection;
  readonly cluster: string;
  readonly logger: Logger;
  /** Key prefix; defaults to `{calico-gitops:<cluster>}`. */
  readonly prefix?: KeyPrefix;
  readonly retry?: RetryPolicy;
  /** Pauses between rounds of a plan whose job failed for good and is needed again. */
  readonly rounds?: RoundPolicy;
  /** Longest wait for one Redis operation before it fails with a DependencyError (BullMQ alone waits forever). */
  readonly operationTimeoutMs?: number;
  readonly clock?: Clock;
  /** Burst window of heal jobs (default 500 ms). */
  readonly healDebounceMs?: number;
}

export interface SyncQueue {
  readonly prefix: KeyPrefix;
  /** The BullMQ queue, for metrics (`exportPrometheusMetrics`) and tests. */
  readonly queue: Queue;
  setLatestRevision(revision: string): Promise<void>;
  latestRevision(): Promise<string | undefined>;
  enqueueSync(input: SyncJobData): Promise<EnqueueResult>;
  /**
   * Drift repair, debounced: drift seen within the window is repaired once, with the newest plan
   * (a delayed heal is replaced while the window lasts). Never the job a commit's status reads.
   */
  enqueueHeal(input: HealJobData): Promise<EnqueueResult>;
  /** A job's state, with its result once settled; undefined when the queue does not hold it. */
  job(jobId: string): Promise<JobState | undefined>;
  /** The last job enqueued for a revision (kept as long as finished jobs are), with its state. */
  jobOf(revision: string): Promise<JobState | undefined>;
  /** Calls back whenever a job completes or fails (to look at the commit again soon); returns the unsubscribe. */
  onSettled(callback: (jobId: string) => void): Promise<() => void>;
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const KEEP = { age: 7 * 24 * 3600, count: 1000 };

export async function createSyncQueue(options: SyncQueueOptions): Promise<SyncQueue> {
  const prefix = options.prefix ?? queuePrefix(options.cluster);
  const { connection, release } = bullmqConnection(options.connection, 'producer');
  const where = redisLocation(options.connection);
  const log = options.logger.child({ component: 'queue', cluster: options.cluster });
  const retry = options.retry ?? DEFAULT_RETRY;
  const queue = new Queue(QUEUE_NAME, { connection, prefix });
  let events: QueueEvents | undefined;
  let releaseEvents = (): void => undefined;
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now().getTime();
  const onError = redisErrorLogger({ log, where, what: 'queue', clock });
  queue.on('error', onError);

  const operationTimeoutMs = options.operationTimeoutMs ?? 5_000;
  const dependency = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(fn(), operationTimeoutMs, what);
    } catch (cause) {
      throw new DependencyError(`${what}: Redis at ${where} is unavailable`, { cause, code: 'redis' });
    }
  };

  let revisions: RevisionStore | undefined;
  try {
    revisions = await createRevisionStore({ connection: options.connection, cluster: options.cluster, prefix, onError });
    await dependency('setting global concurrency', () => queue.setGlobalConcurrency(1));
  } catch (err) {
    await Promise.allSettled([queue.close(), revisions?.close()]);
    release();
    throw err;
  }
  const store = revisions;

  const baseOpts: JobsOptions = {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: KEEP,
    removeOnFail: KEEP,
  };

  const add = async <K extends JobKind>(kind: K, jobId: string, revision: string | undefined, data: JobDataByKind[K], extra: JobsOptions = {}): Promise<EnqueueResult> =>
    dependency(`enqueueing ${jobId}`, async () => {
      // The limit lives in Redis (the queue's meta hash): a Redis that restarts without persistence
      // comes back without it, and BullMQ never re-applies it. Asserting it (one idempotent HSET)
      // right before every add means no job exists in a Redis that lacks the one-apply-at-a-time rule.
      await queue.setGlobalConcurrency(1);
      // The leader is the only producer, so "exists, then add" does not race; add itself ignores a
      // duplicate id anyway, this only tells the caller which case it was.
      if (revision !== undefined) await store.setJobOf(revision, jobId, KEEP.age);
      const existing = await queue.getJob(jobId);
      let round: { round: JobRound; delayMs: number } | undefined;
      if (existing) {
        const previous = await jobState(existing);
        // Only a job that still waits or runs is "already queued". A finished one is history: the
        // cycle asks for this plan only because the cluster does not match it now (an object deleted
        // again by hand, a force-push back to this commit, an outage that outlasted the retries).
        if (!previous || previous.state === 'queued' || previous.state === 'active') {
          log.debug({ jobId }, 'job already queued');
          return { jobId, created: false };
        }
        if (!runsAgain(previous)) {
          log.debug({ jobId }, 'job failed for good (stalled): not run again');
          return { jobId, created: false };
        }
        round = nextRound({
          previous,
          previousRound: roundOf(existing.data).number,
          finishedAt: existing.finishedOn ?? now(),
          now: now(),
          policy: options.rounds ?? DEFAULT_ROUNDS,
        });
        await existing.remove();
      }
      const jobData = round && round.round.number > 1 ? { ...data, round: round.round } : data;
      await queue.add(kind, jobData, { ...baseOpts, ...extra, jobId, ...(round && round.delayMs > 0 ? { delay: round.delayMs } : {}) });
      log.info(
        { jobId, kind, planId: data.plan.id, steps: data.plan.steps.length, ...(round ? { round: round.round.number, delayMs: round.delayMs } : {}) },
        round ? 'job queued again: its plan is needed again' : 'job queued',
      );
      return { jobId, created: true };
    });

  const stateOf = async (jobId: string): Promise<JobState | undefined> => {
    const job = await queue.getJob(jobId);
    return job ? jobState(job) : undefined;
  };

  return {
    prefix,
    queue,
    setLatestRevision: (revision) => store.set(revision),
    latestRevision: () => store.get(),
    enqueueSync: (input) => add('sync', syncJobId({ cluster: options.cluster, revision: input.revision, planId: input.plan.id }), input.revision, input),
    enqueueHeal: (input) => {
      const debounceMs = options.healDebounceMs ?? 500;
      return add('heal', healJobId({ cluster: options.cluster, planId: input.plan.id, detectedAt: input.detectedAt }), undefined, input, {
        delay: debounceMs,
        deduplication: { id: `heal-${options.cluster}`, ttl: debounceMs, extend: true, replace: true },
      });
    },
    job: (jobId) => dependency(`looking up job ${jobId}`, () => stateOf(jobId)),
    jobOf: (revision) =>
      dependency(`looking up the job of ${revision}`, async () => {
        const jobId = await store.jobOf(revision);
        return jobId === undefined ? undefined : stateOf(jobId);
      }),
    onSettled: async (callback) => {
      if (!events) {
        const eventsConnection = bullmqConnection(options.connection, 'worker');
        releaseEvents = eventsConnection.release;
        events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection.connection, prefix });
        events.on('error', onError);
      }
      const listener = ({ jobId }: { jobId: string }): void => callback(jobId);
      events.on('completed', listener);
      events.on('failed', listener);
      const current = events;
      return () => {
        current.off('completed', listener);
        current.off('failed', listener);
      };
    },
    counts: () => dependency('reading queue counts', () => queue.getJobCounts()),
    close: async () => {
      const shut = (q: { close(): Promise<void>; disconnect(): Promise<void> } | undefined) =>
        q ? withTimeout(q.close(), 2_000, 'closing the queue').catch(() => q.disconnect()) : Promise.resolve();
      await Promise.allSettled([shut(queue), shut(events), store.close()]);
      release();
      releaseEvents();
    },
  };
}

const RESULT_KINDS: readonly string[] = ['applied', 'failed', 'superseded'] satisfies readonly ApplyResult['kind'][];

/** BullMQ's view of a job in the queue's vocabulary. */
async function jobState(job: Job): Promise<JobState | undefined> {
  const id = job.id ?? '';
  const state = await job.getState();
  if (state === 'active') return { id, state: 'active' };
  if (state === 'completed') {
    const result: unknown = job.returnvalue;
    const kind = result && typeof result === 'object' ? (result as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' && RESULT_KINDS.includes(kind)
      ? { id, state: 'settled', result: result as ApplyResult }
      : { id, state: 'failed', reason: 'completed without a result (written by an older worker?)' };
  }
  // A job fails in BullMQ only without a result: its worker died too often (stalled), or it could not run.
  if (state === 'failed') return { id, state: 'failed', reason: job.failedReason || 'failed' };
  if (state === 'unknown') return undefined;
  const round = roundOf(job.data);
  return round.number > 1 ? { id, state: 'queued', round } : { id, state: 'queued' };
}

function roundOf(data: unknown): JobRound {
  const round = data && typeof data === 'object' ? (data as { round?: unknown }).round : undefined;
  if (!round || typeof round !== 'object') return { number: 1 };
  const { number, after } = round as { number?: unknown; after?: unknown };
  return { number: typeof number === 'number' && number > 1 ? number : 1, ...(typeof after === 'string' ? { after } : {}) };
}
