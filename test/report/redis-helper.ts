// The real Redis on 127.0.0.1:6379 with a random key prefix per test file; cleanup deletes every
// key under the prefix and disconnects.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  cleanup(): Promise<void>;
}

export async function connectTestRedis(): Promise<TestRedis> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `{cg-test-${randomBytes(6).toString('hex')}}`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
