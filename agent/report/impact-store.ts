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
  /** The report of a full commit id or of an unambiguous prefix of a kept one (what a user copies). */
  find(shaOrPrefix: string): Promise<ImpactLookup>;
}

export type ImpactLookup =
  | { readonly kind: 'found'; readonly report: ImpactReport }
  | { readonly kind: 'missing' }
  /** Several kept reports start with the prefix (sorted). */
  | { readonly kind: 'ambiguous'; readonly matches: readonly string[] };

/** Shorter prefixes are refused: too many commits would share them. */
export const MIN_SHA_PREFIX = 7;

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
  const load = async (sha: string): Promise<ImpactReport | undefined> => {
    const raw = await o.redis.get(redisKeys.impactReport(o.prefix, sha));
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<ImpactReport>;
      return typeof parsed.revision === 'string' && typeof parsed.diff === 'object' ? (parsed as ImpactReport) : undefined;
    } catch {
      return undefined;
    }
  };
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
    load,
    find: async (shaOrPrefix) => {
      const prefix = shaOrPrefix.toLowerCase();
      const exact = await load(prefix);
      if (exact) return { kind: 'found', report: exact };
      if (prefix.length < MIN_SHA_PREFIX) return { kind: 'missing' };
      // The index holds at most maxReports commits (plus expired ones until the next save).
      const candidates = (await o.redis.zrange(commits, 0, -1)).filter((sha) => sha.startsWith(prefix));
      const kept: string[] = [];
      for (const sha of candidates) if ((await o.redis.exists(redisKeys.impactReport(o.prefix, sha))) === 1) kept.push(sha);
      const [only, ...more] = kept.sort();
      if (only === undefined) return { kind: 'missing' };
      if (more.length > 0) return { kind: 'ambiguous', matches: [only, ...more] };
      const report = await load(only);
      return report ? { kind: 'found', report } : { kind: 'missing' };
    },
  };
}
