// The producer side of one cluster's queue, used by the controller (the Lease holder): marks the
// newest revision, enqueues sync / heal / uninstall jobs and upserts the periodic resync.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { DependencyError } from '../domain/errors.js';
import { systemClock, type Clock, type Logger } from '../domain/runtime.js';
import type { Plan } from '../domain/state.js';
import { bullmqConnection, redisLocation, type RedisConnection } from './connection.js';
import type { HealJobData, JobDataByKind, JobKind, JobOutcome, SyncJobData, UninstallJobData } from './jobs.js';
import { redisErrorLogger } from './redis-error-log.js';
import { withTimeout } from './timeout.js';
import { createRevisionStore, type RevisionStore } from './revision-store.js';
import { healJobId, QUEUE_NAME, queuePrefix, RESYNC_QUEUE_NAME, syncJobId, uninstallJobId } from './keys.js';

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
  readonly prefix?: string;
  readonly retry?: RetryPolicy;
  /** Burst window for heal jobs: drift seen within it is repaired once, with the newest plan. */
  readonly healDebounceMs?: number;
  /** Longest wait for one Redis operation before it fails with a DependencyError (BullMQ alone waits forever). */
  readonly operationTimeoutMs?: number;
  readonly clock?: Clock;
}

export interface EnqueueResult {
  readonly jobId: string;
  /** False when a job with this id already existed (a repeated poll or webhook). */
  readonly created: boolean;
}

export interface SyncQueue {
  readonly prefix: string;
  /** The BullMQ queue, for metrics (`exportPrometheusMetrics`) and tests. */
  readonly queue: Queue;
  setLatestRevision(revision: string): Promise<void>;
  latestRevision(): Promise<string | undefined>;
  enqueueSync(input: SyncJobData): Promise<EnqueueResult>;
  enqueueHeal(input: HealJobData): Promise<EnqueueResult>;
  enqueueUninstall(input: UninstallJobData): Promise<EnqueueResult>;
  /** Creates or updates the periodic resync; the controller consumes it with `createResyncListener`. */
  upsertResync(input: { everyMs: number }): Promise<void>;
  /** Waits for a job to finish and returns its outcome (throws its failure). */
  waitFor(jobId: string, timeoutMs: number): Promise<JobOutcome>;
  counts(): Promise<Record<string, number>>;
  /** Whether the queue holds a job with this id (any state). */
  hasJob(jobId: string): Promise<boolean>;
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
  const resync = new Queue(RESYNC_QUEUE_NAME, { connection, prefix });
  let events: QueueEvents | undefined;
  let releaseEvents = (): void => undefined;
  const onError = redisErrorLogger({ log, where, what: 'queue', clock: options.clock ?? systemClock });
  queue.on('error', onError);
  resync.on('error', onError);

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
    await Promise.allSettled([queue.close(), resync.close(), revisions?.close()]);
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

  const add = async <K extends JobKind>(kind: K, jobId: string, data: JobDataByKind[K], extra: JobsOptions = {}): Promise<EnqueueResult> =>
    dependency(`enqueueing ${jobId}`, async () => {
      // The limit lives in Redis (the queue's meta hash): a Redis that restarts without persistence
      // comes back without it, and BullMQ never re-applies it. Asserting it (one idempotent HSET)
      // right before every add means no job exists in a Redis that lacks the one-apply-at-a-time rule.
      await queue.setGlobalConcurrency(1);
      // The leader is the only producer, so "exists, then add" does not race; add itself ignores a
      // duplicate id anyway, this only tells the caller which case it was.
      const existing = await queue.getJob(jobId);
      if (existing) {
        log.debug({ jobId }, 'job already queued');
        return { jobId, created: false };
      }
      await queue.add(kind, data, { ...baseOpts, ...extra, jobId });
      log.info({ jobId, kind, planId: data.plan.id, steps: data.plan.steps.length }, 'job queued');
      return { jobId, created: true };
    });

  const planId = (plan: Plan) => plan.id;
  const healDebounce = options.healDebounceMs ?? 2_000;

  return {
    prefix,
    queue,
    setLatestRevision: (revision) => store.set(revision),
    latestRevision: () => store.get(),
    enqueueSync: (input) => add('sync', syncJobId({ cluster: options.cluster, revision: input.revision, planId: planId(input.plan) }), input),
    enqueueHeal: (input) =>
      add('heal', healJobId({ cluster: options.cluster, planId: planId(input.plan) }), input, {
        // Drift comes in bursts (one kubectl edit per object): debounce them into one repair that
        // carries the newest plan (a delayed heal is replaced while the window lasts).
        delay: healDebounce,
        deduplication: { id: `heal-${options.cluster}`, ttl: healDebounce, extend: true, replace: true },
      }),
    enqueueUninstall: (input) => add('uninstall', uninstallJobId({ cluster: options.cluster, planId: planId(input.plan) }), input),
    upsertResync: ({ everyMs }) =>
      dependency('scheduling the periodic resync', async () => {
        await resync.upsertJobScheduler(`resync-${options.cluster}`, { every: everyMs }, {
          name: 'resync',
          data: {},
          opts: { removeOnComplete: true, removeOnFail: 100 },
        });
      }),
    waitFor: async (jobId, timeoutMs) => {
      if (!events) {
        const eventsConnection = bullmqConnection(options.connection, 'worker');
        releaseEvents = eventsConnection.release;
        events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection.connection, prefix });
        events.on('error', onError);
        await events.waitUntilReady();
      }
      const job = await queue.getJob(jobId);
      if (!job) throw new DependencyError(`job ${jobId} does not exist`, { code: 'job-missing' });
      return (await job.waitUntilFinished(events, timeoutMs)) as JobOutcome;
    },
    counts: () => dependency('reading queue counts', () => queue.getJobCounts()),
    hasJob: (jobId) => dependency(`looking up job ${jobId}`, async () => (await queue.getJob(jobId)) !== undefined),
    close: async () => {
      const shut = (q: { close(): Promise<void>; disconnect(): Promise<void> } | undefined) =>
        q ? withTimeout(q.close(), 2_000, 'closing the queue').catch(() => q.disconnect()) : Promise.resolve();
      await Promise.allSettled([shut(queue), shut(resync), shut(events), store.close()]);
      release();
      releaseEvents();
    },
  };
}
