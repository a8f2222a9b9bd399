// The real Redis on 127.0.0.1:6379 with a random key prefix per test file; cleanup deletes every
// key under the prefix and disconnects.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { queuePrefix, type KeyPrefix } from '../../agent/queue/keys.js';

export interface TestRedis {
  readonly redis: Redis;
  /** A cluster prefix of its own for this file. */
  readonly prefix: KeyPrefix;
  /** Another prefix under the same random name, for one test. */
  prefixFor(name: string): KeyPrefix;
  cleanup(): Promise<void>;
}

export async function connectTestRedis(): Promise<TestRedis> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const name = `cg-test-${randomBytes(6).toString('hex')}`;
  const prefix = queuePrefix(name);
  // Every prefix of this file starts like this (Redis MATCH takes braces literally).
  const pattern = `{calico-gitops:${name}*`;
  return {
    redis,
    prefix,
    prefixFor: (sub) => queuePrefix(`${name}-${sub}`),
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
