// Commit statuses kept in Redis when no forge is configured (and readable by `calico-gitops
// status` either way). Per cluster (the key prefix), per commit a hash of context → latest status
// with its time, and a sorted set of commits by last update so the newest can be listed.
import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../domain/runtime.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';
import { normalizeStatus, STATUS_STATES, type CommitStatus, type StatusReporter, type StatusState } from './commit-status.js';

export interface StoredCommitStatus extends CommitStatus {
  readonly cluster: string;
  /** ISO time of the post. */
  readonly time: string;
}

export interface RedisStatusStoreOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix for the cluster, e.g. `{calico-gitops:<cluster>}`. */
  readonly prefix: KeyPrefix;
  readonly cluster: string;
  readonly clock: Clock;
  /** Commits kept; older ones are dropped (default 500). */
  readonly maxCommits?: number;
}

export class RedisStatusStore implements StatusReporter {
  readonly #o: RedisStatusStoreOptions;
  constructor(options: RedisStatusStoreOptions) {
    this.#o = options;
  }

  async post(status: CommitStatus): Promise<void> {
    const s = normalizeStatus(status);
    const now = this.#o.clock.now();
    const stored: StoredCommitStatus = { ...s, cluster: this.#o.cluster, time: now.toISOString() };
    await this.#o.redis.multi().hset(this.#statusKey(s.sha), s.context, JSON.stringify(stored)).zadd(this.#commitsKey(), now.getTime(), s.sha).exec();
    await this.#trim();
  }

  /** Newest first. With `sha`, that commit's statuses; otherwise the latest across commits. */
  async listStatuses(query: { sha?: string; limit?: number } = {}): Promise<StoredCommitStatus[]> {
    const limit = query.limit ?? 50;
    const shas = query.sha ? [query.sha] : await this.#o.redis.zrevrange(this.#commitsKey(), 0, Math.max(0, limit - 1));
    const out: StoredCommitStatus[] = [];
    for (const sha of shas) {
      const values = Object.values(await this.#o.redis.hgetall(this.#statusKey(sha)));
      for (const v of values) {
        const parsed = parseStored(v);
        if (parsed) out.push(parsed);
      }
    }
    out.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : a.context.localeCompare(b.context)));
    return out.slice(0, limit);
  }

  async #trim(): Promise<void> {
    const max = this.#o.maxCommits ?? 500;
    const excess = (await this.#o.redis.zcard(this.#commitsKey())) - max;
    if (excess <= 0) return;
    const old = await this.#o.redis.zrange(this.#commitsKey(), 0, excess - 1);
    if (old.length === 0) return;
    await this.#o.redis.multi().zrem(this.#commitsKey(), ...old).del(...old.map((sha) => this.#statusKey(sha))).exec();
  }

  #statusKey(sha: string): string {
    return redisKeys.statuses(this.#o.prefix, sha);
  }
  #commitsKey(): string {
    return redisKeys.statusCommits(this.#o.prefix);
  }
}

function parseStored(text: string): StoredCommitStatus | undefined {
  try {
    const v = JSON.parse(text) as Partial<StoredCommitStatus>;
    if (typeof v.sha !== 'string' || typeof v.context !== 'string' || typeof v.time !== 'string') return undefined;
    if (!STATUS_STATES.includes(v.state as StatusState)) return undefined;
    return v as StoredCommitStatus;
  } catch {
    return undefined;
  }
}
