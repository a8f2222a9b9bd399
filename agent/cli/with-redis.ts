// One Redis connection for a short CLI command, from the usual flags and environment; a
// missing Redis is one clear line, never a reconnect loop.
import type { Cluster, Redis } from 'ioredis';
import { loadConfig, type Config } from '../config/config.js';
import { createRedisClient } from '../queue/connection.js';

export interface CliStreams {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; hasColors?(): boolean };
  readonly stderr: { write(text: string): unknown };
}

export const processStreams: CliStreams = { stdout: process.stdout, stderr: process.stderr };

export async function withRedis(
  options: Record<string, string | undefined>,
  fn: (redis: Redis | Cluster, config: Config) => Promise<number>,
  io: CliStreams = processStreams,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(options);
  } catch (err) {
    io.stderr.write(`calico-gitops: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const redis = createRedisClient(config.redis, 'producer', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch {
    io.stderr.write(`calico-gitops: Redis is not reachable (--redis / CALICO_GITOPS_REDIS)\n`);
    return 1;
  }
  try {
    return await fn(redis, config);
  } finally {
    redis.disconnect();
  }
}
