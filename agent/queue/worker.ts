// The consumer side: any number of workers (in the agent or `calico-gitops worker` processes)
// take jobs from the cluster's queue. Global concurrency 1 keeps one apply at a time across all.
import { Queue, Worker } from 'bullmq';
import { DependencyError, ExecutorError, type SerializedError } from '../domain/errors.js';
import { systemClock, type Clock, type Logger } from '../domain/runtime.js';
import { bullmqConnection, redisLocation, type RedisConnection } from './connection.js';
import { QUEUE_NAME, queuePrefix, type KeyPrefix } from './keys.js';
import { redisErrorLogger } from './redis-error-log.js';
import { withTimeout } from './timeout.js';

/** A job as the worker hands it to its handler (agent/apply's runApply). */
export interface QueuedJob {
  readonly id: string;
  readonly name: string;
  readonly data: unknown;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly attempts: number;
  /** This run of the job: the id comes back when a finished plan is needed again, the run does not. */
  readonly run: string;
}

/** The handler settles a job (its result is stored with it) or asks for a retry with backoff. */
export type JobHandler = (job: QueuedJob, signal?: AbortSignal) => Promise<{ readonly result: unknown } | { readonly retry: SerializedError }>;

export interface CreateWorkerOptions {
  readonly connection: RedisConnection;
  readonly cluster: string;
  /** Jobs this worker runs at once; global concurrency 1 still allows one apply cluster-wide. */
  readonly concurrency?: number;
  readonly handler: JobHandler;
  readonly logger: Logger;
  /** Aborting closes the worker gracefully. */
  readonly signal?: AbortSignal;
  /** Key prefix; defaults to `{calico-gitops:<cluster>}`. */
  readonly prefix?: KeyPrefix;
  /** How long a running job may take to finish on close before the worker is forced down. */
  readonly graceMs?: number;
  /** Lock of a running job; a worker that dies leaves it stalled for this long, then another takes it. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (BullMQ's stalled check). */
  readonly stalledIntervalMs?: number;
  readonly clock?: Clock;
}

export interface QueueWorker {
  readonly worker: Worker;
  /** Waits for running jobs up to the grace period, then forces the worker down. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<QueueWorker> {
  const prefix = options.prefix ?? queuePrefix(options.cluster);
  const { connection, release } = bullmqConnection(options.connection, 'worker');
  const where = redisLocation(options.connection);
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ component: 'worker', cluster: options.cluster });

  // Redis down: ioredis reconnects on its own and jobs stay in Redis; say so clearly, not 100 times.
  const onError = redisErrorLogger({ log, where, what: 'worker', clock });

  // Workers enforce the global limit too, so it holds even when they start before the controller.
  // With Redis down this would wait forever: try briefly now, and again once the worker is ready
  // (BullMQ emits 'ready' once, not per reconnect; after a Redis restart without persistence the
  // controller's queue re-asserts the limit before each add, see sync-queue.ts).
  let globalLimitSet = false;
  const setGlobalLimit = async (): Promise<void> => {
    if (globalLimitSet) return;
    const adminConnection = bullmqConnection(options.connection, 'producer');
    const admin = new Queue(QUEUE_NAME, { connection: adminConnection.connection, prefix });
    admin.on('error', () => undefined);
    try {
      await withTimeout(admin.setGlobalConcurrency(1), 3_000, 'setting global concurrency');
      globalLimitSet = true;
    } catch (cause) {
      log.warn({ err: new DependencyError(`could not set global concurrency yet: Redis at ${where} is unavailable`, { cause }).toJSON() }, 'global concurrency not set yet');
    } finally {
      await withTimeout(admin.close(), 1_000, 'closing').catch(() => admin.disconnect());
      adminConnection.release();
    }
  };
  await setGlobalLimit();

  const worker = new Worker<unknown, unknown>(
    QUEUE_NAME,
    async (job, _token, signal) => {
      const queued: QueuedJob = { id: job.id ?? 'unknown', name: job.name, data: job.data, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1, run: `${job.id ?? 'unknown'}@${job.timestamp}` };
      const settled = await options.handler(queued, signal);
      // BullMQ retries what throws (with the queue's backoff) and stores what returns as the result.
      if ('retry' in settled) throw new ExecutorError(settled.retry.message, { code: settled.retry.code, disposition: settled.retry.disposition });
      return settled.result;
    },
    {
      connection,
      prefix,
      concurrency: options.concurrency ?? 1,
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
      autorun: true,
    },
  );
  worker.on('error', onError);
  worker.on('ready', () => void setGlobalLimit());
  worker.on('failed', (job, err) => {
    log.warn({ jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err: { name: err.name, message: err.message } }, 'job failed');
  });
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; it runs again'));
  worker.on('completed', (job) => log.debug({ jobId: job.id, kind: job.name }, 'job completed'));

  let closing: Promise<void> | undefined;
  const close = (closeOptions: { graceMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      const graceMs = closeOptions.graceMs ?? options.graceMs ?? 25_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        log.warn({ graceMs }, 'worker did not close within the grace period: forcing it down (an unfinished job runs again elsewhere)');
        // close(true) itself waits for Redis; with Redis gone only dropping the connections ends it.
        await withTimeout(worker.close(true), 1_000, 'forced close').catch(() => withTimeout(worker.disconnect(), 1_000, 'disconnect').catch(() => undefined));
      }
      release();
    })();
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  return { worker, close };
}
