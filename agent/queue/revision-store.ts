// The newest revision the controller has seen, kept next to the queue's keys (workers read it to
// skip jobs of superseded commits; only the controller writes it), and each revision's last job.
import { DependencyError } from '../domain/errors.js';
import { createRedisClient, redisLocation, type RedisConnection } from './connection.js';
import { queuePrefix, redisKeys, type KeyPrefix } from './keys.js';

export interface RevisionStore {
  get(): Promise<string | undefined>;
  set(revision: string): Promise<void>;
  /** Records the job enqueued for a revision, kept for `ttlSeconds`. */
  setJobOf(revision: string, jobId: string, ttlSeconds: number): Promise<void>;
  jobOf(revision: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createRevisionStore(options: {
  readonly connection: RedisConnection;
  readonly cluster: string;
  readonly prefix?: KeyPrefix;
  readonly onError?: (err: Error) => void;
}): Promise<RevisionStore> {
  const where = redisLocation(options.connection);
  const prefix = options.prefix ?? queuePrefix(options.cluster);
  const key = redisKeys.latestRevision(prefix);
  const redis = createRedisClient(options.connection, 'producer', { lazyConnect: true });
  redis.on('error', options.onError ?? (() => undefined));
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (cause) {
      throw new DependencyError(`${what}: Redis at ${where} is unavailable`, { cause, code: 'redis' });
    }
  };
  try {
    await guard('connecting', () => redis.connect());
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    get: () => guard('reading the latest revision', async () => (await redis.get(key)) ?? undefined),
    set: (revision) => guard('recording the latest revision', async () => void (await redis.set(key, revision))),
    setJobOf: (revision, jobId, ttlSeconds) => guard('recording the job of a revision', async () => void (await redis.set(redisKeys.revisionJob(prefix, revision), jobId, 'EX', ttlSeconds))),
    jobOf: (revision) => guard('reading the job of a revision', async () => (await redis.get(redisKeys.revisionJob(prefix, revision))) ?? undefined),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
