// Redis connection options for BullMQ. Workers block on Redis and must never give up a command
// (`maxRetriesPerRequest: null`); producers fail fast so the controller can report Redis down.
import type { RedisOptions } from 'bullmq';
import { ConfigError } from '../domain/errors.js';

/** A Redis URL (`redis://`, `rediss://`) or ready ioredis options. */
export type RedisConnection = string | RedisOptions;

/** Longest wait for a producer's Redis command; every producer command is a short one. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

export function redisOptions(connection: RedisConnection, role: 'worker' | 'producer'): RedisOptions {
  const base = typeof connection === 'string' ? parseRedisUrl(connection) : { ...connection };
  return role === 'worker'
    ? { ...base, maxRetriesPerRequest: null }
    : // A Redis that hangs (frozen, partitioned) keeps the connection open and never answers: without
      // a command timeout a status post or a revision read would stall the controller until TCP gives up.
      { ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS };
}

export function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ConfigError('the Redis URL is not a valid URL', { cause });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`the Redis URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Where Redis is, without credentials, for messages. */
export function redisLocation(options: RedisOptions): string {
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}
