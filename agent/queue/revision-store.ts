// The newest revision the controller has seen, kept next to the queue's keys. Workers read it to
// skip jobs of superseded commits; only the controller writes it.
import { DependencyError } from '../domain/errors.js';
import { createRedisClient, redisLocation, type RedisConnection } from './connection.js';
import { latestRevisionKey, queuePrefix } from './keys.js';

export interface RevisionStore {
  get(): Promise<string | undefined>;
  set(revision: string): Promise<void>;
  close(): Promise<void>;
}

export async function createRevisionStore(options: {
  readonly connection: RedisConnection;
  readonly cluster: string;
  readonly prefix?: string;
  readonly onError?: (err: Error) => void;
}): Promise<RevisionStore> {
  const where = redisLocation(options.connection);
  const key = latestRevisionKey(options.prefix ?? queuePrefix(options.cluster));
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
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
