// Redis connection options for BullMQ. Workers block on Redis and must never give up a command
// (`maxRetriesPerRequest: null`); producers fail fast so the controller can report Redis down.
// A Redis Cluster is given by a seed URL, `redis+cluster://[user:password@]host:port,host:port`
// (`rediss+cluster://` for TLS): any reachable nodes, ioredis discovers the rest. Every key of a
// cluster's queue shares one hash tag (keys.ts), so BullMQ's multi-key scripts run in one slot.
import type { ConnectionOptions, RedisOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { ConfigError } from '../domain/errors.js';

/** Seed nodes of a Redis Cluster and the options every node connection uses. */
export interface RedisClusterSeed {
  readonly kind: 'cluster';
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  /** Per-node options (credentials, TLS). */
  readonly options: RedisOptions;
}

/** A Redis URL (`redis://`, `rediss://`, `redis+cluster://`), ready ioredis options, or a cluster seed. */
export type RedisConnection = string | RedisOptions | RedisClusterSeed;

export type RedisRole = 'worker' | 'producer';

/** Longest wait for a producer's Redis command; every producer command is a short one. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

const CLUSTER_SCHEMES = ['redis+cluster:', 'rediss+cluster:'];

function roleOptions(role: RedisRole): RedisOptions {
  return role === 'worker'
    ? { maxRetriesPerRequest: null }
    : // A Redis that hangs (frozen, partitioned) keeps the connection open and never answers: without
      // a command timeout a status post or a revision read would stall the controller until TCP gives up.
      { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS };
}

export function isClusterSeed(connection: RedisConnection): connection is RedisClusterSeed {
  return typeof connection === 'object' && 'kind' in connection && connection.kind === 'cluster';
}

/** Parses a URL into options or a cluster seed; options and seeds pass through. */
export function parseRedisConnection(connection: RedisConnection): RedisOptions | RedisClusterSeed {
  if (typeof connection !== 'string') return isClusterSeed(connection) ? connection : { ...connection };
  const scheme = /^[a-z+]+:/i.exec(connection)?.[0].toLowerCase();
  return scheme && CLUSTER_SCHEMES.includes(scheme) ? parseClusterUrl(connection) : parseRedisUrl(connection);
}

function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ConfigError('the Redis URL is not a valid URL', { cause });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`the Redis URL must start with redis://, rediss:// or redis+cluster:// (got ${parsed.protocol}//)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...credentials(parsed),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** `redis+cluster://[user:password@]host:port,host:port[/]`: credentials apply to every node. */
function parseClusterUrl(url: string): RedisClusterSeed {
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)\/?$/i.exec(url);
  if (!match) throw new ConfigError('the Redis Cluster URL must look like redis+cluster://host:port,host:port');
  const [, scheme = 'redis', userinfo, hostList = ''] = match;
  const nodes = hostList.split(',').map((entry) => entry.trim());
  if (nodes.length === 0 || nodes.some((n) => n === '')) throw new ConfigError('the Redis Cluster URL names no seed node (redis+cluster://host:port,host:port)');
  const seeds = nodes.map((n) => {
    let node: URL;
    try {
      node = new URL(`redis://${n}`);
    } catch (cause) {
      throw new ConfigError('a Redis Cluster seed node is not host:port', { cause });
    }
    return { host: node.hostname, port: node.port ? Number(node.port) : 6379 };
  });
  const auth = userinfo === undefined ? {} : credentials(new URL(`redis://${userinfo}@h`));
  return { kind: 'cluster', nodes: seeds, options: { ...auth, ...(scheme.toLowerCase() === 'rediss' ? { tls: {} } : {}) } };
}

function credentials(parsed: URL): RedisOptions {
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/**
 * A Redis client for the connection: `Redis` for one server, ioredis `Cluster` for a seed.
 * `extra` adds options (e.g. `lazyConnect`); on a cluster they go to the cluster and its nodes.
 */
export function createRedisClient(connection: RedisConnection, role: RedisRole, extra: RedisOptions = {}): Redis | Cluster {
  const parsed = parseRedisConnection(connection);
  if (!isClusterSeed(parsed)) return new Redis({ ...parsed, ...roleOptions(role), ...extra });
  const { maxRetriesPerRequest, enableOfflineQueue: _offline, commandTimeout, lazyConnect, retryStrategy: _retry, ...nodeExtra } = { ...roleOptions(role), ...extra };
  const options: ClusterOptions = {
    redisOptions: { ...parsed.options, ...nodeExtra, maxRetriesPerRequest, ...(commandTimeout ? { commandTimeout } : {}) },
    // The cluster-level offline queue stays on: with it off, ioredis refuses every command until its
    // first slot map is in, and again while it refreshes after a failover. Producers still fail fast:
    // node commands time out (`commandTimeout`) and every queue operation runs under a deadline.
    enableOfflineQueue: true,
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    // Slots move on a failover: follow MOVED/ASK at once, and keep retrying while the cluster elects.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2_000,
  };
  return new Cluster(
    parsed.nodes.map((n) => ({ host: n.host, port: n.port })),
    options,
  );
}

/**
 * What BullMQ takes: plain options for one Redis (BullMQ opens and closes its own connections),
 * or a Cluster client it shares (BullMQ never closes a shared client: call `release` after close).
 */
export function bullmqConnection(connection: RedisConnection, role: RedisRole): { connection: ConnectionOptions; release(): void } {
  const parsed = parseRedisConnection(connection);
  if (!isClusterSeed(parsed)) return { connection: { ...parsed, ...roleOptions(role) }, release: () => undefined };
  const client = createRedisClient(parsed, role);
  // BullMQ attaches its own listeners; this one keeps an unheard 'error' from crashing the process.
  client.on('error', () => undefined);
  return { connection: client, release: () => client.disconnect() };
}

/** Where Redis is, without credentials, for messages. */
export function redisLocation(connection: RedisConnection): string {
  const parsed = parseRedisConnection(connection);
  if (isClusterSeed(parsed)) return `cluster ${parsed.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `${parsed.host ?? '127.0.0.1'}:${parsed.port ?? 6379}`;
}
