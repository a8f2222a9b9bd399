// The impact reports of the last planned revisions, in Redis: one expiring JSON value per commit
// and a sorted set of commits by time, trimmed to a cap, so a busy repository does not grow Redis
// without bound. Any replica reads them (the page is served by whichever one is asked).
import type { Cluster, Redis } from 'ioredis';
import type { ImpactReport } from '../connectivity/impact-report.js';
import type { Clock } from '../domain/runtime.js';
import { redisKeys, type KeyPrefix } from '../queue/keys.js';

export interface ImpactStore {
  save(report: ImpactReport): Promise<void>;
  load(sha: string): Promise<ImpactReport | undefined>;
}

export interface RedisImpactStoreOptions {
  readonly redis: Redis | Cluster;
  readonly prefix: KeyPrefix;
  readonly clock: Clock;
  /** Reports kept (default 100); the oldest are dropped. At most ~0.5 MB each (500 pairs), so ~50 MB in all at worst. */
  readonly maxReports?: number;
  /** How long a report lives (default 30 days). */
  readonly ttlSeconds?: number;
}

export function redisImpactStore(o: RedisImpactStoreOptions): ImpactStore {
  const max = o.maxReports ?? 100;
  const ttl = o.ttlSeconds ?? 30 * 86_400;
  const commits = redisKeys.impactCommits(o.prefix);
  return {
    save: async (report) => {
      const now = o.clock.now().getTime();
      await o.redis
        .multi()
        .set(redisKeys.impactReport(o.prefix, report.revision), JSON.stringify(report), 'EX', ttl)
        .zadd(commits, now, report.revision)
        // Entries whose report has expired go too.
        .zremrangebyscore(commits, '-inf', now - ttl * 1000)
        .exec();
      const excess = (await o.redis.zcard(commits)) - max;
      if (excess <= 0) return;
      const old = await o.redis.zrange(commits, 0, excess - 1);
      if (old.length > 0) await o.redis.multi().zrem(commits, ...old).del(...old.map((sha) => redisKeys.impactReport(o.prefix, sha))).exec();
    },
    load: async (sha) => {
      const raw = await o.redis.get(redisKeys.impactReport(o.prefix, sha));
      if (!raw) return undefined;
      try {
        const parsed = JSON.parse(raw) as Partial<ImpactReport>;
        return typeof parsed.revision === 'string' && typeof parsed.diff === 'object' ? (parsed as ImpactReport) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
