// Redis URLs and Redis Cluster seeds: what each form means, and a clear error for each bad one.
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisClient, parseRedisConnection, redisLocation } from '../../agent/queue/connection.js';

describe('parseRedisConnection', () => {
  it.each([
    ['redis://127.0.0.1:6380', { host: '127.0.0.1', port: 6380 }],
    ['redis://:pw@redis.example:7000/2', { host: 'redis.example', port: 7000, password: 'pw', db: 2 }],
    ['rediss://user:p%40ss@r.example', { host: 'r.example', port: 6379, username: 'user', password: 'p@ss', tls: {} }],
    [
      'redis+cluster://10.0.0.1:7000,10.0.0.2:7001',
      { kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], options: {} },
    ],
    ['rediss+cluster://u:s3cret@a.example:7000/', { kind: 'cluster', nodes: [{ host: 'a.example', port: 7000 }], options: { username: 'u', password: 's3cret', tls: {} } }],
    ['redis+cluster://node-a', { kind: 'cluster', nodes: [{ host: 'node-a', port: 6379 }], options: {} }],
  ])('%s', (url, expected) => {
    expect(parseRedisConnection(url)).toEqual(expected);
  });

  it.each([
    ['http://127.0.0.1:6379', 'must start with redis://, rediss:// or redis+cluster://'],
    ['not a url', 'not a valid URL'],
    ['redis+cluster://', 'names no seed node'],
    ['redis+cluster://a:7000,,b:7001', 'names no seed node'],
    ['redis+cluster://a:7000/0', 'must look like redis+cluster://host:port,host:port'],
    ['redis+cluster://a:notaport', 'is not host:port'],
  ])('%s is refused', (url, message) => {
    expect(() => parseRedisConnection(url)).toThrow(message);
  });
});

describe('clients', () => {
  it('a cluster seed gives an ioredis Cluster, a URL a Redis; neither connects until asked', () => {
    const cluster = createRedisClient('redis+cluster://127.0.0.1:1,127.0.0.1:2', 'worker', { lazyConnect: true });
    const single = createRedisClient('redis://127.0.0.1:1', 'producer', { lazyConnect: true });
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect(single).toBeInstanceOf(Redis);
      // Workers block: BullMQ refuses a blocking connection that may give up a command.
      expect((cluster as Cluster).options.redisOptions?.maxRetriesPerRequest).toBeNull();
    } finally {
      cluster.disconnect();
      single.disconnect();
    }
  });

  it('names where Redis is without credentials', () => {
    expect(redisLocation('redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7001')).toBe('cluster 10.0.0.1:7000,10.0.0.2:7001');
    expect(redisLocation('redis://:pw@10.0.0.1:7000')).toBe('10.0.0.1:7000');
  });
});
